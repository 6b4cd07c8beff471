/* Pausing a domain from dom0 (hv/domain_pause.c). */
#ifndef HV_DOMAIN_PAUSE_H
#define HV_DOMAIN_PAUSE_H

#include "hv/domain.h"

/* Xen's limit on the toolstack's pause count. */
#define DOMAIN_PAUSE_MAX 255

/* One more pause; the first stops its vCPUs. 0, or -XEN_EOVERFLOW. */
int domain_pause(struct domain *d);
/* One pause less; the last lets its vCPUs run. 0, or -XEN_EINVAL (not paused).
 * A domain being built is started by the caller instead (domain_start). */
int domain_unpause(struct domain *d);

#endif
