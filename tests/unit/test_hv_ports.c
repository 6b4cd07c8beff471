/*
 * The hypervisor's I/O ports (arch/x86/hv_ports.c): COM1 always, and the
 * console UART too once the ACPI SPCR has moved it elsewhere, both by
 * arch_port_owner and in the ranges the I/O bitmap is built from.
 */
#include <string.h>
#include "check.h"
#include "arch/acpi.h"
#include "arch/hv_ports.h"
#include "arch/serial.h"
#include "hv/arch.h"

CHECK_SUITE("hv_ports");

struct acpi_power acpi_power;
static uint16_t console = SERIAL_COM1;

uint16_t serial_port(void)
{
    return console;
}

/* Whether hv_ports_each reports a range covering first..last. */
struct want { uint16_t first, last; int found; };

static void match(uint16_t first, uint16_t last, void *ctx)
{
    struct want *w = ctx;
    if (first <= w->first && last >= w->last)
        w->found++;
}

static int listed(uint16_t first, uint16_t last)
{
    struct want w = { first, last, 0 };
    hv_ports_each(match, &w);
    return w.found;
}

int main(void)
{
    CHECK("com1-kept", arch_port_owner(0x3f8) && arch_port_owner(0x3ff) && listed(0x3f8, 0x3ff));
    CHECK("com2-free-without-spcr", !arch_port_owner(0x2f8) && !listed(0x2f8, 0x2f8));

    console = 0x2f8;                    /* the SPCR moved the console to COM2 */
    CHECK("console-ports-kept", arch_port_owner(0x2f8) && arch_port_owner(0x2ff) &&
                                    strstr(arch_port_owner(0x2fa), "SPCR"));
    CHECK("console-range-listed-once", listed(0x2f8, 0x2ff) == 1);
    CHECK("past-the-console-free", !arch_port_owner(0x2f7) && !arch_port_owner(0x300));
    CHECK("com1-still-kept", arch_port_owner(0x3f8) && listed(0x3f8, 0x3ff));
    return check_failures != 0;
}
