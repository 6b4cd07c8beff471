/* domctl's monitoring sub-op (hv/domctl_stats.c), in domctl.c's table. */
#ifndef HV_DOMCTL_STATS_H
#define HV_DOMCTL_STATS_H

#include "hv/types.h"

struct vcpu;
struct domain;
struct mica_domctl;

long domctl_get_stats(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);

#endif
