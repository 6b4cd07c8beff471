/*
 * The hypervisor watchdog. A CPU's progress count moves at every VM entry,
 * idle wake-up and console line it prints (not at a pass of the scheduling
 * loop: a CPU can go round it for ever without giving the hypervisor lock
 * back, and did); its timer ticks at least
 * every quarter of the limit, so a CPU in a guest exits, and an idle one
 * wakes, that often. The others compare the count on their own ticks and
 * while they spin for a lock, the hypervisor's or the console's (interrupts
 * are off in the hypervisor, so a CPU waiting for a lock that is never
 * released gets no tick: its wait must check). A count that stays the same
 * over two looks `limit` apart is a CPU stuck in the hypervisor: report it
 * (docs/architecture.md, "Watchdog") and power off.
 */
#include "hv/watchdog.h"
#include "hv/arch.h"
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/spinlock.h"
#include "hv/symbols.h"

#define NS_PER_MS   1000000ul
#define NMI_WAIT_NS (1000 * NS_PER_MS)  /* a report is a few lines (~8 ms each) */
#define NO_CPU      UINT32_MAX

struct watchdog_cpu watchdog_cpus[SCHED_MAX_CPUS];

static uint64_t limit_ns = WATCHDOG_DEFAULT_MS * NS_PER_MS;
static uint32_t ncpus;
static bool running;                    /* on, and more than one CPU */
/* What each CPU last saw of each other: per looker, so no word has two writers. */
static struct seen {
    uint64_t progress, since_ns;
} seen[SCHED_MAX_CPUS][SCHED_MAX_CPUS];
static uint64_t next_look_ns[SCHED_MAX_CPUS];
static volatile bool fired;
static volatile uint32_t nmi_for = NO_CPU;     /* the CPU asked for its backtrace */
static volatile bool nmi_answered;

void watchdog_set_ms(uint32_t ms)
{
    limit_ns = ms * NS_PER_MS;
}

void watchdog_init(uint32_t n)
{
    ncpus = n;
    running = limit_ns && n > 1;
    if (running)
        printk("watchdog: %lu ms, each of %u CPUs checks the others\n", limit_ns / NS_PER_MS, n);
    else
        printk("watchdog: off (%s)\n", limit_ns ? "one CPU cannot check itself" : "watchdog_ms=0");
}

void watchdog_start(uint32_t cpu)
{
    watchdog_progress(cpu);
    watchdog_cpus[cpu].watched = true;
    if (running)
        arch_tick_start(limit_ns / 4);
}

/* The CPU holding the lock `cpu` spins for, or NO_CPU. */
static uint32_t holder_awaited_by(uint32_t cpu)
{
    const struct spinlock *l = watchdog_cpus[cpu].waiting_for;
    uint32_t owner = l ? l->owner : NO_CPU;
    return owner < ncpus && owner != cpu ? owner : NO_CPU;
}

static void state_of(uint32_t cpu, char *buf, size_t size)
{
    const char *doing = watchdog_cpus[cpu].doing;
    uint32_t holder = holder_awaited_by(cpu);
    int dom = arch_cpu_in_guest(cpu);
    if (doing && holder != NO_CPU)
        snprintf(buf, size, "%s (held by cpu %u)", doing, holder);
    else if (doing)
        snprintf(buf, size, "%s", doing);
    else if (dom >= 0)
        snprintf(buf, size, "in guest mode (domain %d)", dom);
    else
        snprintf(buf, size, "in the hypervisor");
}

/* Every CPU's state as this one sees it; the CPUs stalled past the limit are marked. */
static void print_states(uint32_t me, uint64_t now, bool *stalled)
{
    uint32_t holder = hv_lock_holder(), console = console_lock_holder();
    char state[96];
    for (uint32_t c = 0; c < ncpus; c++) {
        uint64_t quiet_ns = now - seen[me][c].since_ns;
        stalled[c] = c != me && watchdog_cpus[c].watched && quiet_ns >= limit_ns;
        state_of(c, state, sizeof state);
        const char *lock = holder == c && console == c ? ", holding the hypervisor and console locks"
                         : holder == c ? ", holding the hypervisor lock"
                         : console == c ? ", holding the console lock" : "";
        if (c == me)
            printk("  cpu %u: %s%s (this CPU, reporting)\n", c, state, lock);
        else if (!watchdog_cpus[c].watched)
            printk("  cpu %u: %s%s; not in the scheduling loop yet\n", c, state, lock);
        else
            printk("  cpu %u: %s%s; no progress for %lu ms%s\n", c, state, lock,
                   quiet_ns / NS_PER_MS, stalled[c] ? " (STALLED)" : "");
    }
}

/* Hand the console to `cpu` for its backtrace, NMI it, and take the console back. */
static void ask_backtrace(uint32_t me, uint32_t cpu)
{
    nmi_answered = false;
    console_hand_to(cpu);
    __atomic_store_n(&nmi_for, cpu, __ATOMIC_SEQ_CST);
    arch_watchdog_nmi(cpu);
    uint64_t until = arch_now_ns() + NMI_WAIT_NS;
    while (!nmi_answered && arch_now_ns() < until)
        arch_cpu_relax();
    __atomic_store_n(&nmi_for, NO_CPU, __ATOMIC_SEQ_CST);
    console_hand_to(me);
    if (!nmi_answered)
        printk("  cpu %u did not answer the NMI (blocked: in an NMI handler?)\n", cpu);
}

static void __attribute__((noreturn)) report(uint32_t me, uint32_t cpu, uint64_t now)
{
    bool stalled[SCHED_MAX_CPUS];
    /* The console lock may belong to the stalled CPU forever: print without it. */
    console_hand_to(me);
    printk("WATCHDOG: cpu %u made no progress for %lu ms (watchdog_ms=%lu)\n", cpu,
           (now - seen[me][cpu].since_ns) / NS_PER_MS, limit_ns / NS_PER_MS);
    print_states(me, now, stalled);
    bool asked[SCHED_MAX_CPUS] = { false };
    for (uint32_t c = 0; c < ncpus; c++)
        if (stalled[c] && !asked[c]) {
            asked[c] = true;
            ask_backtrace(me, c);
            /* A stalled CPU waiting for a lock: where its holder is matters
             * more (it may be going round a loop, the lock kept). */
            uint32_t h = holder_awaited_by(c);
            if (h != NO_CPU && h != me && !asked[h]) {
                asked[h] = true;
                ask_backtrace(me, h);
            }
        }
    /* Nothing can free a CPU stuck in the hypervisor; a halted machine would
     * look like the hang this replaces to whatever supervises it. */
    arch_power_off();
}

void watchdog_check(uint32_t me)
{
    if (!running || fired)
        return;
    uint64_t now = arch_now_ns();
    if (now < next_look_ns[me])
        return;
    next_look_ns[me] = now + limit_ns / 4;
    for (uint32_t c = 0; c < ncpus; c++) {
        struct seen *s = &seen[me][c];
        uint64_t p = watchdog_cpus[c].progress;
        if (c == me || !watchdog_cpus[c].watched)
            continue;
        if (p != s->progress || !s->since_ns) {
            s->progress = p;
            s->since_ns = now;
        } else if (now - s->since_ns >= limit_ns &&
                   !__atomic_exchange_n(&fired, true, __ATOMIC_SEQ_CST)) {
            report(me, c, now);
        }
    }
}

void watchdog_spin_lock(struct spinlock *l, uint32_t cpu, const char *what)
{
    const char *was = watchdog_cpus[cpu].doing;     /* a print from a named wait */
    const struct spinlock *was_for = watchdog_cpus[cpu].waiting_for;
    watchdog_doing(cpu, what);
    watchdog_cpus[cpu].waiting_for = l;
    while (!spin_trylock(l))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
            arch_cpu_relax();
            watchdog_check(cpu);
        }
    watchdog_cpus[cpu].waiting_for = was_for;
    watchdog_doing(cpu, was);
}

bool watchdog_nmi(uint64_t rip, uint64_t rbp)
{
    uint32_t me = arch_cpu_id();
    if (__atomic_load_n(&nmi_for, __ATOMIC_SEQ_CST) != me)
        return false;
    char state[96];
    state_of(me, state, sizeof state);
    printk("cpu %u at the watchdog's NMI (%s):\n", me, state);
    backtrace_print(rip, rbp);
    nmi_answered = true;
    return true;
}

void watchdog_selftest_hang(uint32_t cpu)
{
    watchdog_doing(cpu, "selftest=watchdog: spinning with interrupts off");
    printk("selftest: cpu %u hangs in the hypervisor with its lock held\n", cpu);
    for (;;)
        arch_cpu_relax();
}
