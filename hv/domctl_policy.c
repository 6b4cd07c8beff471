/*
 * domctl sub-ops for a domain's hypercall policy (docs/abi.md, "Hypercall
 * policy"): Mica's own numbers, dom0 only like every domctl. dom0 may set
 * the policy of any other running domain, within what that domain's
 * privilege grants; its own is the boot configuration's and stays so, so
 * that dom0 cannot lock itself out of the calls that manage the others.
 */
#include "hv/arch.h"
#include "hv/domctl_policy.h"
#include "hv/policy.h"
#include "hv/trace.h"
#include "public/domctl.h"
#include "public/errno.h"

static long copy_back(struct vcpu *v, gvaddr_t arg, const struct mica_domctl *op)
{
    return copy_to_guest(v, arg, op, sizeof *op) ? hv_error(-XEN_EFAULT) : 0;
}

long domctl_get_policy(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    op->u.policy = d->policy;
    return copy_back(v, arg, op);
}

long domctl_set_policy(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    if (d == v->domain)
        return hv_error(-XEN_EPERM);
    long rc = policy_validate(d, &op->u.policy);
    if (rc)
        return rc;
    policy_commit(d, &op->u.policy);
    return 0;
}

long domctl_get_denials(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    op->u.denials = d->denials;
    return copy_back(v, arg, op);
}
