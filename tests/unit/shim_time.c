/*
 * The arch clock for the real hv/time.c in host tests (see shim_guest.h):
 * system time is whatever the test puts in shim_now_ns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "shim_guest.h"
#include "hv/arch.h"
#include "hv/printk.h"

uint64_t shim_now_ns = SHIM_TIME_START;

void shim_time_reset(void)
{
    shim_now_ns = SHIM_TIME_START;
    shim_printk_text[0] = 0;
}

uint64_t arch_now_ns(void)
{
    return shim_now_ns;
}

/* 1 tick per ns: ((tsc - boot) << 1) * 2^31 >> 32 == tsc - boot. */
uint64_t arch_read_tsc(void)
{
    return shim_now_ns + SHIM_TSC_AT_BOOT;
}

void arch_time_scale(uint32_t *mul, int8_t *shift, uint64_t *tsc_at_boot)
{
    *mul = SHIM_TSC_MUL;
    *shift = SHIM_TSC_SHIFT;
    *tsc_at_boot = SHIM_TSC_AT_BOOT;
}

uint64_t arch_tsc_hz(void)
{
    return 1000000000ull;
}

uint64_t arch_wallclock_seconds(void)
{
    return SHIM_WALLCLOCK;
}
