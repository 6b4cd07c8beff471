/* The hypercall entry point the arch exit handler calls. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/types.h"

struct vcpu;

#define HYPERCALL_ARGS 5

/*
 * A handler that cannot finish yet returns HYPERCALL_RESTART (never seen by
 * a guest): the vCPU is left on its vmcall, with every register as it was,
 * and makes the same call again when it next runs.
 */
#define HYPERCALL_RESTART (-4096L)

/* Returns the value for the guest's RAX: >= 0 success, negative Xen errno
 * (or HYPERCALL_RESTART). */
long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[HYPERCALL_ARGS]);

#endif
