/*
 * Stand-ins for the hypercall handlers, so that tests can link the real
 * dispatch table (hv/hypercall.c) without every handler's sources. They are
 * weak: a test that compiles a real handler gets the real one. Each stub
 * records that it ran and returns its hypercall number.
 */
#include "shim_hypercalls.h"
#include "hv/hypercalls.h"
#include "public/hypercall.h"

uint64_t shim_handler_runs;
uint64_t shim_handler_last;

#define STUB(fn, nr)                                                              \
    __attribute__((weak)) long fn(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]) \
    {                                                                             \
        (void)v, (void)args;                                                      \
        shim_handler_runs++;                                                      \
        shim_handler_last = nr;                                                   \
        return nr;                                                                \
    }

STUB(do_memory_op, HYPERCALL_MEMORY_OP)
STUB(do_set_timer_op, HYPERCALL_SET_TIMER_OP)
STUB(do_xen_version, HYPERCALL_XEN_VERSION)
STUB(do_console_io, HYPERCALL_CONSOLE_IO)
STUB(do_grant_table_op, HYPERCALL_GRANT_TABLE_OP)
STUB(do_vcpu_op, HYPERCALL_VCPU_OP)
STUB(do_sched_op, HYPERCALL_SCHED_OP)
STUB(do_event_channel_op, HYPERCALL_EVENT_CHANNEL_OP)
STUB(do_physdev_op, HYPERCALL_PHYSDEV_OP)
STUB(do_hvm_op, HYPERCALL_HVM_OP)
STUB(do_sysctl, HYPERCALL_SYSCTL)
STUB(do_domctl, HYPERCALL_DOMCTL)
