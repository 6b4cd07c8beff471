/*
 * The scheduler hooks that event delivery and timers call (hv/sched.c), for
 * tests of hv/event.c and hv/time.c on one simulated CPU: a vCPU's state is
 * what those tests check, and there is no other CPU to kick. Each call is
 * counted so a test can see that a wake-up reached the scheduler.
 */
#include "shim_wake.h"
#include "hv/sched.h"

struct shim_wake shim_wake;

void sched_vcpu_runnable(struct vcpu *v)
{
    shim_wake.runnable_calls++;
    shim_wake.last_runnable = v;
}

void vcpu_kick(struct vcpu *v)
{
    (void)v;
    shim_wake.kick_calls++;
}

void sched_timers_changed(uint64_t deadline)
{
    (void)deadline;
    shim_wake.timers_changed_calls++;
}
