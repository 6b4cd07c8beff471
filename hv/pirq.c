/*
 * PIRQs (hv/include/hv/pirq.h). pirq == GSI, as Xen gives dom0 for GSIs.
 * The interrupt path only sets a pending bit and counts; the event is sent
 * under the hypervisor lock, from the exit or the idle wake-up that took
 * the interrupt (pirq_deliver_pending).
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "hv/pci.h"
#include "hv/pirq.h"
#include "hv/printk.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/physdev.h"

struct pirq_line {
    struct domain *owner;       /* mapped by; NULL: free */
    uint32_t port;              /* bound event channel, 0 if none */
    bool level, active_low;
    bool set_up;                /* PHYSDEVOP_setup_gsi chose the two above */
    bool awaiting_eoi;          /* masked since its last interrupt (level) */
    bool ever_mapped;           /* for the summary */
    uint64_t raised;            /* interrupts taken (the interrupt path counts) */
    uint64_t delivered, eois, dropped;
};

static struct pirq_line lines[PIRQ_MAX];
static uint64_t pending;        /* bit n: line n fired since the last delivery */

static uint32_t nlines(void)
{
    return MIN(arch_gsi_count(), (uint32_t)PIRQ_MAX);
}

static struct pirq_line *owned(struct domain *d, uint32_t pirq)
{
    return pirq < nlines() && lines[pirq].owner == d ? &lines[pirq] : NULL;
}

bool pirq_mapped_by(struct domain *d, uint32_t pirq)
{
    return owned(d, pirq) != NULL;
}

void pirq_raised(uint32_t gsi)
{
    if (gsi >= PIRQ_MAX)
        return;
    __atomic_fetch_add(&lines[gsi].raised, 1, __ATOMIC_RELAXED);
    __atomic_fetch_or(&pending, 1ull << gsi, __ATOMIC_RELEASE);
}

void pirq_deliver_pending(void)
{
    /* Every external-interrupt exit comes here: most find nothing, and a
     * plain load spares them the locked exchange. */
    if (!__atomic_load_n(&pending, __ATOMIC_RELAXED))
        return;
    uint64_t fired = __atomic_exchange_n(&pending, 0, __ATOMIC_ACQUIRE);
    while (fired) {
        uint32_t gsi = (uint32_t)__builtin_ctzll(fired);
        fired &= fired - 1;
        struct pirq_line *l = &lines[gsi];
        if (l->level)
            l->awaiting_eoi = true;     /* the interrupt path masked it */
        if (l->owner && l->port && domain_is_running(l->owner)) {
            evtchn_set_pending(l->owner, l->port);
            l->delivered++;
        } else {
            l->dropped++;               /* unbound since: it stays masked */
        }
    }
}

bool pirq_any_bound(void)
{
    for (uint32_t i = 0; i < PIRQ_MAX; i++)
        if (lines[i].port)
            return true;
    return false;
}

long pirq_map_gsi(struct domain *d, int32_t gsi, int32_t wanted, int32_t *pirq)
{
    if (gsi < 0 || (uint32_t)gsi >= nlines() || (wanted != -1 && wanted != gsi))
        return hv_error(-XEN_EINVAL);
    if (arch_gsi_owner((uint32_t)gsi))
        return hv_error(-XEN_EPERM);
    struct pirq_line *l = &lines[gsi];
    if (l->owner && l->owner != d)
        return hv_error(-XEN_EBUSY);
    if (!l->owner) {
        l->owner = d;
        l->ever_mapped = true;
        /* PCI INTx is level-triggered (PCI Local Bus 3.0, 2.2.6): a line a
         * function's Interrupt Line names is, whatever the ELCR says. Lines
         * below 16 come through the chipset's ISA routing, active high;
         * above, straight from the slots, active low. */
        if (!l->set_up) {
            l->level = arch_gsi_default_level((uint32_t)gsi) || pci_uses_gsi((uint32_t)gsi);
            l->active_low = gsi >= 16;
        }
    }
    *pirq = gsi;
    return 0;
}

void pirq_unbind(struct domain *d, uint32_t pirq)
{
    struct pirq_line *l = owned(d, pirq);
    if (!l || !l->port)
        return;
    arch_gsi_mask(pirq, true);
    l->port = 0;
    l->awaiting_eoi = false;
}

long pirq_unmap(struct domain *d, int32_t pirq)
{
    struct pirq_line *l = pirq >= 0 ? owned(d, (uint32_t)pirq) : NULL;
    if (!l)
        return hv_error(-XEN_EINVAL);
    if (l->port)
        evtchn_close(d, l->port);       /* unbinds it (pirq_unbind) */
    l->owner = NULL;
    return 0;
}

long pirq_setup_gsi(struct domain *d, int32_t gsi, uint8_t triggering, uint8_t polarity)
{
    if (gsi < 0 || (uint32_t)gsi >= nlines() || triggering > 1 || polarity > 1)
        return hv_error(-XEN_EINVAL);
    if (arch_gsi_owner((uint32_t)gsi))
        return hv_error(-XEN_EPERM);
    struct pirq_line *l = &lines[gsi];
    if ((l->owner && l->owner != d) || l->port)
        return hv_error(-XEN_EBUSY);    /* in use: its routing stays */
    l->level = triggering;
    l->active_low = polarity;
    l->set_up = true;
    return 0;
}

long pirq_eoi(struct domain *d, uint32_t pirq)
{
    struct pirq_line *l = owned(d, pirq);
    if (!l)
        return hv_error(-XEN_EINVAL);
    l->eois++;
    if (l->awaiting_eoi && l->port) {
        l->awaiting_eoi = false;
        arch_gsi_mask(pirq, false);
    }
    return 0;
}

long pirq_status_flags(struct domain *d, uint32_t pirq, uint32_t *flags)
{
    struct pirq_line *l = owned(d, pirq);
    if (!l)
        return hv_error(-XEN_EINVAL);
    *flags = l->level ? XENIRQSTAT_NEEDS_EOI : 0;
    return 0;
}

long pirq_bind(struct domain *d, uint32_t pirq, uint32_t port)
{
    struct pirq_line *l = owned(d, pirq);
    if (!l)
        return hv_error(-XEN_EINVAL);
    if (l->port)
        return hv_error(-XEN_EBUSY);
    l->port = port;
    l->awaiting_eoi = false;
    arch_gsi_route(pirq, l->level, l->active_low);
    arch_gsi_mask(pirq, false);
    return 0;
}

void pirq_release_domain(struct domain *d)
{
    for (uint32_t i = 0; i < PIRQ_MAX; i++) {
        if (lines[i].owner != d)
            continue;
        pirq_unbind(d, i);
        lines[i].owner = NULL;
    }
}

void pirq_print_summary(void)
{
    for (uint32_t i = 0; i < PIRQ_MAX; i++) {
        const struct pirq_line *l = &lines[i];
        if (l->ever_mapped)
            printk("pirq %u (GSI %u, %s): %lu interrupts, %lu delivered, %lu EOIs, "
                   "%lu while unbound\n", i, i, l->level ? "level" : "edge",
                   __atomic_load_n(&l->raised, __ATOMIC_RELAXED), l->delivered, l->eois,
                   l->dropped);
    }
}
