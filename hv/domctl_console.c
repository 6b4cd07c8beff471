/*
 * domctl MICA_DOMCTL_CONSOLE: dom0 attaches the serial console's input to a
 * domU's console ring, detaches it, or asks where it goes
 * (public/domctl.h; the routing itself is hv/console_focus.c). The
 * request is the dispatcher's local copy: every check runs on it before
 * anything changes, and only getinfo writes it back.
 */
#include "hv/arch.h"
#include "hv/console_focus.h"
#include "hv/domain.h"
#include "hv/domctl_console.h"
#include "hv/trace.h"
#include "public/domctl.h"
#include "public/errno.h"

/* 0 if d may have the input, else the error: a running domU with a ring. */
static long attach_check(const struct domain *d)
{
    if (d->privileged)
        return -XEN_EINVAL;     /* dom0 has it whenever no domU does */
    if (d->state == DOMAIN_BUILDING)
        return -XEN_EINVAL;     /* not started: nothing reads its ring yet */
    if (d->state != DOMAIN_RUNNING || d->destroyed)
        return -XEN_ESRCH;      /* stopped, as pausedomain says of it */
    if (!d->console_ring_gpa || !d->console_port)
        return -XEN_EINVAL;
    return 0;
}

long domctl_console(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_console *c = &op->u.console;

    if (c->pad)
        return hv_error(-XEN_EINVAL);
    switch (c->op) {
    case MICA_CONSOLE_ATTACH: {
        long rc = attach_check(d);
        if (rc)
            return hv_error(rc);
        console_focus_attach(d);
        return 0;
    }
    case MICA_CONSOLE_DETACH:
        console_focus_detach();
        return 0;
    case MICA_CONSOLE_GETINFO: {
        const struct domain *f = console_focus();
        c->focus = f ? f->id : 0;
        c->attached = f == d;
        c->dropped = d->console_in_dropped;
        return copy_to_guest(v, arg, op, sizeof *op) ? hv_error(-XEN_EFAULT) : 0;
    }
    default:
        return hv_error(-XEN_EINVAL);
    }
}
