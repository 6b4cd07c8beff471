/* domctl and sysctl wrappers for dom0 (control.h). */
#include <stdint.h>

#include "control.h"

static struct mica_domctl domctl_req(uint32_t cmd, domid_t dom)
{
    return (struct mica_domctl){
        .cmd = cmd, .interface_version = MICA_DOMCTL_INTERFACE_VERSION, .domain = dom,
    };
}

static long domctl(struct mica_domctl *op)
{
    return hyp_domctl((unsigned long)op);
}

long domctl_get_domaininfo(domid_t dom, struct mica_domctl_getdomaininfo *info)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_GETDOMAININFO, dom);
    long rc = domctl(&op);

    if (rc == 0)
        *info = op.u.getdomaininfo;
    return rc;
}

long domctl_get_vcpuinfo(domid_t dom, uint32_t vcpu, struct mica_domctl_getvcpuinfo *info)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_GETVCPUINFO, dom);
    long rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    rc = domctl(&op);
    if (rc == 0)
        *info = op.u.getvcpuinfo;
    return rc;
}

static long scheduler_op(domid_t dom, uint32_t cmd, uint32_t *weight, uint32_t *cap)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_SCHEDULER_OP, dom);
    long rc;

    op.u.scheduler_op = (struct mica_domctl_scheduler_op){
        .sched_id = XEN_SCHEDULER_CREDIT, .cmd = cmd, .weight = *weight, .cap = *cap,
    };
    rc = domctl(&op);
    if (rc == 0) {
        *weight = op.u.scheduler_op.weight;
        *cap = op.u.scheduler_op.cap;
    }
    return rc;
}

long domctl_get_sched(domid_t dom, uint32_t *weight, uint32_t *cap)
{
    *weight = 0;
    *cap = 0;
    return scheduler_op(dom, XEN_DOMCTL_SCHEDOP_GETINFO, weight, cap);
}

long domctl_set_sched(domid_t dom, uint32_t weight, uint32_t cap)
{
    return scheduler_op(dom, XEN_DOMCTL_SCHEDOP_PUTINFO, &weight, &cap);
}

long domctl_max_mem(domid_t dom, uint64_t max_kib)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_MAX_MEM, dom);

    op.u.max_mem.max_memkb = max_kib;
    return domctl(&op);
}

long domctl_set_affinity(domid_t dom, uint32_t vcpu, uint64_t cpumap)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_SETVCPUAFFINITY, dom);

    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.cpumap = cpumap;
    return domctl(&op);
}

long domctl_get_affinity(domid_t dom, uint32_t vcpu, uint64_t *cpumap)
{
    struct mica_domctl op = domctl_req(XEN_DOMCTL_GETVCPUAFFINITY, dom);
    long rc;

    op.u.vcpuaffinity.vcpu = vcpu;
    rc = domctl(&op);
    if (rc == 0)
        *cpumap = op.u.vcpuaffinity.cpumap;
    return rc;
}

long domctl_get_stats(domid_t dom, uint32_t vcpu, struct mica_stats *stats)
{
    struct mica_domctl op = domctl_req(MICA_DOMCTL_GET_STATS, dom);

    op.u.stats = (struct mica_domctl_get_stats){
        .vcpu = vcpu, .buffer = (uintptr_t)stats, .size = sizeof *stats,
    };
    return domctl(&op);
}

long domctl_console(domid_t dom, uint32_t console_op, struct mica_domctl_console *info)
{
    struct mica_domctl op = domctl_req(MICA_DOMCTL_CONSOLE, dom);

    op.u.console.op = console_op;
    long rc = domctl(&op);
    if (rc == 0 && info)
        *info = op.u.console;
    return rc;
}

static long sysctl(uint32_t cmd, struct mica_sysctl *op)
{
    *op = (struct mica_sysctl){ .cmd = cmd, .interface_version = MICA_SYSCTL_INTERFACE_VERSION };
    return hyp_sysctl((unsigned long)op);
}

long sysctl_physinfo(struct mica_sysctl_physinfo *info)
{
    struct mica_sysctl op;
    long rc = sysctl(XEN_SYSCTL_PHYSINFO, &op);

    if (rc == 0)
        *info = op.u.physinfo;
    return rc;
}

long sysctl_getcpuinfo(struct mica_sysctl_getcpuinfo *info)
{
    struct mica_sysctl op;
    long rc = sysctl(XEN_SYSCTL_GETCPUINFO, &op);

    if (rc == 0)
        *info = op.u.getcpuinfo;
    return rc;
}

long sysctl_get_cpu_stats(uint32_t cpu, struct mica_sysctl_cpu_stats *stats)
{
    struct mica_sysctl op = {
        .cmd = MICA_SYSCTL_GET_CPU_STATS, .interface_version = MICA_SYSCTL_INTERFACE_VERSION,
        .u.cpu_stats.cpu = cpu,
    };
    long rc = hyp_sysctl((unsigned long)&op);

    if (rc == 0)
        *stats = op.u.cpu_stats;
    return rc;
}
