/*
 * What each physical CPU keeps for itself. The host GS base of every CPU
 * points at its own struct percpu, so this_cpu() is one load from %gs:0.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "mica/bootinfo.h"

#define MAX_DOMAINS_TRACKED 32          /* = MAX_DOMAINS (hv/domain.h) */

struct vcpu;
struct domain;

struct percpu {
    struct percpu *self;                /* %gs:0 */
    uint32_t index;                     /* the scheduler's CPU number; 0 = boot CPU */
    uint32_t apic_id;
    volatile bool online;               /* checked in and running the hypervisor */
    /* VMX: the vCPU whose VMCS is current and whose FPU/MSR state is loaded. */
    struct vcpu *loaded_vcpu;
    /* The domain one of whose vCPUs is in guest mode here (set before entry
     * under the hypervisor lock, cleared right after exit): EPT shootdowns
     * wait for it to change. */
    struct domain *volatile in_guest;
    /* The watchdog's tick (timer.c): the LAPIC timer fires by next_tick_ns. */
    uint64_t tick_period_ns;            /* 0: no tick */
    uint64_t next_tick_ns;
    uint64_t vm_exits;                  /* since boot, under the hypervisor lock */
    /* The EPT generation of each domain this CPU last flushed (vcpu.c). */
    uint64_t ept_seen[MAX_DOMAINS_TRACKED];
};

extern struct percpu percpus[MICA_MAX_CPUS];
extern uint32_t cpus_online;

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* Point GS at percpus[index] (each CPU, first thing). */
void percpu_init(uint32_t index, uint32_t apic_id);

#endif
