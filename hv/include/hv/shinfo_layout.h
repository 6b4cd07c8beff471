/*
 * The fields of a domain's shared info whose place depends on the layout it
 * was latched with (d->shinfo_compat, hv/compat.h): the 2-level mask words,
 * the per-vCPU selector and the wall clock. The pending words need nothing:
 * x86 is little-endian, so port p is bit p % 64 of 64-bit word p / 64 in
 * either layout, and the 32-bit arrays start at the same offset.
 */
#ifndef HV_SHINFO_LAYOUT_H
#define HV_SHINFO_LAYOUT_H

#include "hv/domain.h"
#include "public/compat.h"

#define SHINFO_AT(base, type, field) ((uint32_t *)((char *)(base) + offsetof(type, field)))

/* Mica's ports fit the 32-bit layout's 1024 too: no port check differs. */
_Static_assert(EVTCHN_MAX_PORTS <= COMPAT_EVTCHN_2L_PORTS, "ports beyond the 32-bit layout");

/* The mask words as 64-bit words (the 32-bit array starts 8-byte aligned). */
static inline uint64_t *shinfo_mask_words(struct domain *d)
{
    if (d->shinfo_compat)
        return (uint64_t *)SHINFO_AT(d->shared_info, struct compat_shared_info, evtchn_mask);
    return d->shared_info->evtchn_mask;
}

/* Set port's selector bit in `vi`; true if it was set already. */
static inline bool shinfo_test_and_set_selector(const struct domain *d, struct vcpu_info *vi,
                                                uint32_t port)
{
    if (d->shinfo_compat) {
        uint32_t *sel = SHINFO_AT(vi, struct compat_vcpu_info, evtchn_pending_sel);
        uint32_t bit = 1u << (port / 32);
        return __atomic_fetch_or(sel, bit, __ATOMIC_SEQ_CST) & bit;
    }
    uint64_t bit = 1ull << (port / 64);
    return __atomic_fetch_or(&vi->evtchn_pending_sel, bit, __ATOMIC_SEQ_CST) & bit;
}

struct shinfo_wallclock {
    uint32_t *version, *sec, *nsec, *sec_hi;
};

static inline struct shinfo_wallclock shinfo_wallclock(struct domain *d)
{
    struct shared_info *si = d->shared_info;
    if (d->shinfo_compat)
        return (struct shinfo_wallclock){
            SHINFO_AT(si, struct compat_shared_info, wc_version),
            SHINFO_AT(si, struct compat_shared_info, wc_sec),
            SHINFO_AT(si, struct compat_shared_info, wc_nsec),
            SHINFO_AT(si, struct compat_shared_info, arch.wc_sec_hi),
        };
    return (struct shinfo_wallclock){ &si->wc_version, &si->wc_sec, &si->wc_nsec, &si->wc_sec_hi };
}

#endif
