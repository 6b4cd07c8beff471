/* The hypervisor console: every line the hypervisor prints goes through here. */
#include "hv/printk.h"
#include "hv/console_log.h"
#include "hv/domain_console.h"
#include "hv/string.h"
#include "hv/arch.h"
#include "hv/spinlock.h"
#include "hv/watchdog.h"

/* Whole lines from different CPUs never interleave. A CPU that faults while
 * printing (or prints from a fault report) already holds it: no deadlock. */
static struct spinlock console_lock = SPINLOCK_INIT;

void console_write(const char *s, size_t len)
{
    console_log_append(s, len);
    arch_console_write(s, len);
}

/* During a watchdog report the console belongs to one CPU at a time, which
 * prints without the lock: the CPU being reported may hold the lock forever.
 * Others wait (the report ends in power-off); one already printing a line
 * when the report starts may interleave with it. */
static volatile uint32_t console_owner = SPIN_UNOWNED;

uint32_t console_lock_holder(void)
{
    return console_lock.owner;
}

void console_hand_to(uint32_t cpu)
{
    __atomic_store_n(&console_owner, cpu, __ATOMIC_SEQ_CST);
}

static void write_locked(const char *prefix, const char *s, size_t len)
{
    if (console_owner != SPIN_UNOWNED) {
        while (console_owner != arch_cpu_id())
            arch_cpu_relax();
        console_write(prefix, strlen(prefix));
        console_write(s, len);
        return;
    }
    bool mine = spin_held_here(&console_lock);
    if (!mine && !spin_trylock(&console_lock))
        watchdog_spin_lock(&console_lock, arch_cpu_id(), "waiting for the console lock");
    console_write(prefix, strlen(prefix));
    console_write(s, len);
    if (!mine)
        spin_unlock(&console_lock);
    watchdog_progress(arch_cpu_id());   /* a line out is work done, lock held or not */
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
    domain_console_break_live();        /* not onto dom0's prompt line */
    write_locked("(mica) ", line, (size_t)n);
}
