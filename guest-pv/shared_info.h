/*
 * The shared-info page and this vCPU's vcpu_info (public/shared_info.h):
 * event-channel bits, the pvclock and the wall clock, written by the
 * hypervisor into pages of our own .bss.
 */
#ifndef GUEST_SHARED_INFO_H
#define GUEST_SHARED_INFO_H

#include <stdbool.h>

#include <public/shared_info.h>

extern struct shared_info *shared_info;
/* vcpu_info of vCPU 0: its slot in shared_info until our own page is registered. */
extern struct vcpu_info *vcpu_info;

/* Map shared_info and register vcpu_info; false (after printing why) on failure. */
bool shared_info_init(void);

#endif
