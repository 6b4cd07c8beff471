#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdint.h>

void lapic_init(void);
void lapic_eoi(void);
/* Calibrated against the PIT; arm a one-shot interrupt `ns` from now. */
void lapic_timer_calibrate(void);
void lapic_timer_oneshot(uint64_t ns);
uint64_t lapic_timer_hz(void);
void lapic_timer_interrupt(void);
uint64_t lapic_timer_fired(void);

/* PIT channel 2 as a reference clock: busy-wait `us` microseconds. */
void pit_wait_us(uint32_t us);

#endif
