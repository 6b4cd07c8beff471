/*
 * The emulated local APIC (hv/vlapic*.c) over the fake clock of
 * shim_time.c (1 TSC tick per ns): IA32_APIC_BASE transitions, the
 * register rules of xAPIC and x2APIC mode, ESR, TPR/PPR masking and EOI
 * order, the timer in one-shot, periodic and TSC-deadline modes with every
 * divide setting, and IPIs (fixed by every destination form, NMI,
 * INIT/SIPI) between the vCPUs of one domain.
 */
#include <string.h>

#include "check.h"
#include "shim_guest.h"
#include "shim_wake.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "hv/sched.h"
#include "hv/vlapic.h"

CHECK_SUITE("vlapic");

#define NVCPUS 3

static struct domain dom, other;
static struct vcpu vcpus[NVCPUS], stranger;
static unsigned wakes, bring_ups, sipis;
static uint8_t sipi_vector;

/* The hooks the model calls (hv/event.c, hv/sched.c, the arch). */
void vcpu_wake(struct vcpu *v)
{
    (void)v;
    wakes++;
}

void vcpu_bring_up(struct vcpu *v)
{
    v->state = VCPU_RUNNABLE;
    bring_ups++;
}

int arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    (void)v;
    sipis++;
    sipi_vector = vector;
    return 0;
}

static void setup(void)
{
    shim_time_reset();
    memset(&dom, 0, sizeof dom);
    memset(&other, 0, sizeof other);
    dom.nvcpus = NVCPUS;
    for (uint32_t i = 0; i < NVCPUS; i++) {
        memset(&vcpus[i], 0, sizeof vcpus[i]);
        vcpus[i].domain = &dom;
        vcpus[i].id = i;
        vcpus[i].initialised = true;
        dom.vcpus[i] = &vcpus[i];
        vlapic_reset(&vcpus[i]);
    }
    memset(&stranger, 0, sizeof stranger);
    stranger.domain = &other;
    other.nvcpus = 1;
    other.vcpus[0] = &stranger;
    vlapic_reset(&stranger);
    wakes = bring_ups = sipis = 0;
}

static uint64_t rd(struct vcpu *v, unsigned reg)
{
    uint64_t val = 0xdeadbeef;
    return vlapic_read(v, reg, &val) ? ~0ull : val;
}

/* Software-enable the APIC with spurious vector 0xff. */
static void enable(struct vcpu *v)
{
    vlapic_write(v, APIC_REG_SVR, APIC_SVR_ENABLE | 0xff);
}

static bool irr_has(struct vcpu *v, unsigned vector)
{
    return v->vlapic.irr[vector / 32] >> (vector % 32) & 1;
}

static void x2apic_on(struct vcpu *v)
{
    vlapic_base_write(v, VLAPIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD);
}

static void test_reset_and_base(void)
{
    setup();
    struct vcpu *v0 = &vcpus[0], *v1 = &vcpus[1];
    CHECK("base: BSP on vCPU 0",
          vlapic_base_read(v0) == (VLAPIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_BSP));
    CHECK("base: no BSP on vCPU 1", vlapic_base_read(v1) == (VLAPIC_BASE_DEFAULT | APIC_BASE_EN));
    CHECK("reset: xAPIC mode", vlapic_mode(v1) == VLAPIC_XAPIC);
    CHECK("reset: ID = vCPU id << 24", rd(v1, APIC_REG_ID) == 1u << 24);
    CHECK("reset: version 0x50014", rd(v1, APIC_REG_VERSION) == 0x50014);
    CHECK("reset: SVR 0xff, software-disabled", rd(v1, APIC_REG_SVR) == 0xff);
    CHECK("reset: DFR all ones", rd(v1, APIC_REG_DFR) == 0xffffffffu);
    CHECK("reset: LVT timer masked", rd(v1, APIC_REG_LVT_TIMER) == APIC_LVT_MASKED);
    CHECK("reset: LVT error masked", rd(v1, APIC_REG_LVT_ERROR) == APIC_LVT_MASKED);

    uint64_t base = VLAPIC_BASE_DEFAULT;
    CHECK("base: EXTD without EN is #GP", vlapic_base_write(v1, base | APIC_BASE_EXTD) == -1);
    CHECK("base: reserved bit 9 is #GP", vlapic_base_write(v1, base | APIC_BASE_EN | (1u << 9)) == -1);
    CHECK("base: reserved bits 7:0 are #GP", vlapic_base_write(v1, base | APIC_BASE_EN | 1) == -1);
    CHECK("base: xAPIC -> x2APIC", vlapic_base_write(v1, base | APIC_BASE_EN | APIC_BASE_EXTD) == 0 &&
                                   vlapic_mode(v1) == VLAPIC_X2APIC);
    CHECK("base: x2APIC ID = vCPU id", rd(v1, APIC_REG_ID) == 1);
    CHECK("base: x2APIC LDR from the ID", rd(v1, APIC_REG_LDR) == 2);
    CHECK("base: x2APIC -> xAPIC is #GP", vlapic_base_write(v1, base | APIC_BASE_EN) == -1 &&
                                          vlapic_mode(v1) == VLAPIC_X2APIC);
    enable(v1);
    CHECK("base: x2APIC -> disabled", vlapic_base_write(v1, base) == 0 &&
                                      vlapic_mode(v1) == VLAPIC_DISABLED);
    CHECK("base: disabled reads CPUID-style 0 EN", !(vlapic_base_read(v1) & APIC_BASE_EN));
    CHECK("base: disable resets SVR", v1->vlapic.svr == 0xff);
    uint64_t dummy;
    CHECK("disabled: registers do not answer", vlapic_read(v1, APIC_REG_ID, &dummy) == -1 &&
                                               vlapic_write(v1, APIC_REG_TPR, 0) == -1);
    CHECK("base: disabled -> x2APIC is #GP",
          vlapic_base_write(v1, base | APIC_BASE_EN | APIC_BASE_EXTD) == -1);
    CHECK("base: disabled -> xAPIC", vlapic_base_write(v1, base | APIC_BASE_EN) == 0 &&
                                     vlapic_mode(v1) == VLAPIC_XAPIC);
    CHECK("base: a written BSP bit is ignored",
          vlapic_base_write(v1, base | APIC_BASE_EN | APIC_BASE_BSP) == 0 &&
          !(vlapic_base_read(v1) & APIC_BASE_BSP));
    CHECK("base: relocation accepted", vlapic_base_write(v1, 0xfed00000ull | APIC_BASE_EN) == 0 &&
                                       (vlapic_base_read(v1) & APIC_BASE_ADDR_MASK) == 0xfed00000ull);
    CHECK("base: BSP kept on vCPU 0 across writes",
          vlapic_base_write(v0, base | APIC_BASE_EN) == 0 && (vlapic_base_read(v0) & APIC_BASE_BSP));
}

static void test_x2apic_rules(void)
{
    setup();
    struct vcpu *v = &vcpus[1];
    x2apic_on(v);
    enable(v);
    uint64_t val;
    CHECK("x2apic: EOI is write-only", vlapic_read(v, APIC_REG_EOI, &val) == -1);
    CHECK("x2apic: EOI takes only 0", vlapic_write(v, APIC_REG_EOI, 1) == -1 &&
                                      vlapic_write(v, APIC_REG_EOI, 0) == 0);
    CHECK("x2apic: SELF IPI is write-only", vlapic_read(v, APIC_REG_SELF_IPI, &val) == -1);
    CHECK("x2apic: ID is read-only", vlapic_write(v, APIC_REG_ID, 5) == -1);
    CHECK("x2apic: version is read-only", vlapic_write(v, APIC_REG_VERSION, 0) == -1);
    CHECK("x2apic: PPR is read-only", vlapic_write(v, APIC_REG_PPR, 0) == -1);
    CHECK("x2apic: LDR is read-only", vlapic_write(v, APIC_REG_LDR, 0) == -1);
    CHECK("x2apic: IRR is read-only", vlapic_write(v, APIC_REG_IRR, 0) == -1);
    CHECK("x2apic: current count is read-only", vlapic_write(v, APIC_REG_TIMER_CURRENT, 0) == -1);
    CHECK("x2apic: no DFR", vlapic_read(v, APIC_REG_DFR, &val) == -1);
    CHECK("x2apic: no ICR2", vlapic_read(v, APIC_REG_ICR2, &val) == -1);
    CHECK("x2apic: no APR", vlapic_read(v, APIC_REG_APR, &val) == -1);
    CHECK("x2apic: no CMCI LVT (max LVT 5)", vlapic_read(v, APIC_REG_CMCI, &val) == -1);
    CHECK("x2apic: reserved 0x804", vlapic_read(v, 0x04, &val) == -1);
    CHECK("x2apic: beyond 0x83f", vlapic_read(v, 0x40, &val) == -1 && vlapic_write(v, 0xff, 0) == -1);
    CHECK("x2apic: TPR reserved bits", vlapic_write(v, APIC_REG_TPR, 0x100) == -1);
    CHECK("x2apic: bits 63:32 of TPR", vlapic_write(v, APIC_REG_TPR, 1ull << 32) == -1);
    CHECK("x2apic: TPR takes 8 bits", vlapic_write(v, APIC_REG_TPR, 0x7f) == 0 &&
                                      rd(v, APIC_REG_TPR) == 0x7f);
    CHECK("x2apic: ESR takes only 0", vlapic_write(v, APIC_REG_ESR, 1) == -1);
    CHECK("x2apic: SVR reserved bit 12", vlapic_write(v, APIC_REG_SVR, 0x11ff) == -1);
    CHECK("x2apic: divide reserved bit 2", vlapic_write(v, APIC_REG_TIMER_DIVIDE, 4) == -1);
    CHECK("x2apic: LVT timer mode 3", vlapic_write(v, APIC_REG_LVT_TIMER, 3u << 17 | 0x40) == -1);
    CHECK("x2apic: LVT error delivery mode bits", vlapic_write(v, APIC_REG_LVT_ERROR, 0x400) == -1);
    CHECK("x2apic: SELF IPI reserved bits", vlapic_write(v, APIC_REG_SELF_IPI, 0x100) == -1);
    CHECK("x2apic: ICR reserved bit 12", vlapic_write(v, APIC_REG_ICR, 1u << 12 | 0x40) == -1);
    CHECK("x2apic: ICR is 64 bits", vlapic_write(v, APIC_REG_ICR, (2ull << 32) | 0x40) == 0 &&
                                    rd(v, APIC_REG_ICR) == ((2ull << 32) | 0x40) &&
                                    irr_has(&vcpus[2], 0x40) == false);      /* v2 is disabled */
    CHECK("x2apic: SELF IPI", vlapic_write(v, APIC_REG_SELF_IPI, 0x55) == 0 && irr_has(v, 0x55));
}

static void test_xapic_rules(void)
{
    setup();
    struct vcpu *v = &vcpus[1];
    enable(v);
    CHECK("xapic: ID write ignored", vlapic_write(v, APIC_REG_ID, 7u << 24) == 0 &&
                                     rd(v, APIC_REG_ID) == 1u << 24);
    CHECK("xapic: EOI reads 0", rd(v, APIC_REG_EOI) == 0);
    CHECK("xapic: LDR takes bits 31:24", vlapic_write(v, APIC_REG_LDR, 0x12345678) == 0 &&
                                         rd(v, APIC_REG_LDR) == 0x12000000);
    CHECK("xapic: DFR model bits only", vlapic_write(v, APIC_REG_DFR, 0) == 0 &&
                                        rd(v, APIC_REG_DFR) == 0x0fffffffu);
    CHECK("xapic: reserved bits dropped", vlapic_write(v, APIC_REG_TPR, 0x1234) == 0 &&
                                          rd(v, APIC_REG_TPR) == 0x34);
    CHECK("xapic: LVT timer mode 3 becomes one-shot",
          vlapic_write(v, APIC_REG_LVT_TIMER, 3u << 17 | 0x40) == 0 &&
          rd(v, APIC_REG_LVT_TIMER) == 0x40);
    CHECK("xapic: LVT delivery status is read-only",
          vlapic_write(v, APIC_REG_LVT_TIMER + LVT_LINT0, 1u << 12 | 1u << 14 | 0x30) == 0 &&
          rd(v, APIC_REG_LVT_TIMER + LVT_LINT0) == 0x30);
    CHECK("xapic: SELF IPI register is reserved", rd(v, APIC_REG_SELF_IPI) == 0);
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("xapic: reserved register sets ESR bit 7", rd(v, APIC_REG_ESR) == APIC_ESR_ILLEGAL_REG);
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("xapic: ESR cleared by the next write", rd(v, APIC_REG_ESR) == 0);
}

static void test_esr(void)
{
    setup();
    struct vcpu *v = &vcpus[0];
    enable(v);
    vlapic_write(v, APIC_REG_ICR, 0x05);                /* fixed, vector 5: illegal */
    CHECK("esr: not visible before a write", rd(v, APIC_REG_ESR) == 0);
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("esr: send-illegal after the write", rd(v, APIC_REG_ESR) == APIC_ESR_SEND_ILLEGAL);
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("esr: next write clears it", rd(v, APIC_REG_ESR) == 0);
    vlapic_write(v, APIC_REG_LVT_TIMER, 0x0a);          /* an illegal timer vector */
    vlapic_write(v, APIC_REG_LVT_ERROR, 0xe0);          /* errors interrupt at 0xe0 */
    vlapic_write(v, APIC_REG_TIMER_DIVIDE, 0xb);
    vlapic_write(v, APIC_REG_TIMER_INIT, 10);
    shim_now_ns += 100;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("esr: illegal vector raises the LVT error vector", irr_has(v, 0xe0) && !irr_has(v, 0x0a));
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("esr: receive-illegal", rd(v, APIC_REG_ESR) == APIC_ESR_RECEIVE_ILLEGAL);
    /* An illegal error vector: the error is latched once, no loop. */
    vlapic_write(v, APIC_REG_LVT_ERROR, 0x03);
    vlapic_set_irq(v, 1);
    vlapic_write(v, APIC_REG_ESR, 0);
    CHECK("esr: illegal error vector does not recurse", rd(v, APIC_REG_ESR) == APIC_ESR_RECEIVE_ILLEGAL);
}

static void test_priority(void)
{
    setup();
    struct vcpu *v = &vcpus[0];
    vlapic_set_irq(v, 0x51);
    CHECK("prio: software-disabled APIC accepts nothing", !irr_has(v, 0x51));
    enable(v);
    vlapic_write(v, APIC_REG_LVT_TIMER, 0x40);
    CHECK("prio: LVT writable once enabled", rd(v, APIC_REG_LVT_TIMER) == 0x40);
    vlapic_set_irq(v, 0x51);
    vlapic_write(v, APIC_REG_TPR, 0x50);
    CHECK("prio: TPR of the same class masks", vlapic_next_vector(v) == -1);
    CHECK("prio: PPR = TPR", rd(v, APIC_REG_PPR) == 0x50);
    vlapic_write(v, APIC_REG_TPR, 0x4f);
    CHECK("prio: lower TPR lets it in", vlapic_next_vector(v) == 0x51);
    vlapic_accept(v, 0x51);
    CHECK("prio: accepted moves IRR to ISR", !irr_has(v, 0x51) && (v->vlapic.isr[2] >> 17 & 1));
    CHECK("prio: PPR = ISR class", rd(v, APIC_REG_PPR) == 0x50);
    vlapic_set_irq(v, 0x52);
    CHECK("prio: same class waits for EOI", vlapic_next_vector(v) == -1);
    vlapic_set_irq(v, 0x61);
    CHECK("prio: higher class nests", vlapic_next_vector(v) == 0x61);
    vlapic_accept(v, 0x61);
    CHECK("prio: PPR 0x60", rd(v, APIC_REG_PPR) == 0x60);
    vlapic_write(v, APIC_REG_EOI, 0);
    CHECK("eoi: clears the highest ISR bit first", rd(v, APIC_REG_ISR + 3) == 0 &&
                                                   rd(v, APIC_REG_ISR + 2) == 1u << 17);
    CHECK("eoi: 0x52 still held by 0x51", vlapic_next_vector(v) == -1);
    vlapic_write(v, APIC_REG_EOI, 0);
    CHECK("eoi: then the next; 0x52 deliverable", rd(v, APIC_REG_ISR + 2) == 0 &&
                                                  vlapic_next_vector(v) == 0x52);
    vlapic_write(v, APIC_REG_EOI, 0);
    CHECK("eoi: with nothing in service, harmless", vlapic_next_vector(v) == 0x52);
    vlapic_write(v, APIC_REG_SVR, 0xff);
    CHECK("prio: software disable holds IRR", vlapic_next_vector(v) == -1 && irr_has(v, 0x52));
    CHECK("prio: software disable masks LVTs", rd(v, APIC_REG_LVT_TIMER) & APIC_LVT_MASKED);
    vlapic_write(v, APIC_REG_LVT_TIMER, 0x40);
    CHECK("prio: LVT stays masked while disabled", rd(v, APIC_REG_LVT_TIMER) & APIC_LVT_MASKED);
}

static void test_timer(void)
{
    setup();
    struct vcpu *v = &vcpus[0];
    enable(v);
    static const struct { uint32_t tdcr; uint64_t divisor; } div[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 },
        { 0xb, 1 },
    };
    bool all = true;
    for (unsigned i = 0; i < sizeof div / sizeof div[0]; i++) {
        vlapic_write(v, APIC_REG_TIMER_DIVIDE, div[i].tdcr);
        vlapic_write(v, APIC_REG_TIMER_INIT, 1000);
        all &= v->vlapic.timer_deadline_ns == shim_now_ns + 1000 * div[i].divisor;
    }
    CHECK("timer: every divide setting (1 GHz bus)", all);

    vlapic_write(v, APIC_REG_LVT_TIMER, 0x40);          /* one-shot, vector 0x40 */
    vlapic_write(v, APIC_REG_TIMER_DIVIDE, 0x0);        /* divide by 2 */
    unsigned before = shim_wake.timers_changed_calls;
    vlapic_write(v, APIC_REG_TIMER_INIT, 1000);
    uint64_t t0 = shim_now_ns;
    CHECK("oneshot: armed 2000 ns out", v->vlapic.timer_deadline_ns == t0 + 2000 &&
                                        shim_wake.timers_changed_calls == before + 1);
    shim_now_ns = t0 + 1000;
    CHECK("oneshot: current count halfway", rd(v, APIC_REG_TIMER_CURRENT) == 500);
    shim_now_ns = t0 + 1999;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("oneshot: not before its time", !irr_has(v, 0x40));
    shim_now_ns = t0 + 2000;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("oneshot: fires", irr_has(v, 0x40) && v->vlapic.timer_deadline_ns == 0);
    CHECK("oneshot: current count 0 after", rd(v, APIC_REG_TIMER_CURRENT) == 0);
    vlapic_accept(v, 0x40);
    vlapic_write(v, APIC_REG_EOI, 0);
    shim_now_ns += 100000;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("oneshot: fires once", !irr_has(v, 0x40));

    vlapic_write(v, APIC_REG_TIMER_INIT, 1000);
    vlapic_write(v, APIC_REG_TIMER_INIT, 0);
    CHECK("timer: initial count 0 stops it", v->vlapic.timer_deadline_ns == 0);

    /* Periodic, 100 us. */
    vlapic_write(v, APIC_REG_LVT_TIMER, APIC_TIMER_PERIODIC << 17 | 0x41);
    vlapic_write(v, APIC_REG_TIMER_DIVIDE, 0xb);
    vlapic_write(v, APIC_REG_TIMER_INIT, 100000);
    t0 = shim_now_ns;
    shim_now_ns = t0 + 100000;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("periodic: fires and re-arms", irr_has(v, 0x41) &&
                                         v->vlapic.timer_deadline_ns == t0 + 200000);
    vlapic_accept(v, 0x41);
    vlapic_write(v, APIC_REG_EOI, 0);
    shim_now_ns = t0 + 250000;
    CHECK("periodic: current count reloads", rd(v, APIC_REG_TIMER_CURRENT) == 50000);
    shim_now_ns = t0 + 1000000 + 10;                    /* ticks missed */
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("periodic: missed ticks merge into one", irr_has(v, 0x41) &&
                                                   v->vlapic.timer_deadline_ns == shim_now_ns + 100000);
    vlapic_write(v, APIC_REG_TIMER_INIT, 10);
    CHECK("periodic: at most every 50 us", v->vlapic.timer_deadline_ns == shim_now_ns + VLAPIC_PERIOD_MIN_NS);
    vlapic_write(v, APIC_REG_LVT_TIMER, APIC_TIMER_PERIODIC << 17 | APIC_LVT_MASKED | 0x41);
    vlapic_accept(v, 0x41);
    vlapic_write(v, APIC_REG_EOI, 0);
    shim_now_ns += VLAPIC_PERIOD_MIN_NS;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("periodic: masked counts on, no interrupt", !irr_has(v, 0x41) &&
                                                      v->vlapic.timer_deadline_ns > shim_now_ns);

    /* A short one-shot count turned periodic: re-armed no sooner than the floor. */
    vlapic_write(v, APIC_REG_LVT_TIMER, 0x41);
    vlapic_write(v, APIC_REG_TIMER_INIT, 1);
    vlapic_write(v, APIC_REG_LVT_TIMER, APIC_TIMER_PERIODIC << 17 | 0x41);
    shim_now_ns += 1;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("periodic: a one-shot count switched to periodic keeps the floor",
          v->vlapic.timer_deadline_ns >= shim_now_ns + VLAPIC_PERIOD_MIN_NS - 1);
    vlapic_accept(v, 0x41);
    vlapic_write(v, APIC_REG_EOI, 0);
    vlapic_write(v, APIC_REG_TIMER_INIT, 0);
    vlapic_write(v, APIC_REG_LVT_TIMER, APIC_TIMER_PERIODIC << 17 | APIC_LVT_MASKED | 0x41);

    /* TSC-deadline. */
    vlapic_tsc_deadline_write(v, arch_read_tsc() + 500);
    CHECK("tsc-deadline: ignored in periodic mode", vlapic_tsc_deadline_read(v) == 0);
    vlapic_write(v, APIC_REG_LVT_TIMER, APIC_TIMER_TSC_DEADLINE << 17 | 0x42);
    CHECK("tsc-deadline: mode change disarms", v->vlapic.timer_deadline_ns == 0);
    vlapic_write(v, APIC_REG_TIMER_INIT, 1000);
    CHECK("tsc-deadline: initial count ignored", v->vlapic.timer_deadline_ns == 0 &&
                                                 rd(v, APIC_REG_TIMER_CURRENT) == 0);
    uint64_t tsc = arch_read_tsc() + 5000;
    vlapic_tsc_deadline_write(v, tsc);
    CHECK("tsc-deadline: armed", vlapic_tsc_deadline_read(v) == tsc &&
                                 v->vlapic.timer_deadline_ns == shim_now_ns + 5000);
    shim_now_ns += 4999;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("tsc-deadline: not early", !irr_has(v, 0x42));
    shim_now_ns += 1;
    vlapic_timer_expire(v, shim_now_ns);
    CHECK("tsc-deadline: fires and the MSR reads 0", irr_has(v, 0x42) &&
                                                     vlapic_tsc_deadline_read(v) == 0);
    vlapic_tsc_deadline_write(v, 1);                    /* long past */
    CHECK("tsc-deadline: a past deadline fires at once",
          v->vlapic.timer_deadline_ns && v->vlapic.timer_deadline_ns <= shim_now_ns);
    vlapic_tsc_deadline_write(v, 0);
    CHECK("tsc-deadline: 0 disarms", v->vlapic.timer_deadline_ns == 0);
    vlapic_tsc_deadline_write(v, ~0ull);
    CHECK("tsc-deadline: far future does not wrap", v->vlapic.timer_deadline_ns > shim_now_ns);
    vlapic_write(v, APIC_REG_LVT_TIMER, 0x42);
    CHECK("tsc-deadline: leaving the mode disarms", v->vlapic.timer_deadline_ns == 0 &&
                                                    vlapic_tsc_deadline_read(v) == 0);
}

static void test_ipis(void)
{
    setup();
    struct vcpu *v0 = &vcpus[0], *v1 = &vcpus[1], *v2 = &vcpus[2];
    enable(v0);
    enable(v1);
    enable(v2);
    enable(&stranger);
    vlapic_write(v0, APIC_REG_ICR2, 1u << 24);
    vlapic_write(v0, APIC_REG_ICR, 0x60);
    CHECK("ipi: fixed physical to vCPU 1", irr_has(v1, 0x60) && !irr_has(v0, 0x60) &&
                                           !irr_has(v2, 0x60) && wakes == 1);
    CHECK("ipi: delivery status reads idle", !(rd(v0, APIC_REG_ICR) & (1u << 12)));
    vlapic_write(v0, APIC_REG_ICR, 1u << 18 | 0x61);
    CHECK("ipi: self shorthand", irr_has(v0, 0x61) && !irr_has(v1, 0x61));
    vlapic_write(v0, APIC_REG_ICR, 2u << 18 | 0x62);
    CHECK("ipi: all including self", irr_has(v0, 0x62) && irr_has(v1, 0x62) && irr_has(v2, 0x62));
    vlapic_write(v0, APIC_REG_ICR, 3u << 18 | 0x63);
    CHECK("ipi: all but self", !irr_has(v0, 0x63) && irr_has(v1, 0x63) && irr_has(v2, 0x63));
    vlapic_write(v0, APIC_REG_ICR2, 0xffu << 24);
    vlapic_write(v0, APIC_REG_ICR, 0x64);
    CHECK("ipi: physical broadcast 0xff", irr_has(v0, 0x64) && irr_has(v1, 0x64) && irr_has(v2, 0x64));
    CHECK("ipi: never beyond the domain", stranger.vlapic.irr[3] == 0 && stranger.vlapic.irr[2] == 0);
    vlapic_write(v0, APIC_REG_ICR2, 9u << 24);
    vlapic_write(v0, APIC_REG_ICR, 0x65);
    CHECK("ipi: no such APIC ID, no one", !irr_has(v0, 0x65) && !irr_has(v1, 0x65) && !irr_has(v2, 0x65));

    /* Logical, flat model: vCPU 1 is bit 1, vCPU 2 bit 2. */
    vlapic_write(v1, APIC_REG_LDR, 0x02000000);
    vlapic_write(v2, APIC_REG_LDR, 0x04000000);
    vlapic_write(v0, APIC_REG_ICR2, 0x06u << 24);
    vlapic_write(v0, APIC_REG_ICR, 1u << 11 | 0x66);
    CHECK("ipi: logical flat", irr_has(v1, 0x66) && irr_has(v2, 0x66) && !irr_has(v0, 0x66));
    /* Cluster model: cluster 1, members 1 and 2. */
    vlapic_write(v1, APIC_REG_DFR, 0x0fffffff);
    vlapic_write(v2, APIC_REG_DFR, 0x0fffffff);
    vlapic_write(v1, APIC_REG_LDR, 0x11000000);
    vlapic_write(v2, APIC_REG_LDR, 0x22000000);
    vlapic_write(v0, APIC_REG_ICR2, 0x11u << 24);
    vlapic_write(v0, APIC_REG_ICR, 1u << 11 | 0x67);
    CHECK("ipi: logical cluster", irr_has(v1, 0x67) && !irr_has(v2, 0x67));
    vlapic_write(v0, APIC_REG_ICR2, 1u << 24);
    vlapic_write(v0, APIC_REG_ICR, 1u << 8 | 0x68);    /* lowest priority */
    CHECK("ipi: lowest priority to the one target", irr_has(v1, 0x68));
    vlapic_write(v0, APIC_REG_ICR, 2u << 18 | 1u << 8 | 0x69);
    CHECK("ipi: lowest priority, all: one taker", irr_has(v0, 0x69) && !irr_has(v1, 0x69));

    vlapic_write(v1, APIC_REG_SVR, 0xff);               /* software-disabled */
    vlapic_write(v0, APIC_REG_ICR, 3u << 18 | 0x6a);
    CHECK("ipi: software-disabled target drops fixed", !irr_has(v1, 0x6a) && irr_has(v2, 0x6a));

    /* NMI (vCPU 1 still gets it, software-disabled or not). */
    vlapic_write(v0, APIC_REG_ICR2, 1u << 24);
    vlapic_write(v0, APIC_REG_ICR, 4u << 8);
    CHECK("ipi: NMI", v1->vlapic.nmi_pending && v1->vlapic.pending && !v2->vlapic.nmi_pending);
    CHECK("ipi: NMI taken once", vlapic_take_nmi(v1) && !vlapic_take_nmi(v1));
    vlapic_write(v0, APIC_REG_ICR, 1u << 18 | 4u << 8);
    CHECK("ipi: NMI to self (shorthand)", vlapic_take_nmi(v0) && !v1->vlapic.nmi_pending);

    /* x2APIC: physical by x2APIC ID, logical by cluster. */
    x2apic_on(v0);
    x2apic_on(v2);
    enable(v2);
    vlapic_write(v0, APIC_REG_ICR, (2ull << 32) | 0x70);
    CHECK("x2apic ipi: physical", irr_has(v2, 0x70) && !irr_has(v1, 0x70));
    vlapic_write(v0, APIC_REG_ICR, (0x00000004ull << 32) | 1u << 11 | 0x71);
    CHECK("x2apic ipi: logical cluster 0 bit 2", irr_has(v2, 0x71) && !irr_has(v1, 0x71));
    vlapic_write(v0, APIC_REG_ICR, (0x00010004ull << 32) | 1u << 11 | 0x72);
    CHECK("x2apic ipi: another cluster, no one", !irr_has(v2, 0x72));
    vlapic_write(v0, APIC_REG_ICR, (0xffffffffull << 32) | 0x73);
    CHECK("x2apic ipi: broadcast", irr_has(v0, 0x73) && irr_has(v2, 0x73));
}

static void test_init_sipi(void)
{
    setup();
    struct vcpu *v0 = &vcpus[0], *v1 = &vcpus[1], *v2 = &vcpus[2];
    enable(v0);
    v2->state = VCPU_DOWN;
    v2->initialised = false;
    vlapic_write(v0, APIC_REG_ICR2, 2u << 24);
    vlapic_write(v0, APIC_REG_ICR, 6u << 8 | 0x10);    /* SIPI before INIT */
    CHECK("sipi: ignored without INIT", sipis == 0 && v2->state == VCPU_DOWN);
    vlapic_write(v0, APIC_REG_ICR, 5u << 8 | 1u << 14);    /* INIT assert */
    CHECK("init: waits for SIPI", v2->vlapic.wait_for_sipi);
    vlapic_write(v0, APIC_REG_ICR, 6u << 8 | 0x10);
    CHECK("sipi: starts it at the vector", sipis == 1 && sipi_vector == 0x10 && bring_ups == 1 &&
                                           v2->state == VCPU_RUNNABLE && v2->initialised);
    vlapic_write(v0, APIC_REG_ICR, 6u << 8 | 0x20);
    CHECK("sipi: a second one does nothing", sipis == 1);
    vlapic_write(v0, APIC_REG_ICR2, 1u << 24);
    vlapic_write(v0, APIC_REG_ICR, 5u << 8 | 1u << 14);
    vlapic_write(v0, APIC_REG_ICR, 6u << 8 | 0x10);
    CHECK("init/sipi: a running vCPU ignores both", !v1->vlapic.wait_for_sipi && sipis == 1);
}

int main(void)
{
    test_reset_and_base();
    test_x2apic_rules();
    test_xapic_rules();
    test_esr();
    test_priority();
    test_timer();
    test_ipis();
    test_init_sipi();
    CHECK_DONE();
}
