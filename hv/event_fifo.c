/*
 * Event delivery, FIFO ABI (hv/event_fifo.h). Raising a port sets PENDING in
 * its event word; unless the word is MASKED or already LINKED, the port is
 * linked at the tail of its priority's queue on its vCPU: the old tail's
 * link field names it, or (the queue was empty) the control block's head
 * does, and then the queue's ready bit and the vCPU's upcall are raised.
 * The guest takes ports from the head, following links and clearing LINKED.
 *
 * Guest memory is shared with running vCPUs and hostile: every change the
 * guest may race with is one atomic operation on a 32-bit word, nothing the
 * hypervisor reads there is followed (the tails are its own, ports below
 * EVTCHN_MAX_PORTS), and the one retry loop, on a tail word the guest keeps
 * changing, is bounded.
 */
#include "hv/event_fifo.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/event.h"

#define FLAG(bit) (1u << (bit))
/* Attempts at linking to a tail word that changes under us. While it is
 * BUSY the guest may only mask it, clear PENDING or unlink it (Xen's rule),
 * so an honest guest makes a few at most. */
#define LINK_TRIES 4

/* A word or block of the guest's, through its EPT now: NULL if not writable RAM. */
static void *guest_ram(struct domain *d, gpaddr_t gpa)
{
    paddr_t hpa = arch_domain_gpa_to_hpa(d, gpa, true);
    return hpa ? phys_to_virt(hpa) : NULL;
}

event_word_t *evtchn_fifo_word(struct domain *d, uint32_t port)
{
    uint32_t page = port / EVTCHN_FIFO_WORDS_PER_PAGE;
    if (port >= EVTCHN_MAX_PORTS || page >= d->fifo.array_pages ||
        page >= EVTCHN_FIFO_PORT_PAGES)
        return NULL;
    return guest_ram(d, d->fifo.array_gpa[page] +
                            (port % EVTCHN_FIFO_WORDS_PER_PAGE) * sizeof(event_word_t));
}

static struct evtchn_fifo_control_block *control_block(struct vcpu *v)
{
    return v->fifo.has_block ? guest_ram(v->domain, v->fifo.block_gpa) : NULL;
}

static bool test_and_set(uint32_t *word, unsigned bit)
{
    return __atomic_fetch_or(word, FLAG(bit), __ATOMIC_SEQ_CST) & FLAG(bit);
}

static bool test(const uint32_t *word, unsigned bit)
{
    return __atomic_load_n(word, __ATOMIC_SEQ_CST) & FLAG(bit);
}

/* Point the tail word `w` (as last `seen`) at `port` if it is still LINKED:
 * 1 done, 0 the guest has unlinked it (the queue is empty), -1 it changed. */
static int try_link(event_word_t *w, event_word_t *seen, uint32_t port)
{
    if (!(*seen & FLAG(EVTCHN_FIFO_LINKED)))
        return 0;
    event_word_t want = (*seen & ~(FLAG(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | port;
    return __atomic_compare_exchange_n(w, seen, want, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST) ? 1 : -1;
}

/* True if `port` now follows the tail word `w`; false if the queue was empty. */
static bool link_after(event_word_t *w, uint32_t port)
{
    event_word_t seen = __atomic_load_n(w, __ATOMIC_SEQ_CST);
    int done = try_link(w, &seen, port);
    if (done >= 0)
        return done;
    /* BUSY: a guest keeping to the protocol does not unmask it meanwhile. */
    seen = __atomic_or_fetch(w, FLAG(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
    for (int i = 0; i < LINK_TRIES; i++) {
        done = try_link(w, &seen, port);
        if (done > 0)
            return true;        /* the new value has BUSY clear */
        if (done == 0)
            break;
    }
    __atomic_fetch_and(w, ~FLAG(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
    /* A guest that fights the link loses this event, as on Xen; an empty
     * queue takes it at its head. */
    return done != 0;
}

void evtchn_fifo_set_pending(struct domain *d, uint32_t port)
{
    struct evtchn *e = &d->evtchn[port];
    struct vcpu *v = evtchn_vcpu(d, port);
    event_word_t *w = evtchn_fifo_word(d, port);
    if (!w) {
        e->fifo.pending = true;         /* raised when expand_array adds its page */
        return;
    }
    struct evtchn_fifo_control_block *cb = control_block(v);
    if (!cb)
        return;     /* no block for its vCPU: the guest cannot have unmasked it (Xen drops it) */
    if (!test_and_set(w, EVTCHN_FIFO_PENDING))
        evtchn_wake_poller(v, port);
    if (test(w, EVTCHN_FIFO_MASKED) || test_and_set(w, EVTCHN_FIFO_LINKED))
        return;

    uint32_t prio = evtchn_fifo_priority(&e->fifo);
    /* Last linked as the tail of another queue: that queue is empty now
     * (the guest unlinked it), and must not link anything after it. */
    struct evtchn_fifo_lastq *last = &d->fifo_lastq[port];
    uint32_t *old_tail = &d->vcpus[last->vcpu]->fifo.tail[last->priority];
    if (*old_tail == port)
        *old_tail = 0;
    *last = (struct evtchn_fifo_lastq){ .vcpu = (uint8_t)v->id, .priority = (uint8_t)prio };

    uint32_t *tail = &v->fifo.tail[prio];
    event_word_t *tw = *tail ? evtchn_fifo_word(d, *tail) : NULL;
    bool linked = tw && link_after(tw, port);
    if (!linked)
        __atomic_store_n(&cb->head[prio], port, __ATOMIC_SEQ_CST);
    *tail = port;
    if (!linked && !test_and_set(&cb->ready, prio))
        evtchn_notify(v);
}

void evtchn_fifo_unmask(struct domain *d, uint32_t port)
{
    event_word_t *w = evtchn_fifo_word(d, port);
    if (!w || d->evtchn[port].state == EVTCHN_FREE)
        return;         /* Xen ignores a port that is not in use */
    __atomic_fetch_and(w, ~FLAG(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    /* Raised while masked: it is linked now. */
    if (test(w, EVTCHN_FIFO_PENDING))
        evtchn_fifo_set_pending(d, port);
}

bool evtchn_fifo_is_pending(struct domain *d, uint32_t port)
{
    event_word_t *w = evtchn_fifo_word(d, port);
    return w && test(w, EVTCHN_FIFO_PENDING);
}

void evtchn_fifo_close(struct domain *d, uint32_t port)
{
    /* Still linked maybe: the guest unlinks it and ignores it, not pending. */
    event_word_t *w = evtchn_fifo_word(d, port);
    if (w)
        __atomic_fetch_and(w, ~FLAG(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
}

void evtchn_fifo_raise_saved(struct domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++) {
        struct evtchn *e = &d->evtchn[p];
        if (e->state != EVTCHN_FREE && e->fifo.pending && evtchn_fifo_word(d, p)) {
            e->fifo.pending = false;
            evtchn_fifo_set_pending(d, p);
        }
    }
}

void evtchn_fifo_teardown(struct domain *d)
{
    d->fifo = (struct evtchn_fifo){ .active = false };
    for (uint32_t i = 0; i < d->nvcpus; i++)
        d->vcpus[i]->fifo = (struct evtchn_fifo_vcpu){ .has_block = false };
    for (uint32_t p = 0; p < EVTCHN_MAX_PORTS; p++) {
        d->evtchn[p].fifo = (struct evtchn_fifo_port){ .priority_set = 0 };
        d->fifo_lastq[p] = (struct evtchn_fifo_lastq){ .vcpu = 0 };
    }
}
