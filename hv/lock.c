/* The hypervisor lock (hv/lock.h). */
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/spinlock.h"

static struct spinlock hypervisor_lock = SPINLOCK_INIT;

void hv_lock(void)
{
    if (spin_held_here(&hypervisor_lock))
        panic("hypervisor lock taken twice on cpu %u", arch_cpu_id());
    spin_lock(&hypervisor_lock);
}

void hv_unlock(void)
{
    spin_unlock(&hypervisor_lock);
}
