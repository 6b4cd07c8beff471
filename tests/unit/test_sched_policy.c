/*
 * Host unit test for hv/sched_policy.c, call by call: ranges of the control
 * calls, wake/pick/put/sleep bookkeeping, the resched flag, yield, wake-up
 * placement and preemption, caps and their refill, affinity, pulling, and
 * (through the simulator, sched_sim.c) hours of simulated time with vCPUs
 * whose vtimes are far apart.
 */
#include <stdio.h>
#include "check.h"
#include "sched_sim.h"

CHECK_SUITE("sched_policy");

#define MS    SIM_MS
#define SLICE (10 * MS)

static struct sched_domain d0, d1, d2;
static struct sched_vcpu a, b, c;

static void setup(uint32_t ncpus)
{
    sched_policy_init(ncpus, SLICE);
    sched_domain_init(&d0);
    sched_domain_init(&d1);
    sched_domain_init(&d2);
    sched_vcpu_init(&a, &d0, 0);
    sched_vcpu_init(&b, &d1, 0);
    sched_vcpu_init(&c, &d2, 0);
}

static struct sched_vcpu *pick(uint32_t cpu, uint64_t now, uint64_t *until)
{
    uint64_t u;
    return sched_pick(cpu, now, until ? until : &u);
}

static void test_ranges(void)
{
    uint32_t kick;

    sched_policy_init(0, SLICE);
    CHECK("init: at least one CPU", sched_policy_ncpus() == 1);
    sched_policy_init(99, SLICE);
    CHECK("init: at most SCHED_MAX_CPUS", sched_policy_ncpus() == SCHED_MAX_CPUS);
    setup(2);
    CHECK("init: ncpus", sched_policy_ncpus() == 2);
    CHECK("domain: default weight, no cap", d0.weight == SCHED_DEFAULT_WEIGHT && d0.cap == 0);
    CHECK("vcpu: not runnable, not running, on its CPU, vtime 0",
          !a.runnable && !a.running && a.cpu == 0 && a.vtime == 0 && a.dom == &d0);
    CHECK("vcpu: allowed on every CPU", (a.affinity & 3) == 3);
    sched_vcpu_init(&c, &d2, 7);
    CHECK("vcpu: a CPU beyond ncpus becomes CPU 0", c.cpu == 0);

    CHECK("weight 0 refused", sched_set_weight(&d0, 0) == -1 && d0.weight == SCHED_DEFAULT_WEIGHT);
    CHECK("weight 65536 refused",
          sched_set_weight(&d0, 65536) == -1 && d0.weight == SCHED_DEFAULT_WEIGHT);
    CHECK("weight 1 taken", sched_set_weight(&d0, 1) == 0 && d0.weight == 1);
    CHECK("weight 65535 taken",
          sched_set_weight(&d0, SCHED_MAX_WEIGHT) == 0 && d0.weight == SCHED_MAX_WEIGHT);

    CHECK("cap 801 refused", sched_set_cap(&d0, SCHED_MAX_CAP + 1) == -1 && d0.cap == 0);
    CHECK("cap 800 taken", sched_set_cap(&d0, SCHED_MAX_CAP) == 0 && d0.cap == SCHED_MAX_CAP);
    CHECK("cap 0 (none) taken", sched_set_cap(&d0, 0) == 0 && d0.cap == 0);

    a.affinity = 3;
    CHECK("affinity 0 refused", sched_set_affinity(&a, 0, &kick) == -1 && a.affinity == 3);
    CHECK("affinity with only offline CPUs refused",
          sched_set_affinity(&a, 0xfc, &kick) == -1 && a.affinity == 3 && kick == SCHED_NO_CPU);
    CHECK("affinity with an online CPU taken",
          sched_set_affinity(&a, 0xfe, &kick) == 0 && a.affinity == 0xfe && kick == SCHED_NO_CPU);
}

static void test_wake_pick_put(void)
{
    uint64_t until;

    setup(1);
    CHECK("idle CPU: pick gives NULL, until 0", !pick(0, 0, &until) && until == 0);
    CHECK("wake on an idle CPU returns it", sched_wake(&a, 0) == 0);
    CHECK("wake sets the resched flag", sched_resched_pending(0));
    CHECK("wake again: nothing to do", sched_wake(&a, 0) == SCHED_NO_CPU);
    CHECK("pick returns the woken vCPU", pick(0, MS, &until) == &a && until == MS + SLICE);
    CHECK("pick clears the resched flag", !sched_resched_pending(0));
    CHECK("picked vCPU is running and current", a.running && a.runnable && sched_current(0) == &a &&
                                                a.run_start_ns == MS);
    sched_put(0, 4 * MS);
    CHECK("put charges vtime and CPU time", a.vtime == 3 * MS && a.cpu_time_ns == 3 * MS);
    CHECK("put requeues a runnable vCPU", !a.running && a.runnable && !sched_current(0));
    CHECK("the requeued vCPU is picked again", pick(0, 4 * MS, NULL) == &a);

    sched_set_weight(&d0, 512);
    sched_put(0, 8 * MS);
    CHECK("weight 512: half the vtime", a.vtime == 5 * MS && a.cpu_time_ns == 7 * MS);
    sched_set_weight(&d0, 3);
    pick(0, 8 * MS, NULL);
    sched_put(0, 8 * MS + 10);
    CHECK("weight 3: 10 ns is 853 ns of vtime", a.vtime == 5 * MS + 853);

    pick(0, 9 * MS, NULL);
    sched_sleep(&a);
    CHECK("sleep while running: stays current until put",
          a.running && !a.runnable && sched_current(0) == &a);
    sched_put(0, 10 * MS);
    CHECK("put of a sleeping vCPU does not requeue it", !pick(0, 10 * MS, &until) && until == 0);

    setup(1);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    sched_sleep(&b);
    CHECK("sleep dequeues", !b.runnable && !b.running);
    CHECK("a slept vCPU is never picked", pick(0, 0, NULL) == &a);
    sched_put(0, 5 * MS);
    CHECK("only the other one is left", pick(0, 5 * MS, NULL) == &a);
    sched_put(0, 6 * MS);
    sched_sleep(&a);
    CHECK("nothing left", !pick(0, 6 * MS, &until) && until == 0);
}

static void test_order_and_yield(void)
{
    setup(1);
    b.vtime = 2 * MS;
    c.vtime = 3 * MS;
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    sched_wake(&c, 0);
    CHECK("lowest vtime first", pick(0, 0, NULL) == &a);
    sched_put(0, 2 * MS);
    CHECK("equal vtimes: first queued first", pick(0, 2 * MS, NULL) == &b);
    sched_put(0, 3 * MS);
    CHECK("then the lowest again", pick(0, 3 * MS, NULL) == &a);
    sched_put(0, 4 * MS + MS / 2);                  /* a 3.5, b 3, c 3 ms */
    CHECK("c before b at equal vtime: queued first", pick(0, 5 * MS, NULL) == &c);
    sched_put(0, 5 * MS);

    setup(1);
    b.vtime = 5 * MS;
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    CHECK("a (vtime 0) runs", pick(0, 0, NULL) == &a);
    sched_vcpu_yield(&a);
    CHECK("yield sets the resched flag", sched_resched_pending(0));
    sched_put(0, MS);
    CHECK("yield does not change the charge", a.vtime == MS);
    CHECK("after a yield every other vCPU goes first, even with more vtime",
          pick(0, MS, NULL) == &b);
    sched_put(0, 2 * MS);
    CHECK("the yielder is back in vtime order after one pick", pick(0, 2 * MS, NULL) == &a);
    sched_put(0, 2 * MS);

    setup(1);
    sched_wake(&a, 0);
    pick(0, 0, NULL);
    sched_vcpu_yield(&a);
    sched_put(0, MS);
    CHECK("a yielder alone runs again", pick(0, MS, NULL) == &a);
    sched_vcpu_yield(&b);
    CHECK("yield of a vCPU not running: nothing", !b.yielded);
}

static void test_wake_preemption(void)
{
    setup(1);
    sched_wake(&a, 0);
    pick(0, 0, NULL);
    sched_put(0, 100 * MS);
    pick(0, 100 * MS, NULL);
    CHECK("a runs alone: vtime 100 ms", a.vtime == 100 * MS);
    CHECK("woken after a long sleep: returns the CPU to preempt", sched_wake(&b, 101 * MS) == 0);
    CHECK("... with the resched flag set", sched_resched_pending(0));
    CHECK("... and one slice of lead at most", b.vtime == 101 * MS - SLICE);
    CHECK("the woken vCPU goes first", pick(0, 101 * MS, NULL) == &b);
    sched_put(0, 113 * MS);                         /* b 103, a 101 ms */

    CHECK("a runs", pick(0, 113 * MS, NULL) == &a);
    sched_sleep(&b);
    sched_wake(&b, 114 * MS);
    CHECK("within the granularity (b 103, a 102 ms): no preemption",
          b.vtime == 103 * MS && !sched_resched_pending(0));
    sched_sleep(&b);
    CHECK("beyond the granularity (b 103, a 110 ms): preemption",
          sched_wake(&b, 122 * MS) == 0 && sched_resched_pending(0));
}

static void test_placement(void)
{
    setup(2);
    sched_wake(&a, 0);
    CHECK("a runs on CPU 0", pick(0, 0, NULL) == &a);
    CHECK("b's last CPU is busy: the idle CPU 1", sched_wake(&b, MS) == 1 && b.cpu == 1);
    CHECK("moving on wake counts as a migration", b.migrations == 1 && sched_migrations() == 1);
    CHECK("CPU 1 picks b", pick(1, MS, NULL) == &b);
    CHECK("no idle CPU, no preemption: its last CPU", sched_wake(&c, 2 * MS) == SCHED_NO_CPU &&
                                                      c.cpu == 0);
    sched_put(1, 3 * MS);
    sched_sleep(&b);
    sched_wake(&b, 3 * MS);
    CHECK("its last CPU when that is idle", b.cpu == 1 && b.migrations == 1);
}

static void test_caps(void)
{
    uint64_t until;

    setup(1);
    sched_set_cap(&d0, 25);
    sched_wake(&a, 0);
    CHECK("capped: slice cut at the budget", pick(0, 0, &until) == &a && until == 2500000);
    sched_put(0, 3 * MS);                           /* 0.5 ms overdrawn */
    CHECK("capped out: NULL until the refill", !pick(0, 3 * MS, &until) && until == 10 * MS);
    CHECK("refilled: runs again; the overdraw is paid back",
          pick(0, 10 * MS, &until) == &a && until == 12 * MS);
    sched_put(0, 12 * MS);
    pick(0, 200 * MS, &until);
    CHECK("unused budget is not saved up", until == 202500000);
    sched_put(0, 202500000);

    b.vtime = 50 * MS;
    sched_wake(&b, 203 * MS);
    CHECK("an uncapped vCPU runs until the capped one is refilled",
          pick(0, 203 * MS, &until) == &b && until == 210 * MS);
    sched_put(0, 210 * MS);
    CHECK("then the capped one (lower vtime) runs", pick(0, 210 * MS, NULL) == &a);
    sched_put(0, 211 * MS);

    CHECK("new cap while running flags its CPU", pick(0, 211 * MS, NULL) == &a &&
                                                  sched_set_cap(&d0, 50) == 0 &&
                                                  sched_resched_pending(0));
    sched_put(0, 212 * MS);
    CHECK("cap removed", sched_set_cap(&d0, 0) == 0 && d0.cap == 0);
    CHECK("uncapped again: full slices", pick(0, 212 * MS, &until) && until == 222 * MS);

    setup(2);
    sched_vcpu_init(&b, &d0, 1);
    sched_set_cap(&d0, 50);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    CHECK("two runnable vCPUs of a capped domain share its budget",
          pick(0, 0, &until) == &a && until == 2500000 &&
          pick(1, 0, &until) == &b && until == 2500000);
}

static void test_affinity(void)
{
    uint32_t kick;
    uint64_t until;

    setup(2);
    sched_wake(&b, 0);
    pick(0, 0, NULL);                               /* b runs on 0 */
    sched_wake(&a, 0);                              /* a: idle CPU 1 */
    sched_set_affinity(&a, 1, &kick);
    CHECK("queued vCPU moved to an allowed CPU", a.cpu == 0 && kick == SCHED_NO_CPU);
    CHECK("CPU 1 never takes a vCPU pinned elsewhere", !pick(1, MS, &until) && until == 0);
    CHECK("CPU 0 runs it in turn", (sched_put(0, 5 * MS), pick(0, 5 * MS, NULL)) == &a);
    CHECK("CPU 1 pulls the unpinned b", pick(1, 5 * MS, NULL) == &b && b.cpu == 1 &&
                                        b.migrations >= 1);

    CHECK("running vCPU no longer allowed: its CPU is kicked",
          sched_set_affinity(&b, 1, &kick) == 0 && kick == 1 && sched_resched_pending(1));
    sched_put(1, 6 * MS);
    CHECK("at its put it moves to an allowed CPU", b.cpu == 0 && b.runnable && !b.running);
    CHECK("which is busy and not preempted: no kick", sched_put_kick(1) == SCHED_NO_CPU);
    CHECK("CPU 1 has nothing it may run", !pick(1, 6 * MS, NULL));

    sched_put(0, 7 * MS);
    sched_sleep(&a);
    pick(0, 7 * MS, NULL);                          /* b runs on 0 */
    sched_set_affinity(&b, 2, &kick);
    sched_put(0, 8 * MS);
    CHECK("moved at its put to an idle CPU: that CPU is named", sched_put_kick(0) == 1 &&
                                                                b.cpu == 1);
    CHECK("reading the put kick clears it", sched_put_kick(0) == SCHED_NO_CPU);
    CHECK("the idle CPU picks it", pick(1, 8 * MS, NULL) == &b);
    CHECK("sched_current", sched_current(1) == &b && !sched_current(0) && !sched_current(9));
}

/* Levels of CPUs drift apart: a vCPU moved into a busy CPU whose vCPUs
 * are far behind it is brought to within one slice of them. */
static void test_far_apart(void)
{
    uint32_t kick;

    setup(2);
    sched_vcpu_init(&c, &d2, 1);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    sched_wake(&c, 0);
    CHECK("a on CPU 0, b and c on CPU 1", pick(0, 0, NULL) == &a && pick(1, 0, NULL) == &b &&
                                          c.cpu == 1);
    sched_set_affinity(&b, 2, &kick);
    sched_set_affinity(&c, 2, &kick);
    sched_put(0, 1000 * MS);
    CHECK("a ran alone for a second", pick(0, 1000 * MS, NULL) == &a && a.vtime == 1000 * MS);
    sched_set_affinity(&a, 2, &kick);
    sched_put(0, 1000 * MS);
    CHECK("moved to CPU 1, whose level is 0: vtime one slice above it",
          a.cpu == 1 && a.vtime == SLICE);
    CHECK("it preempts b there", sched_put_kick(0) == 1 && sched_resched_pending(1));
}

static void test_pull(void)
{
    setup(2);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    sched_wake(&c, 0);                              /* a on 0, b on 1, c queued on 0 */
    pick(0, 0, NULL);
    pick(1, 0, NULL);
    CHECK("three vCPUs placed", a.cpu == 0 && b.cpu == 1 && c.cpu == 0 && sched_migrations() == 1);
    sched_put(1, SLICE);
    CHECK("CPU 1 pulls c, far behind b", pick(1, SLICE, NULL) == &c && c.cpu == 1 &&
                                          c.migrations == 1 && sched_migrations() == 2);
    CHECK("a pulled vCPU keeps its vtime", c.vtime == 0);

    setup(2);
    c.vtime = 8 * MS;
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    pick(0, 0, NULL);
    pick(1, 0, NULL);
    sched_wake(&c, 0);                              /* queued on 0 behind a */
    sched_put(1, 10 * MS);
    CHECK("behind by less than the granularity: no pull", pick(1, 10 * MS, NULL) == &b);
    sched_put(1, 14 * MS);
    CHECK("behind by more: pulled", pick(1, 14 * MS, NULL) == &c && c.vtime == 8 * MS);

    /* b runs alone on CPU 1 for a second while c waits on CPU 0 behind a
     * that never stops: pulled, c keeps no more than two slices of lag. */
    setup(2);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    pick(0, 0, NULL);
    pick(1, 0, NULL);
    sched_wake(&c, 0);
    sched_put(1, 1000 * MS);
    CHECK("a vCPU a second behind is pulled", pick(1, 1000 * MS, NULL) == &c);
    CHECK("... with its lag cut to a slice of its own and one of the lightest there",
          c.vtime == 1000 * MS - 2 * SLICE);
}

/*
 * Hours of simulated time on one CPU with weights 1, 256 and 4096 (vtimes
 * growing 256:1:1/16 times as fast as CPU time), a vCPU that sleeps an hour
 * between bursts, and one that joins after 1.5 hours with vtime 0: neither
 * of the last two may take more than its share when it comes back.
 */
static struct sim sim;

static double window_share(struct sim_vcpu *v, uint64_t from, uint64_t to)
{
    uint64_t before;
    sim_run(&sim, from);
    before = sim_cpu_time(&sim, v);
    sim_run(&sim, to);
    return (double)(sim_cpu_time(&sim, v) - before) / (double)(to - from);
}

static void test_long_run(void)
{
    static struct sched_domain w1, w256, w4096, wz, wl;
    const uint64_t hour = 3600 * SIM_S;
    double total = 1 + 256 + 4096 + 256;

    sim_init(&sim, 1, 100 * MS);
    sched_domain_init(&w1);
    sched_domain_init(&w256);
    sched_domain_init(&w4096);
    sched_domain_init(&wz);
    sched_domain_init(&wl);
    sched_set_weight(&w1, 1);
    sched_set_weight(&w4096, 4096);
    struct sim_vcpu *one = sim_add(&sim, &w1, SIM_CPU_BOUND, 0);
    sim_add(&sim, &w256, SIM_CPU_BOUND, 0);
    sim_add(&sim, &w4096, SIM_CPU_BOUND, 0);
    struct sim_vcpu *z = sim_add_io(&sim, &wz, 0, 10 * SIM_S, hour);

    sim_run(&sim, hour / 2);
    CHECK("long run: the sleeper is asleep", z->wake_at > hour);
    uint64_t back = z->wake_at;
    double zs = window_share(z, back, back + 60 * SIM_S);
    printf("  back after an hour asleep: %.2f%% (fair %.2f%%)\n", 100 * zs, 100 * 256 / total);
    CHECK("long run: back after an hour asleep, no more than its share",
          zs < 256 / total + 0.02 && zs > 256 / total - 0.02);

    sim_run(&sim, 3 * hour / 2);
    struct sim_vcpu *late = sim_add(&sim, &wl, SIM_CPU_BOUND, 0);
    double ls = window_share(late, 3 * hour / 2, 3 * hour / 2 + 60 * SIM_S);
    printf("  joining after 1.5 h with vtime 0: %.2f%% (fair %.2f%%)\n", 100 * ls,
           100 * 256 / total);
    CHECK("long run: joining late with vtime 0, no more than its share",
          ls < 256 / total + 0.02 && ls > 256 / total - 0.02);

    sim_run(&sim, 3 * hour);
    CHECK("long run: weight 1 still gets CPU time", one->sv.cpu_time_ns > 0 && sim.errors == 0);
    CHECK("long run: vtimes have not wrapped",
          one->sv.vtime > 3 * SIM_S && one->sv.vtime < 3 * hour * SCHED_DEFAULT_WEIGHT);
}

int main(void)
{
    test_ranges();
    test_wake_pick_put();
    test_order_and_yield();
    test_wake_preemption();
    test_placement();
    test_caps();
    test_affinity();
    test_far_apart();
    test_pull();
    test_long_run();
    CHECK_DONE();
}
