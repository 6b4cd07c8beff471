/*
 * The local APIC model (hv/vlapic*.c) as the tests of other hv/ files see
 * it: hv/domain.c resets each vCPU's APIC and hv/time.c fires its timer.
 * Nothing those tests do arms an APIC timer, so both only note the call;
 * the model itself is tested in test_vlapic.c.
 */
#include "hv/domain.h"
#include "hv/vlapic.h"

void vlapic_reset(struct vcpu *v)
{
    v->vlapic.base_msr = VLAPIC_BASE_DEFAULT | APIC_BASE_EN | (v->id == 0 ? APIC_BASE_BSP : 0);
}

void vlapic_timer_expire(struct vcpu *v, uint64_t now_ns)
{
    (void)now_ns;
    if (v->vlapic.timer_deadline_ns)
        __builtin_trap();       /* no test of these files arms one */
}
