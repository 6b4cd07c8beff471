/*
 * The domctl sub-ops of a domain's life (hv/domctl_lifecycle.c) for
 * test_domctl, which covers domctl.c's dispatch and the sub-ops that read
 * and set scheduling and policy. These need the whole domain builder and
 * a VMX CPU; the conformance suite covers them (tests/abi/domctl.c), in
 * Bochs. Each returns what an unknown sub-op would, so a test that reaches
 * one by mistake fails.
 */
#include "hv/domctl_lifecycle.h"
#include "public/errno.h"

#define NOT_HERE(name)                                                                   \
    long name(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)    \
    {                                                                                    \
        return -XEN_ENOSYS;                                                              \
    }

NOT_HERE(domctl_createdomain)
NOT_HERE(domctl_load_kernel)
NOT_HERE(domctl_pausedomain)
NOT_HERE(domctl_unpausedomain)
NOT_HERE(domctl_destroydomain)
NOT_HERE(domctl_max_mem)
NOT_HERE(domctl_get_report)
