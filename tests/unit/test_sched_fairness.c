/*
 * Host test of the scheduling policy's guarantees (docs/scheduler.md), each
 * measured by running the real hv/sched_policy.c in the simulator
 * (sched_sim.c): weighted shares on one and two CPUs, balancing, caps, hard
 * affinity, yield, the waiting bound and wake-up latency. Shares are
 * fractions of one CPU; "±2%" is two share points. The figures are printed
 * so docs/scheduler.md can quote them.
 */
#include <stdio.h>
#include "check.h"
#include "sched_sim.h"

CHECK_SUITE("sched_fairness");

#define SLICE   (10 * SIM_MS)
#define GRAN    (SLICE / 2)     /* wake-up granularity at the default weight */
#define LONG    (10 * SIM_S)

static struct sim sim;
static struct sched_domain dom[SIM_MAX_VCPUS];

static struct sched_domain *domain(uint32_t i, uint32_t weight, uint32_t cap)
{
    sched_domain_init(&dom[i]);
    if (sched_set_weight(&dom[i], weight) || sched_set_cap(&dom[i], cap))
        sim.errors++;
    return &dom[i];
}

static struct sim_vcpu *cpu_bound(uint32_t i, uint32_t weight)
{
    return sim_add(&sim, domain(i, weight, 0), SIM_CPU_BOUND, 0);
}

static double share(const struct sim_vcpu *v)
{
    return (double)sim_cpu_time(&sim, v) / (double)sim.now;
}

static bool near(double got, double want)
{
    return got > want - 0.02 && got < want + 0.02;
}

static void print_shares(const char *scenario)
{
    printf("  %-40s", scenario);
    for (uint32_t i = 0; i < sim.nvcpus; i++)
        printf(" %6.2f%%", 100.0 * share(&sim.vcpu[i]));
    printf("  (migrations %lu)\n", (unsigned long)sched_migrations());
}

/* 1. Weights 1:2:4 on one CPU: 1/7, 2/7, 4/7. */
static void test_weights_one_cpu(void)
{
    sim_init(&sim, 1, SLICE);
    struct sim_vcpu *a = cpu_bound(0, 1), *b = cpu_bound(1, 2), *c = cpu_bound(2, 4);
    sim_run(&sim, LONG);
    print_shares("1:2:4 on 1 CPU");
    CHECK("1:2:4 on one CPU: weight 1 gets 1/7", near(share(a), 1.0 / 7));
    CHECK("1:2:4 on one CPU: weight 2 gets 2/7", near(share(b), 2.0 / 7));
    CHECK("1:2:4 on one CPU: weight 4 gets 4/7", near(share(c), 4.0 / 7));
    CHECK("1:2:4 on one CPU: no broken invariant", sim.errors == 0);
}

/* 2. The same on two CPUs: max-min fairness gives weight 4 a whole CPU
 * (it cannot use more) and splits the other 1:2. */
static void test_weights_two_cpus(void)
{
    sim_init(&sim, 2, SLICE);
    struct sim_vcpu *a = cpu_bound(0, 1), *b = cpu_bound(1, 2), *c = cpu_bound(2, 4);
    sim_run(&sim, LONG);
    print_shares("1:2:4 on 2 CPUs");
    CHECK("1:2:4 on two CPUs: weight 4 gets a whole CPU", near(share(c), 1.0));
    CHECK("1:2:4 on two CPUs: weight 1 gets 1/3 of the other", near(share(a), 1.0 / 3));
    CHECK("1:2:4 on two CPUs: weight 2 gets 2/3 of the other", near(share(b), 2.0 / 3));
    CHECK("1:2:4 on two CPUs: no broken invariant", sim.errors == 0);
}

/* 3. Five equal vCPUs on two CPUs: 40% each, which needs migrations. */
static void test_five_on_two(void)
{
    sim_init(&sim, 2, SLICE);
    for (uint32_t i = 0; i < 5; i++)
        cpu_bound(i, SCHED_DEFAULT_WEIGHT);
    sim_run(&sim, LONG);
    print_shares("5 equal on 2 CPUs");
    for (uint32_t i = 0; i < 5; i++)
        CHECK("5 equal vCPUs on two CPUs: 40% each", near(share(&sim.vcpu[i]), 0.4));
    CHECK("5 equal vCPUs on two CPUs: balancing migrates", sched_migrations() > 0);
    CHECK("5 equal vCPUs on two CPUs: no broken invariant", sim.errors == 0);
}

/* 4. A cap of 25% holds against an uncapped competitor and alone. */
static void test_caps(void)
{
    sim_init(&sim, 1, SLICE);
    struct sim_vcpu *capped = sim_add(&sim, domain(0, SCHED_DEFAULT_WEIGHT, 25), SIM_CPU_BOUND, 0);
    struct sim_vcpu *free = cpu_bound(1, SCHED_DEFAULT_WEIGHT);
    sim_run(&sim, LONG);
    print_shares("cap 25% vs uncapped, 1 CPU");
    CHECK("cap 25% against an uncapped domain: 25%", near(share(capped), 0.25));
    CHECK("cap 25% against an uncapped domain: the other gets the rest", near(share(free), 0.75));

    sim_init(&sim, 1, SLICE);
    capped = sim_add(&sim, domain(0, SCHED_DEFAULT_WEIGHT, 25), SIM_CPU_BOUND, 0);
    sim_run(&sim, LONG);
    print_shares("cap 25% alone, 1 CPU");
    CHECK("cap 25% alone on an idle CPU: 25%", near(share(capped), 0.25));

    /* A two-vCPU domain capped at 50% on two CPUs, against two uncapped. */
    sim_init(&sim, 2, SLICE);
    struct sched_domain *sd = domain(0, SCHED_DEFAULT_WEIGHT, 50);
    struct sim_vcpu *c0 = sim_add(&sim, sd, SIM_CPU_BOUND, 0);
    struct sim_vcpu *c1 = sim_add(&sim, sd, SIM_CPU_BOUND, 1);
    cpu_bound(1, SCHED_DEFAULT_WEIGHT);
    cpu_bound(2, SCHED_DEFAULT_WEIGHT);
    sim_run(&sim, LONG);
    print_shares("cap 50% over 2 vCPUs + 2 uncapped, 2 CPUs");
    CHECK("cap 50% over two vCPUs: 50% for the domain", near(share(c0) + share(c1), 0.5));
    CHECK("cap 50% over two vCPUs: split evenly", near(share(c0), 0.25) && near(share(c1), 0.25));
    CHECK("cap 50% over two vCPUs: at most one migration per slice",
          sched_migrations() <= LONG / SLICE);
    CHECK("caps: no broken invariant", sim.errors == 0);
}

/* 5. Hard affinity holds on every run, with idle CPUs trying to pull. */
static void test_affinity(void)
{
    sim_init(&sim, 4, SLICE);
    struct sim_vcpu *p = cpu_bound(0, SCHED_DEFAULT_WEIGHT);
    struct sim_vcpu *q = cpu_bound(1, SCHED_DEFAULT_WEIGHT);
    struct sim_vcpu *r = cpu_bound(2, SCHED_DEFAULT_WEIGHT);
    struct sim_vcpu *io = sim_add_io(&sim, domain(3, SCHED_DEFAULT_WEIGHT, 0), 0,
                                     SIM_MS, 3 * SIM_MS);
    struct sim_vcpu *u = cpu_bound(4, SCHED_DEFAULT_WEIGHT);
    bool pinned = sim_set_affinity(&sim, p, 1u << 2) == 0 &&
                  sim_set_affinity(&sim, q, 1u << 2) == 0 && sim_set_affinity(&sim, r, 3) == 0;
    sim_run(&sim, LONG);
    print_shares("pinned p,q to CPU 2, r to 0-1; 4 CPUs");
    CHECK("affinity: masks accepted", pinned);
    CHECK("affinity: p ran only on CPU 2", p->cpus_ran == 1u << 2 && !p->runs_outside_affinity);
    CHECK("affinity: q ran only on CPU 2", q->cpus_ran == 1u << 2 && !q->runs_outside_affinity);
    CHECK("affinity: r ran only on CPUs 0-1", !(r->cpus_ran & ~3ull) && !r->runs_outside_affinity);
    CHECK("affinity: p and q share CPU 2", near(share(p), 0.5) && near(share(q), 0.5));
    CHECK("affinity: balancing was active", sched_migrations() > 0 && u->runs && io->wakes);

    /* Moved while it runs or waits: from now on only CPU 3. */
    p->cpus_ran = 0;
    CHECK("affinity: p re-pinned to CPU 3", sim_set_affinity(&sim, p, 1u << 3) == 0);
    sim_run(&sim, LONG + SIM_S);
    CHECK("affinity: after the change p ran only on CPU 3",
          p->cpus_ran == 1u << 3 && !p->runs_outside_affinity);
    for (uint32_t i = 0; i < sim.nvcpus; i++)
        CHECK("affinity: no run outside a mask", sim.vcpu[i].runs_outside_affinity == 0);
    CHECK("affinity: no broken invariant", sim.errors == 0);
}

/* 6. Yielding just before every accounting point gains nothing. */
static void test_yield(void)
{
    sim_init(&sim, 1, SLICE);
    struct sim_vcpu *y = sim_add(&sim, domain(0, SCHED_DEFAULT_WEIGHT, 0), SIM_YIELDER, 0);
    y->yield_early_ns = 1000;
    cpu_bound(1, SCHED_DEFAULT_WEIGHT);
    cpu_bound(2, SCHED_DEFAULT_WEIGHT);
    sim_run(&sim, LONG);
    print_shares("yielder + 2 CPU-bound, 1 CPU");
    CHECK("yield before each slice end: at most 1/3 + 1%", share(y) <= 1.0 / 3 + 0.01);

    sim_init(&sim, 2, SLICE);
    y = sim_add(&sim, domain(0, SCHED_DEFAULT_WEIGHT, 0), SIM_YIELDER, 0);
    y->yield_early_ns = 1000;
    for (uint32_t i = 1; i < 4; i++)
        cpu_bound(i, SCHED_DEFAULT_WEIGHT);
    sim_run(&sim, LONG);
    print_shares("yielder + 3 CPU-bound, 2 CPUs");
    CHECK("yield before each slice end on two CPUs: at most 1/2 + 1%", share(y) <= 0.5 + 0.01);
    CHECK("yield: no broken invariant", sim.errors == 0);
}

/*
 * 7. The waiting bound of docs/scheduler.md, for uncapped vCPUs: a vCPU v
 * waits at most S * (sum over the others j of (2 + w_j / w_v + w_j / w_min)),
 * plus S if v yields, plus S * w_j / w_min for each other j that yields;
 * w_min is the lightest weight present.
 */
static double wait_bound(const struct sim_vcpu *v)
{
    double b = 0, wv = v->sv.dom->weight, wmin = SCHED_MAX_WEIGHT;
    for (uint32_t i = 0; i < sim.nvcpus; i++)
        if (sim.vcpu[i].sv.dom->weight < wmin)
            wmin = sim.vcpu[i].sv.dom->weight;
    for (uint32_t i = 0; i < sim.nvcpus; i++) {
        const struct sim_vcpu *j = &sim.vcpu[i];
        double wj = j->sv.dom->weight;
        if (j == v)
            continue;
        b += 2 + wj / wv + wj / wmin;
        if (j->load == SIM_YIELDER)
            b += wj / wmin;
    }
    if (v->load == SIM_YIELDER)
        b += 1;
    return b * SLICE;
}

/* The largest longest-wait / bound over the vCPUs of the last run. */
static double worst_wait_ratio(void)
{
    double worst = 0;
    for (uint32_t i = 0; i < sim.nvcpus; i++) {
        double r = (double)sim_max_wait(&sim, &sim.vcpu[i]) / wait_bound(&sim.vcpu[i]);
        worst = r > worst ? r : worst;
    }
    return worst;
}

static void check_waits(const char *scenario)
{
    double worst = worst_wait_ratio();
    printf("  %-40s longest wait / bound: %.2f", scenario, worst);
    for (uint32_t i = 0; i < sim.nvcpus; i++)
        printf(" %.0f/%.0f", sim_max_wait(&sim, &sim.vcpu[i]) / 1e6,
               wait_bound(&sim.vcpu[i]) / 1e6);
    printf(" ms\n");
    CHECK(scenario, worst <= 1 && sim.errors == 0);
}

static void test_wait_bound(void)
{
    sim_init(&sim, 1, SLICE);
    cpu_bound(0, 128);
    cpu_bound(1, 256);
    cpu_bound(2, 1024);
    cpu_bound(3, 4096);
    sim_run(&sim, LONG);
    check_waits("wait bound: weights 128..4096, 1 CPU");

    sim_init(&sim, 1, SLICE);
    cpu_bound(0, 256);
    cpu_bound(1, 512);
    sim_add_io(&sim, domain(2, 256, 0), 0, 2 * SIM_MS, 7 * SIM_MS);
    sim_add_io(&sim, domain(3, 1024, 0), 0, 13 * SIM_MS, 3 * SIM_MS);
    sim_add(&sim, domain(4, 256, 0), SIM_YIELDER, 0)->yield_early_ns = 100000;
    sim_run(&sim, LONG);
    check_waits("wait bound: CPU, I/O, yield, 1 CPU");

    sim_init(&sim, 2, SLICE);
    for (uint32_t i = 0; i < 5; i++)
        cpu_bound(i, 256 << (i % 3));
    sim_add_io(&sim, domain(5, 256, 0), 0, SIM_MS, 4 * SIM_MS);
    sim_add_io(&sim, domain(6, 64, 0), 1, 9 * SIM_MS, 20 * SIM_MS);
    sim_run(&sim, LONG);
    check_waits("wait bound: CPU and I/O, 2 CPUs");

    sim_init(&sim, 4, SLICE);
    for (uint32_t i = 0; i < 6; i++)
        cpu_bound(i, 100 + 150 * i);
    for (uint32_t i = 6; i < 9; i++)
        sim_add_io(&sim, domain(i, 256, 0), i % 4, (i - 5) * SIM_MS, 5 * SIM_MS);
    sim_set_affinity(&sim, &sim.vcpu[0], 1);
    sim_set_affinity(&sim, &sim.vcpu[1], 1);
    sim_set_affinity(&sim, &sim.vcpu[6], 3);
    sim_run(&sim, LONG);
    check_waits("wait bound: mixed with affinity, 4 CPUs");
}

/* 8. A woken I/O-bound vCPU that uses less than its share preempts: its
 * wake-up latency is at most one granularity (counted after 1 s warm-up,
 * once its vtime reflects that it uses less than its share). */
static void test_wake_latency(void)
{
    sim_init(&sim, 1, SLICE);
    sim.stats_from = SIM_S;
    for (uint32_t i = 0; i < 3; i++)
        cpu_bound(i, SCHED_DEFAULT_WEIGHT);
    struct sim_vcpu *io = sim_add_io(&sim, domain(3, SCHED_DEFAULT_WEIGHT, 0), 0,
                                     SIM_MS / 2, 3 * SIM_MS);
    sim_run(&sim, LONG);
    print_shares("I/O (0.5 ms run, 3 ms block) + 3 CPU, 1 CPU");
    printf("  longest wake-up latency: %.3f ms over %lu wake-ups\n",
           io->max_wake_latency_ns / 1e6, (unsigned long)io->wakes);
    CHECK("I/O-bound vCPU woke often", io->wakes > 1000);
    CHECK("I/O-bound wake-up latency at most one granularity", io->max_wake_latency_ns <= GRAN);

    sim_init(&sim, 2, SLICE);
    sim.stats_from = SIM_S;
    for (uint32_t i = 0; i < 4; i++)
        cpu_bound(i, SCHED_DEFAULT_WEIGHT);
    struct sim_vcpu *io0 = sim_add_io(&sim, domain(4, SCHED_DEFAULT_WEIGHT, 0), 0,
                                      SIM_MS, 4 * SIM_MS);
    struct sim_vcpu *io1 = sim_add_io(&sim, domain(5, SCHED_DEFAULT_WEIGHT, 0), 1,
                                      SIM_MS / 4, SIM_MS);
    sim_run(&sim, LONG);
    print_shares("2 I/O + 4 CPU, 2 CPUs");
    printf("  longest wake-up latencies: %.3f ms, %.3f ms\n",
           io0->max_wake_latency_ns / 1e6, io1->max_wake_latency_ns / 1e6);
    CHECK("two CPUs: I/O-bound wake-up latency at most one granularity",
          io0->max_wake_latency_ns <= GRAN && io1->max_wake_latency_ns <= GRAN);
    CHECK("wake-up latency: no broken invariant", sim.errors == 0);
}

/* ---- random mixes ------------------------------------------------------- */

static uint32_t rng = 2463534242u;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

/* A weight spread evenly on a log scale over [lo, lo << span). */
static uint32_t rnd_weight(uint32_t lo, uint32_t span)
{
    uint32_t w = lo << rnd(span);
    return w + rnd(w);
}

/* Weighted max-min shares of CPU-bound vCPUs on `ncpus` CPUs: no vCPU can
 * use more than one CPU, the rest is split by weight (water filling). */
static void max_min(const double *w, uint32_t n, uint32_t ncpus, double *out)
{
    bool full[SIM_MAX_VCPUS] = { false };
    double cpus = ncpus;
    for (bool again = true; again;) {
        double sum = 0;
        again = false;
        for (uint32_t i = 0; i < n; i++)
            sum += full[i] ? 0 : w[i];
        for (uint32_t i = 0; i < n; i++) {
            out[i] = full[i] ? 1 : cpus * w[i] / sum;
            if (!full[i] && out[i] > 1) {
                full[i] = again = true;
                cpus -= 1;
            }
        }
    }
}

/* 2 and 3, generalised: random weights within a factor 64 of each other,
 * 1-4 CPUs, 2-10 CPU-bound vCPUs starting anywhere. */
static void test_random_max_min(void)
{
    double worst = 0;
    for (uint32_t t = 0; t < 200; t++) {
        uint32_t ncpus = 1 + rnd(4), n = 2 + rnd(9);
        double w[SIM_MAX_VCPUS], want[SIM_MAX_VCPUS];
        sim_init(&sim, ncpus, SLICE);
        for (uint32_t i = 0; i < n; i++) {
            w[i] = rnd_weight(64, 6);
            sim_add(&sim, domain(i, (uint32_t)w[i], 0), SIM_CPU_BOUND, rnd(ncpus));
        }
        sim_run(&sim, 2 * LONG);
        max_min(w, n, ncpus, want);
        for (uint32_t i = 0; i < n; i++) {
            double e = share(&sim.vcpu[i]) - want[i];
            worst = e < 0 ? (-e > worst ? -e : worst) : (e > worst ? e : worst);
        }
    }
    printf("  200 random CPU-bound mixes: largest distance from max-min share %.1f points\n",
           100 * worst);
    CHECK("random weight mixes on 1-4 CPUs: max-min shares within 2%", worst < 0.02);
}

/* 7, generalised: random weights (1..8191), I/O-bound and yielding vCPUs,
 * some pinned, on 1-4 CPUs. */
static void test_random_waits(void)
{
    double worst = 0;
    uint64_t errors = 0;
    for (uint32_t t = 0; t < 300; t++) {
        uint32_t ncpus = 1 + rnd(4), n = 2 + rnd(9);
        sim_init(&sim, ncpus, SLICE);
        for (uint32_t i = 0; i < n; i++) {
            struct sched_domain *sd = domain(i, rnd_weight(1, 13), 0);
            struct sim_vcpu *v;
            switch (rnd(3)) {
            case 0:
                v = sim_add(&sim, sd, SIM_CPU_BOUND, rnd(ncpus));
                break;
            case 1:
                v = sim_add_io(&sim, sd, rnd(ncpus), (1 + rnd(20)) * SIM_MS / 2,
                               (1 + rnd(40)) * SIM_MS / 2);
                break;
            default:
                v = sim_add(&sim, sd, SIM_YIELDER, rnd(ncpus));
                v->yield_early_ns = rnd(5 * SIM_MS);
                break;
            }
            if (!rnd(4))
                sim_set_affinity(&sim, v, 1 + rnd((1u << ncpus) - 1));
        }
        sim_run(&sim, LONG / 2);
        double r = worst_wait_ratio();
        worst = r > worst ? r : worst;
        errors += sim.errors;
    }
    printf("  300 random mixes with I/O, yield, affinity: longest wait / bound %.2f\n", worst);
    CHECK("random mixes: no wait beyond the bound", worst <= 1 && errors == 0);
}

int main(void)
{
    test_weights_one_cpu();
    test_weights_two_cpus();
    test_five_on_two();
    test_caps();
    test_affinity();
    test_yield();
    test_wait_bound();
    test_wake_latency();
    test_random_max_min();
    test_random_waits();
    CHECK_DONE();
}
