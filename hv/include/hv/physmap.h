#ifndef HV_PHYSMAP_H
#define HV_PHYSMAP_H

#include "hv/types.h"

struct domain;

/* Where a hypervisor-provided page sits in a domain's physmap, if anywhere. */
struct physmap_slot {
    bool mapped;                /* explicit: guest-physical 0 is a valid place */
    gpaddr_t gpa;
};

/*
 * Map `frame` (not owned by the domain) at page-aligned `gpa` < 2^48,
 * replacing the domain's own RAM page there (released, frames_owned drops)
 * or an empty slot, and removing it from where `slot` says it was.
 * 0, -XEN_EINVAL (bad gpa, or a grant mapping / special page there) or
 * -XEN_ENOMEM (nothing changed).
 */
int physmap_place(struct domain *d, paddr_t frame, gpaddr_t gpa, struct physmap_slot *slot);

#endif
