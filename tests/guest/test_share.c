/*
 * A CPU-bound domain that measures its own share of the CPU, for the
 * scheduler's system tests. It spins until system time from_ms, reads the
 * RUNNING time of its runstate, spins until to_ms, reads it again, prints
 *
 *     share: <name> running_ns A window_ns B permille P
 *
 * and shuts down. Every domain of a test is given the same window, so all
 * compete for its whole length. With cli=yes it spins with interrupts
 * disabled throughout: only the hypervisor's own preemption can take the
 * CPU away from it.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/vcpu_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "test_share.h"

#define DEFAULT_FROM_MS 1000u
#define DEFAULT_TO_MS   4000u

static uint64_t running_ns(void)
{
    struct vcpu_runstate_info r;
    long rc = hyp_vcpu_op(VCPUOP_GET_RUNSTATE_INFO, 0, (unsigned long)&r);
    if (rc) {
        printk("FAIL: share/runstate get_runstate_info = %ld\n", rc);
        guest_exit(SHUTDOWN_CRASH);
    }
    return r.time[RUNSTATE_RUNNING];
}

static void spin_until(uint64_t t_ns)
{
    while (clock_now_ns() < t_ns)
        __builtin_ia32_pause();
}

void test_share(const struct guest_env *env)
{
    uint32_t from_ms = DEFAULT_FROM_MS, to_ms = DEFAULT_TO_MS;
    char cli_value[8] = "";
    if (env->cmdline) {
        cmdline_get_uint(env->cmdline, "from_ms", &from_ms);
        cmdline_get_uint(env->cmdline, "to_ms", &to_ms);
        cmdline_get(env->cmdline, "cli", cli_value, sizeof cli_value);
    }
    if (to_ms <= from_ms) {
        printk("FAIL: share/window from_ms=%u to_ms=%u is empty\n", from_ms, to_ms);
        guest_exit(SHUTDOWN_CRASH);
    }
    bool interrupts_off = !strcmp(cli_value, "yes");
    if (interrupts_off)
        cli();
    else
        sti();

    uint64_t t0 = (uint64_t)from_ms * NSEC_PER_MSEC, t1 = (uint64_t)to_ms * NSEC_PER_MSEC;
    spin_until(t0);
    uint64_t start_clock = clock_now_ns(), start_run = running_ns();
    spin_until(t1);
    uint64_t window = clock_now_ns() - start_clock, ran = running_ns() - start_run;
    cli();
    printk("share: %s running_ns %lu window_ns %lu permille %lu%s\n", env->name,
           (unsigned long)ran, (unsigned long)window, (unsigned long)(ran * 1000 / window),
           interrupts_off ? " (interrupts were off)" : "");
}
