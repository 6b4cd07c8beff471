/*
 * Guest time. System time is ns since boot, computed from the TSC with the
 * same scale the guest's pvclock record carries; the wall clock is the CMOS
 * RTC read at boot, published as the time at system time 0. One-shot timers,
 * poll timeouts and the local APIC timers (hv/vlapic_timer.c) are deadlines
 * in system time, checked by the scheduler.
 */
#include "hv/time.h"
#include "hv/sched.h"
#include "hv/arch.h"
#include "hv/event.h"
#include "hv/printk.h"
#include "hv/compat.h"
#include "hv/shinfo_layout.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

static uint64_t wallclock_at_boot;      /* seconds since 1970 at system time 0 */

void time_init(void)
{
    uint64_t now = arch_wallclock_seconds();
    uint64_t up = time_now_ns() / 1000000000ull;
    wallclock_at_boot = now > up ? now - up : 0;
    printk("time: wall clock %lu s since 1970 at boot\n", wallclock_at_boot);
}

uint64_t time_now_ns(void)
{
    return arch_now_ns();
}

/* The seqlock-style protocol of the ABI: odd version while writing. */
static void begin_update(uint32_t *version)
{
    __atomic_store_n(version, *version + 1, __ATOMIC_SEQ_CST);
}

static void end_update(uint32_t *version)
{
    __atomic_store_n(version, *version + 1, __ATOMIC_SEQ_CST);
}

void time_update_vcpu(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    if (!vi)
        return;
    uint32_t mul;
    int8_t shift;
    uint64_t boot;
    arch_time_scale(&mul, &shift, &boot);

    struct vcpu_time_info *t = &vi->time;
    begin_update(&t->version);
    uint64_t tsc = arch_read_tsc();
    uint64_t d = tsc - boot;
    d = shift >= 0 ? d << shift : d >> -shift;
    t->tsc_timestamp = tsc;
    t->system_time = (uint64_t)(((unsigned __int128)d * mul) >> 32);
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    end_update(&t->version);
}

void time_update_wallclock(struct domain *d)
{
    if (!d->shared_info)
        return;
    struct shinfo_wallclock wc = shinfo_wallclock(d);  /* in the layout latched */
    begin_update(wc.version);
    *wc.sec = (uint32_t)wallclock_at_boot;
    *wc.sec_hi = (uint32_t)(wallclock_at_boot >> 32);
    *wc.nsec = 0;
    end_update(wc.version);
}

void timer_set(struct vcpu *v, uint64_t deadline_ns)
{
    v->timer_deadline = deadline_ns;
    if (deadline_ns)
        sched_timers_changed(deadline_ns);
}

static void for_each_vcpu(void (*fn)(struct vcpu *v, void *ctx), void *ctx)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (!d || d->state != DOMAIN_RUNNING)
            continue;
        for (uint32_t i = 0; i < d->nvcpus; i++)
            fn(d->vcpus[i], ctx);
    }
}

static void earliest(struct vcpu *v, void *ctx)
{
    uint64_t *best = ctx;
    if (v->timer_deadline && (!*best || v->timer_deadline < *best))
        *best = v->timer_deadline;
    if (v->poll_deadline && (!*best || v->poll_deadline < *best))
        *best = v->poll_deadline;
    uint64_t apic = v->vlapic.timer_deadline_ns;
    if (apic && (!*best || apic < *best))
        *best = apic;
}

uint64_t timer_next_deadline(void)
{
    uint64_t best = 0;
    for_each_vcpu(earliest, &best);
    return best;
}

static void fire(struct vcpu *v, void *ctx)
{
    uint64_t now = *(uint64_t *)ctx;
    if (v->timer_deadline && v->timer_deadline <= now) {
        v->timer_deadline = 0;
        evtchn_send_virq(v, VIRQ_TIMER);
    }
    vlapic_timer_expire(v, now);
    if (v->poll_deadline && v->poll_deadline <= now)
        vcpu_wake(v);           /* poll timed out */
}

void timer_fire_expired(void)
{
    uint64_t now = time_now_ns();
    for_each_vcpu(fire, &now);
}

void runstate_change(struct vcpu *v, int new_state)
{
    uint64_t now = time_now_ns();
    struct vcpu_runstate_info *r = &v->runstate;
    if (r->state == new_state && r->state_entry_time)
        return;
    if (r->state_entry_time && r->state >= 0 && r->state <= RUNSTATE_OFFLINE)
        r->time[r->state] += now - r->state_entry_time;
    r->state = new_state;
    r->state_entry_time = now;
}

void runstate_publish(struct vcpu *v)
{
    /* The area's layout follows the shared-info latch, as in Xen. */
    if (v->runstate_gva &&
        compat_put_runstate(v, v->domain->shinfo_compat, v->runstate_gva, &v->runstate))
        v->runstate_gva = 0;    /* the area went away: stop writing to it */
}
