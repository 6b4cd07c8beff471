/*
 * shim_sched.c: what hv/sched.c gives domctl and sysctl, for tests that
 * link the real policy (hv/sched_policy.c): sched_kick_cpu records its
 * calls, sched_idle_ns returns idle_ns[cpu] and sched_cpu_stats
 * cpu_stats[cpu] (0 past the arrays).
 */
#ifndef MICA_TEST_SHIM_SCHED_H
#define MICA_TEST_SHIM_SCHED_H

#include <stdint.h>
#include "hv/sched.h"
#include "hv/sched_policy.h"

struct shim_sched {
    unsigned kick_calls;
    uint32_t last_kick;             /* argument of the latest sched_kick_cpu */
    uint64_t idle_ns[SCHED_MAX_CPUS];
    unsigned idle_calls;
    uint32_t max_idle_cpu;          /* highest CPU sched_idle_ns was asked about */
    struct sched_cpu_stats cpu_stats[SCHED_MAX_CPUS];   /* what sched_cpu_stats returns */
    unsigned cpu_stats_calls;
};
extern struct shim_sched shim_sched;

/* No calls, no idle time. */
void shim_sched_reset(void);

#endif
