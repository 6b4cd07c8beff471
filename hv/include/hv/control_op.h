/* What the two dom0-only control hypercalls, domctl and sysctl, share. */
#ifndef HV_CONTROL_OP_H
#define HV_CONTROL_OP_H

#include "hv/types.h"

struct vcpu;

/* Both requests begin with these fields (asserted in hv/control_op.c). */
struct control_op_header {
    uint32_t cmd;
    uint32_t interface_version;
};

/*
 * The start of either call (hypercall nr), in this order: only a privileged
 * caller (-XEN_EPERM, before anything is read); the request, `size` bytes,
 * read once into `op` (-XEN_EFAULT); the caller's policy must allow its
 * `cmd` (-XEN_EPERM, hv/policy.h); its interface version must be `version`
 * (-XEN_EACCES). 0 when all four hold; every later check runs on `op`.
 */
long control_op_read(struct vcpu *v, uint64_t nr, gvaddr_t arg, void *op, size_t size,
                     uint32_t version);

#endif
