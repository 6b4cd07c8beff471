/*
 * Time: the TSC is the clock (calibrated against the PIT); the LAPIC timer
 * wakes an idle CPU. Inside Bochs one TSC tick is one emulated instruction.
 */
#include "arch/lapic.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"

#define CALIBRATE_US 10000
#define SELFTEST_NS  1000000ull

static uint64_t tsc_hz;
static uint64_t tsc_at_boot;

uint64_t arch_tsc_hz(void)
{
    return tsc_hz;
}

uint64_t arch_now_ns(void)
{
    uint64_t t = rdtsc() - tsc_at_boot;
    /* Split to avoid overflow: seconds part, then the remainder. */
    return (t / tsc_hz) * 1000000000ull + (t % tsc_hz) * 1000000000ull / tsc_hz;
}

void arch_timer_init(void)
{
    uint64_t t0 = rdtsc();
    pit_wait_us(CALIBRATE_US);
    tsc_hz = (rdtsc() - t0) * (1000000 / CALIBRATE_US);
    tsc_at_boot = rdtsc();

    lapic_init();
    lapic_timer_calibrate();

    /* Prove the timer interrupt path works before anything depends on it. */
    uint64_t before = lapic_timer_fired();
    lapic_timer_oneshot(SELFTEST_NS);
    while (lapic_timer_fired() == before)
        sti_hlt();
    printk("timer: TSC %lu Hz, LAPIC timer %lu Hz, one-shot interrupt ok\n", tsc_hz,
           lapic_timer_hz());
}
