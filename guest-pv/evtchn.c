/*
 * Event-channel delivery. The hypervisor sets a port's pending bit, then
 * its word's bit in evtchn_pending_sel, then evtchn_upcall_pending, and
 * injects the upcall when that flag goes from 0 to 1. So the handler clears
 * the flag first and the selector next: anything raised after that raises
 * a new upcall, taken once we return with IF set.
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
#include "shared_info.h"

#define BITS_PER_WORD 64

static evtchn_handler_t handlers[EVTCHN_HANDLED_PORTS];

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

long evtchn_bind_virq(uint32_t virq, evtchn_handler_t handler)
{
    struct evtchn_bind_virq req = { .virq = virq, .vcpu = 0 };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_VIRQ, (unsigned long)&req);

    if (rc < 0)
        return rc;
    if (req.port >= EVTCHN_HANDLED_PORTS) {
        printk("guest-pv: VIRQ %u bound to port %u, beyond the %u we handle\n", virq, req.port,
               EVTCHN_HANDLED_PORTS);
        return -XEN_ENOSPC;
    }
    handlers[req.port] = handler;
    evtchn_unmask(req.port);
    return req.port;
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

void evtchn_upcall(void)
{
    uint64_t sel;

    WRITE_ONCE(vcpu_info->evtchn_upcall_pending, 0);
    sel = __atomic_exchange_n(&vcpu_info->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzll(sel);
        uint64_t ready;

        sel &= sel - 1;
        ready = READ_ONCE(shared_info->evtchn_pending[w]) & ~READ_ONCE(shared_info->evtchn_mask[w]);
        while (ready) {
            unsigned int b = (unsigned int)__builtin_ctzll(ready);
            uint64_t bit = 1ull << b;

            ready &= ready - 1;
            /* Clear before handling, so an event raised meanwhile is kept. */
            if (__atomic_fetch_and(&shared_info->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
                dispatch(w * BITS_PER_WORD + b);
        }
    }
}
