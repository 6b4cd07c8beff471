/*
 * Time: the TSC is the clock (calibrated against the PIT); the LAPIC timer
 * wakes an idle CPU. Inside Bochs one TSC tick is one emulated instruction.
 * System time is the pvclock formula applied to the TSC, so the hypervisor
 * and its guests agree on every nanosecond.
 */
#include "arch/lapic.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/watchdog.h"

#define CALIBRATE_US 10000
#define SELFTEST_NS  1000000ull
#define NS_PER_SEC   1000000000ull

static uint64_t tsc_hz;
static uint64_t tsc_at_boot;
static uint32_t scale_mul;
static int8_t scale_shift;

uint64_t arch_tsc_hz(void)
{
    return tsc_hz;
}

uint64_t arch_read_tsc(void)
{
    return rdtsc();
}

void arch_time_scale(uint32_t *mul, int8_t *shift, uint64_t *boot)
{
    *mul = scale_mul;
    *shift = scale_shift;
    *boot = tsc_at_boot;
}

/*
 * Choose shift so that the scaled frequency lies in (1 GHz, 2 GHz]; then
 * mul = 2^32 * 1 GHz / scaled frequency fits in 32 bits.
 */
static void compute_scale(uint64_t hz)
{
    int8_t shift = 0;
    while (hz > 2 * NS_PER_SEC) {
        hz >>= 1;
        shift--;
    }
    while (hz <= NS_PER_SEC) {
        hz <<= 1;
        shift++;
    }
    scale_mul = (uint32_t)((NS_PER_SEC << 32) / hz);
    scale_shift = shift;
}

uint64_t arch_now_ns(void)
{
    uint64_t d = rdtsc() - tsc_at_boot;
    d = scale_shift >= 0 ? d << scale_shift : d >> -scale_shift;
    return (uint64_t)(((unsigned __int128)d * scale_mul) >> 32);
}

void arch_idle_until(uint64_t deadline_ns)
{
    struct percpu *pc = this_cpu();
    if (pc->tick_period_ns && (!deadline_ns || pc->next_tick_ns < deadline_ns))
        deadline_ns = pc->next_tick_ns;         /* wake for the tick at the latest */
    if (deadline_ns) {
        uint64_t now = arch_now_ns();
        lapic_timer_oneshot(deadline_ns > now ? deadline_ns - now : 1);
    }
    sti_hlt();
}

/*
 * The watchdog's tick. The LAPIC timer is one-shot and also ends idle
 * halts, so the rule is: it is always armed for the next tick or earlier,
 * and every timer interrupt arms it for the next tick again. A CPU running
 * a guest takes the interrupt as a VM exit, so it comes back this often too.
 */
void arch_tick_start(uint64_t period_ns)
{
    struct percpu *pc = this_cpu();
    pc->tick_period_ns = period_ns;
    pc->next_tick_ns = arch_now_ns() + period_ns;
    lapic_timer_oneshot(period_ns);
}

void timer_interrupt(void)
{
    struct percpu *pc = this_cpu();
    lapic_timer_interrupt();
    if (!pc->tick_period_ns)
        return;
    uint64_t now = arch_now_ns();
    if (now >= pc->next_tick_ns)
        pc->next_tick_ns = now + pc->tick_period_ns;
    lapic_timer_oneshot(pc->next_tick_ns - now);
    watchdog_check(pc->index);
}

void arch_timer_init(void)
{
    uint64_t t0 = rdtsc();
    pit_wait_us(CALIBRATE_US);
    tsc_hz = (rdtsc() - t0) * (1000000 / CALIBRATE_US);
    tsc_at_boot = rdtsc();
    compute_scale(tsc_hz);

    lapic_init();
    lapic_timer_calibrate();

    /* Prove the timer interrupt path works before anything depends on it. */
    uint64_t before = lapic_timer_fired();
    lapic_timer_oneshot(SELFTEST_NS);
    while (lapic_timer_fired() == before)
        sti_hlt();
    printk("timer: TSC %lu Hz (pvclock mul 0x%x shift %d), LAPIC timer %lu Hz, "
           "one-shot interrupt ok\n", tsc_hz, scale_mul, scale_shift, lapic_timer_hz());
}
