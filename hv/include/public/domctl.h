/*
 * domctl(arg): RDI = guest pointer to struct mica_domctl. dom0 only.
 *
 * Control of one domain: its state, CPU time and runstates, its scheduling
 * weight and cap, its vCPUs' affinity, its hypercall policy. Xen's domctl
 * is an unstable interface whose layouts change with every interface
 * version, so Mica keeps Xen's hypercall and sub-operation numbers but
 * defines its own layouts: a fixed
 * header, then one fixed-size structure per sub-operation, with no guest
 * pointers inside. Every `pad` field must be 0; the input values of OUT
 * fields are ignored.
 */
#ifndef MICA_PUBLIC_DOMCTL_H
#define MICA_PUBLIC_DOMCTL_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* "MI" and a revision: no Xen interface version has this value. */
#define MICA_DOMCTL_INTERFACE_VERSION 0x4d490001u

#define XEN_DOMCTL_GETDOMAININFO   5
#define XEN_DOMCTL_SETVCPUAFFINITY 9
#define XEN_DOMCTL_GETVCPUINFO     14
#define XEN_DOMCTL_SCHEDULER_OP    16
#define XEN_DOMCTL_GETVCPUAFFINITY 25

/*
 * Mica's own sub-operations, from 0x4d00 ("M" << 8), above every number Xen
 * uses; Xen has none of them (its XSM/Flask policy is set through xsm_op).
 * In a policy they share the sub-op bit MICA_POLICY_SUBOP_OTHER.
 */
#define MICA_DOMCTL_BASE          0x4d00
#define MICA_DOMCTL_GET_POLICY    0x4d00    /* u.policy (OUT) */
#define MICA_DOMCTL_SET_POLICY    0x4d01    /* u.policy (IN) */
#define MICA_DOMCTL_GET_DENIALS   0x4d02    /* u.denials (OUT) */

/* CPU masks have one bit per CPU, CPU n in bit n. */
#define MICA_DOMCTL_MAX_CPUS 8

/* getdomaininfo: all OUT. */
#define MICA_DOMCTL_STATE_RUNNING  0
#define MICA_DOMCTL_STATE_SHUTDOWN 1    /* it asked to stop: see shutdown_reason */
#define MICA_DOMCTL_STATE_CRASHED  2    /* the hypervisor stopped it */
#define MICA_DOMINF_PRIVILEGED (1u << 0)    /* dom0 */
#define MICA_DOMINF_DYING      (1u << 1)    /* stopped and its memory returned */
#define MICA_DOMCTL_NAME_LEN 32

struct mica_domctl_getdomaininfo {
    uint32_t domid;             /* its id (useful with DOMID_SELF) */
    uint32_t state;             /* MICA_DOMCTL_STATE_* */
    uint32_t shutdown_reason;   /* SHUTDOWN_* when state is SHUTDOWN, else 0 */
    uint32_t flags;             /* MICA_DOMINF_* */
    uint32_t nr_vcpus;
    uint32_t nr_online_vcpus;   /* vCPUs that are not down */
    uint32_t weight;            /* as scheduler_op getinfo */
    uint32_t cap;
    uint64_t cpu_time;          /* ns its vCPUs have run, up to now */
    uint64_t tot_pages;         /* RAM pages it owns now */
    uint64_t max_pages;         /* RAM pages it was built with */
    char name[MICA_DOMCTL_NAME_LEN];    /* NUL-terminated */
};
_Static_assert(sizeof(struct mica_domctl_getdomaininfo) == 88, "getdomaininfo size");
_Static_assert(offsetof(struct mica_domctl_getdomaininfo, cpu_time) == 32, "cpu_time");

/* getvcpuinfo. */
struct mica_domctl_getvcpuinfo {
    uint32_t vcpu;              /* IN: below nr_vcpus */
    uint32_t pad;
    uint8_t online;             /* OUT: 1 if not down */
    uint8_t blocked;            /* OUT: 1 if waiting for an event */
    uint8_t running;            /* OUT: 1 if on a CPU now */
    uint8_t runstate;           /* OUT: RUNSTATE_* now */
    uint32_t cpu;               /* OUT: CPU it runs on, or ran on last */
    uint64_t cpu_time;          /* OUT: ns it has run up to now: runstate_time[RUNSTATE_RUNNING] */
    uint64_t runstate_time[4];  /* OUT: ns in each RUNSTATE_*, up to now */
};
_Static_assert(sizeof(struct mica_domctl_getvcpuinfo) == 56, "getvcpuinfo size");
_Static_assert(offsetof(struct mica_domctl_getvcpuinfo, cpu_time) == 16, "getvcpuinfo.cpu_time");

/* setvcpuaffinity (IN) and getvcpuaffinity (cpumap OUT): hard affinity. */
struct mica_domctl_vcpuaffinity {
    uint32_t vcpu;              /* IN: below nr_vcpus */
    uint32_t pad;
    uint64_t cpumap;            /* bit n: may run on CPU n; bits >= MICA_DOMCTL_MAX_CPUS are 0 */
};
_Static_assert(sizeof(struct mica_domctl_vcpuaffinity) == 16, "vcpuaffinity size");

/* scheduler_op: Xen's credit-scheduler parameters, per domain. */
#define XEN_SCHEDULER_CREDIT        5
#define XEN_DOMCTL_SCHEDOP_PUTINFO  0
#define XEN_DOMCTL_SCHEDOP_GETINFO  1
#define MICA_DOMCTL_MAX_WEIGHT      65535
#define MICA_DOMCTL_MAX_CAP         (100 * MICA_DOMCTL_MAX_CPUS)
#define MICA_DOMCTL_WEIGHT_UNCHANGED 0u         /* putinfo: keep the weight (as Xen) */
#define MICA_DOMCTL_CAP_UNCHANGED   0xffffffffu /* putinfo: keep the cap (Xen: 0xffff) */

struct mica_domctl_scheduler_op {
    uint32_t sched_id;          /* IN: XEN_SCHEDULER_CREDIT */
    uint32_t cmd;               /* IN: XEN_DOMCTL_SCHEDOP_* */
    uint32_t weight;            /* IN (putinfo) / OUT (getinfo): 1..MICA_DOMCTL_MAX_WEIGHT */
    uint32_t cap;               /* IN / OUT: percent of one CPU for the domain, 0 = none */
};
_Static_assert(sizeof(struct mica_domctl_scheduler_op) == 16, "scheduler_op size");

struct mica_domctl {
    uint32_t cmd;               /* IN: XEN_DOMCTL_* */
    uint32_t interface_version; /* IN: MICA_DOMCTL_INTERFACE_VERSION */
    uint16_t domain;            /* IN: a domain id, or DOMID_SELF */
    uint16_t pad[3];
    union {
        struct mica_domctl_getdomaininfo getdomaininfo;
        struct mica_domctl_getvcpuinfo getvcpuinfo;
        struct mica_domctl_vcpuaffinity vcpuaffinity;
        struct mica_domctl_scheduler_op scheduler_op;
        struct mica_policy policy;
        struct mica_policy_denials denials;
        uint8_t raw[128];       /* the size of the union, room to grow */
    } u;
};
_Static_assert(sizeof(struct mica_domctl) == 144, "mica_domctl size");
_Static_assert(offsetof(struct mica_domctl, u) == 16, "mica_domctl.u");

#endif
