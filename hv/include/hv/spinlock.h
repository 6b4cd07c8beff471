/*
 * A test-and-test-and-set spin lock. Waiters spin on a plain load, so the
 * cache line is only fought over when the lock is released.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include "hv/arch.h"
#include "hv/types.h"

#define SPIN_UNOWNED UINT32_MAX

struct spinlock {
    volatile uint32_t locked;
    volatile uint32_t owner;            /* CPU holding it, SPIN_UNOWNED: for checks */
};
#define SPINLOCK_INIT { 0, SPIN_UNOWNED }

static inline bool spin_trylock(struct spinlock *l)
{
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        return false;
    l->owner = arch_cpu_id();
    return true;
}

static inline void spin_lock(struct spinlock *l)
{
    while (!spin_trylock(l))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
    l->owner = SPIN_UNOWNED;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_held_here(const struct spinlock *l)
{
    return l->locked && l->owner == arch_cpu_id();
}

#endif
