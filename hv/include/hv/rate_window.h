/*
 * A budget per second of system time (a domain's console bytes, its trace
 * lines): what fits in the current second passes, the rest is counted as
 * dropped until the next second opens.
 */
#ifndef HV_RATE_WINDOW_H
#define HV_RATE_WINDOW_H

#include "hv/types.h"

struct rate_window {
    uint64_t start;             /* system time (ns) the current second began */
    uint64_t used;              /* units passed in it */
    uint64_t dropped;           /* units refused in it */
};

/*
 * Let up to `n` units pass at system time `now` under `limit` per second;
 * returns how many may. When a new second opens, *closed_dropped is what
 * the second before it refused (for the caller to report), else 0.
 */
uint64_t rate_window_take(struct rate_window *w, uint64_t now, uint64_t n, uint64_t limit,
                          uint64_t *closed_dropped);

#endif
