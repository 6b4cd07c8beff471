/*
 * Grant tables, v1 (Xen's public numbering and layouts).
 * grant_table_op(cmd, uop, count): RDI = cmd, RSI = guest pointer to an array
 * of `count` operation structures, RDX = count.
 */
#ifndef MICA_PUBLIC_GRANT_TABLE_H
#define MICA_PUBLIC_GRANT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "abi.h"

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

/* One entry of a domain's grant table, written by the granting domain. */
struct grant_entry_v1 {
    uint16_t flags;             /* GTF_*; GTF_reading/GTF_writing are set by the hypervisor */
    domid_t domid;              /* the domain allowed to use the grant */
    uint32_t frame;             /* the granted frame: a GFN of the granting domain */
};
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 size");
#define GRANT_ENTRIES_PER_FRAME (4096 / sizeof(struct grant_entry_v1))

#define GTF_invalid       0u
#define GTF_permit_access 1u
#define GTF_type_mask     3u
#define GTF_readonly      (1u << 2)
#define GTF_reading       (1u << 3)     /* in use: mapped or being copied from */
#define GTF_writing       (1u << 4)     /* in use: mapped writable or being copied to */

/*
 * Xen's reserved entries: the builder fills them for a domU, granting its
 * console and xenstore ring pages to dom0 (docs/abi.md, "The xenstore
 * ring"). A guest allocates its own grants from GNTTAB_NR_RESERVED_ENTRIES.
 */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

#define GNTTABOP_map_grant_ref   0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table     2
#define GNTTABOP_copy            5
#define GNTTABOP_query_size      6
#define GNTTABOP_set_version     8
#define GNTTABOP_get_version    10

/* Status codes, in the `status` field of each operation. */
#define GNTST_okay              0
#define GNTST_general_error    (-1)
#define GNTST_bad_domain       (-2)
#define GNTST_bad_gntref       (-3)
#define GNTST_bad_handle       (-4)
#define GNTST_bad_virt_addr    (-5)
#define GNTST_bad_dev_addr     (-6)
#define GNTST_no_device_space  (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page         (-9)
#define GNTST_bad_copy_arg    (-10)
#define GNTST_address_too_big (-11)     /* a 32-bit caller's frame list cannot hold the GFN */

#define GNTMAP_device_map (1u << 0)
#define GNTMAP_host_map   (1u << 1)
#define GNTMAP_readonly   (1u << 2)

struct gnttab_map_grant_ref {
    uint64_t host_addr;         /* IN: guest-physical address to map the page at */
    uint32_t flags;             /* IN: GNTMAP_host_map, optionally GNTMAP_readonly */
    grant_ref_t ref;            /* IN */
    domid_t dom;                /* IN: the granting domain */
    int16_t status;             /* OUT: GNTST_* */
    grant_handle_t handle;      /* OUT: for unmap */
    uint64_t dev_bus_addr;      /* OUT: 0 (no device mappings) */
};
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref size");
_Static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20, "map.handle");

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;         /* IN: as mapped */
    uint64_t dev_bus_addr;      /* IN: ignored */
    grant_handle_t handle;      /* IN */
    int16_t status;             /* OUT */
};
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref size");

struct gnttab_setup_table {
    domid_t dom;                /* IN */
    uint32_t nr_frames;         /* IN */
    int16_t status;             /* OUT */
    uint64_t frame_list;        /* IN: guest pointer to nr_frames uint64_t (OUT) */
};
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "setup_table size");

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;        /* with GNTCOPY_*_gref */
        uint64_t gmfn;          /* otherwise: a GFN of the caller */
    } u;
    domid_t domid;
    uint16_t offset;
};
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr size");
_Static_assert(offsetof(struct gnttab_copy_ptr, domid) == 8, "copy_ptr.domid");

struct gnttab_copy {
    struct gnttab_copy_ptr source;
    struct gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags;             /* GNTCOPY_* */
    int16_t status;             /* OUT */
};
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy size");
_Static_assert(offsetof(struct gnttab_copy, len) == 32, "copy.len");
#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref   (1u << 1)

struct gnttab_query_size {
    domid_t dom;                /* IN */
    uint32_t nr_frames;         /* OUT */
    uint32_t max_nr_frames;     /* OUT */
    int16_t status;             /* OUT */
};
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size size");

struct gnttab_set_version {
    uint32_t version;           /* IN: 1; OUT: the version in use */
};
_Static_assert(sizeof(struct gnttab_set_version) == 4, "set_version size");

struct gnttab_get_version {
    domid_t dom;                /* IN */
    uint16_t pad;
    uint32_t version;           /* OUT */
};
_Static_assert(sizeof(struct gnttab_get_version) == 8, "get_version size");

/* Per-domain limits (docs/abi.md). */
#define GRANT_MAX_FRAMES   4        /* 2048 grant entries */
#define GRANT_MAX_MAPTRACK 1024     /* grants a domain may have mapped at once */
#define GRANT_MAX_OPS      512      /* operations per grant_table_op call */

/* memory_op add_to_physmap, space XENMAPSPACE_grant_table: idx = table frame. */
#define XENMAPIDX_grant_table_status (1u << 31)

/* The size of one element of grant_table_op's array for `cmd`; 0 if Mica
 * has no such sub-op. */
static inline uint32_t gnttab_op_size(uint64_t cmd)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref: return sizeof(struct gnttab_map_grant_ref);
    case GNTTABOP_unmap_grant_ref: return sizeof(struct gnttab_unmap_grant_ref);
    case GNTTABOP_setup_table: return sizeof(struct gnttab_setup_table);
    case GNTTABOP_copy: return sizeof(struct gnttab_copy);
    case GNTTABOP_query_size: return sizeof(struct gnttab_query_size);
    case GNTTABOP_set_version: return sizeof(struct gnttab_set_version);
    case GNTTABOP_get_version: return sizeof(struct gnttab_get_version);
    default: return 0;
    }
}

#endif
