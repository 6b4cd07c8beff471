/* Budgets per second (hv/include/hv/rate_window.h). */
#include "hv/rate_window.h"

#define WINDOW_NS 1000000000ull

uint64_t rate_window_take(struct rate_window *w, uint64_t now, uint64_t n, uint64_t limit,
                          uint64_t *closed_dropped)
{
    *closed_dropped = 0;
    if (now - w->start >= WINDOW_NS) {
        *closed_dropped = w->dropped;
        *w = (struct rate_window){ .start = now };
    }
    uint64_t left = w->used < limit ? limit - w->used : 0;
    uint64_t ok = MIN(n, left);
    w->used += ok;
    w->dropped += n - ok;
    return ok;
}
