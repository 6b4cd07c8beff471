/*
 * event_channel_op(cmd, arg): the 2-level ABI's ports: VIRQs, IPIs,
 * inter-domain channels (allocate unbound for a named domain, bind to it),
 * send, status, unmask, close, bind_vcpu, reset; and for the device owner
 * PIRQs (bind_pirq, hv/pirq.c); the FIFO ABI's init_control, expand_array
 * and set_priority (hv/event_fifo_op.c) unless the domain is evtchn=2l.
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/event_fifo_op.h"
#include "hv/hypercalls.h"
#include "hv/pirq.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

/* VIRQs a guest may bind now: per vCPU, or global (bound on vCPU 0, as Xen requires). */
static bool virq_supported(uint32_t virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_CONSOLE || virq == VIRQ_DOM_EXC;
}

static bool virq_global(uint32_t virq)
{
    return virq == VIRQ_DOM_EXC;
}

/* Port 0 is never a channel. */
static bool port_valid(uint32_t port)
{
    return port != 0 && port < EVTCHN_MAX_PORTS;
}

/* The guest's argument, read once: one member per sub-op. */
union evtchn_op {
    struct evtchn_bind_interdomain bind_interdomain;
    struct evtchn_bind_virq bind_virq;
    struct evtchn_bind_pirq bind_pirq;
    struct evtchn_alloc_unbound alloc_unbound;
    struct evtchn_bind_ipi bind_ipi;
    struct evtchn_port_arg port;
    struct evtchn_status status;
    struct evtchn_bind_vcpu bind_vcpu;
    struct evtchn_reset reset;
    struct evtchn_init_control init_control;
    struct evtchn_expand_array expand_array;
    struct evtchn_set_priority set_priority;
};

static long bind_virq(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    struct evtchn_bind_virq *req = &op->bind_virq;
    if (!virq_supported(req->virq))
        return hv_error(-XEN_EINVAL);
    if (req->vcpu >= d->nvcpus)
        return hv_error(-XEN_ENOENT);
    if (virq_global(req->virq) && req->vcpu != 0)
        return hv_error(-XEN_EINVAL);
    struct vcpu *target = d->vcpus[req->vcpu];
    if (target->virq_port[req->virq])
        return hv_error(-XEN_EEXIST);
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return hv_error(-XEN_ENOSPC);

    req->port = port;
    if (copy_to_guest(v, arg, req, sizeof *req))
        return hv_error(-XEN_EFAULT); /* nothing bound yet */
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = req->vcpu, .virq = req->virq };
    target->virq_port[req->virq] = (uint16_t)port;
    return 0;
}

/* The line must be mapped by the caller (PHYSDEVOP_map_pirq); its events go to vCPU 0. */
static long bind_pirq(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    struct evtchn_bind_pirq *req = &op->bind_pirq;
    if (!domain_owns_devices(d))
        return hv_error(-XEN_EPERM);
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return hv_error(-XEN_ENOSPC);
    long rc = pirq_bind(d, req->pirq, port);
    if (rc)
        return rc;      /* the port was never marked in use */
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_PIRQ, .vcpu = 0, .pirq = req->pirq };
    req->port = port;
    if (copy_to_guest(v, arg, req, sizeof *req)) {
        evtchn_close(d, port);
        return hv_error(-XEN_EFAULT);
    }
    return 0;
}

static long bind_ipi(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    struct evtchn_bind_ipi *req = &op->bind_ipi;
    if (req->vcpu >= d->nvcpus)
        return hv_error(-XEN_ENOENT);
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return hv_error(-XEN_ENOSPC);
    req->port = port;
    if (copy_to_guest(v, arg, req, sizeof *req))
        return hv_error(-XEN_EFAULT);
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_IPI, .vcpu = req->vcpu };
    return 0;
}

static long alloc_unbound(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct evtchn_alloc_unbound *req = &op->alloc_unbound;
    struct domain *d;
    long rc;
    if ((rc = domain_target(v, req->dom, &d)))
        return rc;
    uint16_t remote = req->remote_dom == DOMID_SELF ? (uint16_t)v->domain->id : req->remote_dom;
    if (!domain_is_running(domain_by_id(remote)))
        return hv_error(-XEN_ESRCH);
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return hv_error(-XEN_ENOSPC);
    req->port = port;
    if (copy_to_guest(v, arg, req, sizeof *req))
        return hv_error(-XEN_EFAULT);
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = remote };
    return 0;
}

static long bind_interdomain(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    struct evtchn_bind_interdomain *req = &op->bind_interdomain;
    struct domain *r = req->remote_dom == DOMID_SELF ? d : domain_by_id(req->remote_dom);
    if (!domain_is_running(r))
        return hv_error(-XEN_ESRCH);
    /* Only a port offered to us, still waiting, may be bound. */
    if (!port_valid(req->remote_port) ||
        r->evtchn[req->remote_port].state != EVTCHN_UNBOUND ||
        r->evtchn[req->remote_port].remote_dom != d->id)
        return hv_error(-XEN_EINVAL);
    uint32_t port = evtchn_alloc_port(d);
    if (!port)
        return hv_error(-XEN_ENOSPC);
    req->local_port = port;
    if (copy_to_guest(v, arg, req, sizeof *req))
        return hv_error(-XEN_EFAULT);
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_INTERDOMAIN,
                                       .remote_dom = (uint16_t)r->id,
                                       .remote_port = req->remote_port };
    struct evtchn *re = &r->evtchn[req->remote_port];
    re->state = EVTCHN_INTERDOMAIN;
    re->remote_port = port;
    /* Xen raises the bound port at once, so the binder notices a connection. */
    evtchn_set_pending(d, port);
    return 0;
}

static long send_port(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    uint32_t port = op->port.port;
    if (!port_valid(port))
        return hv_error(-XEN_EINVAL);
    struct evtchn *e = &d->evtchn[port];
    switch (e->state) {
    case EVTCHN_INTERDOMAIN: {
        struct domain *r = domain_by_id(e->remote_dom);
        if (domain_is_running(r))
            evtchn_set_pending(r, e->remote_port);
        break;
    }
    case EVTCHN_IPI:
        evtchn_set_pending(d, port);
        break;
    case EVTCHN_UNBOUND:
        break;                  /* no one to tell yet: dropped, as in Xen */
    case EVTCHN_CONSOLE:
        console_ring_drain(d);
        break;
    default:
        return hv_error(-XEN_EINVAL); /* free, or a VIRQ (only the hypervisor raises those) */
    }
    v->stats.evtchn_sends++;
    return 0;
}

static long unmask_port(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    if (!port_valid(op->port.port))
        return hv_error(-XEN_EINVAL);
    evtchn_unmask(v->domain, op->port.port);
    return 0;
}

static long close_port(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    uint32_t port = op->port.port;
    /* Not a port, closed already, or the console port the hypervisor owns. */
    if (!port_valid(port) || d->evtchn[port].state == EVTCHN_FREE ||
        d->evtchn[port].state == EVTCHN_CONSOLE)
        return hv_error(-XEN_EINVAL);
    evtchn_close(d, port);
    return 0;
}

static long status(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct evtchn_status *req = &op->status;
    struct domain *d;
    long rc;
    if ((rc = domain_target(v, req->dom, &d)))
        return rc;
    if (!port_valid(req->port))
        return hv_error(-XEN_EINVAL);
    const struct evtchn *e = &d->evtchn[req->port];
    req->vcpu = e->vcpu;
    req->u.interdomain.dom = 0;
    req->u.interdomain.pad = 0;
    req->u.interdomain.port = 0;
    switch (e->state) {
    case EVTCHN_UNBOUND:
        req->status = EVTCHNSTAT_unbound;
        req->u.unbound.dom = e->remote_dom;
        break;
    case EVTCHN_INTERDOMAIN:
        req->status = EVTCHNSTAT_interdomain;
        req->u.interdomain.dom = e->remote_dom;
        req->u.interdomain.port = e->remote_port;
        break;
    case EVTCHN_VIRQ:
        req->status = EVTCHNSTAT_virq;
        req->u.virq = e->virq;
        break;
    case EVTCHN_IPI:
        req->status = EVTCHNSTAT_ipi;
        break;
    case EVTCHN_PIRQ:
        req->status = EVTCHNSTAT_pirq;
        req->u.pirq = e->pirq;
        break;
    case EVTCHN_CONSOLE:
        /* The hypervisor is the console ring's other end. */
        req->status = EVTCHNSTAT_interdomain;
        req->u.interdomain.dom = DOMID_XEN;
        break;
    default:
        req->status = EVTCHNSTAT_closed;
    }
    return copy_to_guest(v, arg, req, sizeof *req) ? hv_error(-XEN_EFAULT) : 0;
}

static long bind_vcpu(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d = v->domain;
    const struct evtchn_bind_vcpu *req = &op->bind_vcpu;
    if (!port_valid(req->port))
        return hv_error(-XEN_EINVAL);
    if (req->vcpu >= d->nvcpus)
        return hv_error(-XEN_ENOENT);
    struct evtchn *e = &d->evtchn[req->port];
    /* VIRQs and IPIs are per vCPU by nature; only channels can move. */
    if (e->state != EVTCHN_UNBOUND && e->state != EVTCHN_INTERDOMAIN)
        return hv_error(-XEN_EINVAL);
    e->vcpu = req->vcpu;
    return 0;
}

static long reset(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    struct domain *d;
    long rc;
    if ((rc = domain_target(v, op->reset.dom, &d)))
        return rc;
    evtchn_close_all(d);
    return 0;
}

static long init_control(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    return evtchn_fifo_init_control(v, arg, &op->init_control);
}

static long expand_array(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    return evtchn_fifo_expand_array(v, arg, &op->expand_array);
}

static long set_priority(struct vcpu *v, gvaddr_t arg, union evtchn_op *op)
{
    return evtchn_fifo_set_priority(v, arg, &op->set_priority);
}

/*
 * One entry per sub-op: its handler and the size of its argument, which is
 * read into the handler's local copy (-EFAULT if unreadable) before it runs.
 * A handler returns 0 or a negative Xen errno and writes back what its
 * sub-op returns; an unknown sub-op is -ENOSYS, and so is one of the FIFO
 * ABI's for a domain that is evtchn=2l, before its argument is read (a Xen
 * without FIFO does not know them).
 */
typedef long (*evtchn_op_fn)(struct vcpu *v, gvaddr_t arg, union evtchn_op *op);

#define ARG_SIZE(member) sizeof(((union evtchn_op *)0)->member)

static const struct evtchn_op_entry {
    evtchn_op_fn fn;
    size_t size;                /* of the union member `fn` works on */
    bool fifo;                  /* the FIFO ABI's */
} evtchn_op_table[] = {
    [EVTCHNOP_BIND_INTERDOMAIN] = { bind_interdomain, ARG_SIZE(bind_interdomain) },
    [EVTCHNOP_BIND_VIRQ] = { bind_virq, ARG_SIZE(bind_virq) },
    [EVTCHNOP_BIND_PIRQ] = { bind_pirq, ARG_SIZE(bind_pirq) },
    [EVTCHNOP_CLOSE] = { close_port, ARG_SIZE(port) },
    [EVTCHNOP_SEND] = { send_port, ARG_SIZE(port) },
    [EVTCHNOP_STATUS] = { status, ARG_SIZE(status) },
    [EVTCHNOP_ALLOC_UNBOUND] = { alloc_unbound, ARG_SIZE(alloc_unbound) },
    [EVTCHNOP_BIND_IPI] = { bind_ipi, ARG_SIZE(bind_ipi) },
    [EVTCHNOP_BIND_VCPU] = { bind_vcpu, ARG_SIZE(bind_vcpu) },
    [EVTCHNOP_UNMASK] = { unmask_port, ARG_SIZE(port) },
    [EVTCHNOP_RESET] = { reset, ARG_SIZE(reset) },
    [EVTCHNOP_INIT_CONTROL] = { init_control, ARG_SIZE(init_control), true },
    [EVTCHNOP_EXPAND_ARRAY] = { expand_array, ARG_SIZE(expand_array), true },
    [EVTCHNOP_SET_PRIORITY] = { set_priority, ARG_SIZE(set_priority), true },
};

long do_event_channel_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0];
    gvaddr_t arg = args[1];
    union evtchn_op op;

    if (cmd >= ARRAY_SIZE(evtchn_op_table) || !evtchn_op_table[cmd].fn)
        return hv_error(-XEN_ENOSYS);
    const struct evtchn_op_entry *e = &evtchn_op_table[cmd];
    if (e->fifo && v->domain->evtchn_2l_only)
        return hv_error(-XEN_ENOSYS);
    if (copy_from_guest(v, &op, arg, e->size))
        return hv_error(-XEN_EFAULT);
    return e->fn(v, arg, &op);
}
