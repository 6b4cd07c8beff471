/*
 * Per-domain hypercall policy (hv/include/hv/policy.h): what a domain may
 * call, within what the dispatch table grants its privilege; the refusals,
 * counted and each printed once per domain and call (or sub-op), so a guest
 * that keeps calling cannot fill the console.
 */
#include "hv/policy.h"
#include "hv/hypercall.h"
#include "hv/printk.h"
#include "hv/trace.h"
#include "public/errno.h"

/* The masks the dispatcher tests, from the policy (see hv/policy.h). */
static void derive_masks(struct domain *d)
{
    for (uint32_t nr = 0; nr < HYPERCALL_COUNT; nr++) {
        uint64_t mask = 0;
        if (d->policy.calls & (1ull << nr))
            mask = hypercall_subop_in_arg0(nr) ? d->policy.subops[hypercall_slot(nr)] : ~0ull;
        d->policy_mask[nr] = mask;
    }
}

void policy_commit(struct domain *d, const struct mica_policy *p)
{
    d->policy = *p;
    derive_masks(d);
}

void policy_init(struct domain *d, const struct mica_policy *deny)
{
    struct mica_policy p;

    hypercall_policy_ceiling(d->privileged, &p);
    p.calls &= ~deny->calls;
    for (uint32_t i = 0; i < MICA_POLICY_SLOTS; i++)
        p.subops[i] &= ~deny->subops[i];
    policy_commit(d, &p);
}

long policy_validate(const struct domain *d, const struct mica_policy *p)
{
    struct mica_policy any, mine;

    hypercall_policy_ceiling(true, &any);
    hypercall_policy_ceiling(d->privileged, &mine);
    if (p->calls & ~any.calls)
        return hv_error(-XEN_EINVAL);
    for (uint32_t i = 0; i < MICA_POLICY_SLOTS; i++)
        if (p->subops[i] & ~any.subops[i])
            return hv_error(-XEN_EINVAL);
    /* Nobody widens a domain beyond what its privilege grants. */
    if (p->calls & ~mine.calls)
        return hv_error(-XEN_EPERM);
    return 0;
}

/* " op N (name)" for the log line, or nothing for a call that has no sub-op there. */
static void describe_subop(char *buf, size_t size, uint64_t nr, bool has_subop, uint64_t subop)
{
    const char *name = hypercall_subop_name(nr, subop);

    if (!has_subop)
        buf[0] = 0;
    else
        snprintf(buf, size, " op %lu (%s)", subop,
                 name ? name : subop >= MICA_POLICY_SUBOP_OTHER ? "sub-ops 63 and up" : "unnamed");
}

long policy_refuse(struct vcpu *v, uint64_t nr, bool has_subop, uint64_t subop)
{
    struct domain *d = v->domain;
    int slot = hypercall_slot(nr);
    bool whole = !(d->policy.calls & (1ull << nr));
    uint64_t *printed = whole ? &d->denials_printed.calls : &d->denials_printed.subops[slot];
    uint64_t bit = whole ? 1ull << nr : policy_subop_bit(subop);

    d->denials.total++;
    d->denials.calls[slot]++;
    if (!(*printed & bit)) {
        char op[64];
        *printed |= bit;
        describe_subop(op, sizeof op, nr, has_subop, subop);
        printk("policy: domain '%s' (id %u) denied %s%s%s: -EPERM, counted from now on\n",
               d->name, d->id, hypercall_name(nr), op, whole ? ", the whole call" : "");
    }
    return hv_error(-XEN_EPERM);
}

void policy_print_denied(const struct domain *d)
{
    struct mica_policy all;
    char line[256];
    size_t len = 0;

    hypercall_policy_ceiling(d->privileged, &all);
    for (uint32_t nr = 0; nr < HYPERCALL_COUNT && len < sizeof line; nr++) {
        const char *name = hypercall_name(nr);
        int slot = hypercall_slot(nr);
        if (!name || !(all.calls & (1ull << nr)))
            continue;
        if (!(d->policy.calls & (1ull << nr))) {
            len += (size_t)snprintf(line + len, sizeof line - len, " %s", name);
            continue;
        }
        uint64_t denied = all.subops[slot] & ~d->policy.subops[slot];
        for (uint32_t op = 0; op < 64 && denied && len < sizeof line; op++) {
            const char *sub = hypercall_subop_name(nr, op);
            if (denied & (1ull << op))
                len += (size_t)snprintf(line + len, sizeof line - len, " %s:%s", name,
                                        sub ? sub : op == MICA_POLICY_SUBOP_OTHER ? "(63 and up)"
                                                                                 : "(unnamed)");
        }
    }
    if (len)
        printk("policy: domain '%s' (id %u) may not call:%s\n", d->name, d->id, line);
}

long policy_check_subop(struct vcpu *v, uint64_t nr, uint64_t cmd)
{
    const struct domain *d = v->domain;

    if (d->policy.subops[hypercall_slot(nr)] & policy_subop_bit(cmd))
        return 0;
    return policy_refuse(v, nr, true, cmd);
}
