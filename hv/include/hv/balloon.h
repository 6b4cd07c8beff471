/* A domain gives RAM back (XENMEM_decrease_reservation; hv/balloon.c). */
#ifndef HV_BALLOON_H
#define HV_BALLOON_H

#include "hv/types.h"

struct domain;

/*
 * Take the extent of 2^order pages at `gpfn` out of d's physmap and free
 * its frames: 0, or -1 (nothing changed) if gpfn is not a multiple of the
 * extent's size or a page of it is not RAM of d's memory map that d owns.
 */
int balloon_release(struct domain *d, uint64_t gpfn, uint32_t order);

#endif
