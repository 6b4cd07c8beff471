/* The hypervisor lock (hv/lock.h). */
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/spinlock.h"
#include "hv/watchdog.h"

static struct spinlock hypervisor_lock = SPINLOCK_INIT;

/* Interrupts are off in the hypervisor, so no timer tick reaches a CPU that
 * waits here: the wait itself looks for a holder that never lets go. */
static void __attribute__((noinline)) wait_for_lock(uint32_t cpu)
{
    watchdog_doing(cpu, "waiting for the hypervisor lock");
    while (!spin_trylock(&hypervisor_lock))
        while (__atomic_load_n(&hypervisor_lock.locked, __ATOMIC_RELAXED)) {
            arch_cpu_relax();
            watchdog_check(cpu);
        }
    watchdog_doing(cpu, NULL);
}

void hv_lock(void)
{
    if (spin_held_here(&hypervisor_lock))
        panic("hypervisor lock taken twice on cpu %u", arch_cpu_id());
    if (!spin_trylock(&hypervisor_lock))
        wait_for_lock(arch_cpu_id());
}

void hv_unlock(void)
{
    spin_unlock(&hypervisor_lock);
}

uint32_t hv_lock_holder(void)
{
    return hypervisor_lock.owner;
}
