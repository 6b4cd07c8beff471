/*
 * Per-domain hypercall policy (public/policy.h; docs/abi.md, "Hypercall
 * policy"). A domain's policy never allows more than the dispatch table
 * grants its privilege (hypercall_policy_ceiling). Besides the policy as set
 * the domain keeps, per hypercall number, the one mask the dispatcher tests:
 * the call's sub-op mask if its sub-op is args[0], all ones if it has none
 * there, 0 if the call is not allowed (or does not exist). So the check on
 * the hot path is one load and one bit test (policy_allows).
 */
#ifndef HV_POLICY_H
#define HV_POLICY_H

#include "hv/domain.h"
#include "public/policy.h"

/* The sub-op bit of a policy mask that governs `subop`. */
static inline uint64_t policy_subop_bit(uint64_t subop)
{
    return 1ull << (subop < MICA_POLICY_SUBOP_OTHER ? subop : MICA_POLICY_SUBOP_OTHER);
}

/* May d make hypercall nr (< HYPERCALL_COUNT) with args[0] = arg0?
 * (Written as a shift right, which compiles to one bit test.) */
static inline bool policy_allows(const struct domain *d, uint64_t nr, uint64_t arg0)
{
    uint64_t bit = arg0 < MICA_POLICY_SUBOP_OTHER ? arg0 : MICA_POLICY_SUBOP_OTHER;
    return (d->policy_mask[nr] >> bit) & 1;
}

/* At build: everything d's privilege allows, less the boot configuration's deny=. */
void policy_init(struct domain *d, const struct mica_policy *deny);
/*
 * May `p` become d's policy? -XEN_EINVAL if it allows a number with no
 * hypercall, or sets a sub-op bit of a slot with no sub-ops; -XEN_EPERM if
 * it allows a call d's privilege does not. Changes nothing.
 */
long policy_validate(const struct domain *d, const struct mica_policy *p);
/* Make a validated `p` d's policy; cannot fail. */
void policy_commit(struct domain *d, const struct mica_policy *p);
/*
 * The refusal of hypercall nr (with sub-op `subop` if has_subop) by the
 * caller's policy: counts it, prints it the first time for this call (or
 * sub-op, when only that is denied), and returns -XEN_EPERM.
 */
long policy_refuse(struct vcpu *v, uint64_t nr, bool has_subop, uint64_t subop);
/* One line naming what d's policy denies of what its privilege grants;
 * nothing when it denies nothing. */
void policy_print_denied(const struct domain *d);
/* domctl and sysctl: may the caller use sub-op `cmd` of hypercall nr?
 * 0, or policy_refuse()'s -XEN_EPERM. */
long policy_check_subop(struct vcpu *v, uint64_t nr, uint64_t cmd);

#endif
