/*
 * System time (ns since the hypervisor booted, from the TSC), the guest's
 * pvclock records, wall-clock time, one-shot timers and runstate accounting.
 */
#ifndef HV_TIME_H
#define HV_TIME_H

#include "hv/domain.h"

/* Read the CMOS wall clock once and compute the pvclock scale. */
void time_init(void);
uint64_t time_now_ns(void);
/* Refresh v's vcpu_time_info (version odd while writing). */
void time_update_vcpu(struct vcpu *v);
/* Write the wall clock into a domain's shared_info. */
void time_update_wallclock(struct domain *d);

/* Arm (deadline > 0) or stop (0) v's one-shot timer. */
void timer_set(struct vcpu *v, uint64_t deadline_ns);
/* Earliest armed deadline among all vCPUs (timers and poll timeouts), 0 if none. */
uint64_t timer_next_deadline(void);
/* Fire every timer whose deadline has passed. */
void timer_fire_expired(void);

/* Move v to a RUNSTATE_* state, accounting the time spent in the old one. */
void runstate_change(struct vcpu *v, int new_state);
/* Copy v's runstate to its registered guest area, if any (v must be loaded). */
void runstate_publish(struct vcpu *v);

#endif
