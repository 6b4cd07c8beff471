/*
 * The paravirtual clock. The hypervisor publishes, per vCPU, a TSC value
 * and the system time it stood for, plus a scale; the guest extrapolates
 * with its own RDTSC. Both records are read under a version count that is
 * odd while the hypervisor writes them (public/shared_info.h).
 */
#include <stdint.h>

#include "arch.h"
#include "clock.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"

/* Xen leaf base+3 (time), sub-leaf 0: ECX = guest TSC frequency in kHz. */
#define XEN_LEAF_TIME 3

static uint64_t pvclock_scale(uint64_t delta, int8_t shift, uint32_t mul)
{
    if (shift >= 0)
        delta <<= shift;
    else
        delta >>= -shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t clock_now_ns(void)
{
    const struct vcpu_time_info *t = &this_vcpu_info()->time;
    uint32_t version;
    uint64_t ns;

    do {
        uint64_t stamp, tsc;

        version = READ_ONCE(t->version);
        barrier();
        stamp = READ_ONCE(t->tsc_timestamp);
        tsc = rdtsc();
        /* A TSC read before the stamp was taken counts as no time passed. */
        ns = READ_ONCE(t->system_time) +
             pvclock_scale(tsc > stamp ? tsc - stamp : 0, READ_ONCE(t->tsc_shift),
                           READ_ONCE(t->tsc_to_system_mul));
        barrier();
    } while ((version & 1) || version != READ_ONCE(t->version));
    return ns;
}

uint64_t clock_tsc_at(uint64_t ns)
{
    const struct vcpu_time_info *t = &this_vcpu_info()->time;
    uint32_t version, mul;
    uint64_t stamp, system_time, lo, hi;
    int8_t shift;

    do {
        version = READ_ONCE(t->version);
        barrier();
        stamp = READ_ONCE(t->tsc_timestamp);
        system_time = READ_ONCE(t->system_time);
        mul = READ_ONCE(t->tsc_to_system_mul);
        shift = READ_ONCE(t->tsc_shift);
        barrier();
    } while ((version & 1) || version != READ_ONCE(t->version));

    if (ns <= system_time || mul == 0)
        return stamp;
    ns -= system_time;
    /* The scale is monotonic: double a bound past ns, then bisect to the first tick. */
    lo = 0;
    hi = 1;
    while (pvclock_scale(hi, shift, mul) < ns && hi < (1ull << 56)) {    /* no wrap on shift */
        lo = hi;
        hi <<= 1;
    }
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (pvclock_scale(mid, shift, mul) < ns)
            lo = mid;
        else
            hi = mid;
    }
    return stamp + hi;
}

uint32_t clock_tsc_khz(void)
{
    uint32_t base = xen_cpuid_base();

    return base ? cpuid(base + XEN_LEAF_TIME, 0).ecx : 0;
}

uint64_t clock_wallclock_sec(void)
{
    const struct shared_info *s = shared_info;
    uint32_t version;
    uint64_t sec, nsec;

    do {
        version = READ_ONCE(s->wc_version);
        barrier();
        sec = ((uint64_t)READ_ONCE(s->wc_sec_hi) << 32) | READ_ONCE(s->wc_sec);
        nsec = READ_ONCE(s->wc_nsec);
        barrier();
    } while ((version & 1) || version != READ_ONCE(s->wc_version));
    return sec + (nsec + clock_now_ns()) / NSEC_PER_SEC;
}
