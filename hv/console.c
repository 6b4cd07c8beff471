/* The hypervisor console: every line the hypervisor prints goes through here. */
#include "hv/printk.h"
#include "hv/string.h"
#include "hv/arch.h"
#include "hv/spinlock.h"

/* Whole lines from different CPUs never interleave. A CPU that faults while
 * printing (or prints from a fault report) already holds it: no deadlock. */
static struct spinlock console_lock = SPINLOCK_INIT;

void console_write(const char *s, size_t len)
{
    arch_console_write(s, len);
}

static void write_locked(const char *prefix, const char *s, size_t len)
{
    bool mine = spin_held_here(&console_lock);
    if (!mine)
        spin_lock(&console_lock);
    console_write(prefix, strlen(prefix));
    console_write(s, len);
    if (!mine)
        spin_unlock(&console_lock);
}

void console_write_whole(const char *s, size_t len)
{
    write_locked("", s, len);
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
    write_locked("(mica) ", line, (size_t)n);
}
