/*
 * Event delivery, 2-level ABI (a domain switched to the FIFO ABI is handed
 * to hv/event_fifo.c here). Setting a port pending follows the ABI's
 * order: the port's bit in shared_info.evtchn_pending, then (unless masked)
 * its word's bit in the vCPU's evtchn_pending_sel, then evtchn_upcall_pending.
 * Each step is an atomic test-and-set, so an event is raised exactly when a
 * bit goes from 0 to 1, and the guest (clearing bits in the reverse order)
 * never loses one. The arch turns upcall_needed into the callback vector.
 * A domain latched 32-bit has the 32-bit layout (hv/shinfo_layout.h).
 */
#include "hv/event.h"
#include "hv/pirq.h"
#include "hv/sched.h"
#include "hv/arch.h"
#include "hv/time.h"
#include "hv/shinfo_layout.h"
#include "public/shared_info.h"

#define BITS_PER_WORD 64

static bool test_and_set(uint64_t *word, unsigned bit)
{
    uint64_t mask = 1ull << bit;
    return __atomic_fetch_or(word, mask, __ATOMIC_SEQ_CST) & mask;
}

uint32_t evtchn_alloc_port(struct domain *d)
{
    uint32_t last = d->max_evtchn_port && d->max_evtchn_port < EVTCHN_MAX_PORTS
                        ? d->max_evtchn_port : EVTCHN_MAX_PORTS - 1;
    for (uint32_t p = 1; p <= last; p++)        /* port 0 is never valid */
        if (d->evtchn[p].state == EVTCHN_FREE)
            return p;
    return 0;
}

struct vcpu_info *vcpu_info_of(struct vcpu *v)
{
    struct domain *d = v->domain;
    if (!d->shared_info)
        return NULL;
    if (!v->vcpu_info_moved)
        return &d->shared_info->vcpu_info[v->id];
    /* Translated every time: the guest may have remapped that page since. */
    paddr_t hpa = arch_domain_gpa_to_hpa(d, v->vcpu_info_gpa, true);
    return hpa ? phys_to_virt(hpa) : NULL;
}

bool vcpu_event_pending(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    return vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

bool evtchn_is_pending(struct domain *d, uint32_t port)
{
    if (d->fifo.active)
        return evtchn_fifo_is_pending(d, port);
    return port < EVTCHN_MAX_PORTS && d->shared_info &&
           (__atomic_load_n(&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
                            __ATOMIC_SEQ_CST) >> (port % BITS_PER_WORD) & 1);
}

static bool polling_on(struct vcpu *v, uint32_t port)
{
    for (uint32_t i = 0; i < v->poll_nr; i++)
        if (v->poll_ports[i] == port)
            return true;
    return false;
}

/* A vCPU polling on this port wakes even if the port is masked (Xen's rule). */
void evtchn_wake_poller(struct vcpu *v, uint32_t port)
{
    if (v->poll_nr && polling_on(v, port))
        vcpu_wake(v);
}

void vcpu_wake(struct vcpu *v)
{
    if (v->state != VCPU_BLOCKED)
        return;
    v->state = VCPU_RUNNABLE;
    v->poll_nr = 0;
    v->poll_deadline = 0;
    if (domain_paused(v->domain))
        return;                 /* runnable when it is unpaused (hv/domain_pause.c) */
    runstate_change(v, RUNSTATE_RUNNABLE);
    sched_vcpu_runnable(v);
}

/* The upcall flag; the vCPU is interrupted when it goes 0 -> 1. */
static void upcall(struct vcpu *v, struct vcpu_info *vi)
{
    if (__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        return;
    v->upcall_needed = true;
    vcpu_wake(v);
    vcpu_kick(v);               /* running on another CPU: it injects the upcall on exit */
}

void evtchn_notify(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    if (vi)
        upcall(v, vi);
}

/* The selector bit (in the domain's shared-info layout), then the upcall flag. */
static void raise_upcall(struct vcpu *v, uint32_t port)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    if (vi && !shinfo_test_and_set_selector(v->domain, vi, port))
        upcall(v, vi);
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
    struct shared_info *si = d->shared_info;
    if (port == 0 || port >= EVTCHN_MAX_PORTS || !si)
        return;
    if (d->fifo.active) {
        evtchn_fifo_set_pending(d, port);
        return;
    }
    struct vcpu *v = evtchn_vcpu(d, port);
    unsigned word = port / BITS_PER_WORD, bit = port % BITS_PER_WORD;

    if (test_and_set(&si->evtchn_pending[word], bit))
        return;                         /* already pending: nothing new to say */
    evtchn_wake_poller(v, port);
    if (!(__atomic_load_n(&shinfo_mask_words(d)[word], __ATOMIC_SEQ_CST) >> bit & 1))
        raise_upcall(v, port);
}

void evtchn_unmask(struct domain *d, uint32_t port)
{
    unsigned word = port / BITS_PER_WORD, bit = port % BITS_PER_WORD;
    if (d->fifo.active) {
        evtchn_fifo_unmask(d, port);
        return;
    }
    __atomic_fetch_and(&shinfo_mask_words(d)[word], ~(1ull << bit), __ATOMIC_SEQ_CST);
    /* An event that arrived while masked is delivered now. */
    if (evtchn_is_pending(d, port))
        raise_upcall(evtchn_vcpu(d, port), port);
}

void evtchn_send_virq(struct vcpu *v, uint32_t virq)
{
    if (virq < NR_VIRQS && v->virq_port[virq])
        evtchn_set_pending(v->domain, v->virq_port[virq]);
}

void evtchn_close(struct domain *d, uint32_t port)
{
    struct evtchn *e = &d->evtchn[port];
    switch (e->state) {
    case EVTCHN_VIRQ:
        d->vcpus[e->vcpu]->virq_port[e->virq] = 0;
        break;
    case EVTCHN_INTERDOMAIN: {
        struct domain *r = domain_by_id(e->remote_dom);
        if (r && !r->destroyed && e->remote_port < EVTCHN_MAX_PORTS &&
            r->evtchn[e->remote_port].state == EVTCHN_INTERDOMAIN) {
            /* The peer's end waits for us to bind again, as in Xen. */
            r->evtchn[e->remote_port].state = EVTCHN_UNBOUND;
            r->evtchn[e->remote_port].remote_dom = (uint16_t)d->id;
        }
        break;
    }
    case EVTCHN_CONSOLE:
        return;
    case EVTCHN_PIRQ:
        pirq_unbind(d, e->pirq);
        break;
    default:
        break;
    }
    *e = (struct evtchn){ .state = EVTCHN_FREE };
    if (d->fifo.active)
        evtchn_fifo_close(d, port);
    else if (d->shared_info)
        __atomic_fetch_and(&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
                           ~(1ull << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

void evtchn_close_all(struct domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
        if (d->evtchn[p].state != EVTCHN_FREE && d->evtchn[p].state != EVTCHN_CONSOLE)
            evtchn_close(d, p);
    evtchn_fifo_teardown(d);    /* back to the 2-level ABI, as Xen's reset does */
}

uint32_t evtchn_ports_in_use(void)
{
    uint32_t n = 0;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        for (uint32_t p = 1; d && p < EVTCHN_MAX_PORTS; p++)
            n += d->evtchn[p].state != EVTCHN_FREE && d->evtchn[p].state != EVTCHN_CONSOLE;
    }
    return n;
}
