/*
 * Round-robin over every runnable vCPU on the boot CPU, one time slice each,
 * enforced by the arch (VMX preemption timer) without guest cooperation.
 * A vCPU woken by an event or timer goes first, and a slice ends early at
 * the next timer deadline, so a sleeping vCPU wakes on time.
 * The proportional-share scheduler with weights and caps replaces the pick
 * function when SMP lands; the loop and the end-of-run logic stay.
 */
#include "hv/sched.h"
#include "hv/arch.h"
#include "hv/console_input.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/time.h"
#include "public/vcpu_op.h"

static uint64_t timeslice_ns = SCHED_DEFAULT_TIMESLICE_MS * 1000000ull;
static uint32_t next_domain;            /* round-robin position */

void sched_set_timeslice_ms(uint32_t ms)
{
    timeslice_ns = (uint64_t)ms * 1000000ull;
}

/* One CPU: a vCPU that is not the one running now is not in a guest. */
void vcpu_kick(struct vcpu *v)
{
    (void)v;
}

void sched_kick_cpu(uint32_t cpu)
{
    (void)cpu;
}

/* Filled in by the SMP scheduler; the boot-CPU loop does not count idle time. */
uint64_t sched_idle_ns(uint32_t cpu)
{
    (void)cpu;
    return 0;
}

void vcpu_bring_up(struct vcpu *v)
{
    if (v->state != VCPU_DOWN)
        return;
    v->state = VCPU_RUNNABLE;
    v->woken = true;
    runstate_change(v, RUNSTATE_RUNNABLE);
}

void vcpu_take_down(struct vcpu *v)
{
    v->state = VCPU_DOWN;
    v->need_resched = true;
    runstate_change(v, RUNSTATE_OFFLINE);
}

/* A vCPU just woken by an event or timer, so sleepers wake on time. */
static struct vcpu *pick_woken(void)
{
    for (uint32_t n = 0; n < MAX_DOMAINS; n++) {
        struct domain *d = domain_by_id((next_domain + n) % MAX_DOMAINS);
        if (!d || d->state != DOMAIN_RUNNING)
            continue;
        for (uint32_t i = 0; i < d->nvcpus; i++)
            if (d->vcpus[i]->state == VCPU_RUNNABLE && d->vcpus[i]->woken)
                return d->vcpus[i];
    }
    return NULL;
}

static struct vcpu *pick_next(void)
{
    struct vcpu *w = pick_woken();
    if (w)
        return w;
    for (uint32_t n = 0; n < MAX_DOMAINS; n++) {
        struct domain *d = domain_by_id((next_domain + n) % MAX_DOMAINS);
        if (!d || d->state != DOMAIN_RUNNING)
            continue;
        for (uint32_t i = 0; i < d->nvcpus; i++) {
            if (d->vcpus[i]->state == VCPU_RUNNABLE) {
                next_domain = (d->id + 1) % MAX_DOMAINS;
                return d->vcpus[i];
            }
        }
    }
    return NULL;
}

/* Return the resources of every domain that has stopped; count those still running. */
static uint32_t reap_and_count_running(void)
{
    uint32_t running = 0;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (!d)
            continue;
        if (d->state == DOMAIN_RUNNING)
            running++;
        else if (!d->destroyed)
            domain_destroy(d);
    }
    return running;
}

/*
 * No vCPU is runnable, no timer is armed and dom0 is not waiting for console
 * input: nothing can wake any of them (there are no device interrupts for
 * guests yet), so every remaining domain is stuck. Crash them with a report
 * instead of hanging.
 */
static void crash_stuck_domains(void)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (d && d->state == DOMAIN_RUNNING)
            domain_crash(d, "every vCPU blocked with nothing that can wake it");
    }
}

/* Run one vCPU for a slice, cut short by the next timer of any vCPU. */
static void run(struct vcpu *v)
{
    uint64_t end = time_now_ns() + timeslice_ns;
    uint64_t deadline = timer_next_deadline();
    if (deadline && deadline < end)
        end = deadline;

    v->woken = false;
    arch_vcpu_load(v);
    runstate_change(v, RUNSTATE_RUNNING);
    runstate_publish(v);
    time_update_vcpu(v);
    arch_vcpu_run(v, end);
    runstate_change(v, v->state == VCPU_RUNNABLE ? RUNSTATE_RUNNABLE
                       : v->state == VCPU_BLOCKED ? RUNSTATE_BLOCKED : RUNSTATE_OFFLINE);
}

void sched_run(uint64_t frames_free_at_start)
{
    for (;;) {
        if (!reap_and_count_running())
            break;
        timer_fire_expired();
        console_input_poll();
        struct vcpu *v = pick_next();
        if (!v) {
            uint64_t deadline = timer_next_deadline();
            /* dom0 waiting for console input is woken by typing: look now and then. */
            if (console_input_awaited()) {
                uint64_t poll = time_now_ns() + CONSOLE_INPUT_POLL_NS;
                deadline = deadline && deadline < poll ? deadline : poll;
            }
            if (deadline)
                arch_idle_until(deadline);  /* halts; the LAPIC timer ends it */
            else
                crash_stuck_domains();
            continue;
        }
        run(v);
    }
    printk("all domains have ended; free frames: %lu (%lu before the first domain)\n",
           frame_free_count(), frames_free_at_start);
    domain_print_summary();
    arch_power_off();
}
