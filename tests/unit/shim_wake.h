/* shim_wake.c: counters of the scheduler hooks event.c and time.c call. */
#ifndef MICA_TEST_SHIM_WAKE_H
#define MICA_TEST_SHIM_WAKE_H

struct vcpu;

struct shim_wake {
    unsigned runnable_calls, kick_calls, timers_changed_calls;
    struct vcpu *last_runnable;
};
extern struct shim_wake shim_wake;

#endif
