/* The scheduler, domain and arch seams of vcpu_op's up, down and initialise (see shim_guest.h). */
#include <string.h>
#include "shim_guest.h"
#include "hv/arch.h"
#include "hv/sched.h"
#include "hv/time.h"
#include "public/hvm_vcpu.h"

_Static_assert(sizeof(struct vcpu_hvm_context) == sizeof shim_vcpu.set_context_ctx,
               "set_context_ctx holds one context");

struct shim_vcpu_stats shim_vcpu;

void shim_vcpu_reset(void)
{
    memset(&shim_vcpu, 0, sizeof shim_vcpu);
}

void vcpu_bring_up(struct vcpu *v)
{
    if (shim_vcpu.up_calls < SHIM_VCPU_CALLS)
        shim_vcpu.up[shim_vcpu.up_calls] = v;
    shim_vcpu.up_calls++;
    if (v->state != VCPU_DOWN)
        return;
    v->state = VCPU_RUNNABLE;
    runstate_change(v, RUNSTATE_RUNNABLE);
}

void vcpu_take_down(struct vcpu *v)
{
    if (shim_vcpu.down_calls < SHIM_VCPU_CALLS)
        shim_vcpu.down[shim_vcpu.down_calls] = v;
    shim_vcpu.down_calls++;
    v->state = VCPU_DOWN;
    v->need_resched = true;
    runstate_change(v, RUNSTATE_OFFLINE);
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
    shim_vcpu.shutdown_calls++;
    shim_vcpu.shutdown_domain = d;
    shim_vcpu.shutdown_reason = reason;
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        d->vcpus[i]->state = VCPU_DOWN;
        d->vcpus[i]->need_resched = true;
    }
}

int arch_vcpu_set_context(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
    shim_vcpu.set_context_calls++;
    shim_vcpu.set_context_vcpu = v;
    memcpy(shim_vcpu.set_context_ctx, ctx, sizeof *ctx);
    return shim_vcpu.set_context_result;
}
