/* The hypercall entry point the arch exit handler calls. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/types.h"

struct vcpu;

#define HYPERCALL_ARGS 5

/* Returns the value for the guest's RAX: >= 0 success, negative Xen errno. */
long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS]);

#endif
