/*
 * pausedomain and unpausedomain. A paused domain keeps each vCPU's state
 * (runnable, blocked or down) but none is scheduled: events and timers that
 * arrive meanwhile stay pending and take effect when it is unpaused. While
 * paused its vCPUs' runstate is RUNSTATE_offline, as on Xen, so their CPU
 * time stops growing. As in Xen the pauses are counted: each pause needs an
 * unpause, and a domain created at run time starts with one (its first
 * unpause starts it).
 */
#include "hv/domain.h"
#include "hv/domain_pause.h"
#include "hv/sched.h"
#include "hv/time.h"
#include "public/errno.h"

int domain_pause(struct domain *d)
{
    if (d->pause_count >= DOMAIN_PAUSE_MAX)
        return -XEN_EOVERFLOW;
    if (d->pause_count++)
        return 0;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        sched_sleep(&v->sched);
        v->need_resched = true;
        if (v->sched.running)
            vcpu_kick(v);       /* its CPU puts it, and records it offline */
        else
            runstate_change(v, RUNSTATE_OFFLINE);
    }
    return 0;
}

int domain_unpause(struct domain *d)
{
    if (!d->pause_count)
        return -XEN_EINVAL;
    if (--d->pause_count)
        return 0;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v->state == VCPU_RUNNABLE) {
            runstate_change(v, RUNSTATE_RUNNABLE);
            sched_vcpu_runnable(v);
        } else if (v->state == VCPU_BLOCKED) {
            runstate_change(v, RUNSTATE_BLOCKED);
        }
    }
    return 0;
}
