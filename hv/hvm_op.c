/*
 * hvm_op: HVM parameters. A guest sets only its event-callback vector; the
 * console and store ring pages are placed by the hypervisor when it builds
 * the domain and are read-only. The store's event channel is the
 * toolstack's to choose, as in Xen: dom0 sets it for a domU.
 */
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/hvm_op.h"
#include "public/abi.h"

/* CALLBACK_IRQ with the vector type: bits 63:56 type, 55:8 zero, 7:0 vector. */
#define CALLBACK_VECTOR_MASK   0xffull
#define CALLBACK_RESERVED_MASK (((1ull << HVM_PARAM_CALLBACK_TYPE_SHIFT) - 1) & \
                                ~CALLBACK_VECTOR_MASK)

/* 0 disables the upcall; anything else must name a vector >= 16. */
static long decode_callback(uint64_t value, uint8_t *vector)
{
    if (value == 0) {
        *vector = 0;
        return 0;
    }
    if (value >> HVM_PARAM_CALLBACK_TYPE_SHIFT != HVM_PARAM_CALLBACK_TYPE_VECTOR ||
        (value & CALLBACK_RESERVED_MASK) ||
        (value & CALLBACK_VECTOR_MASK) < HVM_PARAM_CALLBACK_VECTOR_MIN)
        return hv_error(-XEN_EINVAL);
    *vector = (uint8_t)(value & CALLBACK_VECTOR_MASK);
    return 0;
}

static long set_param(const struct domain *caller, struct domain *d,
                      const struct xen_hvm_param *p)
{
    uint8_t vector;
    long rc;

    switch (p->index) {
    case HVM_PARAM_CALLBACK_IRQ:
        rc = decode_callback(p->value, &vector);
        if (rc)
            return rc;
        d->callback_irq = p->value;
        d->callback_vector = vector;
        return 0;
    case HVM_PARAM_STORE_EVTCHN:
        if (!caller->privileged || d->privileged)
            return hv_error(-XEN_EPERM); /* dom0 sets it for a domU */
        if (p->value == 0 || p->value > d->max_evtchn_port)
            return hv_error(-XEN_EINVAL);
        d->store_port = (uint32_t)p->value;
        return 0;
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN:
        return hv_error(-XEN_EPERM); /* set by the hypervisor at domain build */
    default:
        return hv_error(-XEN_EINVAL);
    }
}

static long get_param(struct vcpu *v, gvaddr_t arg, const struct domain *d,
                      struct xen_hvm_param *p)
{
    switch (p->index) {
    case HVM_PARAM_CALLBACK_IRQ:
        p->value = d->callback_irq;
        break;
    case HVM_PARAM_CONSOLE_PFN:
        p->value = d->console_ring_gpa >> PAGE_SHIFT;
        break;
    case HVM_PARAM_CONSOLE_EVTCHN:
        p->value = d->console_port;
        break;
    case HVM_PARAM_STORE_PFN:
        p->value = d->store_ring_gpa >> PAGE_SHIFT;
        break;
    case HVM_PARAM_STORE_EVTCHN:
        p->value = d->store_port;
        break;
    default:
        return hv_error(-XEN_EINVAL);
    }
    return copy_to_guest(v, arg, p, sizeof *p) ? hv_error(-XEN_EFAULT) : 0;
}

long do_hvm_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0];
    gvaddr_t arg = args[1];
    struct xen_hvm_param p;
    struct domain *d;
    long rc;

    if (cmd != HVMOP_SET_PARAM && cmd != HVMOP_GET_PARAM)
        return hv_error(-XEN_ENOSYS);
    if (copy_from_guest(v, &p, arg, sizeof p))
        return hv_error(-XEN_EFAULT);
    rc = domain_target(v, p.domid, &d);
    if (rc)
        return rc;
    if (p.pad != 0)
        return hv_error(-XEN_EINVAL);
    if (cmd == HVMOP_SET_PARAM) {
        rc = set_param(v->domain, d, &p);
        /* One of the two places Xen samples a domain's own mode for the
         * layout of its shared info (hv/compat.h). */
        if (rc == 0 && p.index == HVM_PARAM_CALLBACK_IRQ && d == v->domain)
            shinfo_latch(v);
        return rc;
    }
    return get_param(v, arg, d, &p);
}
