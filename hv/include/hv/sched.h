/* The scheduler: which vCPU runs next on this CPU. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "hv/types.h"

#define SCHED_DEFAULT_TIMESLICE_MS 10

void sched_set_timeslice_ms(uint32_t ms);
/*
 * Run domains until every one has ended; then print the summary, the free
 * frame count against `frames_free_at_start` (they must match: destroying a
 * domain returns every frame), and power off.
 */
void sched_run(uint64_t frames_free_at_start) __attribute__((noreturn));

#endif
