/*
 * dom0's control calls: domctl (one domain's state, CPU time, scheduling
 * parameters, vCPU affinity and counters) and sysctl (the machine),
 * public/domctl.h and public/sysctl.h. Each returns 0 or a negative XEN_E*
 * errno; results are filled in only on 0. Only dom0 may make them (-XEN_EPERM otherwise).
 */
#ifndef GUEST_CONTROL_H
#define GUEST_CONTROL_H

#include <stdint.h>

#include <public/abi.h>
#include <public/domctl.h>
#include <public/hypercall.h>
#include <public/sysctl.h>

#include "hypercall.h"

/* Raw-address forms: tests pass deliberately bad requests through them. */
static inline long hyp_domctl(unsigned long arg)
{
    return hypercall3(HYPERCALL_DOMCTL, arg, 0, 0);
}

static inline long hyp_sysctl(unsigned long arg)
{
    return hypercall3(HYPERCALL_SYSCTL, arg, 0, 0);
}

long domctl_get_domaininfo(domid_t dom, struct mica_domctl_getdomaininfo *info);
long domctl_get_vcpuinfo(domid_t dom, uint32_t vcpu, struct mica_domctl_getvcpuinfo *info);
long domctl_get_sched(domid_t dom, uint32_t *weight, uint32_t *cap);
/* MICA_DOMCTL_WEIGHT_UNCHANGED / MICA_DOMCTL_CAP_UNCHANGED keep one of them. */
long domctl_set_sched(domid_t dom, uint32_t weight, uint32_t cap);
/* XEN_DOMCTL_max_mem: the most RAM it may own from now, in KiB (a multiple of 4). */
long domctl_max_mem(domid_t dom, uint64_t max_kib);
/* Bit n of cpumap: the vCPU may run on CPU n. */
long domctl_set_affinity(domid_t dom, uint32_t vcpu, uint64_t cpumap);
long domctl_get_affinity(domid_t dom, uint32_t vcpu, uint64_t *cpumap);
/* Monitoring counters of vCPU `vcpu`, or of all (MICA_STATS_ALL_VCPUS). */
long domctl_get_stats(domid_t dom, uint32_t vcpu, struct mica_stats *stats);
/* MICA_DOMCTL_CONSOLE: op MICA_CONSOLE_*; getinfo's answer in *info (may
 * be NULL for attach and detach). */
long domctl_console(domid_t dom, uint32_t op, struct mica_domctl_console *info);

long sysctl_physinfo(struct mica_sysctl_physinfo *info);
long sysctl_getcpuinfo(struct mica_sysctl_getcpuinfo *info);
long sysctl_get_cpu_stats(uint32_t cpu, struct mica_sysctl_cpu_stats *stats);

#endif
