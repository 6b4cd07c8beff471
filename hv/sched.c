/*
 * The scheduling loop every CPU runs. Under the hypervisor lock it ends
 * domains that have stopped, fires expired timers, asks the policy
 * (hv/sched_policy.c: weights, caps, affinity, balancing) what to run here,
 * and runs it until its slice ends, it blocks, or a wake-up preempts it.
 * The lock is dropped only while a guest runs (arch_vcpu_run) or the CPU
 * halts. Preemption needs no guest help: the VMX preemption timer ends a
 * slice, and a kick (an IPI) makes a CPU leave guest mode or idle at once.
 */
#include "hv/pirq.h"
#include "hv/sched.h"
#include "hv/arch.h"
#include "hv/console_input.h"
#include "hv/domain.h"
#include "hv/domain_build.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/frame.h"
#include "hv/grant_table.h"
#include "hv/lock.h"
#include "hv/options.h"
#include "hv/printk.h"
#include "hv/time.h"
#include "hv/watchdog.h"
#include "public/vcpu_op.h"

static uint64_t timeslice_ns = SCHED_DEFAULT_TIMESLICE_MS * 1000000ull;
static uint64_t frames_free_at_start;
static uint64_t idle_ns[SCHED_MAX_CPUS];
static uint64_t slice_end[SCHED_MAX_CPUS];     /* of the vCPU each CPU runs */
static struct sched_cpu_stats cpu_stats[SCHED_MAX_CPUS];   /* under the hypervisor lock */

static struct vcpu *vcpu_of(struct sched_vcpu *sv)
{
    return (struct vcpu *)((char *)sv - offsetof(struct vcpu, sched));
}

void sched_set_timeslice_ms(uint32_t ms)
{
    timeslice_ns = (uint64_t)ms * 1000000ull;
}

void sched_init(uint32_t ncpus)
{
    sched_policy_init(ncpus, timeslice_ns);
}

uint64_t sched_idle_ns(uint32_t cpu)
{
    return cpu < SCHED_MAX_CPUS ? idle_ns[cpu] : 0;
}

struct sched_cpu_stats sched_cpu_stats(uint32_t cpu)
{
    return cpu < SCHED_MAX_CPUS ? cpu_stats[cpu] : (struct sched_cpu_stats){ 0 };
}

void sched_kick_cpu(uint32_t cpu)
{
    if (cpu == SCHED_NO_CPU)
        return;
    struct sched_vcpu *cur = sched_current(cpu);
    if (cur)
        vcpu_of(cur)->need_resched = true;
    arch_kick_cpu(cpu);         /* nothing to send when it is this CPU */
}

void vcpu_kick(struct vcpu *v)
{
    if (v->sched.running)
        arch_kick_cpu(v->sched.cpu);
}

/*
 * A timer was armed for `deadline`: idle CPUs look again at when to wake,
 * and a CPU whose slice runs past it chooses again now, with a slice that
 * ends by it (the timer fires at the end of some CPU's slice).
 */
void sched_timers_changed(uint64_t deadline)
{
    for (uint32_t cpu = 0; cpu < sched_policy_ncpus(); cpu++) {
        if (!sched_current(cpu))
            arch_kick_cpu(cpu);
        else if (deadline < slice_end[cpu])
            sched_kick_cpu(cpu);
    }
}

void sched_vcpu_runnable(struct vcpu *v)
{
    if (domain_paused(v->domain))
        return;                 /* domain_unpause queues it */
    /* A vCPU still on its CPU (it blocked or went down, and is woken or
     * brought up before its put) is only marked: sched_put queues it again. */
    sched_kick_cpu(sched_wake(&v->sched, time_now_ns()));
}

void vcpu_bring_up(struct vcpu *v)
{
    if (v->state != VCPU_DOWN)
        return;
    v->state = VCPU_RUNNABLE;
    if (domain_paused(v->domain))
        return;                 /* it runs when the domain is unpaused */
    runstate_change(v, RUNSTATE_RUNNABLE);
    sched_vcpu_runnable(v);
}

void vcpu_take_down(struct vcpu *v)
{
    v->state = VCPU_DOWN;
    v->need_resched = true;
    sched_sleep(&v->sched);
    if (v->sched.running)
        vcpu_kick(v);           /* its CPU notices it is down and puts it */
    else
        runstate_change(v, RUNSTATE_OFFLINE);
}

/* Return the resources of every stopped domain none of whose vCPUs is still
 * on a CPU; count the domains still running. */
static uint32_t reap_and_count_running(void)
{
    uint32_t running = 0;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (!d)
            continue;
        if (d->state == DOMAIN_RUNNING) {
            running++;
            continue;
        }
        if (d->state == DOMAIN_BUILDING) {
            /* dom0 builds it, and the run goes on while dom0 does; a domain
             * dom0 left unfinished is destroyed with it. */
            if (!domain_is_running(domain_by_id(0))) {
                domain_destroy(d);
                domain_forget(d);
            }
            continue;
        }
        bool on_cpu = false;
        for (uint32_t i = 0; i < d->nvcpus; i++)
            on_cpu |= d->vcpus[i]->sched.running;
        if (!d->destroyed && !on_cpu) {
            domain_console_flush(d);
            domain_destroy(d);
        }
        else if (on_cpu)
            running++;          /* not over until its vCPUs are off every CPU */
    }
    return running;
}

static bool any_vcpu_wants_cpu(void)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (d && d->state == DOMAIN_RUNNING)
            for (uint32_t i = 0; i < d->nvcpus; i++)
                if (d->vcpus[i]->sched.runnable)
                    return true;
    }
    return false;
}

/*
 * No vCPU is runnable anywhere, no timer is armed and dom0 is not waiting
 * for console input: nothing can wake any of them (guests have no device
 * interrupts yet), so every remaining domain is stuck. Crash them with a
 * report instead of hanging. False if no domain is running: what is left
 * are ended domains whose vCPUs other CPUs have still to put.
 */
static bool crash_stuck_domains(void)
{
    bool crashed = false;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (d && d->state == DOMAIN_RUNNING) {
            domain_crash(d, domain_paused(d) ? "paused, and no domain is left to unpause it"
                                             : "every vCPU blocked with nothing that can wake it");
            crashed = true;
        }
    }
    return crashed;
}

/*
 * Nothing to run here: halt until `until` (a cap refill), the next timer,
 * a console poll, or a kick. With nothing left to wait for but an ended
 * domain's vCPU still on another CPU (it was in guest mode, or in an exit
 * waiting for the lock, when its domain ended), halt too: that CPU needs
 * the hypervisor lock to put it, and then reaps the domain and ends the
 * run itself. Returning to the scheduling loop instead would keep the lock
 * for ever, waiting for a vCPU that can only leave with it.
 */
static void idle(uint32_t cpu, uint64_t until)
{
    uint64_t deadline = timer_next_deadline();
    if (until && (!deadline || until < deadline))
        deadline = until;
    /* dom0 waiting for console input is woken by typing: look now and then. */
    if (console_input_awaited()) {
        uint64_t poll = time_now_ns() + CONSOLE_INPUT_POLL_NS;
        deadline = deadline && deadline < poll ? deadline : poll;
    }
    if (domain_consoles_waiting())
        return;                 /* print the next line first (domain_consoles_continue) */
    if (!deadline && !any_vcpu_wants_cpu() && !pirq_any_bound() && crash_stuck_domains())
        return;                 /* reaped on the next pass */
    arch_vcpu_unload();
    hv_unlock();
    uint64_t t0 = time_now_ns();
    watchdog_doing(cpu, "idle");
    arch_idle_until(deadline);  /* halts; the LAPIC timer (deadline or tick) or a kick ends it */
    watchdog_doing(cpu, NULL);
    watchdog_progress(cpu);
    uint64_t t1 = time_now_ns();
    hv_lock();
    pirq_deliver_pending();     /* a device interrupt may have ended the halt */
    idle_ns[cpu] += t1 - t0;
}

/* Run one vCPU until `until`, cut short by the next timer of any vCPU. */
static void run(struct vcpu *v, uint32_t cpu, uint64_t until)
{
    uint64_t deadline = timer_next_deadline();
    if (deadline && deadline < until)
        until = deadline;
    slice_end[cpu] = until;

    arch_vcpu_load(v);
    runstate_change(v, RUNSTATE_RUNNING);
    if (domain_console_waiting(v->domain))
        domain_console_continue(v->domain);     /* its output, printed on its own time */
    runstate_publish(v);
    time_update_vcpu(v);
    arch_vcpu_run(v, until);
    bool paused = domain_paused(v->domain);
    bool runnable = v->state == VCPU_RUNNABLE && v->domain->state == DOMAIN_RUNNING && !paused;
    runstate_change(v, runnable ? RUNSTATE_RUNNABLE
                       : v->state == VCPU_BLOCKED && !paused ? RUNSTATE_BLOCKED
                                                             : RUNSTATE_OFFLINE);
    if (!runnable)
        sched_sleep(&v->sched);
}

/* Every domain is destroyed: whatever they held must be back (docs/architecture.md). */
static void __attribute__((noreturn)) end_of_run(void)
{
    uint32_t mappings, pins, counted;
    grant_count_in_use(&mappings, &pins, &counted);
    printk("all domains have ended; free frames: %lu (%lu before the first domain)\n",
           frame_free_count(), frames_free_at_start);
    printk("objects in use: grant mappings %u (counted %u), grant pins %u, event channels %u"
           " (none before the first domain)\n", mappings, counted, pins, evtchn_ports_in_use());
    domain_print_destroyed();
    pirq_print_summary();
    for (uint32_t cpu = 0; cpu < sched_policy_ncpus(); cpu++)
        printk("cpu %u: idle %lu ms\n", cpu, idle_ns[cpu] / 1000000);
    printk("scheduler: %lu migrations\n", sched_migrations());
    domain_print_summary();
    /* What dom0 asked for (docs/devices.md, "Power-off and reboot"). */
    if (domain_owner_asked_reboot())
        arch_reboot();          /* stops the other CPUs */
    arch_power_off();
}

void sched_cpu_loop(void)
{
    uint32_t cpu = arch_cpu_id();
    hv_lock();
    watchdog_start(cpu);
    for (;;) {
        /* No watchdog_progress here: a pass that neither enters a guest,
         * nor halts, nor prints is no progress (it keeps the lock). */
        if (!reap_and_count_running())
            end_of_run();
        timer_fire_expired();
        console_input_poll();
        domain_consoles_continue();
        uint64_t until;
        struct sched_vcpu *sv = sched_pick(cpu, time_now_ns(), &until);
        if (!sv) {
            cpu_stats[cpu].sched_idle++;
            idle(cpu, until);
            continue;
        }
        cpu_stats[cpu].sched_vcpu++;
        run(vcpu_of(sv), cpu, until);
        if (hv_options.selftest_watchdog && cpu == sched_policy_ncpus() - 1)
            watchdog_selftest_hang(cpu);        /* a domain has run here: hang, lock held */
        sched_put(cpu, time_now_ns());
        sched_kick_cpu(sched_put_kick(cpu));    /* its affinity moved it elsewhere */
    }
}

void sched_run(uint64_t frames_at_start)
{
    frames_free_at_start = frames_at_start;
    arch_smp_release();
    sched_cpu_loop();
}
