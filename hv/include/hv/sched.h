/* The scheduler: which vCPU runs next on this CPU. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "hv/types.h"
#include "hv/sched_policy.h"

#define SCHED_DEFAULT_TIMESLICE_MS 10

struct vcpu;

void sched_set_timeslice_ms(uint32_t ms);
/* The policy for `ncpus` CPUs, after the time slice is set and before any domain. */
void sched_init(uint32_t ncpus);
/* Every CPU's scheduling loop (APs enter it from arch_smp_release on). */
void sched_cpu_loop(void) __attribute__((noreturn));
/* A vCPU became runnable (woken, brought up): queue it, kick a CPU for it. */
void sched_vcpu_runnable(struct vcpu *v);
/* A timer was armed for `deadline`: idle CPUs recompute when to wake, and a
 * CPU whose slice would end after it chooses again. */
void sched_timers_changed(uint64_t deadline);
/* Nanoseconds CPU `cpu` has spent halted with nothing to run. */
uint64_t sched_idle_ns(uint32_t cpu);

/* CPU `cpu`'s scheduling decisions since boot (sysctl
 * MICA_SYSCTL_GET_CPU_STATS); all 0 for a CPU beyond SCHED_MAX_CPUS. */
struct sched_cpu_stats {
    uint64_t sched_vcpu;        /* passes of its scheduling loop that chose a vCPU ... */
    uint64_t sched_idle;        /* ... and that found none (it idled) */
};
struct sched_cpu_stats sched_cpu_stats(uint32_t cpu);

/* A vCPU running on another CPU leaves the guest soon, so it sees new
 * events or a new state (an upcall to inject, its domain stopping). */
void vcpu_kick(struct vcpu *v);
/* CPU `cpu` chooses again soon (SCHED_NO_CPU: nothing to do). */
void sched_kick_cpu(uint32_t cpu);
/* Nanoseconds CPU `cpu` has spent idle (no vCPU to run) since boot. */
uint64_t sched_idle_ns(uint32_t cpu);
/* VCPUOP_up: a down vCPU becomes runnable. VCPUOP_down (and domain stop):
 * it stops running and stays off every CPU until brought up again. */
void vcpu_bring_up(struct vcpu *v);
void vcpu_take_down(struct vcpu *v);
/*
 * Run domains until every one has ended; then print the summary, the free
 * frame count against `frames_free_at_start` (they must match: destroying a
 * domain returns every frame), and power off.
 */
void sched_run(uint64_t frames_free_at_start) __attribute__((noreturn));

#endif
