/*
 * Event-channel delivery. The hypervisor sets a port's pending bit, then
 * its word's bit in the bound vCPU's evtchn_pending_sel, then that vCPU's
 * evtchn_upcall_pending, and injects the upcall on that vCPU when the flag
 * goes from 0 to 1. So the handler (on the vCPU the upcall came to) clears
 * its own flag first and its selector next: anything raised after that
 * raises a new upcall, taken once we return with IF set. Pending and mask
 * bits are shared by all vCPUs and changed atomically.
 */
#include <stdint.h>

#include <public/errno.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>

#include "console.h"
#include "evtchn.h"
#include "hypercall.h"
#include "idt.h"
#include "lib.h"
#include "percpu.h"
#include "shared_info.h"

#define BITS_PER_WORD 64

static evtchn_handler_t handlers[EVTCHN_HANDLED_PORTS];
/* The vCPU each port is bound to (0 unless bound to another): an upcall
 * handles only its own vCPU's ports, which share words with the others'. */
static uint8_t port_vcpu[EVTCHN_HANDLED_PORTS];

static uint64_t port_bit(evtchn_port_t port)
{
    return 1ull << (port % BITS_PER_WORD);
}

bool evtchn_init(void)
{
    struct xen_hvm_param cb = {
        .domid = DOMID_SELF,
        .index = HVM_PARAM_CALLBACK_IRQ,
        .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << HVM_PARAM_CALLBACK_TYPE_SHIFT) |
                 EVTCHN_UPCALL_VECTOR,
    };
    long rc;

    /* Only ports we bind and unmask ourselves may raise upcalls. */
    for (unsigned int w = 0; w < EVTCHN_2L_WORDS; w++)
        __atomic_store_n(&shared_info->evtchn_mask[w], ~0ull, __ATOMIC_SEQ_CST);

    rc = hyp_hvm_op(HVMOP_SET_PARAM, (unsigned long)&cb);
    if (rc < 0) {
        printk("guest-pv: set CALLBACK_IRQ to vector 0x%x = %ld\n", EVTCHN_UPCALL_VECTOR, rc);
        return false;
    }
    return true;
}

void evtchn_unmask(evtchn_port_t port)
{
    unsigned int w = port / BITS_PER_WORD;
    struct evtchn_port_arg req = { .port = port };

    __atomic_fetch_and(&shared_info->evtchn_mask[w], ~port_bit(port), __ATOMIC_SEQ_CST);
    /* Raised while masked: only the pending bit was set, no upcall. */
    if (__atomic_load_n(&shared_info->evtchn_pending[w], __ATOMIC_SEQ_CST) & port_bit(port))
        hyp_event_channel_op(EVTCHNOP_UNMASK, (unsigned long)&req);
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / BITS_PER_WORD], port_bit(port),
                      __ATOMIC_SEQ_CST);
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t handler)
{
    if (port < EVTCHN_HANDLED_PORTS)
        handlers[port] = handler;
}

/* The common end of every bind: a port we can handle, its vCPU and handler, unmasked. */
static long bound(const char *what, evtchn_port_t port, uint32_t vcpu, evtchn_handler_t handler)
{
    if (port >= EVTCHN_HANDLED_PORTS) {
        printk("guest-pv: %s bound to port %u, beyond the %u we handle\n", what, port,
               EVTCHN_HANDLED_PORTS);
        return -XEN_ENOSPC;
    }
    port_vcpu[port] = (uint8_t)vcpu;
    handlers[port] = handler;
    evtchn_unmask(port);
    return port;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_handler_t handler)
{
    struct evtchn_bind_virq req = { .virq = virq, .vcpu = vcpu };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_VIRQ, (unsigned long)&req);

    return rc < 0 ? rc : bound("VIRQ", req.port, vcpu, handler);
}

long evtchn_alloc_unbound(domid_t remote, evtchn_handler_t handler)
{
    struct evtchn_alloc_unbound req = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&req);

    return rc < 0 ? rc : bound("unbound port", req.port, 0, handler);
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                             evtchn_handler_t handler)
{
    struct evtchn_bind_interdomain req = { .remote_dom = remote, .remote_port = remote_port };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_INTERDOMAIN, (unsigned long)&req);

    return rc < 0 ? rc : bound("interdomain port", req.local_port, 0, handler);
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t handler)
{
    struct evtchn_bind_ipi req = { .vcpu = vcpu };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_IPI, (unsigned long)&req);

    return rc < 0 ? rc : bound("IPI", req.port, vcpu, handler);
}

long evtchn_bind_pirq(uint32_t pirq, evtchn_handler_t handler)
{
    struct evtchn_bind_pirq req = { .pirq = pirq };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_PIRQ, (unsigned long)&req);

    return rc < 0 ? rc : bound("PIRQ", req.port, 0, handler);
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_port_arg req = { .port = port };
    long rc = hyp_event_channel_op(EVTCHNOP_CLOSE, (unsigned long)&req);

    /* Back to the state evtchn_init left it in, for whichever bind reuses it. */
    if (rc == 0 && port < EVTCHN_HANDLED_PORTS) {
        evtchn_mask(port);
        handlers[port] = NULL;
        port_vcpu[port] = 0;
    }
    return rc;
}

long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    long rc;

    *st = (struct evtchn_status){ .dom = dom, .port = port };
    rc = hyp_event_channel_op(EVTCHNOP_STATUS, (unsigned long)st);
    return rc < 0 ? rc : st->status;
}

long evtchn_port_status(evtchn_port_t port)
{
    struct evtchn_status st;

    return evtchn_status(DOMID_SELF, port, &st);
}

long evtchn_send(evtchn_port_t port)
{
    struct evtchn_port_arg req = { .port = port };

    return hyp_event_channel_op(EVTCHNOP_SEND, (unsigned long)&req);
}

static void dispatch(evtchn_port_t port)
{
    if (port < EVTCHN_HANDLED_PORTS && handlers[port])
        handlers[port](port);
}

/* Ports past those we handle count as vCPU 0's, which drops them. */
static bool ours(evtchn_port_t port, uint32_t me)
{
    return (port < EVTCHN_HANDLED_PORTS ? port_vcpu[port] : 0) == me;
}

void evtchn_upcall(void)
{
    struct vcpu_info *vi = this_vcpu_info();
    uint32_t me = this_cpu()->id;
    uint64_t sel;

    WRITE_ONCE(vi->evtchn_upcall_pending, 0);
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzll(sel);
        uint64_t ready;

        sel &= sel - 1;
        ready = READ_ONCE(shared_info->evtchn_pending[w]) & ~READ_ONCE(shared_info->evtchn_mask[w]);
        while (ready) {
            unsigned int b = (unsigned int)__builtin_ctzll(ready);
            uint64_t bit = 1ull << b;

            ready &= ready - 1;
            if (!ours(w * BITS_PER_WORD + b, me))
                continue;           /* another vCPU's: its own upcall handles it */
            /* Clear before handling, so an event raised meanwhile is kept. */
            if (__atomic_fetch_and(&shared_info->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
                dispatch(w * BITS_PER_WORD + b);
        }
    }
}
