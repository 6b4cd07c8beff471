/*
 * dom0's run-time control of the scheduler, end to end (test=control).
 * In the scheduler's cap test (tests/system/sched-cap.cfg) dom0, not the
 * boot configuration, caps domain `target=` at `cap=` percent before the
 * measuring window starts, pins its vCPU to CPU 0, reads back what it set,
 * and near the window's end (read_ms) the domain's CPU time and runstates. Run in a
 * domU, the same action checks that every control call is refused with
 * -EPERM. One PASS/FAIL line per case (group "control").
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/vcpu_op.h>

#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "control.h"
#include "lib.h"
#include "test_control.h"
#include "timer.h"

static void check(const char *name, bool ok, long value)
{
    printk("%s: control/%s (%ld)\n", ok ? "PASS" : "FAIL", name, value);
}

static void denied(domid_t target)
{
    struct mica_domctl_getdomaininfo info;
    struct mica_sysctl_physinfo phys;
    long rc = domctl_get_domaininfo(target, &info);
    check("domu-getdomaininfo-eperm", rc == -XEN_EPERM, rc);
    rc = domctl_set_sched(target, MICA_DOMCTL_WEIGHT_UNCHANGED, 10);
    check("domu-set-cap-eperm", rc == -XEN_EPERM, rc);
    rc = domctl_set_affinity(target, 0, 1);
    check("domu-set-affinity-eperm", rc == -XEN_EPERM, rc);
    rc = sysctl_physinfo(&phys);
    check("domu-physinfo-eperm", rc == -XEN_EPERM, rc);
}

static void sleep_until_ms(uint32_t ms)
{
    uint64_t t = (uint64_t)ms * NSEC_PER_MSEC;
    if (clock_now_ns() < t)
        sleep_ns(t - clock_now_ns());
}

void test_control(const struct guest_env *env)
{
    uint32_t target = 1, cap = 25, read_ms = 4400, report_ms = 4700;
    if (env->cmdline) {
        cmdline_get_uint(env->cmdline, "target", &target);
        cmdline_get_uint(env->cmdline, "cap", &cap);
        cmdline_get_uint(env->cmdline, "read_ms", &read_ms);
        cmdline_get_uint(env->cmdline, "report_ms", &report_ms);
    }
    if (!(env->si->flags & SIF_PRIVILEGED)) {
        denied((domid_t)target);
        return;
    }

    struct mica_sysctl_physinfo phys;
    long rc = sysctl_physinfo(&phys);
    check("physinfo", rc == 0 && phys.nr_cpus >= 1 && phys.cpu_khz > 0, rc);
    rc = domctl_set_sched((domid_t)target, MICA_DOMCTL_WEIGHT_UNCHANGED, cap);
    check("set-cap", rc == 0, rc);
    uint32_t weight = 0, got_cap = 0;
    rc = domctl_get_sched((domid_t)target, &weight, &got_cap);
    check("cap-reads-back", rc == 0 && got_cap == cap && weight == 256, got_cap);
    rc = domctl_set_affinity((domid_t)target, 0, 1);
    check("pin-to-cpu0", rc == 0, rc);
    uint64_t map = 0;
    rc = domctl_get_affinity((domid_t)target, 0, &map);
    check("affinity-reads-back", rc == 0 && map == 1, (long)map);

    /* Read while the target still runs (read_ms); print once the measuring
     * window is over (report_ms): a console line holds the CPU. */
    sleep_until_ms(read_ms);
    struct mica_domctl_getdomaininfo info;
    struct mica_domctl_getvcpuinfo vcpu;
    long info_rc = domctl_get_domaininfo((domid_t)target, &info);
    long vcpu_rc = domctl_get_vcpuinfo((domid_t)target, 0, &vcpu);
    sleep_until_ms(report_ms);
    check("getdomaininfo", info_rc == 0 && info.cpu_time > 0 && info.cap == cap, info_rc);
    check("getvcpuinfo", vcpu_rc == 0 && vcpu.cpu == 0 && vcpu.cpu_time > 0 &&
                             vcpu.runstate_time[RUNSTATE_RUNNABLE] > 0, vcpu_rc);
    printk("control: %s cpu_time_ns %lu running %lu runnable %lu blocked %lu offline %lu\n",
           info.name, (unsigned long)vcpu.cpu_time,
           (unsigned long)vcpu.runstate_time[RUNSTATE_RUNNING],
           (unsigned long)vcpu.runstate_time[RUNSTATE_RUNNABLE],
           (unsigned long)vcpu.runstate_time[RUNSTATE_BLOCKED],
           (unsigned long)vcpu.runstate_time[RUNSTATE_OFFLINE]);
    struct mica_sysctl_getcpuinfo cpus;
    rc = sysctl_getcpuinfo(&cpus);
    check("getcpuinfo", rc == 0 && cpus.nr_cpus == phys.nr_cpus, rc);
}
