/*
 * Hypercall dispatch: one table indexed by hypercall number.
 *
 * Return convention: every handler returns the value the guest finds in RAX,
 * >= 0 on success or a negative Xen errno. Handlers validate everything on
 * local copies first and only then change state, so a failed call changes
 * nothing. Numbers outside the table or without a handler return -ENOSYS;
 * a privileged call from an unprivileged domain returns -EPERM.
 * Errors are chosen through hv_error() so that trace=errors can name the
 * check (hv/include/hv/trace.h).
 */
#include "hv/hypercall.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/hypercall.h"

enum hypercall_perm { PERM_ANY, PERM_PRIVILEGED };

struct hypercall_entry {
    long (*handler)(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
    enum hypercall_perm perm;
    const char *name;           /* for trace lines */
    bool subop_in_arg0;         /* args[0] is the sub-op (else the handler names it) */
};

static const struct hypercall_entry hypercall_table[HYPERCALL_COUNT] = {
    [HYPERCALL_MEMORY_OP] = { do_memory_op, PERM_ANY, "memory_op", true },
    [HYPERCALL_SET_TIMER_OP] = { do_set_timer_op, PERM_ANY, "set_timer_op", false },
    [HYPERCALL_XEN_VERSION] = { do_xen_version, PERM_ANY, "xen_version", true },
    [HYPERCALL_CONSOLE_IO] = { do_console_io, PERM_ANY, "console_io", true },
    [HYPERCALL_GRANT_TABLE_OP] = { do_grant_table_op, PERM_ANY, "grant_table_op", true },
    [HYPERCALL_VCPU_OP] = { do_vcpu_op, PERM_ANY, "vcpu_op", true },
    [HYPERCALL_SCHED_OP] = { do_sched_op, PERM_ANY, "sched_op", true },
    [HYPERCALL_EVENT_CHANNEL_OP] = { do_event_channel_op, PERM_ANY, "event_channel_op", true },
    [HYPERCALL_HVM_OP] = { do_hvm_op, PERM_ANY, "hvm_op", true },
    [HYPERCALL_SYSCTL] = { do_sysctl, PERM_PRIVILEGED, "sysctl", false },
    [HYPERCALL_DOMCTL] = { do_domctl, PERM_PRIVILEGED, "domctl", false },
};

static long dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS])
{
    if (nr >= HYPERCALL_COUNT || !hypercall_table[nr].handler)
        return hv_error(-XEN_ENOSYS);
    const struct hypercall_entry *e = &hypercall_table[nr];
    if (e->perm == PERM_PRIVILEGED && !v->domain->privileged)
        return hv_error(-XEN_EPERM);
    return e->handler(v, args);
}

/* The same call, between the trace hooks (hv/trace.c). */
static long __attribute__((noinline)) dispatch_traced(struct vcpu *v, uint64_t nr,
                                                      const uint64_t args[HYPERCALL_ARGS])
{
    const struct hypercall_entry *e = nr < HYPERCALL_COUNT ? &hypercall_table[nr] : NULL;

    trace_call_begin();
    long rc = dispatch(v, nr, args);
    trace_call_end(v, e && e->handler ? e->name : NULL, nr, e && e->subop_in_arg0, args, rc);
    return rc;
}

long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS])
{
    if (__builtin_expect(trace_active, 0))
        return dispatch_traced(v, nr, args);
    return dispatch(v, nr, args);
}
