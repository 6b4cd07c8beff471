/* Early bring-up of the boot CPU: console, GDT/TSS, IDT. */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/serial.h"
#include "hv/arch.h"

void arch_early_init(void)
{
    gdt_init(0);
    percpu_init(0, 0);          /* after the segment loads, which clear the GS base */
    serial_init();
    idt_init();
}

void arch_console_write(const char *s, size_t len)
{
    serial_write(s, len);
}

int arch_console_getc(void)
{
    return serial_read_byte();
}
