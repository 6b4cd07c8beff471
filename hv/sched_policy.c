/*
 * The scheduling policy (hv/include/hv/sched_policy.h): proportional share
 * by virtual time, per-CPU run queues, caps as budgets, hard affinity,
 * wake-up preemption and pulling on virtual time. docs/scheduler.md gives
 * the algorithm, its constants and the waiting bound the rules below keep.
 *
 * Virtual time (vtime) is ns of CPU time scaled by DEFAULT_WEIGHT / weight,
 * charged exactly at sched_put. Each CPU picks the eligible queued vCPU with
 * the lowest vtime, or pulls one from another CPU that is further behind. A
 * CPU's level follows the lowest vtime of its runnable vCPUs and never goes
 * down. A vCPU that wakes starts within one slice of the level of its CPU,
 * so sleeping saves no credit; a pulled one keeps what it is owed up to a
 * bounded lag, so balancing is max-min fair and every wait stays bounded.
 */
#include "hv/sched_policy.h"
#include "hv/string.h"

/* A capped domain's budget is refilled every CAP_PERIOD_NS. */
#define CAP_PERIOD_NS 10000000ull
#define DEFAULT_SLICE_NS 10000000ull

struct sched_cpu {
    struct sched_vcpu *queue;   /* runnable, not running; FIFO order breaks vtime ties */
    struct sched_vcpu *curr;
    uint64_t level;             /* see level() */
    uint32_t put_kick;          /* see sched_put_kick */
    bool resched;
};

static struct {
    uint32_t ncpus;
    uint64_t slice_ns;
    uint64_t clock;             /* the latest time any call passed in */
    uint64_t migrations;
    struct sched_cpu cpu[SCHED_MAX_CPUS];
} s;

/* ---- time and weights ------------------------------------------------------ */

/* `ns` of CPU time at `weight` as vtime, rounded down; no product overflows. */
static uint64_t to_vtime(uint64_t ns, uint32_t weight)
{
    return ns / weight * SCHED_DEFAULT_WEIGHT + ns % weight * SCHED_DEFAULT_WEIGHT / weight;
}

/* How far below its CPU's level a vCPU may start: one slice of its own time. */
static uint64_t lead(const struct sched_vcpu *sv)
{
    return to_vtime(s.slice_ns, sv->dom->weight);
}

/* Wake-up preemption and pulling need a vtime gap of half a slice of the
 * vCPU's own time, so vCPUs of equal vtime do not trade the CPU back and forth. */
static uint64_t gran(const struct sched_vcpu *sv)
{
    return to_vtime(s.slice_ns / 2, sv->dom->weight);
}

static void see_time(uint64_t now)
{
    if (now > s.clock)
        s.clock = now;
}

static uint64_t ran_for(const struct sched_vcpu *sv, uint64_t now)
{
    return sv->running && now > sv->run_start_ns ? now - sv->run_start_ns : 0;
}

/* vtime including the part of the current slice not yet charged. */
static uint64_t live_vtime(const struct sched_vcpu *sv, uint64_t now)
{
    return sv->vtime + to_vtime(ran_for(sv, now), sv->dom->weight);
}

/* a < b - g, without wrapping. */
static bool below_by(uint64_t a, uint64_t b, uint64_t g)
{
    return b > g && a < b - g;
}

/* ---- CPUs and affinity --------------------------------------------------- */

static uint64_t online(void)
{
    return (1ull << s.ncpus) - 1;
}

static bool allowed_on(const struct sched_vcpu *sv, uint32_t cpu)
{
    return (sv->affinity & online()) >> cpu & 1;
}

static bool idle(uint32_t cpu)
{
    return !s.cpu[cpu].curr && !s.cpu[cpu].queue;
}

static uint32_t load(uint32_t cpu)
{
    uint32_t n = s.cpu[cpu].curr ? 1 : 0;
    for (struct sched_vcpu *q = s.cpu[cpu].queue; q; q = q->next)
        n++;
    return n;
}

/* ---- caps ------------------------------------------------------------------ */

static int64_t quota(const struct sched_domain *sd)
{
    return (int64_t)(sd->cap * (CAP_PERIOD_NS / 100));
}

/* Add one quota per cap period that ended by `now`, up to one quota: unused
 * time is not saved up, an overdraw is paid back. */
static void refill(struct sched_domain *sd, uint64_t now)
{
    int64_t q = quota(sd);
    if (!sd->cap)
        return;
    if (!sd->period_end_ns) {           /* first use since the cap was set */
        sd->budget_ns = q;
        sd->period_end_ns = now + CAP_PERIOD_NS;
        return;
    }
    if (now < sd->period_end_ns)
        return;
    uint64_t periods = (now - sd->period_end_ns) / CAP_PERIOD_NS + 1;
    uint64_t deficit = sd->budget_ns < q ? (uint64_t)(q - sd->budget_ns) : 0;
    sd->period_end_ns += periods * CAP_PERIOD_NS;
    sd->budget_ns = periods > deficit / (uint64_t)q ? q : sd->budget_ns + (int64_t)periods * q;
}

/* The domain's budget at `now`, less what its running vCPUs used so far. */
static int64_t budget_left(struct sched_domain *sd, uint64_t now)
{
    int64_t left;
    refill(sd, now);
    left = sd->budget_ns;
    for (uint32_t c = 0; c < s.ncpus; c++)
        if (s.cpu[c].curr && s.cpu[c].curr->dom == sd)
            left -= (int64_t)ran_for(s.cpu[c].curr, now);
    return left;
}

static bool eligible(const struct sched_vcpu *sv, uint64_t now)
{
    return !sv->dom->cap || budget_left(sv->dom, now) > 0;
}

/* How many of the domain's vCPUs can run at once now: its runnable ones,
 * at most one per CPU. They share what is left of its budget. */
static uint32_t runnable_share(const struct sched_domain *sd)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < s.ncpus; c++) {
        n += s.cpu[c].curr && s.cpu[c].curr->dom == sd;
        for (struct sched_vcpu *q = s.cpu[c].queue; q; q = q->next)
            n += q->dom == sd;
    }
    return MAX(MIN(n, s.ncpus), 1);
}

/* Charge [start, now) to the budget, refilling at a period end inside it. */
static void charge_budget(struct sched_domain *sd, uint64_t start, uint64_t now)
{
    if (!sd->cap)
        return;
    refill(sd, start);
    if (now >= sd->period_end_ns) {
        sd->budget_ns -= (int64_t)(sd->period_end_ns - start);
        start = sd->period_end_ns;
        refill(sd, now);
    }
    sd->budget_ns -= (int64_t)(now - start);
}

/* When the first capped-out vCPU queued on `cpu` (or, with `anywhere`, on
 * any CPU and allowed on `cpu`) gets budget again; 0 if there is none. */
static uint64_t next_refill(uint32_t cpu, uint64_t now, bool anywhere)
{
    uint64_t t = 0;
    for (uint32_t c = 0; c < s.ncpus; c++) {
        if (c != cpu && !anywhere)
            continue;
        for (struct sched_vcpu *q = s.cpu[c].queue; q; q = q->next)
            if (allowed_on(q, cpu) && !eligible(q, now) && (!t || q->dom->period_end_ns < t))
                t = q->dom->period_end_ns;
    }
    return t;
}

/* ---- queues and levels ----------------------------------------------------- */

static void enqueue(uint32_t cpu, struct sched_vcpu *sv)
{
    struct sched_vcpu **pp = &s.cpu[cpu].queue;
    while (*pp)
        pp = &(*pp)->next;
    sv->next = NULL;
    *pp = sv;
}

static void dequeue(struct sched_vcpu *sv)
{
    struct sched_vcpu **pp = &s.cpu[sv->cpu].queue;
    while (*pp && *pp != sv)
        pp = &(*pp)->next;
    if (*pp)
        *pp = sv->next;
    sv->next = NULL;
}

/*
 * Raise the level of `cpu` to the lowest vtime among its runnable, eligible
 * vCPUs that did not just yield (the running one with the time it has run
 * so far). So it never passes one of them, and it stays put while the CPU
 * idles: it is where a vCPU that wakes here starts from.
 */
static uint64_t level(uint32_t cpu, uint64_t now)
{
    struct sched_cpu *c = &s.cpu[cpu];
    uint64_t m = UINT64_MAX;
    if (c->curr && c->curr->runnable && !c->curr->yielded && eligible(c->curr, now))
        m = live_vtime(c->curr, now);
    for (struct sched_vcpu *q = c->queue; q; q = q->next)
        if (!q->yielded && q->vtime < m && eligible(q, now))
            m = q->vtime;
    if (m != UINT64_MAX && m > c->level)
        c->level = m;
    return c->level;
}

/*
 * The vtime `sv` has once it joins the queue of `cpu` (woken, or moved by
 * its affinity): at least the level less its lead, so sleeping saves no
 * credit; and, if the CPU is busy, at most the level plus its lead, so a
 * vCPU from a CPU whose level is far ahead does not wait for this one to
 * catch up. (A vCPU that last ran here is within those bounds already; on
 * an idle CPU the level follows it.)
 */
static uint64_t placed_vtime(const struct sched_vcpu *sv, uint32_t cpu, uint64_t now)
{
    uint64_t l = level(cpu, now), d = lead(sv);
    if (sv->vtime + d < l)
        return l - d;
    if (!idle(cpu) && sv->vtime > l + d)
        return l + d;
    return sv->vtime;
}

static void move_to(struct sched_vcpu *sv, uint32_t cpu)
{
    if (cpu != sv->cpu) {
        sv->cpu = cpu;
        sv->migrations++;
        s.migrations++;
    }
    enqueue(cpu, sv);
}

static void place(struct sched_vcpu *sv, uint32_t cpu, uint64_t now)
{
    sv->vtime = placed_vtime(sv, cpu, now);
    move_to(sv, cpu);
}

/*
 * The vtime the queued `sv` has once pulled to `cpu`. It keeps its vtime:
 * what it is owed on its CPU it is owed here, and that is what makes
 * balancing max-min fair. Only a lag beyond one slice of its own plus one
 * slice of the lightest vCPU here (a light vCPU moves the level that far in
 * one slice) is dropped, which bounds how long it can hold this CPU.
 */
static uint64_t pulled_vtime(const struct sched_vcpu *sv, uint32_t cpu, uint64_t now)
{
    uint32_t lightest = sv->dom->weight;
    uint64_t l = level(cpu, now), slack;

    for (struct sched_vcpu *q = s.cpu[cpu].queue; q; q = q->next)
        lightest = MIN(lightest, q->dom->weight);
    slack = to_vtime(s.slice_ns, lightest) + lead(sv);
    return sv->vtime + slack < l ? l - slack : sv->vtime;
}

/* ---- wake-up placement and preemption --------------------------------------- */

/* `sv`, with vtime `vt`, would take `cpu` from the vCPU running there. */
static bool would_preempt(const struct sched_vcpu *sv, uint64_t vt, uint32_t cpu, uint64_t now)
{
    struct sched_vcpu *curr = s.cpu[cpu].curr;
    return curr && below_by(vt, live_vtime(curr, now), gran(sv)) && eligible(sv, now);
}

/* Its last CPU if idle; an idle CPU; one it would preempt (the last one
 * first); its last CPU; the least loaded. One `sv` may run on, if its mask
 * leaves any (set_affinity makes sure it does). */
static uint32_t choose_cpu(const struct sched_vcpu *sv, uint64_t now)
{
    uint32_t last = sv->cpu, best = SCHED_NO_CPU;
    bool last_ok = last < s.ncpus && allowed_on(sv, last);

    if (last_ok && idle(last))
        return last;
    for (uint32_t c = 0; c < s.ncpus; c++)
        if (allowed_on(sv, c) && idle(c))
            return c;
    if (last_ok && would_preempt(sv, placed_vtime(sv, last, now), last, now))
        return last;
    for (uint32_t c = 0; c < s.ncpus; c++)
        if (allowed_on(sv, c) && would_preempt(sv, placed_vtime(sv, c, now), c, now))
            return c;
    if (last_ok)
        return last;
    for (uint32_t c = 0; c < s.ncpus; c++)
        if (allowed_on(sv, c) && (best == SCHED_NO_CPU || load(c) < load(best)))
            best = c;
    return best == SCHED_NO_CPU ? 0 : best;    /* no CPU allowed: it waits on CPU 0 */
}

/* `sv` was just queued on `cpu`: the CPU to kick, if it idles or `sv` preempts. */
static uint32_t kick_for(const struct sched_vcpu *sv, uint32_t cpu, uint64_t now)
{
    if (s.cpu[cpu].curr && !would_preempt(sv, sv->vtime, cpu, now))
        return SCHED_NO_CPU;
    s.cpu[cpu].resched = true;
    return cpu;
}

/* ---- the interface ----------------------------------------------------------- */

void sched_policy_init(uint32_t ncpus, uint64_t slice_ns)
{
    memset(&s, 0, sizeof s);
    s.ncpus = ncpus < 1 ? 1 : ncpus > SCHED_MAX_CPUS ? SCHED_MAX_CPUS : ncpus;
    s.slice_ns = slice_ns ? slice_ns : DEFAULT_SLICE_NS;
    for (uint32_t c = 0; c < SCHED_MAX_CPUS; c++)
        s.cpu[c].put_kick = SCHED_NO_CPU;
}

uint32_t sched_policy_ncpus(void)
{
    return s.ncpus;
}

void sched_domain_init(struct sched_domain *sd)
{
    *sd = (struct sched_domain){ .weight = SCHED_DEFAULT_WEIGHT };
}

void sched_vcpu_init(struct sched_vcpu *sv, struct sched_domain *sd, uint32_t cpu)
{
    *sv = (struct sched_vcpu){
        .dom = sd,
        .affinity = (1ull << SCHED_MAX_CPUS) - 1,
        .cpu = cpu < s.ncpus ? cpu : 0,
    };
}

uint32_t sched_wake(struct sched_vcpu *sv, uint64_t now)
{
    see_time(now);
    if (sv->runnable)
        return SCHED_NO_CPU;
    sv->runnable = true;
    sv->yielded = false;
    if (sv->running)                    /* slept and woke before its put */
        return SCHED_NO_CPU;
    uint32_t cpu = choose_cpu(sv, now);
    place(sv, cpu, now);
    return kick_for(sv, cpu, now);
}

void sched_sleep(struct sched_vcpu *sv)
{
    if (!sv->runnable)
        return;
    sv->runnable = false;
    if (!sv->running) {
        dequeue(sv);
        sv->yielded = false;
    }
}

/* The queued vCPU with the lowest vtime on another CPU that may run on `cpu`. */
static struct sched_vcpu *pull_candidate(uint32_t cpu, uint64_t now)
{
    struct sched_vcpu *far = NULL;
    for (uint32_t c = 0; c < s.ncpus; c++) {
        if (c == cpu)
            continue;
        for (struct sched_vcpu *q = s.cpu[c].queue; q; q = q->next)
            if (allowed_on(q, cpu) && (!far || q->vtime < far->vtime) && eligible(q, now))
                far = q;
    }
    return far;
}

struct sched_vcpu *sched_pick(uint32_t cpu, uint64_t now, uint64_t *until)
{
    struct sched_vcpu *best = NULL, *yielder = NULL, *far;
    struct sched_cpu *c;

    *until = 0;
    if (cpu >= s.ncpus)
        return NULL;
    c = &s.cpu[cpu];
    see_time(now);
    if (c->curr)
        sched_put(cpu, now);
    c->resched = false;

    /* A vCPU that yielded goes after every other eligible one, once. */
    for (struct sched_vcpu *q = c->queue; q; q = q->next) {
        if (!allowed_on(q, cpu) || !eligible(q, now))
            continue;
        struct sched_vcpu **slot = q->yielded ? &yielder : &best;
        if (!*slot || q->vtime < (*slot)->vtime)
            *slot = q;
    }
    /* Pull a vCPU that is behind by more than its granularity: comparing
     * vtimes across CPUs is what spreads CPU time max-min fairly. */
    far = pull_candidate(cpu, now);
    if (far) {
        uint64_t vt = pulled_vtime(far, cpu, now);
        if (!best || below_by(vt, best->vtime, gran(far))) {
            dequeue(far);
            far->yielded = false;
            far->vtime = vt;
            move_to(far, cpu);
            best = far;
        }
    }
    if (!best)
        best = yielder;
    if (!best) {
        *until = next_refill(cpu, now, true);
        return NULL;
    }

    dequeue(best);
    best->running = true;
    best->run_start_ns = now;
    best->yielded = false;
    c->curr = best;
    level(cpu, now);
    for (struct sched_vcpu *q = c->queue; q; q = q->next)
        q->yielded = false;

    uint64_t end = now + s.slice_ns, refill_at = next_refill(cpu, now, false);
    if (best->dom->cap) {
        int64_t left = budget_left(best->dom, now);
        uint64_t share = left > 0 ? (uint64_t)left / runnable_share(best->dom) : 0;
        end = MIN(end, now + MAX(share, 1));
    }
    if (refill_at && refill_at < end)
        end = refill_at;
    *until = end;
    return best;
}

void sched_put(uint32_t cpu, uint64_t now)
{
    struct sched_cpu *c = &s.cpu[cpu < s.ncpus ? cpu : 0];
    struct sched_vcpu *sv = cpu < s.ncpus ? c->curr : NULL;
    uint64_t ran;

    if (!sv)
        return;
    see_time(now);
    ran = ran_for(sv, now);
    sv->vtime += to_vtime(ran, sv->dom->weight);
    sv->cpu_time_ns += ran;
    charge_budget(sv->dom, now - ran, now);
    sv->running = false;
    c->curr = NULL;
    c->put_kick = SCHED_NO_CPU;

    if (!sv->runnable) {
        sv->yielded = false;
    } else if (allowed_on(sv, cpu)) {
        enqueue(cpu, sv);
    } else {
        uint32_t to = choose_cpu(sv, now);
        sv->yielded = false;
        place(sv, to, now);
        c->put_kick = kick_for(sv, to, now);
    }
    level(cpu, now);
}

uint32_t sched_put_kick(uint32_t cpu)
{
    uint32_t k;
    if (cpu >= s.ncpus)
        return SCHED_NO_CPU;
    k = s.cpu[cpu].put_kick;
    s.cpu[cpu].put_kick = SCHED_NO_CPU;
    return k;
}

struct sched_vcpu *sched_current(uint32_t cpu)
{
    return cpu < s.ncpus ? s.cpu[cpu].curr : NULL;
}

bool sched_resched_pending(uint32_t cpu)
{
    return cpu < s.ncpus && s.cpu[cpu].resched;
}

void sched_vcpu_yield(struct sched_vcpu *sv)
{
    if (!sv->running)
        return;
    sv->yielded = true;
    s.cpu[sv->cpu].resched = true;
}

/* ---- control ------------------------------------------------------------------ */

int sched_set_weight(struct sched_domain *sd, uint32_t weight)
{
    if (weight < 1 || weight > SCHED_MAX_WEIGHT)
        return -1;
    sd->weight = weight;
    return 0;
}

/* A new cap starts with a full budget at its first use; CPUs running the
 * domain choose again, so their slices end where the new budget does. */
int sched_set_cap(struct sched_domain *sd, uint32_t cap)
{
    if (cap > SCHED_MAX_CAP)
        return -1;
    if (!cap || !sd->cap) {
        sd->budget_ns = 0;
        sd->period_end_ns = 0;
    }
    sd->cap = cap;
    if (cap && sd->budget_ns > quota(sd))
        sd->budget_ns = quota(sd);
    for (uint32_t c = 0; c < s.ncpus; c++)
        if (s.cpu[c].curr && s.cpu[c].curr->dom == sd)
            s.cpu[c].resched = true;
    return 0;
}

/*
 * A queued vCPU its new mask excludes from its CPU moves now (*kick: that
 * CPU if it idles or the vCPU preempts there); a running one is flagged and
 * named in *kick, and moves at its sched_put.
 */
int sched_set_affinity(struct sched_vcpu *sv, uint64_t mask, uint32_t *kick)
{
    *kick = SCHED_NO_CPU;
    if (!(mask & online()))
        return -1;
    sv->affinity = mask;
    if (allowed_on(sv, sv->cpu) || !sv->runnable)
        return 0;
    if (sv->running) {
        s.cpu[sv->cpu].resched = true;
        *kick = sv->cpu;
        return 0;
    }
    dequeue(sv);
    sv->yielded = false;
    uint32_t to = choose_cpu(sv, s.clock);
    place(sv, to, s.clock);
    *kick = kick_for(sv, to, s.clock);
    return 0;
}

uint64_t sched_migrations(void)
{
    return s.migrations;
}
