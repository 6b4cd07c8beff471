/* The scheduler: which vCPU runs next on this CPU. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "hv/types.h"

#define SCHED_DEFAULT_TIMESLICE_MS 10

void sched_set_timeslice_ms(uint32_t ms);
/* Run domains until every one has ended; then print the summary and power off. */
void sched_run(void) __attribute__((noreturn));

#endif
