/* The hypervisor console: every line the hypervisor prints goes through here. */
#include "hv/printk.h"
#include "hv/string.h"
#include "hv/arch.h"

void console_write(const char *s, size_t len)
{
    arch_console_write(s, len);
}

void printk(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof line)
        n = sizeof line - 1;
    console_write("(mica) ", 7);
    console_write(line, n);
}
