/* domctl's hypercall-policy sub-ops (hv/domctl_policy.c), in domctl.c's table. */
#ifndef HV_DOMCTL_POLICY_H
#define HV_DOMCTL_POLICY_H

#include "hv/types.h"

struct vcpu;
struct domain;
struct mica_domctl;

long domctl_get_policy(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_set_policy(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);
long domctl_get_denials(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);

#endif
