/* memory_op(cmd, arg): RDI = cmd, RSI = guest pointer. */
#ifndef MICA_PUBLIC_MEMORY_OP_H
#define MICA_PUBLIC_MEMORY_OP_H

#include <stdint.h>
#include "abi.h"

#define XENMEM_INCREASE_RESERVATION 0   /* arg -> struct xen_memory_reservation */
#define XENMEM_DECREASE_RESERVATION 1   /* arg -> struct xen_memory_reservation */
#define XENMEM_POPULATE_PHYSMAP     6   /* arg -> struct xen_memory_reservation */
#define XENMEM_MAXIMUM_RAM_PAGE     2   /* arg ignored; returns the highest RAM GFN */
#define XENMEM_CURRENT_RESERVATION  3   /* arg -> domid_t; returns pages */
#define XENMEM_MAXIMUM_RESERVATION  4   /* arg -> domid_t; returns pages */
#define XENMEM_ADD_TO_PHYSMAP       7
#define XENMEM_MEMORY_MAP           9

/*
 * populate_physmap: a domain (or dom0 for a domain it builds or runs) gets
 * zeroed RAM, one extent of 2^extent_order pages at each guest frame number
 * listed; decrease_reservation: each extent listed is given back (a domU's
 * balloon). Both return the number of extents done; fewer than asked (at
 * most MICA_POPULATE_MAX_PAGES pages per call, or where one could not be
 * done) means: call again with the rest.
 */
#define MICA_POPULATE_MAX_ORDER 9
#define MICA_POPULATE_MAX_PAGES 4096
struct xen_memory_reservation {
    uint64_t extent_start;      /* IN: guest pointer to nr_extents uint64_t GFNs */
    uint64_t nr_extents;        /* IN */
    uint32_t extent_order;      /* IN: 0..MICA_POPULATE_MAX_ORDER */
    uint32_t mem_flags;         /* IN: 0 */
    uint16_t domid;             /* IN: DOMID_SELF, the caller's id, or (dom0) another's */
    uint16_t pad[3];
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "memory_reservation size");

struct xen_add_to_physmap {
    uint16_t domid;             /* IN: DOMID_SELF or the caller's own id */
    uint16_t size;              /* IN: unused for the spaces Mica supports */
    uint32_t space;             /* IN: XENMAPSPACE_* */
    uint64_t idx;               /* IN: index within the space */
    uint64_t gpfn;              /* IN: guest frame to map it at */
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "add_to_physmap size");

#define XENMAPSPACE_SHARED_INFO 0
#define XENMAPSPACE_GRANT_TABLE 1

struct xen_memory_map {
    uint32_t nr_entries;        /* IN: capacity of buffer; OUT: entries written */
    uint32_t pad;
    uint64_t buffer;            /* IN: guest pointer to struct e820_entry[] */
};
_Static_assert(sizeof(struct xen_memory_map) == 16, "memory_map size");

struct __attribute__((packed)) e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry size");

#endif
