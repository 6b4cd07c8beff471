/*
 * Per-vCPU data. Each vCPU's GS base points at its own struct cpu, whose
 * first word points at itself, so this_cpu() is one load through GS.
 */
#ifndef GUEST_PERCPU_H
#define GUEST_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include <public/shared_info.h>

#include "arch.h"

/* vCPUs this kernel can run: Mica's MAX_VCPUS_PER_DOMAIN. */
#define MAX_VCPUS 8
#define MSR_GS_BASE 0xC0000101u

struct trap_catch;

struct cpu {
    struct cpu *self;               /* first: this_cpu() loads it through GS */
    uint32_t id;                    /* our vCPU id */
    struct vcpu_info *vcpu_info;    /* where the hypervisor puts our events and time */
    struct trap_catch *trap_catch;  /* armed trap catch (idt.h), or NULL */
    bool absorb_debug_traps;        /* a stray #DB resets DR7 and goes on (idt.h) */
    uint64_t debug_traps_absorbed;
};

extern struct cpu cpus[MAX_VCPUS];

/* Make cpus[id] the calling vCPU's (its GS base); first thing on every vCPU. */
void percpu_init(uint32_t id);

static inline struct cpu *this_cpu(void)
{
    return gs_pointer_at_0();
}

#endif
