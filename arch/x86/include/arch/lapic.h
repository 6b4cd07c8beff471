#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdint.h>

void lapic_init(void);
void lapic_eoi(void);
/* This CPU's local APIC ID (xAPIC: bits 31:24 of the ID register). */
uint32_t lapic_id(void);
/* Send an IPI (SDM 3A 11.6.1): `icr_low` holds vector, delivery mode, level. */
#define ICR_FIXED      0x4000u          /* fixed delivery, level assert */
#define ICR_INIT       0x4500u          /* INIT, level assert */
#define ICR_STARTUP    0x4600u          /* Startup IPI: OR in the page number */
#define ICR_NMI        0x4400u          /* NMI, level assert */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
/* Calibrated against the PIT; arm a one-shot interrupt `ns` from now. */
void lapic_timer_calibrate(void);
void lapic_timer_oneshot(uint64_t ns);
uint64_t lapic_timer_hz(void);
void lapic_timer_interrupt(void);
uint64_t lapic_timer_fired(void);
/* Every LAPIC timer interrupt (timer.c): counts it, re-arms the watchdog's tick. */
void timer_interrupt(void);

/* PIT channel 2 as a reference clock: busy-wait `us` microseconds. */
void pit_wait_us(uint32_t us);

#endif
