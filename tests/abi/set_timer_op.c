/*
 * Family `set_timer_op` (docs/abi.md, "15 set_timer_op"): arm, stop, a time
 * already past, and that it is the same timer as VCPUOP_set_singleshot_timer.
 * The effect is VIRQ_TIMER on our vCPU, counted by guest-pv's timer.c (which
 * has nothing of its own armed while the suite runs). No errors, no
 * pointer, no domain argument: only the success paths apply.
 */
#include <stdint.h>

#include <public/vcpu_op.h>

#include "abi.h"
#include "clock.h"
#include "hypercall.h"
#include "timer.h"

#define F "set_timer_op"
#define DELAY_NS (2 * NSEC_PER_MSEC)
#define PATIENCE_NS (2 * NSEC_PER_SEC)
/* A timer that is stopped again: far enough that being descheduled between
 * arming and stopping cannot let it fire first; then watched past its time. */
#define FAR_NS (100 * NSEC_PER_MSEC)
#define WATCH_NS (150 * NSEC_PER_MSEC)

static long call(uint64_t timeout)
{
    return hypercall3(HYPERCALL_SET_TIMER_OP, timeout, 0, 0);
}

/* Did VIRQ_TIMER come (again) within `ns`? Spins, so it needs no timer of its own. */
static bool virq_within(uint64_t before, uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;

    while (timer_virqs() == before) {
        if (clock_now_ns() > end)
            return false;
        abi_take_events();
    }
    return true;
}

/* No VIRQ_TIMER for `ns`: the timer that was stopped stays quiet. */
static bool quiet_for(uint64_t before, uint64_t ns)
{
    return !virq_within(before, ns);
}

void abi_set_timer_op_cases(void)
{
    struct vcpu_set_singleshot_timer t;
    uint64_t before = timer_virqs();
    bool quiet;
    long rc;

    rc = call(clock_now_ns() + DELAY_NS);
    abi_expect(F, "arm", rc, 0);
    quiet = !(rc == 0 && virq_within(before, PATIENCE_NS));
    abi_check(F, "arm-fires", !quiet, "VIRQ_TIMER events", (long)(timer_virqs() - before));

    before = timer_virqs();
    rc = call(clock_now_ns() + FAR_NS);
    abi_expect(F, "stop", rc == 0 ? call(0) : rc, 0);
    quiet = quiet_for(before, WATCH_NS);
    abi_check(F, "stop-cancels", quiet, "VIRQ_TIMER events", (long)(timer_virqs() - before));

    before = timer_virqs();
    abi_expect(F, "past", call(1), 0);
    quiet = !virq_within(before, PATIENCE_NS);
    abi_check(F, "past-fires", !quiet, "VIRQ_TIMER events", (long)(timer_virqs() - before));

    /* One timer: set_timer_op(0) stops what set_singleshot_timer armed. */
    before = timer_virqs();
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + FAR_NS };
    rc = hyp_vcpu_op(VCPUOP_SET_SINGLESHOT_TIMER, 0, (uintptr_t)&t);
    if (rc == 0)
        rc = call(0);
    quiet = quiet_for(before, WATCH_NS);
    abi_check(F, "stops-singleshot-timer", rc == 0 && quiet, "rc or VIRQ_TIMER events",
              rc ? rc : (long)(timer_virqs() - before));
}
