/*
 * The layout of a domain's shared info (hv/compat.h, docs/abi.md "32-bit
 * callers"): Xen samples the mode of the domain's own vCPU at operations a
 * guest does first (hypercall page, callback IRQ) and latches 32-bit or
 * 64-bit. Only the wall clock is rewritten; as in Xen nothing else is
 * converted, so a guest latches before it relies on event or clock fields.
 */
#include "hv/compat.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/time.h"

void shinfo_latch(struct vcpu *v)
{
    struct domain *d = v->domain;
    d->shinfo_compat = arch_vcpu_compat(v);
    time_update_wallclock(d);
}
