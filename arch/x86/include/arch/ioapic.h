/*
 * The IOAPIC (Intel 82093AA datasheet) that serves GSIs 0-23: the
 * hypervisor routes each line the device owner binds to a vector of its
 * own on the boot CPU, and masks the 8259 PICs for good.
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* GSI n arrives as vector VECTOR_GSI_BASE + n (below the timer's class, 0x20). */
#define VECTOR_GSI_BASE 0x30
#define IOAPIC_MAX_PINS 24

/* Find it (MADT, else the standard 0xFEC00000), mask every pin and the PICs. */
void ioapic_init(void);
uint32_t ioapic_pins(void);
/* Route gsi to VECTOR_GSI_BASE + gsi on `apic_id`, masked. */
void ioapic_route(uint32_t gsi, bool level, bool active_low, uint32_t apic_id);
void ioapic_mask(uint32_t gsi, bool masked);
bool ioapic_is_level(uint32_t gsi);
/* What the firmware set in the chipset's ELCR (ports 0x4D0/0x4D1): ISA IRQ
 * `irq` is level-triggered (a PCI line routed to it). */
bool elcr_level(uint32_t irq);
/* The interrupt path of a GSI vector (gsi.c). */
void gsi_interrupt(uint32_t vector);

#endif
