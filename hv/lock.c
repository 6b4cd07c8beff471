/* The hypervisor lock (hv/lock.h). */
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/spinlock.h"
#include "hv/watchdog.h"

static struct spinlock hypervisor_lock = SPINLOCK_INIT;

void hv_lock(void)
{
    if (spin_held_here(&hypervisor_lock))
        panic("hypervisor lock taken twice on cpu %u", arch_cpu_id());
    if (!spin_trylock(&hypervisor_lock))
        watchdog_spin_lock(&hypervisor_lock, arch_cpu_id(), "waiting for the hypervisor lock");
}

void hv_unlock(void)
{
    spin_unlock(&hypervisor_lock);
}

uint32_t hv_lock_holder(void)
{
    return hypervisor_lock.owner;
}
