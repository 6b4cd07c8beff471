/*
 * Which UART is the hypervisor's console: the one the ACPI SPCR names, when
 * it is a 16550 in I/O space; otherwise COM1 at 115200, where the console
 * has run since the first line. The console drives port I/O only, so an
 * MMIO UART is reported and left alone (docs/architecture.md, "Console").
 */
#include "arch/acpi.h"
#include "arch/serial.h"
#include "arch/spcr.h"
#include "hv/printk.h"

static bool moved;
static bool spcr_has_gsi;
static uint32_t spcr_gsi;

bool serial_console_gsi(uint32_t *gsi)
{
    *gsi = spcr_gsi;
    return moved && spcr_has_gsi;
}

void serial_choose(void)
{
    static const char fallback[] = "COM1 0x3f8 at 115200";
    uint32_t len;
    const void *t = acpi_table("SPCR", &len);
    if (!t) {
        printk("console: %s (no valid ACPI SPCR table)\n", fallback);
        return;
    }
    struct spcr_uart u;
    const char *why;
    if (spcr_parse(t, len, &u, &why)) {
        printk("console: %s (the ACPI SPCR is unusable: %s)\n", fallback, why);
        return;
    }
    if (u.mmio) {
        printk("console: %s (the ACPI SPCR names an MMIO UART at 0x%lx; the console "
               "drives port I/O only)\n", fallback, u.base);
        return;
    }
    if (u.reg_bits && u.reg_bits != 8) {
        printk("console: %s (the ACPI SPCR names an I/O UART with %u-bit registers)\n",
               fallback, u.reg_bits);
        return;
    }
    uint16_t base = (uint16_t)u.base;
    if (base != SERIAL_COM1 || u.divisor != SERIAL_DIVISOR_115200) {
        printk("console: moving to the ACPI SPCR's UART\n");
        serial_use(base, (uint16_t)u.divisor);
    }
    moved = base != SERIAL_COM1;
    spcr_has_gsi = u.has_gsi;
    spcr_gsi = u.gsi;
    if (u.baud)
        printk("console: I/O port 0x%x at %u baud (from the ACPI SPCR)\n", base, u.baud);
    else if (moved)
        printk("console: I/O port 0x%x at the firmware's baud rate (from the ACPI SPCR)\n",
               base);
    else    /* serial_init programmed COM1 before the tables could be read */
        printk("console: %s (the ACPI SPCR names COM1 and keeps the rate as set)\n", fallback);
}
