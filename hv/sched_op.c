/*
 * sched_op: yield, block (until an event), shutdown, poll (ports + timeout),
 * shutdown_code, and for dom0 remote_shutdown. Blocking calls return 0 at once and leave the vCPU
 * blocked; it resumes after the vmcall when it is woken.
 */
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/sched.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/errno.h"
#include "public/sched_op.h"

/* Only a vCPU that may run blocks. One taken down by another CPU while its
 * hypercall's exit waited for the hypervisor lock stays down (VCPUOP_DOWN,
 * or its domain ended): blocking it would undo that. */
static bool block(struct vcpu *v)
{
    if (v->state != VCPU_RUNNABLE)
        return false;
    v->state = VCPU_BLOCKED;
    v->need_resched = true;
    return true;
}

static long do_poll(struct vcpu *v, gvaddr_t arg)
{
    struct sched_poll req;
    uint32_t ports[SCHED_POLL_MAX_PORTS];

    if (compat_get_sched_poll(v, arch_vcpu_compat(v), arg, &req))
        return -XEN_EFAULT;
    if (req.nr_ports > SCHED_POLL_MAX_PORTS || (req.nr_ports == 0 && req.timeout == 0))
        return hv_error(-XEN_EINVAL);
    if (copy_from_guest(v, ports, req.ports, req.nr_ports * sizeof ports[0]))
        return hv_error(-XEN_EFAULT);
    for (uint32_t i = 0; i < req.nr_ports; i++) {
        if (ports[i] >= EVTCHN_MAX_PORTS)
            return hv_error(-XEN_EINVAL);
        if (evtchn_is_pending(v->domain, ports[i]))
            return 0;           /* already there: no need to sleep */
    }
    if (req.timeout && req.timeout <= time_now_ns())
        return 0;

    if (!block(v))
        return 0;
    for (uint32_t i = 0; i < req.nr_ports; i++)
        v->poll_ports[i] = ports[i];
    v->poll_nr = req.nr_ports;
    v->poll_deadline = req.timeout;
    return 0;
}

static long read_reason(struct vcpu *v, gvaddr_t arg, uint32_t *reason)
{
    struct sched_shutdown req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return hv_error(-XEN_EFAULT);
    if (req.reason > SHUTDOWN_WATCHDOG)
        return hv_error(-XEN_EINVAL);
    *reason = req.reason;
    return 0;
}

/* dom0 shuts another domain down as if it had asked (xl shutdown / reboot). */
static long remote_shutdown(struct vcpu *v, gvaddr_t arg)
{
    struct sched_remote_shutdown req;
    struct domain *d;
    long rc;

    if (copy_from_guest(v, &req, arg, sizeof req))
        return hv_error(-XEN_EFAULT);
    if (!v->domain->privileged)
        return hv_error(-XEN_EPERM);
    if (req.pad || req.reason > SHUTDOWN_WATCHDOG)
        return hv_error(-XEN_EINVAL);
    if (req.domain_id == DOMID_SELF || req.domain_id == v->domain->id)
        return hv_error(-XEN_EPERM);    /* Xen: a "remote" domain is another one */
    if ((rc = domain_target(v, req.domain_id, &d)))
        return rc;
    if (d->state == DOMAIN_BUILDING)
        return hv_error(-XEN_EINVAL);
    domain_shutdown(d, req.reason);     /* a domain already stopped stays as it is */
    return 0;
}

long do_sched_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint32_t reason;
    long rc;

    switch (args[0]) {
    case SCHEDOP_YIELD:
        sched_vcpu_yield(&v->sched);
        v->need_resched = true;
        return 0;
    case SCHEDOP_BLOCK:
        /* An event already waiting ends the block before it starts. */
        if (!vcpu_event_pending(v))
            block(v);
        return 0;
    case SCHEDOP_SHUTDOWN:
        if ((rc = read_reason(v, args[1], &reason)))
            return rc;
        domain_shutdown(v->domain, reason);
        return 0;
    case SCHEDOP_POLL:
        return do_poll(v, args[1]);
    case SCHEDOP_REMOTE_SHUTDOWN:
        return remote_shutdown(v, args[1]);
    case SCHEDOP_SHUTDOWN_CODE:
        if ((rc = read_reason(v, args[1], &reason)))
            return rc;
        v->domain->shutdown_code = reason;
        return 0;
    default:
        return hv_error(-XEN_ENOSYS);
    }
}
