/*
 * sysctl(arg): dom0 reads the machine as the hypervisor sees it: CPUs, TSC
 * frequency, memory, scheduler migrations, per-CPU idle time and counters,
 * and the console's log (public/sysctl.h). Nothing here changes state; the
 * request is read once into a local copy and the whole structure written back.
 */
#include "hv/arch.h"
#include "hv/console_log.h"
#include "hv/control_op.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/hypercalls.h"
#include "hv/sched.h"
#include "hv/sched_policy.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/hypercall.h"
#include "public/sysctl.h"

_Static_assert(MICA_SYSCTL_MAX_CPUS == SCHED_MAX_CPUS, "per-CPU arrays fit every CPU");

static void physinfo(struct mica_sysctl_physinfo *p)
{
    *p = (struct mica_sysctl_physinfo){
        .nr_cpus = sched_policy_ncpus(),
        .cpu_khz = (uint32_t)(arch_tsc_hz() / 1000),
        .total_pages = frame_total_count(),
        .free_pages = frame_free_count(),
        .migrations = sched_migrations(),
    };
}

static void getcpuinfo(struct mica_sysctl_getcpuinfo *c)
{
    uint32_t n = MIN(sched_policy_ncpus(), MICA_SYSCTL_MAX_CPUS);

    *c = (struct mica_sysctl_getcpuinfo){ .nr_cpus = n };
    for (uint32_t cpu = 0; cpu < n; cpu++)
        c->idle_ns[cpu] = sched_idle_ns(cpu);
}

static void readconsole(struct mica_sysctl_readconsole *r)
{
    uint64_t index = r->index;
    r->count = (uint32_t)console_log_read(&index, r->text, sizeof r->text);
    r->index = index;
    r->end = console_log_end();
}

/* 0, or -XEN_EINVAL for a CPU that is not one. */
static long get_cpu_stats(struct mica_sysctl_cpu_stats *c)
{
    uint32_t n = MIN(sched_policy_ncpus(), MICA_SYSCTL_MAX_CPUS), cpu = c->cpu;

    if (cpu >= n)
        return hv_error(-XEN_EINVAL);
    struct sched_cpu_stats s = sched_cpu_stats(cpu);
    *c = (struct mica_sysctl_cpu_stats){
        .cpu = cpu,
        .nr_cpus = n,
        .idle_ns = sched_idle_ns(cpu),
        .exits = arch_cpu_exits(cpu),
        .sched_vcpu = s.sched_vcpu,
        .sched_idle = s.sched_idle,
    };
    return 0;
}

long do_sysctl(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    gvaddr_t arg = args[0];
    struct mica_sysctl op;
    long rc = control_op_read(v, HYPERCALL_SYSCTL, arg, &op, sizeof op,
                              MICA_SYSCTL_INTERFACE_VERSION);
    if (rc)
        return rc;
    switch (op.cmd) {
    case XEN_SYSCTL_READCONSOLE:
        if (op.u.readconsole.pad)
            return hv_error(-XEN_EINVAL);
        readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_PHYSINFO:
        physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_GETCPUINFO:
        if (op.u.getcpuinfo.pad)
            return hv_error(-XEN_EINVAL);
        getcpuinfo(&op.u.getcpuinfo);
        break;
    case MICA_SYSCTL_GET_CPU_STATS:
        rc = get_cpu_stats(&op.u.cpu_stats);
        if (rc)
            return rc;
        break;
    default:
        return hv_error(-XEN_ENOSYS);
    }
    return copy_to_guest(v, arg, &op, sizeof op) ? hv_error(-XEN_EFAULT) : 0;
}
