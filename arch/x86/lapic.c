/* Local APIC (xAPIC MMIO): EOI and a one-shot timer calibrated against the PIT. */
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"

#define APIC_BASE_ADDR_MASK 0xffffff000ull
#define APIC_BASE_ENABLE    (1ull << 11)

enum lapic_reg {
    LAPIC_ID = 0x20, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0, LAPIC_ICR_LOW = 0x300,
    LAPIC_ICR_HIGH = 0x310, LAPIC_LVT_TIMER = 0x320,
    LAPIC_TIMER_INIT = 0x380, LAPIC_TIMER_CUR = 0x390, LAPIC_TIMER_DIV = 0x3e0,
};
#define SVR_ENABLE     0x100
#define LVT_MASKED     0x10000
#define TIMER_DIV_16   0x3
#define CALIBRATE_US   10000
#define ICR_PENDING    (1u << 12)       /* delivery status: send pending */
#define ICR_DEST_SHIFT 24

static volatile uint32_t *lapic;
static uint64_t timer_hz;               /* LAPIC timer ticks per second at div 16 */
static volatile uint64_t timer_interrupts;

static uint32_t lapic_read(enum lapic_reg r) { return lapic[r / 4]; }
static void lapic_write(enum lapic_reg r, uint32_t v) { lapic[r / 4] = v; }

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
    lapic = phys_to_virt(base & APIC_BASE_ADDR_MASK);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
}

uint32_t lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
        pause();
    lapic_write(LAPIC_ICR_HIGH, apic_id << ICR_DEST_SHIFT);
    lapic_write(LAPIC_ICR_LOW, icr_low);
    while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
        pause();
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_calibrate(void)
{
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    pit_wait_us(CALIBRATE_US);
    uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    timer_hz = (uint64_t)elapsed * (1000000 / CALIBRATE_US);
}

uint64_t lapic_timer_hz(void)
{
    return timer_hz;
}

void lapic_timer_oneshot(uint64_t ns)
{
    /* A guest's timer may be centuries away: ns * timer_hz must not wrap. */
    uint64_t ticks = timer_hz && ns > UINT64_MAX / timer_hz ? UINT64_MAX
                                                            : ns * timer_hz / 1000000000ull;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffff)
        ticks = 0xffffffff;
    lapic_write(LAPIC_LVT_TIMER, VECTOR_LAPIC_TIMER);       /* one-shot, unmasked */
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

void lapic_timer_interrupt(void)
{
    timer_interrupts++;
    lapic_eoi();
}

uint64_t lapic_timer_fired(void)
{
    return timer_interrupts;
}
