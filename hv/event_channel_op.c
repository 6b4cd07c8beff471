/*
 * event_channel_op(cmd, arg): the local part of the 2-level ABI: binding
 * VIRQs, sending on the console port, unmasking and closing. Inter-domain
 * channels, IPIs and the FIFO ABI return -ENOSYS (docs/abi.md).
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
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

long do_event_channel_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    struct domain *d = v->domain;
    uint32_t port;
    long rc;

    switch (args[0]) {
    case EVTCHNOP_BIND_VIRQ:
        return bind_virq(v, args[1]);
    case EVTCHNOP_SEND:
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        if (d->evtchn[port].state != EVTCHN_CONSOLE)
            return -XEN_EINVAL;     /* free or VIRQ ports have no remote end */
        console_ring_drain(d);
        return 0;
    case EVTCHNOP_UNMASK:
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        evtchn_unmask(d, port);
        return 0;
    case EVTCHNOP_CLOSE: {
        if ((rc = port_arg(v, args[1], &port)))
            return rc;
        struct evtchn *e = &d->evtchn[port];
        if (e->state != EVTCHN_VIRQ)
            return -XEN_EINVAL;     /* free, or the console port the hypervisor owns */
        d->vcpus[e->vcpu]->virq_port[e->virq] = 0;
        *e = (struct evtchn){ .state = EVTCHN_FREE };
        __atomic_fetch_and(&d->shared_info->evtchn_pending[port / 64], ~(1ull << (port % 64)),
                           __ATOMIC_SEQ_CST);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
