/*
 * Hypercall dispatch: one table indexed by hypercall number.
 *
 * Return convention: every handler returns the value the guest finds in RAX,
 * >= 0 on success or a negative Xen errno. Handlers validate everything on
 * local copies first and only then change state, so a failed call changes
 * nothing. Numbers outside the table or without a handler return -ENOSYS;
 * a privileged call from an unprivileged domain returns -EPERM.
 */
#include "hv/hypercall.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/hypercall.h"

enum hypercall_perm { PERM_ANY, PERM_PRIVILEGED };

struct hypercall_entry {
    long (*handler)(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
    enum hypercall_perm perm;
};

static const struct hypercall_entry hypercall_table[HYPERCALL_COUNT] = {
    [HYPERCALL_MEMORY_OP] = { do_memory_op, PERM_ANY },
    [HYPERCALL_SET_TIMER_OP] = { do_set_timer_op, PERM_ANY },
    [HYPERCALL_XEN_VERSION] = { do_xen_version, PERM_ANY },
    [HYPERCALL_CONSOLE_IO] = { do_console_io, PERM_ANY },
    [HYPERCALL_GRANT_TABLE_OP] = { do_grant_table_op, PERM_ANY },
    [HYPERCALL_VCPU_OP] = { do_vcpu_op, PERM_ANY },
    [HYPERCALL_SCHED_OP] = { do_sched_op, PERM_ANY },
    [HYPERCALL_EVENT_CHANNEL_OP] = { do_event_channel_op, PERM_ANY },
    [HYPERCALL_HVM_OP] = { do_hvm_op, PERM_ANY },
    [HYPERCALL_SYSCTL] = { do_sysctl, PERM_PRIVILEGED },
    [HYPERCALL_DOMCTL] = { do_domctl, PERM_PRIVILEGED },
};

long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS])
{
    if (nr >= HYPERCALL_COUNT || !hypercall_table[nr].handler)
        return -XEN_ENOSYS;
    const struct hypercall_entry *e = &hypercall_table[nr];
    if (e->perm == PERM_PRIVILEGED && !v->domain->privileged)
        return -XEN_EPERM;
    return e->handler(v, args);
}
