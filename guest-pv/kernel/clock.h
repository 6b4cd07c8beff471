/* Time: the pvclock (system time in ns), the TSC frequency and the wall clock. */
#ifndef GUEST_CLOCK_H
#define GUEST_CLOCK_H

#include <stdint.h>

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/* System time in ns (since the hypervisor booted), from this vCPU's vcpu_info.time. */
uint64_t clock_now_ns(void);
/*
 * The inverse of clock_now_ns() under the pvclock record now in force: the
 * first TSC value at which the clock reads at least `ns` (the record's own
 * TSC stamp for a time at or before the record's).
 */
uint64_t clock_tsc_at(uint64_t ns);
/* TSC frequency in kHz from the Xen CPUID leaf base+3, 0 if unknown. */
uint32_t clock_tsc_khz(void);
/* Seconds since the epoch: shared_info's wall clock plus system time. */
uint64_t clock_wallclock_sec(void);

#endif
