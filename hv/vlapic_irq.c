/*
 * Interrupt acceptance and IPIs of the emulated local APIC (hv/vlapic.h):
 * IRR -> ISR by priority class against the PPR, EOI of the highest ISR
 * bit, ESR errors, and the ICR's messages to the vCPUs of the sender's own
 * domain (never beyond it). SDM 3A 12.5-12.8.
 */
#include "hv/vlapic.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "hv/sched.h"

#define ICR_VECTOR(icr)     ((icr) & 0xffu)
#define ICR_MODE(icr)       (((icr) >> 8) & 7u)
#define ICR_LOGICAL         (1u << 11)
#define ICR_LEVEL_ASSERT    (1u << 14)
#define ICR_TRIGGER_LEVEL   (1u << 15)
#define ICR_SHORTHAND(icr)  (((icr) >> 18) & 3u)
enum { MODE_FIXED, MODE_LOWEST, MODE_SMI, MODE_NMI = 4, MODE_INIT, MODE_SIPI };
enum { DEST_FIELD, DEST_SELF, DEST_ALL, DEST_OTHERS };

static void set_bit(uint32_t *a, unsigned n) { a[n / 32] |= 1u << (n % 32); }
static void clear_bit(uint32_t *a, unsigned n) { a[n / 32] &= ~(1u << (n % 32)); }

static int highest(const uint32_t *a)
{
    for (int w = 7; w >= 0; w--)
        if (a[w])
            return w * 32 + 31 - __builtin_clz(a[w]);
    return -1;
}

static void update_pending(struct vlapic *l)
{
    l->pending = l->nmi_pending || highest(l->irr) >= 0;
}

/* Hardware- and software-enabled: only then are fixed interrupts accepted. */
static bool enabled(const struct vcpu *v)
{
    return vlapic_mode(v) != VLAPIC_DISABLED && (v->vlapic.svr & APIC_SVR_ENABLE);
}

/* SDM 3A 12.8.3.1: the TPR, or the class of the highest vector in service. */
uint32_t vlapic_ppr(const struct vcpu *v)
{
    int isrv = highest(v->vlapic.isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    uint32_t tpr = v->vlapic.tpr;
    return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

int vlapic_next_vector(const struct vcpu *v)
{
    if (!enabled(v))
        return -1;                      /* held in IRR until it is enabled again */
    int irr = highest(v->vlapic.irr);
    if (irr < 0 || ((uint32_t)irr & 0xf0) <= (vlapic_ppr(v) & 0xf0))
        return -1;
    return irr;
}

void vlapic_accept(struct vcpu *v, unsigned vector)
{
    struct vlapic *l = &v->vlapic;
    clear_bit(l->irr, vector & 0xff);
    set_bit(l->isr, vector & 0xff);
    update_pending(l);
}

bool vlapic_take_nmi(struct vcpu *v)
{
    struct vlapic *l = &v->vlapic;
    bool nmi = l->nmi_pending;
    l->nmi_pending = false;
    update_pending(l);
    return nmi;
}

/* Something for the run loop: a blocked vCPU wakes, a running one exits. */
static void notify(struct vcpu *v)
{
    v->vlapic.pending = true;
    vcpu_wake(v);
    vcpu_kick(v);
}

void vlapic_set_irq(struct vcpu *v, unsigned vector)
{
    vector &= 0xff;
    if (vector < 16) {
        vlapic_error(v, APIC_ESR_RECEIVE_ILLEGAL);      /* vectors 0-15 are illegal */
        return;
    }
    if (!enabled(v))
        return;
    set_bit(v->vlapic.irr, vector);
    clear_bit(v->vlapic.tmr, vector);   /* every source here is edge-triggered */
    if (vlapic_next_vector(v) >= 0)
        notify(v);
    else
        v->vlapic.pending = true;
}

/* A new error is latched for the next ESR write and raises the LVT error
 * vector; the bit already set stops an illegal error vector recursing. */
void vlapic_error(struct vcpu *v, uint32_t esr_bit)
{
    struct vlapic *l = &v->vlapic;
    if (l->esr_pending & esr_bit)
        return;
    l->esr_pending |= esr_bit;
    uint32_t lvt = l->lvt[LVT_ERROR];
    if (!(lvt & APIC_LVT_MASKED))
        vlapic_set_irq(v, lvt & 0xff);
}

void vlapic_eoi(struct vcpu *v)
{
    struct vlapic *l = &v->vlapic;
    int isrv = highest(l->isr);
    if (isrv < 0)
        return;
    clear_bit(l->isr, (unsigned)isrv);
    update_pending(l);
    if (vlapic_next_vector(v) >= 0)
        notify(v);                      /* what the ISR bit held back may go now */
}

/* Logical destination (SDM 3A 12.6.2.2, 12.12.10.2): x2APIC clusters, or the
 * xAPIC flat (DFR model 0xF) and cluster (model 0) forms. */
static bool logical_match(const struct vcpu *t, uint32_t dest, bool x2)
{
    if (x2) {
        uint32_t ldr = ((t->id >> 4) << 16) | (1u << (t->id & 0xf));
        return dest == 0xffffffffu || ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff));
    }
    uint32_t ldr = t->vlapic.ldr >> 24;
    dest &= 0xff;
    if (dest == 0xff)
        return true;
    if ((t->vlapic.dfr >> 28) == 0xf)
        return (ldr & dest) != 0;
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

static bool is_target(const struct vcpu *src, const struct vcpu *t, uint32_t icr, uint32_t dest)
{
    bool x2 = vlapic_mode(src) == VLAPIC_X2APIC;
    switch (ICR_SHORTHAND(icr)) {
    case DEST_SELF:
        return t == src;
    case DEST_ALL:
        return true;
    case DEST_OTHERS:
        return t != src;
    default:
        if (icr & ICR_LOGICAL)
            return logical_match(t, dest, x2);
        return dest == (x2 ? 0xffffffffu : 0xffu) || t->id == dest;
    }
}

/* INIT to a vCPU that has never run readies it for a SIPI, which starts it
 * in real mode (the arch's start state, as VCPUOP_initialise gives one);
 * any other vCPU ignores both (docs/abi.md, "Local APIC"). */
static void init_or_sipi(struct vcpu *t, unsigned mode, uint8_t vector)
{
    if (t->state != VCPU_DOWN || t->initialised)
        return;
    if (mode == MODE_INIT) {
        vlapic_reset_registers(t);      /* all but the ID and the mode (SDM 3A 12.12.5.2) */
        t->vlapic.wait_for_sipi = true;
        return;
    }
    if (!t->vlapic.wait_for_sipi || arch_vcpu_start_sipi(t, vector))
        return;
    t->vlapic.wait_for_sipi = false;
    t->initialised = true;
    vcpu_bring_up(t);
}

void vlapic_send_ipi(struct vcpu *v, uint32_t icr, uint32_t dest)
{
    unsigned mode = ICR_MODE(icr), vector = ICR_VECTOR(icr);
    struct domain *d = v->domain;
    if ((mode == MODE_FIXED || mode == MODE_LOWEST) && vector < 16) {
        vlapic_error(v, APIC_ESR_SEND_ILLEGAL);
        return;
    }
    /* An INIT level de-assert does nothing. Self takes any mode, as in Xen
     * (XTF sends itself NMIs so); INIT and start-up never reach the sender. */
    if (mode == MODE_INIT && !(icr & ICR_LEVEL_ASSERT) && (icr & ICR_TRIGGER_LEVEL))
        return;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *t = d->vcpus[i];
        if (!is_target(v, t, icr, dest))
            continue;
        switch (mode) {
        case MODE_FIXED:
            vlapic_set_irq(t, vector);
            break;
        case MODE_LOWEST:       /* the lowest-numbered enabled target takes it */
            if (!enabled(t))
                continue;
            vlapic_set_irq(t, vector);
            return;
        case MODE_NMI:
            if (vlapic_mode(t) == VLAPIC_DISABLED)
                continue;
            t->vlapic.nmi_pending = true;
            notify(t);
            break;
        case MODE_INIT:
        case MODE_SIPI:
            if (t != v)
                init_or_sipi(t, mode, (uint8_t)vector);
            break;
        default:
            return;             /* SMI and the reserved modes: not delivered */
        }
    }
}
