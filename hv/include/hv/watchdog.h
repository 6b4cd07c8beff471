/*
 * The hypervisor watchdog (docs/architecture.md, "Watchdog"). Each CPU
 * counts its progress; the other CPUs look at the counts on their timer
 * ticks and while they wait for a lock. A CPU whose count has
 * not moved for watchdog_ms is reported (every CPU's state, the stalled
 * CPU's backtrace taken in NMI context) and the machine powers off.
 */
#ifndef HV_WATCHDOG_H
#define HV_WATCHDOG_H

#include "hv/sched_policy.h"
#include "hv/types.h"

#define WATCHDOG_DEFAULT_MS 2000
/* Well above the longest the lock is held on purpose: the end-of-run report
 * (26 lines, 1.7 KB at 115200 baud) holds it ~0.15 s in tests/system/hostile.sh. */
#define WATCHDOG_MIN_MS     500
#define WATCHDOG_MAX_MS     600000

struct spinlock;
/* Written only by its own CPU (no atomics needed); read by the others. */
struct watchdog_cpu {
    volatile uint64_t progress;         /* VM entries, idle wake-ups, console lines */
    const char *volatile doing;         /* a named long wait, or NULL */
    const struct spinlock *volatile waiting_for;    /* the lock it spins for, or NULL */
    volatile bool watched;              /* in the scheduling loop: checked from now on */
};
extern struct watchdog_cpu watchdog_cpus[SCHED_MAX_CPUS];

static inline void watchdog_progress(uint32_t cpu)
{
    watchdog_cpus[cpu].progress++;
}

/* Say what this CPU is about to wait for (a string that lives forever), or NULL. */
static inline void watchdog_doing(uint32_t cpu, const char *what)
{
    watchdog_cpus[cpu].doing = what;
}

void watchdog_set_ms(uint32_t ms);      /* watchdog_ms=, 0 = off */
/* After the CPUs are started: prints whether the watchdog runs and why not. */
void watchdog_init(uint32_t ncpus);
/* This CPU enters the scheduling loop: others check it, its timer ticks. */
void watchdog_start(uint32_t cpu);
/* Look at the other CPUs (timer tick, lock wait); reports and powers off on a stall. */
void watchdog_check(uint32_t cpu);
/* Take `l` after a failed try, looking at the other CPUs while waiting: with
 * interrupts off no tick reaches a waiter. `what` names the wait. */
void watchdog_spin_lock(struct spinlock *l, uint32_t cpu, const char *what);
/* From the NMI handler: true if the watchdog sent it (the backtrace is printed). */
bool watchdog_nmi(uint64_t rip, uint64_t rbp);
/* selftest=watchdog: hang this CPU in the hypervisor, holding the lock. */
void watchdog_selftest_hang(uint32_t cpu) __attribute__((noreturn));

#endif
