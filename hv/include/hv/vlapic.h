/*
 * The emulated local APIC of a vCPU (docs/abi.md, "Local APIC"): the model
 * of the SDM's xAPIC and x2APIC (3A chapter 11/12, "Advanced Programmable
 * Interrupt Controller"), arch-neutral. The arch glue reaches it through
 * the IA32_APIC_BASE, x2APIC and TSC-deadline MSRs and the xAPIC page
 * (arch/x86/vmx/vlapic_*.c) and injects what vlapic_next_vector names. It
 * never touches the physical LAPIC. All its state is in struct vcpu and is
 * changed only under the hypervisor lock (exits, timers, other vCPUs' IPIs).
 */
#ifndef HV_VLAPIC_H
#define HV_VLAPIC_H

#include "hv/types.h"

struct vcpu;

#define VLAPIC_BASE_DEFAULT   0xfee00000ull
#define APIC_BASE_BSP         (1ull << 8)
#define APIC_BASE_EXTD        (1ull << 10)      /* x2APIC mode */
#define APIC_BASE_EN          (1ull << 11)      /* globally enabled */
#define APIC_BASE_ADDR_MASK   0x000ffffffffff000ull
#define VLAPIC_BUS_HZ         1000000000ull     /* the timer's input: 1 ns per bus cycle */
#define VLAPIC_PERIOD_MIN_NS  50000ull          /* a periodic timer ticks at most this often */
#define VLAPIC_VERSION        0x00050014u       /* max LVT entry 5 (no CMCI), version 0x14 */

/* Register numbers: xAPIC offset >> 4, x2APIC MSR - 0x800 (SDM 3A table 11-6). */
enum vlapic_reg {
    APIC_REG_ID = 0x02, APIC_REG_VERSION = 0x03, APIC_REG_TPR = 0x08, APIC_REG_APR = 0x09,
    APIC_REG_PPR = 0x0a, APIC_REG_EOI = 0x0b, APIC_REG_RRD = 0x0c, APIC_REG_LDR = 0x0d,
    APIC_REG_DFR = 0x0e, APIC_REG_SVR = 0x0f, APIC_REG_ISR = 0x10, APIC_REG_TMR = 0x18,
    APIC_REG_IRR = 0x20, APIC_REG_ESR = 0x28, APIC_REG_CMCI = 0x2f, APIC_REG_ICR = 0x30,
    APIC_REG_ICR2 = 0x31, APIC_REG_LVT_TIMER = 0x32, APIC_REG_LVT_ERROR = 0x37,
    APIC_REG_TIMER_INIT = 0x38, APIC_REG_TIMER_CURRENT = 0x39, APIC_REG_TIMER_DIVIDE = 0x3e,
    APIC_REG_SELF_IPI = 0x3f, APIC_REG_COUNT = 0x40,
};

/* The six LVT entries, in register order from APIC_REG_LVT_TIMER. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

#define APIC_LVT_MASKED       (1u << 16)
#define APIC_SVR_ENABLE       (1u << 8)
#define APIC_TIMER_MODE(lvt)  (((lvt) >> 17) & 3u)
#define APIC_TIMER_ONESHOT    0u
#define APIC_TIMER_PERIODIC   1u
#define APIC_TIMER_TSC_DEADLINE 2u
/* ESR bits (SDM 3A 11.5.3) the model raises. */
#define APIC_ESR_SEND_ILLEGAL    (1u << 5)
#define APIC_ESR_RECEIVE_ILLEGAL (1u << 6)
#define APIC_ESR_ILLEGAL_REG     (1u << 7)

enum vlapic_mode { VLAPIC_DISABLED, VLAPIC_XAPIC, VLAPIC_X2APIC };

struct vlapic {
    uint64_t base_msr;          /* IA32_APIC_BASE as the guest reads it */
    uint32_t tpr, svr, ldr, dfr;
    uint32_t esr;               /* what ESR reads: latched by the last write to it */
    uint32_t esr_pending;       /* errors since then */
    uint32_t icr_low, icr_high;
    uint32_t lvt[LVT_COUNT];
    uint32_t timer_initial, timer_divide;
    uint32_t irr[8], isr[8], tmr[8];    /* 256 bits each, vector v at word v / 32 */
    /* The timer: system time (ns) it next fires at, 0 when not armed; the
     * length of the count it runs down (one-shot and periodic; a periodic
     * timer re-arms with it); the IA32_TSC_DEADLINE value armed. */
    uint64_t timer_deadline_ns;
    uint64_t timer_length_ns;
    uint64_t tsc_deadline;
    bool pending;               /* IRR may hold a bit or an NMI waits: the run loop looks */
    bool nmi_pending;
    bool wait_for_sipi;         /* INIT seen while down: a SIPI may start it */
};

/* Power-on state: hardware-enabled xAPIC at the default base, software
 * disabled, every LVT masked; BSP on vCPU 0. */
void vlapic_reset(struct vcpu *v);
/* The registers alone (INIT, global disable): the base MSR stays. */
void vlapic_reset_registers(struct vcpu *v);
enum vlapic_mode vlapic_mode(const struct vcpu *v);

/* IA32_APIC_BASE: 0, or -1 for a value or mode change the SDM forbids (#GP). */
uint64_t vlapic_base_read(const struct vcpu *v);
int vlapic_base_write(struct vcpu *v, uint64_t value);

/*
 * Register access in the vCPU's current mode. x2APIC: 0, or -1 for #GP
 * (reserved register, read of a write-only one, write of a read-only one,
 * reserved bits set). xAPIC: always 0 (a reserved register reads 0 and
 * ignores writes, and sets ESR's illegal-register bit); writes carry 32 bits
 * except the x2APIC ICR's 64. Disabled: -1.
 */
int vlapic_read(struct vcpu *v, unsigned reg, uint64_t *value);
int vlapic_write(struct vcpu *v, unsigned reg, uint64_t value);

/* IA32_TSC_DEADLINE: reads the armed value (0 when none, or the LVT timer
 * is in another mode); a write arms, or with 0 disarms, in TSC-deadline
 * mode and is ignored otherwise. */
uint64_t vlapic_tsc_deadline_read(const struct vcpu *v);
void vlapic_tsc_deadline_write(struct vcpu *v, uint64_t tsc);

/* The timer fires if its deadline has passed (hv/time.c). */
void vlapic_timer_expire(struct vcpu *v, uint64_t now_ns);

/*
 * Delivery, for the run loop. The highest IRR vector whose priority class
 * is above the PPR's, or -1; vlapic_accept moves it to ISR when the arch
 * injects it. vlapic_take_nmi: true once per NMI sent.
 */
int vlapic_next_vector(const struct vcpu *v);
void vlapic_accept(struct vcpu *v, unsigned vector);
bool vlapic_take_nmi(struct vcpu *v);

/* A fixed interrupt raised in v's own APIC (its timer, LVT error, an IPI). */
void vlapic_set_irq(struct vcpu *v, unsigned vector);

/* vlapic_irq.c internals shared with vlapic.c. */
uint32_t vlapic_ppr(const struct vcpu *v);
void vlapic_eoi(struct vcpu *v);
void vlapic_send_ipi(struct vcpu *v, uint32_t icr_low, uint32_t dest);
void vlapic_error(struct vcpu *v, uint32_t esr_bit);
/* vlapic_timer.c internals. */
void vlapic_timer_lvt_changed(struct vcpu *v, uint32_t old_lvt);
void vlapic_timer_start(struct vcpu *v);
uint32_t vlapic_timer_current(const struct vcpu *v);
void vlapic_timer_stop(struct vcpu *v);

/* A SIPI reached a vCPU waiting for one: start it in real mode at
 * vector << 12 (arch; 0, or -1 if it cannot). */
int arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector);

#endif
