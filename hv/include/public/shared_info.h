/*
 * The shared-info page, per-vCPU info and the paravirtual clock (Xen's public
 * layouts for x86-64). The hypervisor writes them; the guest reads them.
 */
#ifndef MICA_PUBLIC_SHARED_INFO_H
#define MICA_PUBLIC_SHARED_INFO_H

#include <stddef.h>
#include <stdint.h>

#define XEN_LEGACY_MAX_VCPUS 32
#define EVTCHN_2L_WORDS      64     /* 64 x 64 bits: 4096 ports */

/*
 * pvclock: system time (ns since the hypervisor booted) at any moment is
 *   system_time + (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * with a right shift by -tsc_shift when tsc_shift is negative. `version` is odd
 * while the hypervisor updates the record: read it before and after, retry if
 * it changed or is odd.
 */
struct vcpu_time_info {
    uint32_t version;           /* OUT */
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* OUT: TSC when system_time was taken */
    uint64_t system_time;       /* OUT: ns */
    uint32_t tsc_to_system_mul; /* OUT: 32.32 fixed-point ns per scaled TSC tick */
    int8_t tsc_shift;           /* OUT */
    uint8_t flags;              /* OUT: XEN_PVCLOCK_* */
    uint8_t pad1[2];
};
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info size");
#define XEN_PVCLOCK_TSC_STABLE_BIT (1u << 0)

struct arch_vcpu_info {
    uint64_t cr2;
    uint64_t pad;
};
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info size");

struct vcpu_info {
    uint8_t evtchn_upcall_pending;  /* OUT: set when an event needs delivery */
    uint8_t evtchn_upcall_mask;     /* IN: unused for PVH (the guest's IF decides) */
    uint8_t pad0[6];
    uint64_t evtchn_pending_sel;    /* OUT: which words of evtchn_pending to scan */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");
_Static_assert(offsetof(struct vcpu_info, arch) == 16, "vcpu_info.arch");
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");

struct arch_shared_info {
    uint64_t max_pfn;
    uint64_t pfn_to_mfn_frame_list_list;
    uint64_t nmi_reason;
    uint64_t p2m_cr3;
    uint64_t p2m_vaddr;
    uint64_t p2m_generation;
};
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info size");

struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    uint64_t evtchn_pending[EVTCHN_2L_WORDS];   /* OUT: bit per port */
    uint64_t evtchn_mask[EVTCHN_2L_WORDS];      /* IN: bit per port, set = masked */
    uint32_t wc_version;        /* OUT: odd while updating, like vcpu_time_info */
    uint32_t wc_sec;            /* OUT: wall-clock time at system time 0 */
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info size");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "evtchn_pending");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2560, "evtchn_mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 3072, "wc_version");
_Static_assert(offsetof(struct shared_info, arch) == 3088, "shared_info.arch");

#endif
