/* Which domain a hypercall's domid argument names, and whether the caller may. */
#include "hv/domain.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/errno.h"

long domain_target(struct vcpu *v, uint16_t domid, struct domain **out)
{
    struct domain *self = v->domain, *d;

    if (domid == DOMID_SELF || domid == self->id) {
        *out = self;
        return 0;
    }
    if (!self->privileged)
        return hv_error(-XEN_EPERM); /* checked first: no probing for which ids exist */
    d = domain_by_id(domid);
    if (!d || d->destroyed)
        return hv_error(-XEN_ESRCH);
    *out = d;
    return 0;
}
