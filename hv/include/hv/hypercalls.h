/* Hypercall handlers (one file each under hv/), as listed in hv/hypercall.c. */
#ifndef HV_HYPERCALLS_H
#define HV_HYPERCALLS_H

#include "hv/hypercall.h"

long do_memory_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_set_timer_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_xen_version(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_grant_table_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_console_io(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_vcpu_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_sched_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_event_channel_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_physdev_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_hvm_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_sysctl(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);
long do_domctl(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS]);

#endif
