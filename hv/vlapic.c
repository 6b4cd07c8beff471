/*
 * The emulated local APIC's registers and modes (hv/vlapic.h): the
 * IA32_APIC_BASE transitions of SDM 3A 12.12.5 and each register's access
 * rules in xAPIC and x2APIC mode (tables 12-1, 12-6). Delivery and IPIs are
 * vlapic_irq.c, the timer vlapic_timer.c.
 */
#include "hv/vlapic.h"
#include "hv/domain.h"
#include "hv/string.h"

/* How a register may be used: readable, writable, and in which modes. */
#define ACC_R     (1u << 0)
#define ACC_W     (1u << 1)
#define ACC_XAPIC (1u << 2)     /* exists in xAPIC mode */
#define ACC_X2    (1u << 3)     /* exists in x2APIC mode */
#define ACC_BOTH  (ACC_XAPIC | ACC_X2)

static uint8_t access_of(unsigned reg)
{
    if (reg >= APIC_REG_ISR && reg < APIC_REG_ESR)
        return ACC_R | ACC_BOTH;                        /* ISR, TMR, IRR */
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR)
        return ACC_R | ACC_W | ACC_BOTH;
    switch (reg) {
    case APIC_REG_ID:           /* read-only here: xAPIC writes are ignored */
    case APIC_REG_VERSION:
        return ACC_R | ACC_BOTH;
    case APIC_REG_TPR:
    case APIC_REG_SVR:
    case APIC_REG_ESR:
    case APIC_REG_ICR:
    case APIC_REG_TIMER_INIT:
    case APIC_REG_TIMER_DIVIDE:
        return ACC_R | ACC_W | ACC_BOTH;
    case APIC_REG_APR:
    case APIC_REG_RRD:
        return ACC_R | ACC_XAPIC;
    case APIC_REG_PPR:
    case APIC_REG_TIMER_CURRENT:
        return ACC_R | ACC_BOTH;
    case APIC_REG_EOI:          /* an xAPIC read of it returns 0 */
        return ACC_W | ACC_BOTH;
    case APIC_REG_LDR:
        return ACC_R | ACC_BOTH;                        /* writable in xAPIC: below */
    case APIC_REG_DFR:
    case APIC_REG_ICR2:
        return ACC_R | ACC_W | ACC_XAPIC;
    case APIC_REG_SELF_IPI:
        return ACC_W | ACC_X2;
    default:
        return 0;                                       /* reserved (CMCI: max LVT is 5) */
    }
}

/* Bits a write may set, by LVT entry (SDM 3A figure 12-8): vector, delivery
 * mode where there is one, LINT polarity and trigger (LINT1 is edge only),
 * mask, timer mode. Delivery status and remote IRR are read-only. */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = 0x000700ff, [LVT_THERMAL] = 0x000107ff, [LVT_PERF] = 0x000107ff,
    [LVT_LINT0] = 0x0001a7ff, [LVT_LINT1] = 0x000127ff, [LVT_ERROR] = 0x000100ff,
};
#define SVR_WRITABLE   0x3ffu           /* vector, APIC enable, focus checking */
#define ICR_WRITABLE   0x000ccfffu      /* vector, mode, dest mode, level, trigger, shorthand */
#define DIVIDE_WRITABLE 0xbu
#define DFR_WRITABLE   0xf0000000u

enum vlapic_mode vlapic_mode(const struct vcpu *v)
{
    uint64_t b = v->vlapic.base_msr;
    if (!(b & APIC_BASE_EN))
        return VLAPIC_DISABLED;
    return (b & APIC_BASE_EXTD) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

/* Everything but the base MSR and the SIPI wait, as at power-on (SDM 3A
 * 12.4.7.1): also what a global disable or an INIT leaves behind. */
void vlapic_reset_registers(struct vcpu *v)
{
    struct vlapic *l = &v->vlapic;
    vlapic_timer_stop(v);
    uint64_t base = l->base_msr;
    bool sipi = l->wait_for_sipi;
    memset(l, 0, sizeof *l);
    l->base_msr = base;
    l->wait_for_sipi = sipi;
    l->svr = 0xff;
    l->dfr = 0xffffffffu;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = APIC_LVT_MASKED;
}

void vlapic_reset(struct vcpu *v)
{
    v->vlapic.base_msr = VLAPIC_BASE_DEFAULT | APIC_BASE_EN | (v->id == 0 ? APIC_BASE_BSP : 0);
    v->vlapic.wait_for_sipi = false;
    vlapic_reset_registers(v);
}

uint64_t vlapic_base_read(const struct vcpu *v)
{
    return v->vlapic.base_msr;
}

/*
 * SDM 3A 12.12.5: disabled -> xAPIC -> x2APIC, and any mode -> disabled;
 * x2APIC -> xAPIC, disabled -> x2APIC and EXTD without EN are #GP. The BSP
 * bit is the hardware's (a written one is ignored). The base may move
 * anywhere the arch accepts (it checks MAXPHYADDR first).
 */
int vlapic_base_write(struct vcpu *v, uint64_t value)
{
    struct vlapic *l = &v->vlapic;
    if (value & ~(APIC_BASE_ADDR_MASK | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP))
        return -1;
    enum vlapic_mode from = vlapic_mode(v), to;
    if (!(value & APIC_BASE_EN))
        to = (value & APIC_BASE_EXTD) ? (enum vlapic_mode)-1 : VLAPIC_DISABLED;
    else
        to = (value & APIC_BASE_EXTD) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
    if ((int)to < 0 || (from == VLAPIC_X2APIC && to == VLAPIC_XAPIC) ||
        (from == VLAPIC_DISABLED && to == VLAPIC_X2APIC))
        return -1;
    l->base_msr = (value & ~APIC_BASE_BSP) | (l->base_msr & APIC_BASE_BSP);
    if (to == VLAPIC_DISABLED && from != VLAPIC_DISABLED)
        vlapic_reset_registers(v);
    return 0;
}

/* The x2APIC logical ID follows from the APIC ID (SDM 3A 12.12.10.2). */
static uint32_t x2apic_ldr(const struct vcpu *v)
{
    return ((v->id >> 4) << 16) | (1u << (v->id & 0xf));
}

static uint64_t read_reg(struct vcpu *v, unsigned reg, bool x2)
{
    struct vlapic *l = &v->vlapic;
    if (reg >= APIC_REG_ISR && reg < APIC_REG_TMR)
        return l->isr[reg - APIC_REG_ISR];
    if (reg >= APIC_REG_TMR && reg < APIC_REG_IRR)
        return l->tmr[reg - APIC_REG_TMR];
    if (reg >= APIC_REG_IRR && reg < APIC_REG_ESR)
        return l->irr[reg - APIC_REG_IRR];
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR)
        return l->lvt[reg - APIC_REG_LVT_TIMER];
    switch (reg) {
    case APIC_REG_ID:
        return x2 ? v->id : v->id << 24;
    case APIC_REG_VERSION:
        return VLAPIC_VERSION;
    case APIC_REG_TPR:
        return l->tpr;
    case APIC_REG_PPR:
        return vlapic_ppr(v);
    case APIC_REG_LDR:
        return x2 ? x2apic_ldr(v) : l->ldr;
    case APIC_REG_DFR:
        return l->dfr;
    case APIC_REG_SVR:
        return l->svr;
    case APIC_REG_ESR:
        return l->esr;
    case APIC_REG_ICR:
        return x2 ? ((uint64_t)l->icr_high << 32) | l->icr_low : l->icr_low;
    case APIC_REG_ICR2:
        return l->icr_high;
    case APIC_REG_TIMER_INIT:
        return l->timer_initial;
    case APIC_REG_TIMER_CURRENT:
        return vlapic_timer_current(v);
    case APIC_REG_TIMER_DIVIDE:
        return l->timer_divide;
    default:
        return 0;               /* APR, RRD, EOI in xAPIC mode */
    }
}

/* How `reg` may be used in v's mode (*x2: x2APIC); -1 while disabled or out of range. */
static int mode_access(const struct vcpu *v, unsigned reg, bool *x2)
{
    enum vlapic_mode mode = vlapic_mode(v);
    if (mode == VLAPIC_DISABLED || reg >= APIC_REG_COUNT)
        return -1;
    *x2 = mode == VLAPIC_X2APIC;
    return access_of(reg);
}

int vlapic_read(struct vcpu *v, unsigned reg, uint64_t *value)
{
    bool x2;
    int acc = mode_access(v, reg, &x2);
    if (acc < 0)
        return -1;
    if (x2) {
        if (!(acc & ACC_X2) || !(acc & ACC_R))
            return -1;
    } else if (!(acc & ACC_XAPIC)) {
        vlapic_error(v, APIC_ESR_ILLEGAL_REG);
        *value = 0;
        return 0;
    }
    *value = read_reg(v, reg, x2);
    return 0;
}

/* Software disable masks every LVT entry and keeps them masked (SDM 3A 12.4.7.2). */
static void write_svr(struct vcpu *v, uint32_t value)
{
    struct vlapic *l = &v->vlapic;
    l->svr = value;
    if (!(value & APIC_SVR_ENABLE))
        for (unsigned i = 0; i < LVT_COUNT; i++)
            l->lvt[i] |= APIC_LVT_MASKED;
}

static void write_lvt(struct vcpu *v, unsigned n, uint32_t value)
{
    struct vlapic *l = &v->vlapic;
    uint32_t old = l->lvt[n];
    if (!(l->svr & APIC_SVR_ENABLE))
        value |= APIC_LVT_MASKED;
    l->lvt[n] = value | (old & ~lvt_writable[n]);      /* read-only bits stay */
    if (n == LVT_TIMER)
        vlapic_timer_lvt_changed(v, old);
}

/* A value with bits outside `writable`: #GP in x2APIC mode, dropped in xAPIC. */
static bool reserved(bool x2, uint64_t *value, uint64_t writable)
{
    if (*value & ~writable) {
        if (x2)
            return true;
        *value &= writable;
    }
    return false;
}

int vlapic_write(struct vcpu *v, unsigned reg, uint64_t value)
{
    struct vlapic *l = &v->vlapic;
    bool x2;
    int acc = mode_access(v, reg, &x2);
    if (acc < 0)
        return -1;
    if (x2) {
        if (!(acc & ACC_X2) || !(acc & ACC_W) || (reg != APIC_REG_ICR && value >> 32))
            return -1;
    } else {
        if (!(acc & ACC_XAPIC)) {
            vlapic_error(v, APIC_ESR_ILLEGAL_REG);
            return 0;
        }
        value = (uint32_t)value;
        if (reg == APIC_REG_LDR) {
            l->ldr = (uint32_t)value & 0xff000000u;
            return 0;
        }
        if (!(acc & ACC_W))
            return 0;           /* read-only: the write has no effect */
    }
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR) {
        unsigned n = reg - APIC_REG_LVT_TIMER;
        /* Timer mode 3 is reserved (SDM 3A figure 12-8). */
        if (n == LVT_TIMER && APIC_TIMER_MODE(value) == 3) {
            if (x2)
                return -1;
            value &= ~(3u << 17);
        }
        if (reserved(x2, &value, lvt_writable[n]))
            return -1;
        write_lvt(v, n, (uint32_t)value);
        return 0;
    }
    switch (reg) {
    case APIC_REG_TPR:
        if (reserved(x2, &value, 0xff))
            return -1;
        l->tpr = (uint32_t)value;
        return 0;
    case APIC_REG_EOI:
        if (x2 && value)
            return -1;          /* x2APIC: only 0 may be written (SDM 3A 12.12.1.2) */
        vlapic_eoi(v);
        return 0;
    case APIC_REG_DFR:
        l->dfr = ((uint32_t)value & DFR_WRITABLE) | ~DFR_WRITABLE;
        return 0;
    case APIC_REG_SVR:
        if (reserved(x2, &value, SVR_WRITABLE))
            return -1;
        write_svr(v, (uint32_t)value);
        return 0;
    case APIC_REG_ESR:
        if (x2 && value)
            return -1;
        l->esr = l->esr_pending;        /* write, then read what happened since */
        l->esr_pending = 0;
        return 0;
    case APIC_REG_ICR2:
        l->icr_high = (uint32_t)value & 0xff000000u;
        return 0;
    case APIC_REG_ICR: {
        uint64_t low = value & 0xffffffffull;
        if (reserved(x2, &low, ICR_WRITABLE))
            return -1;
        l->icr_low = (uint32_t)low;
        if (x2)
            l->icr_high = (uint32_t)(value >> 32);
        vlapic_send_ipi(v, l->icr_low, x2 ? l->icr_high : l->icr_high >> 24);
        return 0;
    }
    case APIC_REG_TIMER_INIT:
        l->timer_initial = (uint32_t)value;
        vlapic_timer_start(v);
        return 0;
    case APIC_REG_TIMER_DIVIDE:
        if (reserved(x2, &value, DIVIDE_WRITABLE))
            return -1;
        l->timer_divide = (uint32_t)value;
        return 0;
    case APIC_REG_SELF_IPI:
        if (reserved(x2, &value, 0xff))
            return -1;
        vlapic_set_irq(v, (unsigned)value);
        return 0;
    default:
        return 0;               /* ID and version in xAPIC mode: ignored */
    }
}
