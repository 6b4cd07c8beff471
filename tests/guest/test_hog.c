/*
 * Load for the scheduler. test=cpu-hog brings every vCPU of the domain up
 * and runs a CPU-bound loop on all of them for `seconds=S` of system time
 * (default 4); each vCPU prints, every 200 ms of system time, one line
 *   hog: <name> vcpu <i> running_ns <ns> now_ns <ns>
 * with the RUNNING time of its own runstate (VCPUOP_get_runstate_info) and
 * the system time, then the domain powers off. With `others=running`
 * the other vCPUs never stop (no reports): vCPU 0 powers the domain off
 * after `seconds` while they are still in guest mode on their CPUs, the
 * way a guest may shut down from one vCPU at any time. With `report=no`
 * it prints no reports (a quiet load, as the toolstack's tests want). (A domain spinning
 * with interrupts off is `test=share cli=yes`, test_share.c.)
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/vcpu_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "hypercall.h"
#include "lib.h"
#include "percpu.h"
#include "smp.h"
#include "tests.h"

#define DEFAULT_SECONDS 4
#define REPORT_NS       (200 * NSEC_PER_MSEC)
#define SPIN_CHUNK      1000        /* loop iterations between looks at the clock */

static const char *hog_name;
static uint64_t hog_end_ns;
static bool others_running;
static bool quiet;

static void hog_report(uint32_t me, uint64_t now)
{
    struct vcpu_runstate_info r;
    long rc = hyp_vcpu_op(VCPUOP_GET_RUNSTATE_INFO, me, (unsigned long)&r);

    if (rc < 0)
        printk("hog: %s vcpu %u get_runstate_info = %ld\n", hog_name, me, rc);
    else
        printk("hog: %s vcpu %u running_ns %lu now_ns %lu\n", hog_name, me,
               (unsigned long)r.time[RUNSTATE_RUNNING], (unsigned long)now);
}

/* On every vCPU: burn the CPU until hog_end_ns (for ever on the others
 * with others=running), reporting at each 200 ms of system time. */
static void hog(void)
{
    uint32_t me = this_cpu()->id;
    bool forever = others_running && me != 0;
    uint64_t now = clock_now_ns();
    uint64_t next = (now / REPORT_NS + 1) * REPORT_NS;
    volatile uint64_t sink = 0;

    while ((now = clock_now_ns()) < hog_end_ns || forever) {
        if (now >= next && !forever && !quiet) {
            hog_report(me, now);
            while (next <= now)
                next += REPORT_NS;
        }
        for (uint32_t i = 0; i < SPIN_CHUNK; i++)
            sink = sink + i;
    }
}

void test_cpu_hog(const struct guest_env *env)
{
    uint32_t seconds = DEFAULT_SECONDS;
    uint32_t n;
    char others[16], report[8];

    cmdline_get_uint(env->cmdline, "seconds", &seconds);
    quiet = cmdline_get(env->cmdline, "report", report, sizeof report) &&
            strcmp(report, "no") == 0;
    others_running = cmdline_get(env->cmdline, "others", others, sizeof(others)) &&
                     strcmp(others, "running") == 0;
    hog_name = env->name;
    n = smp_bring_up_all();
    if (n == 0) {
        printk("FAIL: hog/bring-up\n");
        return;
    }
    printk("hog: %s %u vcpus for %u s\n", hog_name, n, seconds);
    hog_end_ns = clock_now_ns() + (uint64_t)seconds * NSEC_PER_SEC;
    for (uint32_t id = 1; id < n; id++)
        smp_run(id, hog);
    hog();
    if (others_running) {
        printk("hog: %s powers off with %u other vcpus running\n", hog_name, n - 1);
        return;
    }
    for (uint32_t id = 1; id < n; id++)
        if (!smp_wait_idle(id))
            printk("hog: %s vcpu %u still busy\n", hog_name, id);
    printk("hog: %s done\n", hog_name);
}
