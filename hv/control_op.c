/* The prologue domctl and sysctl share (see hv/control_op.h). */
#include "hv/control_op.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/policy.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/domctl.h"
#include "public/errno.h"
#include "public/sysctl.h"

#define SAME_HEADER(type)                                                                  \
    _Static_assert(offsetof(type, cmd) == offsetof(struct control_op_header, cmd) &&      \
                   offsetof(type, interface_version) ==                                   \
                       offsetof(struct control_op_header, interface_version),             \
                   #type " begins with the control-op header")
SAME_HEADER(struct mica_domctl);
SAME_HEADER(struct mica_sysctl);

long control_op_read(struct vcpu *v, uint64_t nr, gvaddr_t arg, void *op, size_t size,
                     uint32_t version)
{
    struct control_op_header h;
    long rc;

    /* The dispatch table checks this too; here it also keeps the handlers
     * safe on their own. Before anything is read. */
    if (!v->domain->privileged)
        return hv_error(-XEN_EPERM);
    if (copy_from_guest(v, op, arg, size))
        return hv_error(-XEN_EFAULT);
    memcpy(&h, op, sizeof h);
    trace_subop(h.cmd);         /* names the sub-op on trace lines */
    rc = policy_check_subop(v, nr, h.cmd);
    if (rc)
        return rc;
    if (h.interface_version != version)
        return hv_error(-XEN_EACCES);
    return 0;
}
