/*
 * event_channel_op(cmd, arg): the 2-level ABI's ports: VIRQs, IPIs,
 * inter-domain channels (allocate unbound for a named domain, bind to it),
 * send, status, unmask, close, bind_vcpu, reset. The FIFO ABI's
 * init_control and expand_array return -ENOSYS (docs/abi.md).
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "public/abi.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

/* VIRQs a guest may bind now; each is per vCPU. */
static bool virq_supported(uint32_t virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_CONSOLE;
}

static long bind_virq(struct vcpu *v, gvaddr_t arg)
{
    struct domain *d = v->domain;
    struct evtchn_bind_virq req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if (!virq_supported(req.virq))
        return -XEN_EINVAL;
    if (req.vcpu >= d->nvcpus)
        return -XEN_ENOENT;
    struct vcpu *target = d->vcpus[req.vcpu];
    if (target->virq_port[req.virq])
        return -XEN_EEXIST;
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return -XEN_ENOSPC;

    req.port = port;
    if (copy_to_guest(v, arg, &req, sizeof req))
        return -XEN_EFAULT;     /* nothing bound yet */
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = req.vcpu, .virq = req.virq };
    target->virq_port[req.virq] = (uint16_t)port;
    return 0;
}

static long bind_ipi(struct vcpu *v, gvaddr_t arg)
{
    struct domain *d = v->domain;
    struct evtchn_bind_ipi req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if (req.vcpu >= d->nvcpus)
        return -XEN_ENOENT;
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return -XEN_ENOSPC;
    req.port = port;
    if (copy_to_guest(v, arg, &req, sizeof req))
        return -XEN_EFAULT;
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_IPI, .vcpu = req.vcpu };
    return 0;
}

static long alloc_unbound(struct vcpu *v, gvaddr_t arg)
{
    struct evtchn_alloc_unbound req;
    struct domain *d;
    long rc;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if ((rc = domain_target(v, req.dom, &d)))
        return rc;
    uint16_t remote = req.remote_dom == DOMID_SELF ? (uint16_t)v->domain->id : req.remote_dom;
    if (!domain_is_running(domain_by_id(remote)))
        return -XEN_ESRCH;
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return -XEN_ENOSPC;
    req.port = port;
    if (copy_to_guest(v, arg, &req, sizeof req))
        return -XEN_EFAULT;
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = remote };
    return 0;
}

static long bind_interdomain(struct vcpu *v, gvaddr_t arg)
{
    struct domain *d = v->domain;
    struct evtchn_bind_interdomain req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    struct domain *r = req.remote_dom == DOMID_SELF ? d : domain_by_id(req.remote_dom);
    if (!domain_is_running(r))
        return -XEN_ESRCH;
    /* Only a port offered to us, still waiting, may be bound. */
    if (req.remote_port == 0 || req.remote_port >= EVTCHN_MAX_PORTS ||
        r->evtchn[req.remote_port].state != EVTCHN_UNBOUND ||
        r->evtchn[req.remote_port].remote_dom != d->id)
        return -XEN_EINVAL;
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return -XEN_ENOSPC;
    req.local_port = port;
    if (copy_to_guest(v, arg, &req, sizeof req))
        return -XEN_EFAULT;
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_INTERDOMAIN,
                                       .remote_dom = (uint16_t)r->id,
                                       .remote_port = req.remote_port };
    struct evtchn *re = &r->evtchn[req.remote_port];
    re->state = EVTCHN_INTERDOMAIN;
    re->remote_port = port;
    /* Xen raises the bound port at once, so the binder notices a connection. */
    evtchn_set_pending(d, port);
    return 0;
}

static long port_arg(struct vcpu *v, gvaddr_t arg, uint32_t *port)
{
    struct evtchn_port_arg req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if (req.port == 0 || req.port >= EVTCHN_MAX_PORTS)
        return -XEN_EINVAL;
    *port = req.port;
    return 0;
}

static long send(struct domain *d, uint32_t port)
{
    struct evtchn *e = &d->evtchn[port];
    switch (e->state) {
    case EVTCHN_INTERDOMAIN: {
        struct domain *r = domain_by_id(e->remote_dom);
        if (domain_is_running(r))
            evtchn_set_pending(r, e->remote_port);
        return 0;
    }
    case EVTCHN_IPI:
        evtchn_set_pending(d, port);
        return 0;
    case EVTCHN_UNBOUND:
        return 0;               /* no one to tell yet: dropped, as in Xen */
    case EVTCHN_CONSOLE:
        console_ring_drain(d);
        return 0;
    default:
        return -XEN_EINVAL;     /* free, or a VIRQ (only the hypervisor raises those) */
    }
}

static long status(struct vcpu *v, gvaddr_t arg)
{
    struct evtchn_status req;
    struct domain *d;
    long rc;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if ((rc = domain_target(v, req.dom, &d)))
        return rc;
    if (req.port == 0 || req.port >= EVTCHN_MAX_PORTS)
        return -XEN_EINVAL;
    const struct evtchn *e = &d->evtchn[req.port];
    req.vcpu = e->vcpu;
    req.u.interdomain.dom = 0;
    req.u.interdomain.pad = 0;
    req.u.interdomain.port = 0;
    switch (e->state) {
    case EVTCHN_UNBOUND:
        req.status = EVTCHNSTAT_unbound;
        req.u.unbound.dom = e->remote_dom;
        break;
    case EVTCHN_INTERDOMAIN:
        req.status = EVTCHNSTAT_interdomain;
        req.u.interdomain.dom = e->remote_dom;
        req.u.interdomain.port = e->remote_port;
        break;
    case EVTCHN_VIRQ:
        req.status = EVTCHNSTAT_virq;
        req.u.virq = e->virq;
        break;
    case EVTCHN_IPI:
        req.status = EVTCHNSTAT_ipi;
        break;
    case EVTCHN_CONSOLE:
        /* The hypervisor is the console ring's other end. */
        req.status = EVTCHNSTAT_interdomain;
        req.u.interdomain.dom = DOMID_XEN;
        break;
    default:
        req.status = EVTCHNSTAT_closed;
    }
    return copy_to_guest(v, arg, &req, sizeof req) ? -XEN_EFAULT : 0;
}

static long bind_vcpu(struct vcpu *v, gvaddr_t arg)
{
    struct domain *d = v->domain;
    struct evtchn_bind_vcpu req;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if (req.port == 0 || req.port >= EVTCHN_MAX_PORTS)
        return -XEN_EINVAL;
    if (req.vcpu >= d->nvcpus)
        return -XEN_ENOENT;
    struct evtchn *e = &d->evtchn[req.port];
    /* VIRQs and IPIs are per vCPU by nature; only channels can move. */
    if (e->state != EVTCHN_UNBOUND && e->state != EVTCHN_INTERDOMAIN)
        return -XEN_EINVAL;
    e->vcpu = req.vcpu;
    return 0;
}

static long reset(struct vcpu *v, gvaddr_t arg)
{
    struct evtchn_reset req;
    struct domain *d;
    long rc;
    if (copy_from_guest(v, &req, arg, sizeof req))
        return -XEN_EFAULT;
    if ((rc = domain_target(v, req.dom, &d)))
        return rc;
    evtchn_close_all(d);
    return 0;
}

long do_event_channel_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    struct domain *d = v->domain;
    uint32_t port;
    long rc;

    switch (args[0]) {
    case EVTCHNOP_BIND_INTERDOMAIN:
        return bind_interdomain(v, args[1]);
    case EVTCHNOP_BIND_VIRQ:
        return bind_virq(v, args[1]);
    case EVTCHNOP_ALLOC_UNBOUND:
        return alloc_unbound(v, args[1]);
    case EVTCHNOP_BIND_IPI:
        return bind_ipi(v, args[1]);
    case EVTCHNOP_SEND:
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        return send(d, port);
    case EVTCHNOP_STATUS:
        return status(v, args[1]);
    case EVTCHNOP_BIND_VCPU:
        return bind_vcpu(v, args[1]);
    case EVTCHNOP_UNMASK:
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        evtchn_unmask(d, port);
        return 0;
    case EVTCHNOP_CLOSE:
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        if (d->evtchn[port].state == EVTCHN_FREE || d->evtchn[port].state == EVTCHN_CONSOLE)
            return -XEN_EINVAL;     /* closed already, or the console port the hypervisor owns */
        evtchn_close(d, port);
        return 0;
    case EVTCHNOP_RESET:
        return reset(v, args[1]);
    default:
        return -XEN_ENOSYS;
    }
}
