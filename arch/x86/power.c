/*
 * Ending the run. Emulator exit ports first (each is a no-op where absent),
 * then ACPI S5, then a halt with the reason on the console.
 */
#include "arch/acpi.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"

#define BOCHS_SHUTDOWN_PORT 0x8900      /* the string "Shutdown" ends Bochs */
#define QEMU_DEBUG_EXIT_PORT 0xf4       /* isa-debug-exit: status (v << 1) | 1 */
#define QEMU_EXIT_VALUE 0x10     /* QEMU exits with status 0x21 */
#define PM1_SLP_EN (1u << 13)
#define RESET_CONTROL 0xcf9             /* the chipset's reset control register */
#define RESET_HARD    0x02              /* full reset, not an INIT of the CPUs */
#define RESET_DO      0x04
#define KBC_STATUS    0x64
#define KBC_INPUT_FULL 0x02
#define KBC_PULSE_RESET 0xfe
#define PM1_SLP_TYP_SHIFT 10

volatile bool machine_halting;

void halt_this_cpu(void)
{
    for (;;) {
        cli();
        hlt();
    }
}

/* Stop the other CPUs with an NMI, which gets through even with interrupts off. */
static void stop_other_cpus(void)
{
    if (__atomic_exchange_n(&machine_halting, true, __ATOMIC_SEQ_CST))
        return;
    for (uint32_t cpu = 0; cpu < cpus_online; cpu++)
        if (cpu != arch_cpu_id())
            lapic_send_ipi(percpus[cpu].apic_id, ICR_NMI);
}

void arch_halt_forever(const char *why)
{
    stop_other_cpus();
    printk("halting: %s\n", why);
    halt_this_cpu();
}

/*
 * The chipset's reset control register first (PCI-to-ISA bridges since the
 * PIIX: write the reset type, then set the reset bit), then the keyboard
 * controller's reset line, then a triple fault (an empty IDT).
 */
void arch_reboot(void)
{
    stop_other_cpus();
    printk("rebooting\n");
    outb(RESET_CONTROL, RESET_HARD);
    outb(RESET_CONTROL, RESET_HARD | RESET_DO);
    for (int i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
        pause();
    outb(KBC_STATUS, KBC_PULSE_RESET);
    struct descriptor_table_ptr none = { 0, 0 };
    lidt(&none);
    int3();                             /* no IDT: a triple fault resets */
    arch_halt_forever("reboot did not take effect; it is safe to reset the machine");
}

void arch_power_off(void)
{
    stop_other_cpus();
    printk("powering off\n");
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    outb(QEMU_DEBUG_EXIT_PORT, QEMU_EXIT_VALUE);
    if (acpi_power.valid) {
        outw(acpi_power.pm1a_cnt, (uint16_t)(acpi_power.slp_typ_a << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
        if (acpi_power.pm1b_cnt)
            outw(acpi_power.pm1b_cnt, (uint16_t)(acpi_power.slp_typ_b << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
    }
    arch_halt_forever("power-off did not take effect; it is safe to turn the machine off");
}
