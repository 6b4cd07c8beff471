/*
 * One-shot timer multiplexing on vCPU 0 (secondary vCPUs arm their own
 * timers directly). Interrupts are off everywhere but in the idle
 * instructions, so the upcall handler and the code below never race: all
 * of this state is changed with IF=0, on vCPU 0.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/vcpu_op.h>

#include "arch.h"
#include "clock.h"
#include "console.h"
#include "evtchn.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "timer.h"

static evtchn_port_t virq_port;
static uint64_t virqs;

static bool tick_on;
static uint64_t next_tick;
static uint64_t ticks;

/* Only vCPU 0 uses this, one thread: at most one wait at a time. */
static struct {
    bool waiting;
    bool done;
    uint64_t deadline;
} sleeper;

long timer_set_singleshot(uint64_t deadline_ns, uint32_t flags)
{
    struct vcpu_set_singleshot_timer req = { .timeout_abs_ns = deadline_ns, .flags = flags };

    return hyp_vcpu_op(VCPUOP_SET_SINGLESHOT_TIMER, 0, (unsigned long)&req);
}

static void timer_failed(const char *what, uint64_t arg, long rc)
{
    console_use_hypercall();
    printk("timer: %s(%lu) = %ld\n", what, (unsigned long)arg, rc);
    guest_exit(SHUTDOWN_CRASH);
}

/*
 * Account for every target that has passed, then arm the timer for the
 * earliest that has not. -ETIME says the hypervisor's clock has already
 * reached the target: it counts as expired and the next one is tried.
 */
static void timer_service(void)
{
    for (;;) {
        uint64_t now = clock_now_ns();
        uint64_t when = 0;
        long rc;

        while (tick_on && next_tick <= now) {
            ticks++;
            next_tick += TICK_PERIOD_NS;
        }
        if (sleeper.waiting && sleeper.deadline <= now)
            sleeper.done = true;

        if (tick_on)
            when = next_tick;
        if (sleeper.waiting && !sleeper.done && (when == 0 || sleeper.deadline < when))
            when = sleeper.deadline;
        if (when == 0)
            return;

        rc = timer_set_singleshot(when, VCPU_SSHOTTMR_FUTURE);
        if (rc == 0)
            return;
        if (rc != -XEN_ETIME)
            timer_failed("set_singleshot_timer", when, rc);
        if (tick_on && when == next_tick) {
            ticks++;
            next_tick += TICK_PERIOD_NS;
        }
        if (sleeper.waiting && when == sleeper.deadline)
            sleeper.done = true;
    }
}

static void on_virq_timer(evtchn_port_t port)
{
    (void)port;
    virqs++;
    timer_service();
}

bool timer_init(void)
{
    long rc = evtchn_bind_virq(VIRQ_TIMER, 0, on_virq_timer);

    if (rc < 0) {
        printk("guest-pv: bind VIRQ_TIMER = %ld\n", rc);
        return false;
    }
    virq_port = (evtchn_port_t)rc;
    return true;
}

uint32_t timer_port(void)
{
    return virq_port;
}

uint64_t timer_ticks(void)
{
    return READ_ONCE(ticks);
}

uint64_t timer_virqs(void)
{
    return READ_ONCE(virqs);
}

void timer_tick_start(void)
{
    ticks = 0;
    next_tick = clock_now_ns() + TICK_PERIOD_NS;
    tick_on = true;
    timer_service();
}

void timer_tick_stop(void)
{
    long rc;

    tick_on = false;
    if (sleeper.waiting)
        return;
    rc = hyp_vcpu_op(VCPUOP_STOP_SINGLESHOT_TIMER, 0, 0);
    if (rc < 0)
        timer_failed("stop_singleshot_timer", 0, rc);
}

static void (*idle_work)(void);

void timer_set_idle_work(void (*work)(void))
{
    idle_work = work;
}

bool wait_until(bool (*done)(void *arg), void *arg, uint64_t timeout_ns)
{
    bool ok;

    sleeper.deadline = clock_now_ns() + timeout_ns;
    sleeper.done = false;
    sleeper.waiting = true;
    timer_service();
    for (;;) {
        /* With IF=0 an event that comes during the work is taken at the
         * sti; hlt below, so it cannot be missed. */
        if (idle_work)
            idle_work();
        if ((ok = done(arg)) || READ_ONCE(sleeper.done))
            break;
        sti_hlt();
        cli();
    }
    sleeper.waiting = false;
    return ok;
}

static bool never(void *arg)
{
    (void)arg;
    return false;
}

void sleep_ns(uint64_t ns)
{
    wait_until(never, NULL, ns);
}

void timer_wait_ticks(unsigned int n)
{
    uint64_t target = timer_ticks() + n;

    while (timer_ticks() < target) {
        /* Returns at once if an event is already pending; IF=0 keeps it
         * from being taken between the check above and the block. */
        long rc = hyp_sched_op(SCHEDOP_BLOCK, 0);

        if (rc < 0)
            timer_failed("sched_op block", 0, rc);
        sti_nop_cli();
    }
}

void timer_show_ticks(unsigned int n)
{
    timer_tick_start();
    timer_wait_ticks(n);
    timer_tick_stop();
    printk("ticks: %u\n", n);
}
