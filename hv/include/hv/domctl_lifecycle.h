/* domctl's sub-ops of a domain's life at run time (hv/domctl_lifecycle.c), in domctl.c's table. */
#ifndef HV_DOMCTL_LIFECYCLE_H
#define HV_DOMCTL_LIFECYCLE_H

#include "hv/types.h"
#include "public/domctl.h"

struct vcpu;
struct domain;

/* createdomain names no existing domain: it is called with d = NULL. */
long domctl_createdomain(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_load_kernel(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_pausedomain(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_unpausedomain(struct vcpu *v, gvaddr_t arg, struct domain *d,
                          struct mica_domctl *op);
long domctl_destroydomain(struct vcpu *v, gvaddr_t arg, struct domain *d,
                          struct mica_domctl *op);
long domctl_max_mem(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_get_report(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);

#endif
