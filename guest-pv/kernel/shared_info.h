/*
 * The shared-info page and each vCPU's vcpu_info (public/shared_info.h):
 * event-channel bits, the pvclock and the wall clock, written by the
 * hypervisor into pages of our own .bss.
 */
#ifndef GUEST_SHARED_INFO_H
#define GUEST_SHARED_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include <public/shared_info.h>

#include "percpu.h"

extern struct shared_info *shared_info;

/* Map shared_info and register vCPU 0's vcpu_info; false (after printing why) on failure. */
bool shared_info_init(void);
/* Register vCPU `id`'s vcpu_info in our page (before it comes up); 0 or -errno. */
long shared_info_register_vcpu(uint32_t id);

/* The calling vCPU's vcpu_info. */
static inline struct vcpu_info *this_vcpu_info(void)
{
    return this_cpu()->vcpu_info;
}

#endif
