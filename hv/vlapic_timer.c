/*
 * The emulated local APIC's timer (SDM 3A 12.5.4): one-shot and periodic
 * counts of a fixed 1 GHz bus clock (VLAPIC_BUS_HZ) through the divide
 * configuration, and TSC-deadline mode against the guest's TSC (the
 * host's). The timer is a deadline in system time, like set_timer_op's,
 * checked by the scheduler (hv/time.c: timer_fire_expired); a periodic one
 * ticks at most every VLAPIC_PERIOD_MIN_NS, so no guest can flood its CPU.
 */
#include "hv/vlapic.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/sched.h"

#define NS_PER_S 1000000000ull
#define FAR_AWAY (UINT64_MAX / 2)

/* SDM 3A figure 12-10: bits 3, 1, 0 select 2, 4, ... 128, or 1 for 0b111. */
static uint64_t divisor(uint32_t tdcr)
{
    unsigned n = (tdcr & 3) | ((tdcr & 8) >> 1);
    return n == 7 ? 1 : 2ull << n;
}

static void arm(struct vcpu *v, uint64_t deadline_ns)
{
    v->vlapic.timer_deadline_ns = deadline_ns ? deadline_ns : 1;
    sched_timers_changed(v->vlapic.timer_deadline_ns);
}

void vlapic_timer_stop(struct vcpu *v)
{
    v->vlapic.timer_deadline_ns = 0;
    v->vlapic.timer_length_ns = 0;
    v->vlapic.tsc_deadline = 0;
}

static uint32_t timer_mode(const struct vcpu *v)
{
    return APIC_TIMER_MODE(v->vlapic.lvt[LVT_TIMER]);
}

/* A write of the initial count starts a count (0 stops it); ignored in
 * TSC-deadline mode. */
void vlapic_timer_start(struct vcpu *v)
{
    struct vlapic *l = &v->vlapic;
    if (timer_mode(v) == APIC_TIMER_TSC_DEADLINE)
        return;
    vlapic_timer_stop(v);
    if (!l->timer_initial)
        return;
    uint64_t ns = (uint64_t)l->timer_initial * divisor(l->timer_divide) * NS_PER_S / VLAPIC_BUS_HZ;
    if (timer_mode(v) == APIC_TIMER_PERIODIC && ns < VLAPIC_PERIOD_MIN_NS)
        ns = VLAPIC_PERIOD_MIN_NS;
    l->timer_length_ns = ns;
    arm(v, arch_now_ns() + ns);
}

/* Leaving or entering TSC-deadline mode disarms the timer (SDM 3A 12.5.4.1);
 * one-shot <-> periodic keeps the count running. */
void vlapic_timer_lvt_changed(struct vcpu *v, uint32_t old_lvt)
{
    uint32_t from = APIC_TIMER_MODE(old_lvt), to = timer_mode(v);
    if (from != to && (from == APIC_TIMER_TSC_DEADLINE || to == APIC_TIMER_TSC_DEADLINE))
        vlapic_timer_stop(v);
}

uint32_t vlapic_timer_current(const struct vcpu *v)
{
    const struct vlapic *l = &v->vlapic;
    if (timer_mode(v) == APIC_TIMER_TSC_DEADLINE || !l->timer_length_ns || !l->timer_deadline_ns)
        return 0;
    uint64_t now = arch_now_ns();
    uint64_t length = l->timer_length_ns, left = 0;
    if (l->timer_deadline_ns > now)
        left = l->timer_deadline_ns - now;
    else if (timer_mode(v) == APIC_TIMER_PERIODIC)     /* reloaded, not yet seen to fire */
        left = length - (now - l->timer_deadline_ns) % length;
    while (left >> 31) {        /* initial * left must fit 64 bits (no 128-bit division) */
        left >>= 1;
        length >>= 1;
    }
    return length ? (uint32_t)(left * l->timer_initial / length) : 0;
}

uint64_t vlapic_tsc_deadline_read(const struct vcpu *v)
{
    return timer_mode(v) == APIC_TIMER_TSC_DEADLINE ? v->vlapic.tsc_deadline : 0;
}

void vlapic_tsc_deadline_write(struct vcpu *v, uint64_t tsc)
{
    if (timer_mode(v) != APIC_TIMER_TSC_DEADLINE)
        return;
    vlapic_timer_stop(v);
    if (!tsc)
        return;
    v->vlapic.tsc_deadline = tsc;
    uint64_t now_tsc = arch_read_tsc(), now = arch_now_ns();
    if (tsc <= now_tsc) {
        arm(v, now);            /* already passed: fires at once */
        return;
    }
    /* (tsc - now) ticks in ns, without 128-bit division: whole seconds, then the rest. */
    uint64_t hz = arch_tsc_hz(), ticks = tsc - now_tsc;
    uint64_t secs = ticks / hz, ns = (ticks % hz) * NS_PER_S / hz;
    if (secs > (FAR_AWAY - now) / NS_PER_S)
        arm(v, FAR_AWAY);
    else
        arm(v, now + secs * NS_PER_S + ns);
}

/* A masked LVT still counts; the periodic count reloads from where it was
 * due, or from now when ticks were missed (they merge, as in one IRR bit). */
void vlapic_timer_expire(struct vcpu *v, uint64_t now)
{
    struct vlapic *l = &v->vlapic;
    if (!l->timer_deadline_ns || l->timer_deadline_ns > now)
        return;
    uint32_t lvt = l->lvt[LVT_TIMER];
    if (timer_mode(v) == APIC_TIMER_PERIODIC && l->timer_length_ns) {
        /* A count started in one-shot mode may be short: the floor holds here too. */
        if (l->timer_length_ns < VLAPIC_PERIOD_MIN_NS)
            l->timer_length_ns = VLAPIC_PERIOD_MIN_NS;
        uint64_t next = l->timer_deadline_ns + l->timer_length_ns;
        l->timer_deadline_ns = next > now ? next : now + l->timer_length_ns;
    } else {
        l->timer_deadline_ns = 0;
        l->tsc_deadline = 0;    /* the MSR reads 0 once it has fired */
    }
    if (!(lvt & APIC_LVT_MASKED))
        vlapic_set_irq(v, lvt & 0xff);
}
