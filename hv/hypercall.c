/*
 * Hypercall dispatch: one table indexed by hypercall number.
 *
 * Return convention: every handler returns the value the guest finds in RAX,
 * >= 0 on success or a negative Xen errno. Handlers validate everything on
 * local copies first and only then change state, so a failed call changes
 * nothing. Numbers outside the table or without a handler return -ENOSYS;
 * a privileged call from an unprivileged domain returns -EPERM, and so does
 * a call the domain's hypercall policy denies (hv/policy.h), before the
 * handler runs. Errors are chosen through hv_error() so that trace=errors
 * can name the check (hv/include/hv/trace.h).
 */
#include "hv/hypercall.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/policy.h"
#include "hv/trace.h"
#include "mica/hypercall_names.h"   /* the names, included here only */
#include "public/errno.h"
#include "public/hypercall.h"

enum hypercall_perm { PERM_ANY, PERM_PRIVILEGED };

struct hypercall_entry {
    long (*handler)(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
    enum hypercall_perm perm;
    bool subop_in_arg0;         /* args[0] is the sub-op (else the handler names it) */
};

static const struct hypercall_entry hypercall_table[HYPERCALL_COUNT] = {
    [HYPERCALL_MEMORY_OP] = { do_memory_op, PERM_ANY, true },
    [HYPERCALL_SET_TIMER_OP] = { do_set_timer_op, PERM_ANY, false },
    [HYPERCALL_XEN_VERSION] = { do_xen_version, PERM_ANY, true },
    [HYPERCALL_CONSOLE_IO] = { do_console_io, PERM_ANY, true },
    [HYPERCALL_GRANT_TABLE_OP] = { do_grant_table_op, PERM_ANY, true },
    [HYPERCALL_VCPU_OP] = { do_vcpu_op, PERM_ANY, true },
    [HYPERCALL_SCHED_OP] = { do_sched_op, PERM_ANY, true },
    [HYPERCALL_EVENT_CHANNEL_OP] = { do_event_channel_op, PERM_ANY, true },
    /* The device owner's; dom0 is the only one (domain_owns_devices). */
    [HYPERCALL_PHYSDEV_OP] = { do_physdev_op, PERM_PRIVILEGED, true },
    [HYPERCALL_HVM_OP] = { do_hvm_op, PERM_ANY, true },
    [HYPERCALL_SYSCTL] = { do_sysctl, PERM_PRIVILEGED, false },
    [HYPERCALL_DOMCTL] = { do_domctl, PERM_PRIVILEGED, false },
};

const char *hypercall_name(uint64_t nr)
{
    return nr < HYPERCALL_COUNT && hypercall_table[nr].handler ? mica_hypercall_names[nr].name
                                                               : NULL;
}

const char *hypercall_subop_name(uint64_t nr, uint64_t op)
{
    if (!hypercall_name(nr) || op >= mica_hypercall_names[nr].nsubops)
        return NULL;
    return mica_hypercall_names[nr].subops[op];
}

int hypercall_slot(uint64_t nr)
{
    return hypercall_name(nr) ? (int)mica_hypercall_names[nr].slot : -1;
}

bool hypercall_subop_in_arg0(uint64_t nr)
{
    return hypercall_name(nr) && hypercall_table[nr].subop_in_arg0;
}

void hypercall_policy_ceiling(bool privileged, struct mica_policy *out)
{
    *out = (struct mica_policy){ 0 };
    for (uint32_t nr = 0; nr < HYPERCALL_COUNT; nr++) {
        const struct hypercall_entry *e = &hypercall_table[nr];
        if (!e->handler || (e->perm == PERM_PRIVILEGED && !privileged))
            continue;
        out->calls |= 1ull << nr;
        if (mica_hypercall_names[nr].nsubops)
            out->subops[mica_hypercall_names[nr].slot] = ~0ull;
    }
}

/* Every refusal, off the hot path: which check refused it decides the errno. */
static long __attribute__((noinline)) refuse(struct vcpu *v, uint64_t nr,
                                             const uint64_t args[HYPERCALL_ARGS])
{
    if (nr >= HYPERCALL_COUNT || !hypercall_table[nr].handler)
        return hv_error(-XEN_ENOSYS);
    if (hypercall_table[nr].perm == PERM_PRIVILEGED && !v->domain->privileged)
        return hv_error(-XEN_EPERM);
    return policy_refuse(v, nr, hypercall_table[nr].subop_in_arg0, args[0]);
}

/* The policy masks allow only numbers with a handler that the caller's
 * privilege permits (hv/policy.c), so one test stands for all three. */
static long dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS])
{
    if (nr >= HYPERCALL_COUNT || !policy_allows(v->domain, nr, args[0]))
        return refuse(v, nr, args);
    v->stats.hypercalls[nr]++;
    return hypercall_table[nr].handler(v, args);
}

/* The same call, between the trace hooks (hv/trace.c). */
static long __attribute__((noinline)) dispatch_traced(struct vcpu *v, uint64_t nr,
                                                      const uint64_t args[HYPERCALL_ARGS])
{
    trace_call_begin();
    long rc = dispatch(v, nr, args);
    trace_call_end(v, hypercall_name(nr), nr, hypercall_subop_in_arg0(nr), args, rc);
    return rc;
}

long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS])
{
    if (__builtin_expect(trace_active, 0))
        return dispatch_traced(v, nr, args);
    return dispatch(v, nr, args);
}
