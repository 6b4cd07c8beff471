/* sched_op: SCHEDOP_YIELD and SCHEDOP_SHUTDOWN (SCHEDOP_BLOCK comes with event delivery). */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/sched_op.h"

long do_sched_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    switch (args[0]) {
    case SCHEDOP_YIELD:
        v->need_resched = true;
        return 0;
    case SCHEDOP_SHUTDOWN: {
        struct sched_shutdown req;
        if (copy_from_guest(v, &req, args[1], sizeof req))
            return -XEN_EFAULT;
        if (req.reason > SHUTDOWN_WATCHDOG)
            return -XEN_EINVAL;
        domain_shutdown(v->domain, req.reason);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
