/*
 * Device interrupt lines (GSIs) for hv/pirq.c: which ones the hypervisor
 * keeps, how a line is routed, and the interrupt path. A level-triggered
 * line is masked before the LAPIC's EOI, so it cannot fire again until the
 * device owner has serviced the device and sent PHYSDEVOP_eoi; an edge line
 * is never masked while bound, so none of its edges is lost.
 */
#include "arch/ioapic.h"
#include "arch/lapic.h"
#include "arch/percpu.h"
#include "arch/serial.h"
#include "hv/arch.h"
#include "hv/pirq.h"

void arch_irq_init(void)
{
    ioapic_init();
}

uint32_t arch_gsi_count(void)
{
    return ioapic_pins();
}

const char *arch_gsi_owner(uint32_t gsi)
{
    uint32_t console;
    if (serial_console_gsi(&console) && gsi == console)
        return "the hypervisor's serial console (from the ACPI SPCR)";
    switch (gsi) {
    case 0:
    case 2:
        return "the PIT and the PIC cascade";
    case 4:
        return "the hypervisor's serial port (COM1)";
    default:
        return NULL;
    }
}

bool arch_gsi_default_level(uint32_t gsi)
{
    return elcr_level(gsi);
}

void arch_gsi_route(uint32_t gsi, bool level, bool active_low)
{
    ioapic_route(gsi, level, active_low, percpus[0].apic_id);
}

void arch_gsi_mask(uint32_t gsi, bool masked)
{
    ioapic_mask(gsi, masked);
}

void gsi_interrupt(uint32_t vector)
{
    uint32_t gsi = vector - VECTOR_GSI_BASE;
    if (ioapic_is_level(gsi))
        ioapic_mask(gsi, true);
    lapic_eoi();
    pirq_raised(gsi);
}
