/*
 * hv/watchdog.c over a fake clock and fake CPUs: a CPU whose progress count
 * moves, or that never entered the scheduling loop, is never reported; one
 * that stops is reported after watchdog_ms (not before, and within 1.25x),
 * with every CPU's state and the locks it holds, its backtrace from the NMI
 * it is sent (the console handed to it and back), then power-off, also when
 * the one looking is stuck waiting for a lock the stalled CPU holds; a stalled
 * CPU waiting for a lock names the CPU holding it, whose backtrace is taken
 * too, even while that one's count still moves; an NMI nobody answers
 * does not stop the power-off; one CPU, or watchdog_ms=0, means no tick and
 * no report. The watchdog fires once per boot, so each case runs in a child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "hv/arch.h"
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/spinlock.h"
#include "hv/symbols.h"
#include "hv/watchdog.h"

CHECK_SUITE("watchdog");

#define MS 1000000ull

static uint64_t now_ns = 1000 * MS;
static uint64_t now_step_ns;            /* added at every read: lets bounded waits end */
static uint32_t current_cpu;
static uint32_t lock_holder = UINT32_MAX, console_holder = UINT32_MAX;
static int in_guest[SCHED_MAX_CPUS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static bool nmi_answers = true;
static uint32_t nmis_sent, nmi_target, nmi_targets[8], ticks_started;
static uint64_t tick_period;
static uint32_t console_owners[8], handovers;
static uint64_t backtrace_rip;
static char printed[16384];
static jmp_buf powered_off;

uint64_t arch_now_ns(void) { return now_ns += now_step_ns; }
uint32_t arch_cpu_id(void) { return current_cpu; }
uint32_t hv_lock_holder(void) { return lock_holder; }
uint32_t console_lock_holder(void) { return console_holder; }
int arch_cpu_in_guest(uint32_t cpu) { return in_guest[cpu]; }

void arch_tick_start(uint64_t period_ns)
{
    ticks_started++;
    tick_period = period_ns;
}

void console_hand_to(uint32_t cpu)
{
    if (handovers < 8)
        console_owners[handovers] = cpu;
    handovers++;
}

void printk(const char *fmt, ...)
{
    size_t used = strlen(printed);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(printed + used, sizeof printed - used, fmt, ap);
    va_end(ap);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    (void)rbp;
    backtrace_rip = rip;
}

/* The target takes the NMI where it hangs, as traps.c's handler would call it. */
void arch_watchdog_nmi(uint32_t cpu)
{
    if (nmis_sent < 8)
        nmi_targets[nmis_sent] = cpu;
    nmis_sent++;
    nmi_target = cpu;
    if (!nmi_answers)
        return;
    uint32_t me = current_cpu;
    current_cpu = cpu;
    watchdog_nmi(0xfeed, 0);
    current_cpu = me;
}

void arch_power_off(void)
{
    longjmp(powered_off, 1);
}

/* Two CPUs in the scheduling loop, watchdog_ms=500. */
static void two_cpus(uint32_t ms)
{
    watchdog_set_ms(ms);
    watchdog_init(2);
    for (current_cpu = 0; current_cpu < 2; current_cpu++)
        watchdog_start(current_cpu);
    current_cpu = 0;
}

/*
 * CPU 0 checks every 10 ms for `span` ms; CPU 1 makes progress every
 * `every` ms until `stop_at` ms (0: always). Returns the time CPU 0 powered
 * the machine off, in ms from the start, or NEVER.
 */
#define NEVER UINT64_MAX
static uint64_t run(uint64_t span, uint64_t every, uint64_t stop_at)
{
    uint64_t start = now_ns;
    if (setjmp(powered_off))
        return (now_ns - start) / MS;
    for (uint64_t t = 0; t <= span; t += 10) {
        now_ns = start + t * MS;
        if (every && t % every == 0 && (!stop_at || t < stop_at))
            watchdog_progress(1);
        current_cpu = 0;
        watchdog_check(0);
    }
    return NEVER;
}

static void case_progress_never_reported(void)
{
    two_cpus(500);
    CHECK("tick-is-quarter-limit", ticks_started == 2 && tick_period == 125 * MS);
    CHECK("moving-count-not-reported", run(10000, 400, 0) == NEVER);
    CHECK("no-nmi", nmis_sent == 0 && printed[0] && !strstr(printed, "WATCHDOG"));
}

static void case_stall_reported(void)
{
    two_cpus(500);
    lock_holder = 1;
    watchdog_doing(1, "selftest=watchdog: spinning with interrupts off");
    watchdog_doing(0, "waiting for the hypervisor lock");
    uint64_t off = run(5000, 50, 1000);
    /* The last progress was at 950 ms: reported at 1450..1575 ms, not before. */
    CHECK("not-before-limit", off == NEVER || off >= 1450);
    CHECK("within-1.25-limit", off <= 950 + 625);
    CHECK("names-the-cpu", strstr(printed, "WATCHDOG: cpu 1 made no progress for ") != NULL);
    CHECK("names-the-limit", strstr(printed, "(watchdog_ms=500)") != NULL);
    CHECK("holder-state", strstr(printed, "  cpu 1: selftest=watchdog: spinning with interrupts off, "
                                          "holding the hypervisor lock; no progress for ") != NULL);
    CHECK("holder-marked-stalled", strstr(printed, "(STALLED)") != NULL);
    CHECK("reporter-state", strstr(printed, "  cpu 0: waiting for the hypervisor lock (this CPU, "
                                            "reporting)") != NULL);
    CHECK("one-nmi-to-the-stalled-cpu", nmis_sent == 1 && nmi_target == 1);
    CHECK("backtrace-from-nmi", backtrace_rip == 0xfeed &&
          strstr(printed, "cpu 1 at the watchdog's NMI (selftest=watchdog") != NULL);
    CHECK("console-to-reporter-stalled-reporter",
          handovers == 3 && console_owners[0] == 0 && console_owners[1] == 1 &&
          console_owners[2] == 0);
    /* A second looker after the report does nothing: one report per boot. */
    current_cpu = 1;
    uint32_t sent = nmis_sent;
    now_ns += 10000 * MS;
    watchdog_check(1);
    CHECK("fires-once", nmis_sent == sent);
}

static void case_guest_mode_state(void)
{
    two_cpus(500);
    in_guest[1] = 3;
    CHECK("stalled-in-guest-reported", run(3000, 0, 0) != NEVER);
    CHECK("names-guest-mode", strstr(printed, "  cpu 1: in guest mode (domain 3); no progress") != NULL);
}

/* The selftest's shape: CPU 0 waits for a lock CPU 1 holds and never gives back. */
static void case_lock_waiter_reports(void)
{
    two_cpus(500);
    struct spinlock l = { 1, 1 };
    lock_holder = console_holder = 1;
    now_step_ns = MS;
    uint64_t start = now_ns;
    if (!setjmp(powered_off)) {
        watchdog_spin_lock(&l, 0, "waiting for the hypervisor lock");
        CHECK("waiter-never-gets-the-lock", false);
        return;
    }
    CHECK("waiter-reports", strstr(printed, "WATCHDOG: cpu 1 made no progress") != NULL);
    CHECK("waiter-within-1.25-limit", now_ns - start <= 625 * MS + 1000 * MS /* NMI wait */);
    CHECK("waiter-state", strstr(printed, "  cpu 0: waiting for the hypervisor lock (held by cpu 1) "
                                          "(this CPU, reporting)") != NULL);
    CHECK("both-locks-named", strstr(printed, "  cpu 1: in the hypervisor, holding the hypervisor "
                                              "and console locks; no progress") != NULL);
}

/*
 * The smp-guest flake's shape: CPU 1 waits for the hypervisor lock, which
 * CPU 2 keeps while it goes round a loop (its count moved until 300 ms, as
 * a pass of the scheduling loop used to count); CPU 0 looks. CPU 1 is
 * reported, with the CPU it waits for named and backtraced as well.
 */
static void case_waiter_names_the_holder(void)
{
    watchdog_set_ms(500);
    watchdog_init(3);
    for (current_cpu = 0; current_cpu < 3; current_cpu++)
        watchdog_start(current_cpu);
    struct spinlock l = { 1, 2 };
    lock_holder = 2;
    watchdog_doing(1, "waiting for the hypervisor lock");
    watchdog_cpus[1].waiting_for = &l;
    uint64_t start = now_ns, off = NEVER;
    if (setjmp(powered_off)) {
        off = (now_ns - start) / MS;
    } else {
        for (uint64_t t = 0; t <= 5000; t += 10) {
            now_ns = start + t * MS;
            if (t < 300 && t % 50 == 0)
                watchdog_progress(2);
            current_cpu = 0;
            watchdog_check(0);
        }
    }
    CHECK("waiter-reported", off != NEVER && off <= 625 &&
          strstr(printed, "WATCHDOG: cpu 1 made no progress for ") != NULL);
    CHECK("waiter-names-holder", strstr(printed, "  cpu 1: waiting for the hypervisor lock (held by "
                                                 "cpu 2); no progress for ") != NULL);
    const char *holder = strstr(printed, "  cpu 2: in the hypervisor, holding the hypervisor lock; "
                                         "no progress for ");
    char line[160] = "";
    if (holder)
        snprintf(line, sizeof line, "%.*s", (int)strcspn(holder, "\n"), holder);
    CHECK("holder-not-yet-stalled", line[0] && !strstr(line, "STALLED"));
    CHECK("nmi-to-waiter-then-holder", nmis_sent == 2 && nmi_targets[0] == 1 && nmi_targets[1] == 2);
    CHECK("holder-backtrace", strstr(printed, "cpu 2 at the watchdog's NMI (in the hypervisor)") != NULL);
    CHECK("console-to-each-and-back", handovers == 5 && console_owners[0] == 0 &&
          console_owners[1] == 1 && console_owners[2] == 0 && console_owners[3] == 2 &&
          console_owners[4] == 0);
}

static void case_unanswered_nmi(void)
{
    two_cpus(500);
    nmi_answers = false;
    now_step_ns = MS;           /* the bounded wait for the answer must end */
    CHECK("powers-off-anyway", run(3000, 0, 0) != NEVER);
    CHECK("says-no-answer", strstr(printed, "cpu 1 did not answer the NMI") != NULL);
    CHECK("no-backtrace", backtrace_rip == 0);
}

static void case_stray_nmi(void)
{
    two_cpus(500);
    current_cpu = 1;
    CHECK("stray-nmi-not-ours", !watchdog_nmi(0xbad, 0));
    CHECK("stray-nmi-prints-nothing", backtrace_rip == 0);
}

static void case_not_in_loop_yet(void)
{
    watchdog_set_ms(500);
    watchdog_init(2);
    watchdog_start(0);          /* CPU 1 never reaches the scheduling loop */
    CHECK("unwatched-cpu-not-reported", run(5000, 0, 0) == NEVER);
}

static void case_one_cpu(void)
{
    watchdog_set_ms(500);
    watchdog_init(1);
    watchdog_start(0);
    CHECK("one-cpu-says-off", strstr(printed, "watchdog: off (one CPU cannot check itself)") != NULL);
    CHECK("one-cpu-no-tick", ticks_started == 0);
}

static void case_zero_is_off(void)
{
    two_cpus(0);
    CHECK("zero-says-off", strstr(printed, "watchdog: off (watchdog_ms=0)") != NULL);
    CHECK("zero-no-tick", ticks_started == 0);
    CHECK("zero-never-reports", run(10000, 0, 0) == NEVER);
}

static void (*const cases[])(void) = {
    case_progress_never_reported, case_stall_reported, case_guest_mode_state,
    case_lock_waiter_reports, case_waiter_names_the_holder, case_unanswered_nmi, case_stray_nmi, case_not_in_loop_yet, case_one_cpu, case_zero_is_off,
};

int main(void)
{
    int crashed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            cases[i]();
            fflush(stdout);
            _exit(check_failures ? 1 : 0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status))
            crashed++;
        else if (WEXITSTATUS(status))
            check_failures++;   /* its FAIL lines are printed already */
    }
    CHECK("no-case-crashed", crashed == 0);
    CHECK_DONE();
}
