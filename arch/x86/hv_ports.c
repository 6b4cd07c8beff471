/*
 * The hypervisor's ports (arch/hv_ports.h). Fixed legacy ports, the
 * console UART when the ACPI SPCR named another than COM1, plus the
 * ACPI PM1 control blocks when the FADT named them (arch/acpi.h): dom0 must
 * ask for power-off and reboot through the ABI, not write them itself.
 */
#include "arch/acpi.h"
#include "arch/hv_ports.h"
#include "arch/serial.h"
#include "hv/arch.h"
#include "hv/types.h"

struct port_range {
    uint16_t first, last;
    const char *owner;
};

static const struct port_range fixed[] = {
    { 0x0020, 0x0021, "the master PIC (the hypervisor keeps it masked)" },
    { 0x0040, 0x0043, "the PIT (the hypervisor's calibration timer)" },
    { 0x0060, 0x0060, "the keyboard controller (its reset line)" },
    { 0x0061, 0x0061, "port B (PIT gate, NMI status)" },
    { 0x0064, 0x0064, "the keyboard controller (its reset line)" },
    { 0x0092, 0x0092, "system control port A (fast reset)" },
    { 0x00a0, 0x00a1, "the slave PIC (the hypervisor keeps it masked)" },
    { 0x00e9, 0x00e9, "the hypervisor's debug console" },
    { 0x00f4, 0x00f4, "the emulator's exit port" },
    { 0x03f8, 0x03ff, "the hypervisor's serial port (COM1)" },
    { 0x0cf9, 0x0cf9, "the reset control register" },
    { 0x8900, 0x8900, "the emulator's shutdown port" },
};

/* PM1a/PM1b control blocks: 2 bytes each (ACPI 6.5, 4.8.3.2.1). */
static const char pm1_owner[] = "the ACPI PM1 control block (power-off, sleep)";

static bool in_pm1(uint16_t port, uint16_t base)
{
    return base && port >= base && port <= base + 1;
}

/* The console UART, when the ACPI SPCR moved it off COM1 (serial_choose.c). */
static const char console_owner[] = "the hypervisor's serial console (from the ACPI SPCR)";
#define UART_PORTS 8

const char *arch_port_owner(uint16_t port)
{
    uint16_t console = serial_port();
    if (console != SERIAL_COM1 && port >= console && port < console + UART_PORTS)
        return console_owner;
    for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++)
        if (port >= fixed[i].first && port <= fixed[i].last)
            return fixed[i].owner;
    if (in_pm1(port, acpi_power.pm1a_cnt) || in_pm1(port, acpi_power.pm1b_cnt))
        return pm1_owner;
    return NULL;
}

void hv_ports_each(void (*fn)(uint16_t first, uint16_t last, void *ctx), void *ctx)
{
    for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++)
        fn(fixed[i].first, fixed[i].last, ctx);
    if (serial_port() != SERIAL_COM1)
        fn(serial_port(), serial_port() + UART_PORTS - 1, ctx);
    if (acpi_power.pm1a_cnt)
        fn(acpi_power.pm1a_cnt, acpi_power.pm1a_cnt + 1, ctx);
    if (acpi_power.pm1b_cnt)
        fn(acpi_power.pm1b_cnt, acpi_power.pm1b_cnt + 1, ctx);
}
