/*
 * domctl(arg): dom0 reads a domain's state, CPU time and runstates and sets
 * its scheduling weight, cap and vCPU affinity (public/domctl.h); the
 * sub-ops of a domain's life are in hv/domctl_lifecycle.c, the
 * hypercall-policy ones in hv/domctl_policy.c, the console's in
 * hv/domctl_console.c. The request is read
 * once into a local copy and checked there. Sub-ops that change something
 * commit only after every check has passed and write nothing back; sub-ops
 * that read change nothing and write the whole structure back. docs/abi.md
 * lists each sub-op's errors.
 */
#include "hv/arch.h"
#include "hv/control_op.h"
#include "hv/domain.h"
#include "hv/domctl_console.h"
#include "hv/domctl_lifecycle.h"
#include "hv/domctl_policy.h"
#include "hv/domctl_stats.h"
#include "hv/hypercalls.h"
#include "hv/sched.h"
#include "hv/sched_policy.h"
#include "hv/string.h"
#include "hv/time.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/domctl.h"
#include "public/errno.h"
#include "public/hypercall.h"
#include "public/vcpu_op.h"

_Static_assert(MICA_DOMCTL_MAX_CPUS == SCHED_MAX_CPUS, "cpumap width is the scheduler's");
_Static_assert(MICA_DOMCTL_MAX_WEIGHT == SCHED_MAX_WEIGHT, "weight range is the scheduler's");
_Static_assert(MICA_DOMCTL_MAX_CAP == SCHED_MAX_CAP, "cap range is the scheduler's");
_Static_assert(MICA_DOMCTL_NAME_LEN == BOOTCFG_NAME_MAX, "domain name length");

#define CPUMAP_VALID ((1ull << MICA_DOMCTL_MAX_CPUS) - 1)

/* v's runstate times with the current state counted up to now, as
 * VCPUOP_get_runstate_info reports them. */
static void runstate_now(const struct vcpu *v, uint64_t time[4])
{
    const struct vcpu_runstate_info *r = &v->runstate;
    memcpy(time, r->time, sizeof r->time);
    if (r->state >= RUNSTATE_RUNNING && r->state <= RUNSTATE_OFFLINE && r->state_entry_time)
        time[r->state] += time_now_ns() - r->state_entry_time;
}

static long copy_back(struct vcpu *v, gvaddr_t arg, const struct mica_domctl *op)
{
    return copy_to_guest(v, arg, op, sizeof *op) ? hv_error(-XEN_EFAULT) : 0;
}

static long getdomaininfo(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_getdomaininfo *info = &op->u.getdomaininfo;
    uint64_t time[4];

    static const uint32_t state[] = {
        [DOMAIN_BUILDING] = MICA_DOMCTL_STATE_BUILDING,
        [DOMAIN_RUNNING] = MICA_DOMCTL_STATE_RUNNING,
        [DOMAIN_SHUTDOWN] = MICA_DOMCTL_STATE_SHUTDOWN,
        [DOMAIN_CRASHED] = MICA_DOMCTL_STATE_CRASHED,
        [DOMAIN_KILLED] = MICA_DOMCTL_STATE_DESTROYED,
    };
    uint32_t up = 0, blocked = 0;

    *info = (struct mica_domctl_getdomaininfo){
        .domid = d->id,
        .state = state[d->state],
        .shutdown_reason = d->state == DOMAIN_SHUTDOWN ? d->shutdown_reason : 0,
        .flags = (d->privileged ? MICA_DOMINF_PRIVILEGED : 0) |
                 (d->destroyed ? MICA_DOMINF_DYING : 0) |
                 (domain_paused(d) ? MICA_DOMINF_PAUSED : 0),
        .nr_vcpus = d->nvcpus,
        .weight = d->sched.weight,
        .cap = d->sched.cap,
        .tot_pages = d->frames_owned,
        .max_pages = d->max_pages,
    };
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        up += d->vcpus[i]->state != VCPU_DOWN;
        blocked += d->vcpus[i]->state == VCPU_BLOCKED;
        if (d->vcpus[i]->state != VCPU_DOWN)
            info->nr_online_vcpus++;
        runstate_now(d->vcpus[i], time);
        info->cpu_time += time[RUNSTATE_RUNNING];
    }
    if (d->state == DOMAIN_RUNNING && up && blocked == up)
        info->flags |= MICA_DOMINF_BLOCKED;
    memcpy(info->name, d->name, sizeof info->name);
    info->name[sizeof info->name - 1] = 0;
    return copy_back(v, arg, op);
}

static long getvcpuinfo(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_getvcpuinfo *info = &op->u.getvcpuinfo;

    if (info->vcpu >= d->nvcpus || info->pad)
        return hv_error(-XEN_EINVAL);
    const struct vcpu *t = d->vcpus[info->vcpu];
    *info = (struct mica_domctl_getvcpuinfo){
        .vcpu = info->vcpu,
        .online = t->state != VCPU_DOWN,
        .blocked = t->state == VCPU_BLOCKED,
        .running = t->runstate.state == RUNSTATE_RUNNING,
        .runstate = (uint8_t)t->runstate.state,
        .cpu = t->sched.cpu,
    };
    runstate_now(t, info->runstate_time);
    info->cpu_time = info->runstate_time[RUNSTATE_RUNNING];
    return copy_back(v, arg, op);
}

/* The vCPU a vcpuaffinity request names, or NULL if the request is invalid. */
static struct vcpu *affinity_target(struct domain *d, const struct mica_domctl_vcpuaffinity *a)
{
    if (a->vcpu >= d->nvcpus || a->pad)
        return NULL;
    return d->vcpus[a->vcpu];
}

static long setvcpuaffinity(struct vcpu *v, gvaddr_t arg, struct domain *d,
                            struct mica_domctl *op)
{
    const struct mica_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    struct vcpu *t = affinity_target(d, a);
    uint32_t kick;

    if (!t || (a->cpumap & ~CPUMAP_VALID))
        return hv_error(-XEN_EINVAL);
    /* The policy refuses a mask with no online CPU, changing nothing. */
    if (sched_set_affinity(&t->sched, a->cpumap, &kick))
        return hv_error(-XEN_EINVAL);
    sched_kick_cpu(kick);
    return 0;
}

static long getvcpuaffinity(struct vcpu *v, gvaddr_t arg, struct domain *d,
                            struct mica_domctl *op)
{
    struct mica_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    const struct vcpu *t = affinity_target(d, a);

    if (!t)
        return hv_error(-XEN_EINVAL);
    /* Only the CPUs a map may name: what is read back can be set again. */
    a->cpumap = t->sched.affinity & CPUMAP_VALID;
    return copy_back(v, arg, op);
}

/*
 * Xen's credit-scheduler semantics: putinfo leaves the weight alone when it
 * is 0 and the cap when it is the UNCHANGED value; a cap of 0 means none.
 * Like Xen, another scheduler id or command is -EINVAL.
 */
static long scheduler_op(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_scheduler_op *s = &op->u.scheduler_op;

    if (s->sched_id != XEN_SCHEDULER_CREDIT)
        return hv_error(-XEN_EINVAL);
    if (s->cmd == XEN_DOMCTL_SCHEDOP_GETINFO) {
        s->weight = d->sched.weight;
        s->cap = d->sched.cap;
        return copy_back(v, arg, op);
    }
    if (s->cmd != XEN_DOMCTL_SCHEDOP_PUTINFO)
        return hv_error(-XEN_EINVAL);

    bool set_weight = s->weight != MICA_DOMCTL_WEIGHT_UNCHANGED;
    bool set_cap = s->cap != MICA_DOMCTL_CAP_UNCHANGED;
    if ((set_weight && s->weight > MICA_DOMCTL_MAX_WEIGHT) ||
        (set_cap && s->cap > MICA_DOMCTL_MAX_CAP))
        return hv_error(-XEN_EINVAL);
    /* Commit: both are in the policy's ranges, so neither call refuses. */
    if (set_weight)
        sched_set_weight(&d->sched, s->weight);
    if (set_cap)
        sched_set_cap(&d->sched, s->cap);
    return 0;
}

typedef long (*domctl_fn)(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);

/* Which domains a sub-op may name, besides running ones. */
#define NAMES_ENDED    (1u << 0)    /* stopped (its record is kept until destroydomain) */
#define NAMES_BUILDING (1u << 1)    /* created at run time and not started */
#define NAMES_NONE     (1u << 2)    /* none: `domain` is not looked up (createdomain) */
#define NAMES_ANY      (NAMES_ENDED | NAMES_BUILDING)

struct domctl_entry {
    domctl_fn fn;
    uint32_t names;
};

/* Xen's numbers. */
static const struct domctl_entry domctl_table[] = {
    [XEN_DOMCTL_CREATEDOMAIN] = { domctl_createdomain, NAMES_NONE },
    [XEN_DOMCTL_DESTROYDOMAIN] = { domctl_destroydomain, NAMES_ANY },
    [XEN_DOMCTL_PAUSEDOMAIN] = { domctl_pausedomain, NAMES_BUILDING },
    [XEN_DOMCTL_UNPAUSEDOMAIN] = { domctl_unpausedomain, NAMES_BUILDING },
    [XEN_DOMCTL_GETDOMAININFO] = { getdomaininfo, NAMES_ANY },
    [XEN_DOMCTL_SETVCPUAFFINITY] = { setvcpuaffinity, NAMES_BUILDING },
    [XEN_DOMCTL_MAX_MEM] = { domctl_max_mem, NAMES_BUILDING },
    [XEN_DOMCTL_GETVCPUINFO] = { getvcpuinfo, NAMES_BUILDING },
    [XEN_DOMCTL_SCHEDULER_OP] = { scheduler_op, NAMES_BUILDING },
    [XEN_DOMCTL_GETVCPUAFFINITY] = { getvcpuaffinity, NAMES_BUILDING },
};

/* Mica's own, from MICA_DOMCTL_BASE (public/domctl.h). */
static const struct domctl_entry mica_domctl_table[] = {
    [MICA_DOMCTL_GET_POLICY - MICA_DOMCTL_BASE] = { domctl_get_policy, NAMES_ANY },
    [MICA_DOMCTL_SET_POLICY - MICA_DOMCTL_BASE] = { domctl_set_policy, NAMES_BUILDING },
    [MICA_DOMCTL_GET_DENIALS - MICA_DOMCTL_BASE] = { domctl_get_denials, NAMES_ANY },
    [MICA_DOMCTL_LOAD_KERNEL - MICA_DOMCTL_BASE] = { domctl_load_kernel, NAMES_BUILDING },
    [MICA_DOMCTL_GET_REPORT - MICA_DOMCTL_BASE] = { domctl_get_report, NAMES_ANY },
    [MICA_DOMCTL_GET_STATS - MICA_DOMCTL_BASE] = { domctl_get_stats, NAMES_ANY },
    [MICA_DOMCTL_CONSOLE - MICA_DOMCTL_BASE] = { domctl_console, NAMES_ANY },
};

/* The entry for `cmd`, or NULL if there is none. */
static const struct domctl_entry *domctl_entry(uint32_t cmd)
{
    const struct domctl_entry *e = NULL;

    if (cmd < ARRAY_SIZE(domctl_table))
        e = &domctl_table[cmd];
    else if (cmd - MICA_DOMCTL_BASE < ARRAY_SIZE(mica_domctl_table))
        e = &mica_domctl_table[cmd - MICA_DOMCTL_BASE];
    return e && e->fn ? e : NULL;
}

/* The domain `domid` names, if the sub-op may name it: DOMID_SELF is the caller's. */
static struct domain *find_domain(struct vcpu *v, uint16_t domid, uint32_t names)
{
    struct domain *d = domid == DOMID_SELF ? v->domain : domain_by_id(domid);
    if (!d || (d->state == DOMAIN_BUILDING && !(names & NAMES_BUILDING)) ||
        (d->state != DOMAIN_BUILDING && d->state != DOMAIN_RUNNING && !(names & NAMES_ENDED)))
        return NULL;
    return d;
}

long do_domctl(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    gvaddr_t arg = args[0];
    struct mica_domctl op;
    long rc = control_op_read(v, HYPERCALL_DOMCTL, arg, &op, sizeof op,
                              MICA_DOMCTL_INTERFACE_VERSION);
    if (rc)
        return rc;
    if (op.pad[0] || op.pad[1] || op.pad[2])
        return hv_error(-XEN_EINVAL);
    const struct domctl_entry *e = domctl_entry(op.cmd);
    if (!e)
        return hv_error(-XEN_ENOSYS);
    if (e->names & NAMES_NONE)
        return e->fn(v, arg, NULL, &op);
    struct domain *d = find_domain(v, op.domain, e->names);
    if (!d)
        return hv_error(-XEN_ESRCH);
    return e->fn(v, arg, d, &op);
}
