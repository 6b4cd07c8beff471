/* The hypercall entry point the arch exit handler calls. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/types.h"

struct vcpu;
struct mica_policy;

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

/* From the dispatch table and its names (mica/hypercall_names.h), for the
 * numbers Mica implements: NULL or -1 for any other. */
const char *hypercall_name(uint64_t nr);
const char *hypercall_subop_name(uint64_t nr, uint64_t op);     /* NULL: unnamed */
int hypercall_slot(uint64_t nr);                                /* MICA_POLICY_SLOT_* */
bool hypercall_subop_in_arg0(uint64_t nr);
/* Everything the table grants a domain of this privilege: the calls, and
 * every sub-op bit of the slots of calls with sub-ops. */
void hypercall_policy_ceiling(bool privileged, struct mica_policy *out);

#endif
