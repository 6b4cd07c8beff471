/*
 * The scheduling policy: which vCPU each CPU runs next, and for how long.
 * Proportional share by weight, per-domain caps, hard affinity, wake-up
 * preemption and load balancing, kept as pure bookkeeping over a clock the
 * caller passes in. It takes no locks and calls nothing in arch/: the
 * hypervisor serialises every call with its lock (hv/sched.c), and the host
 * simulator (tests/unit/sched_sim.c) runs this same code on simulated CPUs.
 * docs/scheduler.md describes the algorithm and its guarantees.
 */
#ifndef HV_SCHED_POLICY_H
#define HV_SCHED_POLICY_H

#include "hv/types.h"

#define SCHED_MAX_CPUS       8
#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MAX_WEIGHT     65535
#define SCHED_MAX_CAP        (100 * SCHED_MAX_CPUS)  /* percent of one CPU */
#define SCHED_NO_CPU         UINT32_MAX

/* Per domain: every vCPU of the domain has the domain's weight; the cap is
 * shared by all of them. */
struct sched_domain {
    uint32_t weight;            /* 1..SCHED_MAX_WEIGHT */
    uint32_t cap;               /* percent of one CPU for the whole domain; 0: none */
    int64_t budget_ns;          /* capped: CPU time left in the current cap period */
    uint64_t period_end_ns;     /* capped: when the budget is next refilled */
};

struct sched_vcpu {
    struct sched_domain *dom;
    uint64_t affinity;          /* bit n: may run on CPU n (hard affinity) */
    uint32_t cpu;               /* CPU whose queue holds it, that runs it, or ran it last */
    bool runnable;              /* wants a CPU: queued or running */
    bool running;
    bool yielded;               /* gave up the rest of its slice: others go first */
    uint64_t vtime;             /* virtual time: ns run, scaled by DEFAULT_WEIGHT / weight */
    uint64_t run_start_ns;      /* while running: when it was picked */
    uint64_t cpu_time_ns;       /* all the CPU time charged to it */
    uint64_t migrations;        /* times it moved to another CPU */
    struct sched_vcpu *next;    /* run-queue link */
};

/* Forget everything; `ncpus` CPUs (1..SCHED_MAX_CPUS), time slices of `slice_ns`. */
void sched_policy_init(uint32_t ncpus, uint64_t slice_ns);
uint32_t sched_policy_ncpus(void);

/* Default weight, no cap. */
void sched_domain_init(struct sched_domain *sd);
/* A new vCPU, not runnable, allowed on every CPU, first placed on `cpu`. */
void sched_vcpu_init(struct sched_vcpu *sv, struct sched_domain *sd, uint32_t cpu);

/*
 * `sv` became runnable (woken by an event or timer, brought up, created).
 * Returns the CPU that should choose again now because it is idle or runs a
 * vCPU the waker preempts, or SCHED_NO_CPU.
 */
uint32_t sched_wake(struct sched_vcpu *sv, uint64_t now);
/* `sv` no longer wants a CPU (blocked, taken down, its domain ended). A
 * queued vCPU leaves its queue; a running one stays until sched_put. */
void sched_sleep(struct sched_vcpu *sv);

/*
 * CPU `cpu` chooses: the vCPU it runs now (taken off the queues, marked
 * running on `cpu`), with *until the end of its slice. NULL when nothing may
 * run here; *until is then when a capped domain gets CPU time again, or 0.
 */
struct sched_vcpu *sched_pick(uint32_t cpu, uint64_t now, uint64_t *until);
/* The vCPU `cpu` was running stopped at `now`: charge it, and queue it
 * again if it is still runnable. */
void sched_put(uint32_t cpu, uint64_t now);
/* After sched_put(cpu): the vCPU just put may no longer run on `cpu` (its
 * affinity changed while it ran), so it went to another CPU's queue. That
 * CPU, to be kicked like one sched_wake returns, or SCHED_NO_CPU; reading
 * it clears it. */
uint32_t sched_put_kick(uint32_t cpu);
/* The vCPU running on `cpu`, or NULL. */
struct sched_vcpu *sched_current(uint32_t cpu);
/* Something (a wake-up, a new cap or affinity) wants `cpu` to choose again
 * before its slice ends. sched_pick clears it. */
bool sched_resched_pending(uint32_t cpu);
/* The running vCPU gives up the rest of its slice. */
void sched_vcpu_yield(struct sched_vcpu *sv);

/*
 * Control (domctl). Each returns 0 or -1 for a value out of range (nothing
 * changed). sched_set_affinity refuses a mask with no CPU below ncpus and
 * sets *kick to the CPU that must choose again (it runs `sv` but may no
 * longer; or a queued `sv` moved to it and it idles or `sv` preempts
 * there), or SCHED_NO_CPU.
 */
int sched_set_weight(struct sched_domain *sd, uint32_t weight);
int sched_set_cap(struct sched_domain *sd, uint32_t cap);
int sched_set_affinity(struct sched_vcpu *sv, uint64_t mask, uint32_t *kick);

/* Times any vCPU moved between CPUs since sched_policy_init. */
uint64_t sched_migrations(void);

#endif
