/*
 * The FIFO ABI's sub-ops of event_channel_op (docs/abi.md, "32
 * event_channel_op"): init_control, expand_array and set_priority, with
 * Xen's checks and errors, each check made before anything changes. A domain
 * booted or created with evtchn=2l never gets here (-ENOSYS, as a Xen
 * without FIFO answers).
 */
#include "hv/event_fifo_op.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/trace.h"
#include "public/errno.h"

/* Guest frame numbers beyond this would wrap the shift to an address (48 bits). */
#define GFN_LIMIT (1ull << (48 - PAGE_SHIFT))

/* A page the guest names must be RAM it may write now. */
static bool writable_gfn(struct domain *d, uint64_t gfn)
{
    return gfn < GFN_LIMIT && arch_domain_gpa_to_hpa(d, gfn << PAGE_SHIFT, true);
}

/* The first block: every port switches to FIFO with the default priority;
 * one pending under the 2-level ABI is raised again once its word exists. */
static void switch_to_fifo(struct domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++) {
        struct evtchn *e = &d->evtchn[p];
        e->fifo = (struct evtchn_fifo_port){
            .pending = e->state != EVTCHN_FREE && evtchn_is_pending(d, p),
        };
    }
    d->fifo = (struct evtchn_fifo){ .active = true };
}

long evtchn_fifo_init_control(struct vcpu *v, gvaddr_t arg, struct evtchn_init_control *req)
{
    struct domain *d = v->domain;
    req->link_bits = EVTCHN_FIFO_LINK_BITS;
    if (req->vcpu >= d->nvcpus)
        return hv_error(-XEN_ENOENT);
    /* Within one page, 8-byte aligned. */
    if (req->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) || (req->offset & 7))
        return hv_error(-XEN_EINVAL);
    struct vcpu *target = d->vcpus[req->vcpu];
    if (target->fifo.has_block)
        return hv_error(-XEN_EINVAL);       /* once per vCPU, as in Xen */
    if (!writable_gfn(d, req->control_gfn))
        return hv_error(-XEN_EINVAL);
    if (copy_to_guest(v, arg, req, sizeof *req))
        return hv_error(-XEN_EFAULT);       /* nothing changed yet */

    if (!d->fifo.active)
        switch_to_fifo(d);
    target->fifo = (struct evtchn_fifo_vcpu){
        .has_block = true,
        .block_gpa = (req->control_gfn << PAGE_SHIFT) + req->offset,
    };
    return 0;
}

long evtchn_fifo_expand_array(struct vcpu *v, gvaddr_t arg, struct evtchn_expand_array *req)
{
    struct domain *d = v->domain;
    (void)arg;
    if (!d->fifo.active)
        return hv_error(-XEN_EOPNOTSUPP);   /* no init_control yet */
    if (d->fifo.array_pages >= EVTCHN_FIFO_ARRAY_PAGES_LIMIT)
        return hv_error(-XEN_ENOSPC);
    if (!writable_gfn(d, req->array_gfn))
        return hv_error(-XEN_EINVAL);
    /* Pages past the ports this domain can have are taken (Xen's limit is the
     * ABI's) but never hold a word, so they need no record. */
    if (d->fifo.array_pages < EVTCHN_FIFO_PORT_PAGES)
        d->fifo.array_gpa[d->fifo.array_pages] = req->array_gfn << PAGE_SHIFT;
    d->fifo.array_pages++;
    evtchn_fifo_raise_saved(d);
    return 0;
}

long evtchn_fifo_set_priority(struct vcpu *v, gvaddr_t arg, struct evtchn_set_priority *req)
{
    struct domain *d = v->domain;
    (void)arg;
    if (req->port == 0 || req->port >= EVTCHN_MAX_PORTS)
        return hv_error(-XEN_EINVAL);
    if (!d->fifo.active)
        return hv_error(-XEN_ENOSYS);       /* the 2-level ABI has no priorities */
    struct evtchn *e = &d->evtchn[req->port];
    if (e->state == EVTCHN_FREE)
        return hv_error(-XEN_EACCES);
    if (req->priority > EVTCHN_FIFO_PRIORITY_MIN)
        return hv_error(-XEN_EINVAL);
    /* Later links only: an event already queued stays where it is (Xen's rule). */
    e->fifo.priority_set = (uint8_t)(req->priority + 1);
    return 0;
}
