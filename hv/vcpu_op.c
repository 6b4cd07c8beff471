/*
 * vcpu_op(cmd, vcpuid, arg): per-vCPU state of the caller's own domain:
 * bringing vCPUs up and down, where its vcpu_info and runstate live, its
 * one-shot timer. set_timer_op(timeout) is the older one-shot timer call.
 * docs/abi.md lists each sub-op's errors; a 32-bit caller's structures are
 * in Xen's 32-bit layout (hv/compat.h).
 */
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/sched.h"
#include "hv/string.h"
#include "hv/time.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/hvm_vcpu.h"
#include "public/sched_op.h"
#include "public/shared_info.h"
#include "public/vcpu_op.h"

/*
 * Xen's order (arch_initialise_vcpu): read the context, refuse a vCPU that
 * already has a start state (-EEXIST, even when it is down: only a vCPU never
 * initialised takes one), then the arch checks the whole context before it
 * writes anything. The vCPU stays down until VCPUOP_up.
 */
static long initialise(struct vcpu *caller, struct vcpu *target, gvaddr_t arg)
{
    struct vcpu_hvm_context ctx;
    if (copy_from_guest(caller, &ctx, arg, sizeof ctx))
        return hv_error(-XEN_EFAULT);
    if (target->initialised)
        return hv_error(-XEN_EEXIST);
    int rc = arch_vcpu_set_context(target, &ctx);
    if (rc)
        return rc;
    target->initialised = true;
    return 0;
}

/* An up vCPU stays as it is; a down one resumes where it stopped (or at its
 * start state if it never ran). */
static long up(struct vcpu *target)
{
    if (!target->initialised)
        return hv_error(-XEN_EINVAL);
    if (target->state == VCPU_DOWN)
        vcpu_bring_up(target);
    return 0;
}

/*
 * Any vCPU may be taken down, the caller too (it stops when the call
 * returns; VCPUOP_up resumes it after the call). As in Xen, taking down the
 * domain's last vCPU that is up shuts the domain down (poweroff) instead.
 */
static long down(struct vcpu *target)
{
    struct domain *d = target->domain;
    bool others_up = false;
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (d->vcpus[i] != target && d->vcpus[i]->state != VCPU_DOWN)
            others_up = true;
    if (!others_up) {
        domain_shutdown(d, SHUTDOWN_POWEROFF);
        return 0;
    }
    if (target->state != VCPU_DOWN) {
        /* Taken down inside SCHEDOP_poll: it waits no more (it resumes after the call). */
        target->poll_nr = 0;
        target->poll_deadline = 0;
        vcpu_take_down(target);
    }
    return 0;
}

/* A copy of v's runstate whose time[] includes the current state up to now
 * (state_entry_time stays the time that state was entered, as in Xen). */
static struct vcpu_runstate_info runstate_snapshot(const struct vcpu *v)
{
    struct vcpu_runstate_info r = v->runstate;
    uint64_t now = time_now_ns();
    if (r.state >= 0 && r.state <= RUNSTATE_OFFLINE && r.state_entry_time)
        r.time[r.state] += now - r.state_entry_time;
    return r;
}

static long register_vcpu_info(struct vcpu *caller, struct vcpu *target, gvaddr_t arg)
{
    struct vcpu_register_vcpu_info req;
    if (copy_from_guest(caller, &req, arg, sizeof req))
        return hv_error(-XEN_EFAULT);
    gpaddr_t gpa = (req.mfn << PAGE_SHIFT) + req.offset;
    if (req.rsvd || req.offset > PAGE_SIZE - sizeof(struct vcpu_info) ||
        req.mfn >= (1ull << 36) || target->vcpu_info_moved)
        return hv_error(-XEN_EINVAL); /* bad layout, or already moved (once only, as in Xen) */
    paddr_t hpa = arch_domain_gpa_to_hpa(target->domain, gpa, true);
    if (!hpa)
        return hv_error(-XEN_EINVAL); /* not RAM of this domain */

    /* Commit: carry the current contents over, then switch. */
    struct vcpu_info *old = vcpu_info_of(target);
    if (old)
        memcpy(phys_to_virt(hpa), old, sizeof *old);
    target->vcpu_info_gpa = gpa;
    target->vcpu_info_moved = true;
    time_update_vcpu(target);
    return 0;
}

static long set_singleshot(struct vcpu *caller, bool compat, struct vcpu *target, gvaddr_t arg)
{
    struct vcpu_set_singleshot_timer req;
    if (compat_get_singleshot(caller, compat, arg, &req))
        return -XEN_EFAULT;
    if (req.flags & ~VCPU_SSHOTTMR_FUTURE)
        return hv_error(-XEN_EINVAL);
    if ((req.flags & VCPU_SSHOTTMR_FUTURE) && req.timeout_abs_ns <= time_now_ns())
        return hv_error(-XEN_ETIME);
    timer_set(target, req.timeout_abs_ns ? req.timeout_abs_ns : 1);    /* 0 = at once */
    return 0;
}

long do_vcpu_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0], id = args[1];
    gvaddr_t arg = args[2];
    struct domain *d = v->domain;
    if (id >= d->nvcpus)
        return hv_error(-XEN_EINVAL);
    struct vcpu *target = d->vcpus[id];
    bool compat = arch_vcpu_compat(v);

    switch (cmd) {
    case VCPUOP_INITIALISE:
        return initialise(v, target, arg);
    case VCPUOP_UP:
        return up(target);
    case VCPUOP_DOWN:
        return down(target);
    case VCPUOP_IS_UP:
        return target->state != VCPU_DOWN;
    case VCPUOP_GET_RUNSTATE_INFO: {
        struct vcpu_runstate_info r = runstate_snapshot(target);
        return compat_put_runstate(v, compat, arg, &r);
    }
    case VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA: {
        struct vcpu_register_runstate_memory_area req;
        if (compat_get_runstate_area(v, compat, arg, &req))
            return -XEN_EFAULT;
        /* Written at once for the caller itself, so a bad address is an error
         * now; in the caller's layout (later updates: the latched one). */
        if (req.addr && target == v) {
            struct vcpu_runstate_info r = runstate_snapshot(v);
            if (compat_put_runstate(v, compat, req.addr, &r))
                return -XEN_EFAULT;
        }
        target->runstate_gva = req.addr;
        return 0;
    }
    case VCPUOP_STOP_PERIODIC_TIMER:
        return 0;               /* there is no periodic timer under PVH: nothing to stop */
    case VCPUOP_SET_SINGLESHOT_TIMER:
        return set_singleshot(v, compat, target, arg);
    case VCPUOP_STOP_SINGLESHOT_TIMER:
        timer_set(target, 0);
        return 0;
    case VCPUOP_REGISTER_VCPU_INFO:
        return register_vcpu_info(v, target, arg);
    default:
        return hv_error(-XEN_ENOSYS);
    }
}

/* Xen's 32-bit callers pass the 64-bit time as two halves: EBX low, ECX high. */
long do_set_timer_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t timeout = arch_vcpu_compat(v) ? args[0] | args[1] << 32 : args[0];
    timer_set(v, timeout);      /* absolute system time in ns; 0 stops the timer */
    return 0;
}
