/* Early bring-up of the boot CPU: console, GDT/TSS, IDT. */
#include "arch/cpu.h"
#include "arch/serial.h"
#include "hv/arch.h"

void arch_early_init(void)
{
    serial_init();
    gdt_init();
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
