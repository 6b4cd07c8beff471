/*
 * The scheduling-policy simulator (sched_sim.h). Events happen at simulated
 * ns: a CPU's run ends (slice end, or its vCPU blocks or yields), a blocked
 * vCPU wakes, a kick. At one instant, wake-ups go first, then CPUs in
 * order; each CPU puts and picks in one step, as the hypervisor does under
 * its lock. A kick reschedules its CPU at once: an idle CPU picks, a busy
 * one is preempted.
 */
#include <stddef.h>
#include <string.h>
#include "sched_sim.h"

#define NEVER UINT64_MAX
#define SIM_MAX_EVENTS 1000000  /* per sim_run; the tests need a few thousand */

static struct sim_vcpu *sim_vcpu_of(struct sched_vcpu *sv)
{
    return sv ? (struct sim_vcpu *)((char *)sv - offsetof(struct sim_vcpu, sv)) : NULL;
}

void sim_init(struct sim *s, uint32_t ncpus, uint64_t slice_ns)
{
    memset(s, 0, sizeof *s);
    s->ncpus = ncpus;
    s->slice_ns = slice_ns;
    sched_policy_init(ncpus, slice_ns);
    for (uint32_t c = 0; c < SCHED_MAX_CPUS; c++)
        s->cpu[c].end = NEVER;
}

struct sim_vcpu *sim_add(struct sim *s, struct sched_domain *sd, enum sim_load load, uint32_t cpu)
{
    struct sim_vcpu *v;
    if (s->nvcpus == SIM_MAX_VCPUS) {
        s->errors++;
        return &s->vcpu[SIM_MAX_VCPUS - 1];
    }
    v = &s->vcpu[s->nvcpus++];
    memset(v, 0, sizeof *v);
    v->load = load;
    sched_vcpu_init(&v->sv, sd, cpu);
    return v;
}

struct sim_vcpu *sim_add_io(struct sim *s, struct sched_domain *sd, uint32_t cpu,
                            uint64_t run_ns, uint64_t block_ns)
{
    struct sim_vcpu *v = sim_add(s, sd, SIM_IO_BOUND, cpu);
    v->run_ns = v->burst_left = run_ns;
    v->block_ns = block_ns;
    return v;
}

/* When what `cpu` does now stops by itself. */
static void set_end(struct sim *s, uint32_t cpu)
{
    struct sim_cpu *c = &s->cpu[cpu];
    struct sim_vcpu *v = c->run;

    c->yield_at_end = false;
    if (!v) {
        c->end = c->until ? c->until : NEVER;
    } else {
        c->end = c->until;
        if (v->load == SIM_IO_BOUND && s->now + v->burst_left < c->end)
            c->end = s->now + v->burst_left;
        if (v->load == SIM_YIELDER && c->until > s->now + v->yield_early_ns) {
            c->end = c->until - v->yield_early_ns;
            c->yield_at_end = true;
        }
    }
    if (c->end <= s->now) {             /* the policy asked for no time at all */
        s->errors++;
        c->end = s->now + 1;
    }
}

static void pick(struct sim *s, uint32_t cpu)
{
    struct sim_cpu *c = &s->cpu[cpu];
    struct sim_vcpu *v = sim_vcpu_of(sched_pick(cpu, s->now, &c->until));

    c->run = v;
    if (v) {
        if (!v->sv.running || !v->sv.runnable || v->sv.cpu != cpu || sched_current(cpu) != &v->sv)
            s->errors++;
        for (uint32_t o = 0; o < s->ncpus; o++)
            if (o != cpu && s->cpu[o].run == v)
                s->errors++;
        v->runs++;
        v->cpus_ran |= 1ull << cpu;
        if (!(v->sv.affinity >> cpu & 1))
            v->runs_outside_affinity++;
        if (s->now - v->ready_since > v->max_wait_ns)
            v->max_wait_ns = s->now - v->ready_since;
        if (v->woken && v->ready_since >= s->stats_from &&
            s->now - v->ready_since > v->max_wake_latency_ns)
            v->max_wake_latency_ns = s->now - v->ready_since;
        v->woken = false;
    } else if (sched_current(cpu)) {
        s->errors++;
    }
    set_end(s, cpu);
}

static void kick(struct sim *s, uint32_t cpu);

/* What `cpu` runs stops now (its own end, or a kick): put it, pick again. */
static void reschedule(struct sim *s, uint32_t cpu)
{
    struct sim_cpu *c = &s->cpu[cpu];
    struct sim_vcpu *v = c->run;

    if (v) {
        uint64_t ran = s->now - v->sv.run_start_ns;
        if (v->load == SIM_IO_BOUND) {
            v->burst_left -= ran < v->burst_left ? ran : v->burst_left;
            if (!v->burst_left) {
                sched_sleep(&v->sv);
                v->wake_at = s->now + v->block_ns;
                v->burst_left = v->run_ns;
            }
        }
        if (c->yield_at_end && s->now == c->end)
            sched_vcpu_yield(&v->sv);
        sched_put(cpu, s->now);
        c->run = NULL;
        if (v->sv.runnable) {
            v->ready_since = s->now;
            v->woken = false;
        }
        kick(s, sched_put_kick(cpu));
    }
    pick(s, cpu);
}

static void kick(struct sim *s, uint32_t cpu)
{
    if (cpu < s->ncpus)
        reschedule(s, cpu);
}

static void wake(struct sim *s, struct sim_vcpu *v)
{
    v->wakes++;
    v->ready_since = s->now;
    v->woken = true;
    kick(s, sched_wake(&v->sv, s->now));
}

int sim_set_affinity(struct sim *s, struct sim_vcpu *v, uint64_t mask)
{
    uint32_t cpu;
    int rc = sched_set_affinity(&v->sv, mask, &cpu);
    if (!rc)
        kick(s, cpu);
    return rc;
}

void sim_run(struct sim *s, uint64_t end)
{
    uint64_t events = 0;

    for (uint32_t i = 0; i < s->nvcpus; i++) {
        if (!s->vcpu[i].started) {
            s->vcpu[i].started = true;
            wake(s, &s->vcpu[i]);
        }
    }
    for (;;) {
        uint64_t t = NEVER;
        for (uint32_t c = 0; c < s->ncpus; c++)
            t = s->cpu[c].end < t ? s->cpu[c].end : t;
        for (uint32_t i = 0; i < s->nvcpus; i++)
            if (s->vcpu[i].wake_at && s->vcpu[i].wake_at < t)
                t = s->vcpu[i].wake_at;
        if (t > end)
            break;
        if (++events > SIM_MAX_EVENTS) {  /* slices of nothing: fail, do not hang */
            s->errors++;
            break;
        }
        s->now = t;
        for (uint32_t i = 0; i < s->nvcpus; i++) {
            if (s->vcpu[i].wake_at == t) {
                s->vcpu[i].wake_at = 0;
                wake(s, &s->vcpu[i]);
            }
        }
        for (uint32_t c = 0; c < s->ncpus; c++)
            if (s->cpu[c].end == t)
                reschedule(s, c);
    }
    s->now = end;
}

uint64_t sim_cpu_time(const struct sim *s, const struct sim_vcpu *v)
{
    return v->sv.cpu_time_ns + (v->sv.running ? s->now - v->sv.run_start_ns : 0);
}

uint64_t sim_max_wait(const struct sim *s, const struct sim_vcpu *v)
{
    uint64_t w = v->started && v->sv.runnable && !v->sv.running ? s->now - v->ready_since : 0;
    return w > v->max_wait_ns ? w : v->max_wait_ns;
}
