/*
 * Xen's 32-bit (compat) layouts: what a caller in 32-bit protected mode
 * passes and is given, for every structure of Mica's hypercalls whose i386
 * layout differs from the x86-64 one (docs/abi.md, "32-bit callers"). On
 * i386, xen_ulong_t, xen_pfn_t, unsigned long and guest handles are 4 bytes
 * and uint64_t is only 4-byte aligned; each layout is packed here with its
 * offsets asserted as Xen's public headers give them. Structures not listed
 * have one layout for both.
 */
#ifndef MICA_PUBLIC_COMPAT_H
#define MICA_PUBLIC_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include "shared_info.h"

#define COMPAT_PACKED __attribute__((packed))

/* memory_op */
struct COMPAT_PACKED compat_memory_reservation {
    uint32_t extent_start;      /* IN: 32-bit pointer to nr_extents uint32_t GFNs */
    uint32_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    uint16_t domid;
    uint16_t pad;               /* i386 tail padding; must be 0 like the x86-64 pad[] */
};
_Static_assert(sizeof(struct compat_memory_reservation) == 20, "compat reservation size");
_Static_assert(offsetof(struct compat_memory_reservation, domid) == 16, "compat reservation.domid");

struct COMPAT_PACKED compat_add_to_physmap {
    uint16_t domid;
    uint16_t size;
    uint32_t space;
    uint32_t idx;
    uint32_t gpfn;
};
_Static_assert(sizeof(struct compat_add_to_physmap) == 16, "compat add_to_physmap size");
_Static_assert(offsetof(struct compat_add_to_physmap, gpfn) == 12, "compat add_to_physmap.gpfn");

struct COMPAT_PACKED compat_memory_map {
    uint32_t nr_entries;        /* IN: capacity; OUT: entries written */
    uint32_t buffer;            /* IN: 32-bit pointer to struct e820_entry[] */
};
_Static_assert(sizeof(struct compat_memory_map) == 8, "compat memory_map size");

/* grant_table_op (map, unmap, query_size, set/get_version share the x86-64 layout) */
struct COMPAT_PACKED compat_gnttab_setup_table {
    uint16_t dom;
    uint16_t pad;
    uint32_t nr_frames;
    int16_t status;
    uint16_t pad2;
    uint32_t frame_list;        /* IN: 32-bit pointer to nr_frames uint32_t (OUT) */
};
_Static_assert(sizeof(struct compat_gnttab_setup_table) == 16, "compat setup_table size");
_Static_assert(offsetof(struct compat_gnttab_setup_table, frame_list) == 12, "compat frame_list");

struct COMPAT_PACKED compat_gnttab_copy_ptr {
    uint32_t u;                 /* grant_ref_t ref, or a 32-bit xen_pfn_t gmfn */
    uint16_t domid;
    uint16_t offset;
};
_Static_assert(sizeof(struct compat_gnttab_copy_ptr) == 8, "compat copy_ptr size");

struct COMPAT_PACKED compat_gnttab_copy {
    struct compat_gnttab_copy_ptr source;
    struct compat_gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags;
    int16_t status;
    uint16_t pad;
};
_Static_assert(sizeof(struct compat_gnttab_copy) == 24, "compat gnttab_copy size");
_Static_assert(offsetof(struct compat_gnttab_copy, len) == 16, "compat copy.len");
_Static_assert(offsetof(struct compat_gnttab_copy, status) == 20, "compat copy.status");

/* vcpu_op */
struct COMPAT_PACKED compat_vcpu_runstate_info {
    int32_t state;
    uint64_t state_entry_time;  /* at offset 4: uint64_t is 4-byte aligned on i386 */
    uint64_t time[4];
};
_Static_assert(sizeof(struct compat_vcpu_runstate_info) == 44, "compat runstate size");
_Static_assert(offsetof(struct compat_vcpu_runstate_info, state_entry_time) == 4,
               "compat runstate.state_entry_time");
_Static_assert(offsetof(struct compat_vcpu_runstate_info, time) == 12, "compat runstate.time");

/* register_runstate_memory_area: Xen reads only the 4-byte handle. */
struct COMPAT_PACKED compat_vcpu_register_runstate_memory_area {
    uint32_t addr;
};

struct COMPAT_PACKED compat_vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;
};
_Static_assert(sizeof(struct compat_vcpu_set_singleshot_timer) == 12, "compat singleshot size");

/* sched_op */
struct COMPAT_PACKED compat_sched_poll {
    uint32_t ports;             /* IN: 32-bit pointer to nr_ports uint32_t ports */
    uint32_t nr_ports;
    uint64_t timeout;
};
_Static_assert(sizeof(struct compat_sched_poll) == 16, "compat sched_poll size");
_Static_assert(offsetof(struct compat_sched_poll, timeout) == 8, "compat sched_poll.timeout");

/* xen_version */
struct COMPAT_PACKED compat_platform_parameters {
    uint32_t virt_start;
};

/* physdev_op (dom0) */
struct COMPAT_PACKED compat_physdev_map_pirq {
    uint16_t domid;
    uint16_t pad;
    int32_t type;
    int32_t index;
    int32_t pirq;
    int32_t bus;
    int32_t devfn;
    int32_t entry_nr;
    uint64_t table_base;        /* at offset 28 on i386 (32 on x86-64) */
};
_Static_assert(sizeof(struct compat_physdev_map_pirq) == 36, "compat map_pirq size");
_Static_assert(offsetof(struct compat_physdev_map_pirq, table_base) == 28, "compat table_base");

/*
 * The shared-info page in its 32-bit layout, which a domain gets when it
 * was latched 32-bit (docs/abi.md): 32 x 32-bit event words (1024 ports),
 * so everything after evtchn_pending moves. vcpu_info keeps its 64 bytes;
 * its selector is 32 bits at offset 4 and vcpu_time_info stays at 32.
 */
#define COMPAT_EVTCHN_2L_WORDS 32
#define COMPAT_EVTCHN_2L_PORTS (COMPAT_EVTCHN_2L_WORDS * 32)

struct COMPAT_PACKED compat_vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    uint8_t pad0[2];
    uint32_t evtchn_pending_sel;
    uint32_t cr2;
    uint32_t pad[5];
    struct vcpu_time_info time;
};
_Static_assert(sizeof(struct compat_vcpu_info) == 64, "compat vcpu_info size");
_Static_assert(offsetof(struct compat_vcpu_info, evtchn_pending_sel) == 4, "compat pending_sel");
_Static_assert(offsetof(struct compat_vcpu_info, time) == 32, "compat vcpu_info.time");

struct COMPAT_PACKED compat_arch_shared_info {
    uint32_t max_pfn;
    uint32_t pfn_to_mfn_frame_list_list;
    uint32_t nmi_reason;
    uint32_t p2m_cr3;
    uint32_t p2m_vaddr;
    uint32_t p2m_generation;
    uint32_t wc_sec_hi;         /* i386 keeps it here: no room in the generic part */
};

struct COMPAT_PACKED compat_shared_info {
    struct compat_vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    uint32_t evtchn_pending[COMPAT_EVTCHN_2L_WORDS];
    uint32_t evtchn_mask[COMPAT_EVTCHN_2L_WORDS];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    struct compat_arch_shared_info arch;
};
_Static_assert(offsetof(struct compat_shared_info, evtchn_pending) == 2048, "compat pending");
_Static_assert(offsetof(struct compat_shared_info, evtchn_mask) == 2176, "compat mask");
_Static_assert(offsetof(struct compat_shared_info, wc_version) == 2304, "compat wc_version");
_Static_assert(offsetof(struct compat_shared_info, arch) == 2316, "compat arch");
_Static_assert(offsetof(struct compat_shared_info, arch.wc_sec_hi) == 2340, "compat wc_sec_hi");
_Static_assert(sizeof(struct compat_shared_info) == 2344, "compat shared_info size");

#endif
