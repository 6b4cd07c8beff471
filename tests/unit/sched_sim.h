/*
 * A discrete-event simulator for the scheduling policy. It drives the real
 * hv/sched_policy.c with a simulated clock, `ncpus` simulated CPUs and vCPUs
 * with simple workloads, the way hv/sched.c drives it on hardware: each CPU
 * picks, runs until the end of the slice, the workload's next event or a
 * kick, then puts. It records what every vCPU got. docs/scheduler.md.
 */
#ifndef MICA_TEST_SCHED_SIM_H
#define MICA_TEST_SCHED_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/sched_policy.h"

#define SIM_MAX_VCPUS 16
#define SIM_MS        1000000ull
#define SIM_S         1000000000ull

enum sim_load {
    SIM_CPU_BOUND,      /* always runnable (so is a guest spinning with interrupts off) */
    SIM_IO_BOUND,       /* runs run_ns of CPU time, blocks block_ns, is woken, again */
    SIM_YIELDER,        /* yields yield_early_ns before each slice end, stays runnable */
};

struct sim_vcpu {
    struct sched_vcpu sv;
    enum sim_load load;
    uint64_t run_ns, block_ns;          /* SIM_IO_BOUND */
    uint64_t yield_early_ns;            /* SIM_YIELDER */

    /* Recorded. Waits are from becoming runnable (woken, or put while still
     * runnable) to running; wake latencies only count wake-ups. */
    uint64_t cpus_ran;                  /* bit n: it ran on CPU n */
    uint64_t runs, runs_outside_affinity;
    uint64_t max_wait_ns;
    uint64_t max_wake_latency_ns;       /* of wake-ups at or after sim.stats_from */
    uint64_t wakes;

    /* Workload state. */
    bool started;
    bool woken;                         /* its current wait began with a wake-up */
    uint64_t ready_since;
    uint64_t burst_left;                /* SIM_IO_BOUND: CPU time before it blocks */
    uint64_t wake_at;                   /* SIM_IO_BOUND: blocked until then; 0: not blocked */
};

struct sim_cpu {
    struct sim_vcpu *run;               /* NULL: idle */
    uint64_t until;                     /* from sched_pick */
    uint64_t end;                       /* when this run (or idle stretch) stops */
    bool yield_at_end;
};

struct sim {
    uint32_t ncpus;
    uint64_t slice_ns;
    uint64_t now;
    uint64_t stats_from;                /* wake latencies count from this time */
    uint64_t errors;                    /* broken invariants seen (must stay 0) */
    uint32_t nvcpus;
    struct sim_vcpu vcpu[SIM_MAX_VCPUS];
    struct sim_cpu cpu[SCHED_MAX_CPUS];
};

/* A fresh policy (sched_policy_init) and an empty machine at time 0. */
void sim_init(struct sim *s, uint32_t ncpus, uint64_t slice_ns);
/* A vCPU of `sd`, first placed on `cpu`; it wakes when sim_run next runs. */
struct sim_vcpu *sim_add(struct sim *s, struct sched_domain *sd, enum sim_load load,
                         uint32_t cpu);
struct sim_vcpu *sim_add_io(struct sim *s, struct sched_domain *sd, uint32_t cpu,
                            uint64_t run_ns, uint64_t block_ns);
/* sched_set_affinity now, kicking the CPU it names. */
int sim_set_affinity(struct sim *s, struct sim_vcpu *v, uint64_t mask);
/* Run until simulated time `end`. */
void sim_run(struct sim *s, uint64_t end);

/* CPU time so far, counting the slice it is in. */
uint64_t sim_cpu_time(const struct sim *s, const struct sim_vcpu *v);
/* Its longest wait so far, counting the one it is in. */
uint64_t sim_max_wait(const struct sim *s, const struct sim_vcpu *v);

#endif
