/*
 * The hypervisor lock. Guests run in parallel on every CPU, but the
 * hypervisor's own work (exit handling, hypercalls, scheduling, timers) runs
 * under this one lock: a CPU takes it right after a VM exit and drops it
 * right before the next VM entry or before halting. Every structure in hv/
 * is therefore touched by one CPU at a time. docs/architecture.md explains
 * the choice and its cost.
 */
#ifndef HV_LOCK_H
#define HV_LOCK_H

#include "hv/types.h"

void hv_lock(void);
void hv_unlock(void);
/* The CPU holding it, or UINT32_MAX (for the watchdog's report). */
uint32_t hv_lock_holder(void);

#endif
