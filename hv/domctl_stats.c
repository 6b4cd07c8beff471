/*
 * domctl MICA_DOMCTL_GET_STATS: dom0 reads the monitoring counters of a
 * domain (summed over its vCPUs) or of one vCPU (public/stats.h). The
 * counters are plain increments made on their paths under the hypervisor
 * lock, which this handler holds too, so what it reads is one consistent
 * moment. They do not fit the request, so they go to the caller's buffer,
 * written once; the request (all IN) is not written back.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/domctl_stats.h"
#include "hv/string.h"
#include "hv/time.h"
#include "hv/trace.h"
#include "public/domctl.h"
#include "public/errno.h"
#include "public/vcpu_op.h"

/* Add v's counters, and its runstate times up to `now`, to *s. */
static void add_vcpu(struct mica_stats *s, const struct vcpu *v, uint64_t now)
{
    const struct vcpu_runstate_info *r = &v->runstate;
    const struct vcpu_stats *c = &v->stats;

    for (uint32_t i = 0; i < 4; i++)
        s->runstate_time[i] += r->time[i];
    if (r->state >= RUNSTATE_RUNNING && r->state <= RUNSTATE_OFFLINE && r->state_entry_time)
        s->runstate_time[r->state] += now - r->state_entry_time;
    for (uint32_t i = 0; i < MICA_STATS_EXITS; i++)
        s->exits[i] += c->exits[i];
    for (uint32_t i = 0; i < MICA_STATS_HYPERCALLS; i++)
        s->hypercalls[i] += c->hypercalls[i];
    s->evtchn_sends += c->evtchn_sends;
    s->grant_maps += c->grant_maps;
    s->grant_copies += c->grant_copies;
    s->nr_vcpus++;
}

long domctl_get_stats(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_get_stats *req = &op->u.stats;
    bool all = req->vcpu == MICA_STATS_ALL_VCPUS;
    struct mica_stats s;

    if ((!all && req->vcpu >= d->nvcpus) || req->pad || req->size < sizeof s)
        return hv_error(-XEN_EINVAL);
    memset(&s, 0, sizeof s);
    uint64_t now = time_now_ns();
    uint32_t first = all ? 0 : req->vcpu, end = all ? d->nvcpus : req->vcpu + 1;
    for (uint32_t i = first; i < end; i++)
        add_vcpu(&s, d->vcpus[i], now);
    s.cpu_time = s.runstate_time[RUNSTATE_RUNNING];
    s.tot_pages = d->frames_owned;
    s.max_pages = d->max_pages;
    return copy_to_guest(v, req->buffer, &s, sizeof s) ? hv_error(-XEN_EFAULT) : 0;
}
