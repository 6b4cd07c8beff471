/*
 * test=conformance peer=N gone=M restricted=R: the hypercall ABI conformance suite
 * (abi.h). Two domains run it against each other, dom0 and a domU, so that
 * every case runs once with privilege and once without, and the isolation
 * cases have a live domain to aim at. `gone=` names a domain that powers off
 * at once: the calls must treat it as no longer there; `restricted=` the
 * domain whose boot line narrows its hypercall policy (test=restricted).
 *
 * The run: set up (grant table, the pages each side grants the other, the
 * bad-pointer aliases, the secondary vCPUs' count), meet the peer on an
 * event channel, run every family (phase 1), tell the peer and wait for it;
 * then dom0 acts on the waiting domU (phase 2: ports of the domU it
 * allocates, binds and finally resets) while the domU watches it happen.
 * Neither side offers the other a port or changes the other's state during
 * phase 1, so their cases cannot disturb each other.
 */
#include <stdint.h>

#include <public/domctl.h>
#include <public/memory_op.h>
#include <public/sched_op.h>

#include "abi.h"
#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "control.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"
#include "smp.h"

#define F "hypercall"
/* Longer than anything takes in Bochs: a wait past it is a FAIL, not a hang. */
#define MEET_TIMEOUT_NS (120 * NSEC_PER_SEC)
/* No boot configuration here has this many domains. */
#define ABSENT_DOMID 30
#define WORD_BITS 64

struct abi_env abi;

static uint8_t grant_pages[ABI_GRANT_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t meeting_events;

void *abi_grant_page(unsigned int i)
{
    return grant_pages[i % ABI_GRANT_PAGES];
}

uint64_t abi_grant_seed(domid_t granter, unsigned int page)
{
    return 0xC0FFEE00ull + granter * 16u + page;
}

uint64_t abi_map_addr(unsigned int slot)
{
    return abi.ram_end + (uint64_t)(ABI_MAP_GAP + slot) * PAGE_SIZE;
}

static void fill(void *page, uint64_t seed)
{
    uint64_t *w = page;

    for (unsigned int i = 0; i < PAGE_SIZE / sizeof *w; i++)
        w[i] = seed * 0x9E3779B97F4A7C15ull + i;
}

bool abi_wait(bool (*pred)(void *arg), void *arg, uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;

    while (!pred(arg)) {
        if (clock_now_ns() > end)
            return false;
        abi_take_events();
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    return true;
}

void abi_take_events(void)
{
    sti_nop_cli();
    /* An upcall raised while the callback vector was off is never injected:
     * handle what is pending by hand (interrupts are off, so no race). */
    if (READ_ONCE(this_vcpu_info()->evtchn_upcall_pending))
        evtchn_upcall();
}

long abi_lowest_free_port(void)
{
    struct evtchn_alloc_unbound req = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_port_arg close;
    long rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&req);

    if (rc < 0)
        return rc;
    close.port = req.port;
    hyp_event_channel_op(EVTCHNOP_CLOSE, (unsigned long)&close);
    return req.port;
}

bool abi_port_pending(evtchn_port_t port)
{
    return (READ_ONCE(shared_info->evtchn_pending[port / WORD_BITS]) >> (port % WORD_BITS)) & 1;
}

bool abi_port_masked(evtchn_port_t port)
{
    return (READ_ONCE(shared_info->evtchn_mask[port / WORD_BITS]) >> (port % WORD_BITS)) & 1;
}

void abi_clear_pending(evtchn_port_t port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / WORD_BITS],
                       ~(1ull << (port % WORD_BITS)), __ATOMIC_SEQ_CST);
}

/* ---- meeting the peer ------------------------------------------------------- */

static void on_meeting(evtchn_port_t port)
{
    (void)port;
    meeting_events++;
}

static bool peer_bound(void *arg)
{
    (void)arg;
    return evtchn_port_status(abi.meeting) == EVTCHNSTAT_interdomain;
}

/* The lower id offers a port; the higher one finds it by trying each. */
static bool meet(void)
{
    struct evtchn_status st;
    uint64_t end = clock_now_ns() + MEET_TIMEOUT_NS;
    long rc;

    if (abi.self < abi.peer) {
        rc = evtchn_alloc_unbound(abi.peer, on_meeting);
        if (!abi_check("event_channel_op", "alloc_unbound-for-peer", rc > 0, "port", rc))
            return false;
        abi.meeting = (evtchn_port_t)rc;
        if (!abi_check("event_channel_op", "bind_interdomain-by-peer-seen",
                       abi_wait(peer_bound, NULL, MEET_TIMEOUT_NS), "status",
                       evtchn_port_status(abi.meeting)))
            return false;
    } else {
        rc = -XEN_EINVAL;
        while (rc < 0 && clock_now_ns() < end) {
            for (evtchn_port_t p = 1; p < EVTCHN_HANDLED_PORTS && rc < 0; p++)
                rc = evtchn_bind_interdomain(abi.peer, p, on_meeting);
            if (rc < 0)
                hyp_sched_op(SCHEDOP_YIELD, 0);
        }
        if (!abi_check("event_channel_op", "bind_interdomain-peer", rc > 0, "last result", rc))
            return false;
        abi.meeting = (evtchn_port_t)rc;
        abi_take_events();      /* the event binding raises */
    }
    rc = evtchn_status(DOMID_SELF, abi.meeting, &st);
    abi.peer_meeting = st.u.interdomain.port;
    return abi_check("event_channel_op", "status-meeting-port",
                     rc == EVTCHNSTAT_interdomain && st.u.interdomain.dom == abi.peer &&
                         st.u.interdomain.port != 0,
                     "status", rc);
}

static bool events_above(void *arg)
{
    return READ_ONCE(meeting_events) > *(uint64_t *)arg;
}

/* Tell the peer we are done with phase 1 and wait until it is too. */
static bool phase_1_done(uint64_t seen)
{
    abi_expect("event_channel_op", "send-phase-1-done", evtchn_send(abi.meeting), 0);
    return abi_check("event_channel_op", "send-phase-1-done-received",
                     abi_wait(events_above, &seen, MEET_TIMEOUT_NS), "events from the peer",
                     (long)(READ_ONCE(meeting_events) - seen));
}

/* dom0 waits until `gone` has powered off before offering the meeting port,
 * so both sides find it stopped. */
static bool gone_stopped(void *arg)
{
    struct mica_domctl_getdomaininfo info;

    (void)arg;
    return domctl_get_domaininfo(abi.gone, &info) == 0 &&
           info.state != MICA_DOMCTL_STATE_RUNNING;
}

static bool setup(const struct guest_env *env)
{
    uint32_t peer, gone, restricted;
    long max_gfn = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0), held;

    abi.env = env;
    abi.privileged = env->si->flags & SIF_PRIVILEGED;
    abi.self = xen_domid();
    abi.absent = ABSENT_DOMID;
    if (!cmdline_get_uint(env->cmdline, "peer", &peer) || peer >= DOMID_SELF ||
        abi.self == DOMID_SELF || peer == abi.self) {
        printk("conformance: needs peer=<domid> other than ours (%u)\n", abi.self);
        return false;
    }
    abi.peer = (domid_t)peer;
    if (!cmdline_get_uint(env->cmdline, "gone", &gone) || gone >= DOMID_SELF) {
        printk("conformance: needs gone=<domid> of a domain that powers off at once\n");
        return false;
    }
    abi.gone = (domid_t)gone;
    if (!cmdline_get_uint(env->cmdline, "restricted", &restricted) || restricted >= DOMID_SELF) {
        printk("conformance: needs restricted=<domid> of the domain running test=restricted\n");
        return false;
    }
    abi.restricted = (domid_t)restricted;
    if (max_gfn <= 0) {
        printk("conformance: maximum_ram_page = %ld\n", max_gfn);
        return false;
    }
    abi.ram_end = ((uint64_t)max_gfn + 1) * PAGE_SIZE;
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)env->si->memmap_paddr;
    abi.ram_pages = 0;
    for (uint32_t i = 0; i < env->si->memmap_entries; i++)
        abi.ram_pages += map[i].size / PAGE_SIZE;
    abi.nvcpus = smp_vcpu_count();
    if (!grant_init(1))
        return false;

    /* What the peer may use of ours, from the start. */
    for (unsigned int i = 0; i < ABI_GRANT_PAGES; i++)
        fill(grant_pages[i], abi_grant_seed(abi.self, i));
    if (!grant_access(ABI_REF_PEER_RO, abi.peer, (uintptr_t)grant_pages[0] / PAGE_SIZE, true) ||
        !grant_access(ABI_REF_PEER_RW, abi.peer, (uintptr_t)grant_pages[1] / PAGE_SIZE, false) ||
        !grant_access(ABI_REF_NOT_PEER, abi.self, (uintptr_t)grant_pages[2] / PAGE_SIZE, true)) {
        printk("conformance: cannot write our grant entries\n");
        return false;
    }
    if (!abi_badptr_init())
        return false;
    if (abi.privileged &&
        !abi_check(F, "gone-domain-stopped", abi_wait(gone_stopped, NULL, MEET_TIMEOUT_NS),
                   "domain", abi.gone))
        return false;
    if (!meet())
        return false;
    /* A port waiting for a binder that is not the peer: the peer's scan of
     * our ports (event_channel_op.bind_interdomain-peer-not-offered) meets it. */
    held = evtchn_alloc_unbound(DOMID_SELF, NULL);
    abi.held = held > 0 ? (evtchn_port_t)held : 0;
    return abi_check("event_channel_op", "alloc_unbound-held", held > 0, "port", held);
}

void test_conformance(const struct guest_env *env)
{
    uint64_t seen;

    printk("conformance: as %s, command line \"%s\"\n",
           env->si->flags & SIF_PRIVILEGED ? "dom0" : "a domU", env->cmdline ? env->cmdline : "");
    if (!abi_check(F, "setup", setup(env), "see the line above", 0)) {
        abi_summary();
        return;
    }
    seen = READ_ONCE(meeting_events);

    abi_hypercall_cases();
    abi_xen_version_cases();
    abi_console_io_cases();
    abi_memory_op_cases();
    abi_hvm_op_cases();
    abi_set_timer_op_cases();
    abi_vcpu_op_cases();
    abi_hypercall_compat32_cases();
    abi_task_switch_cases();
    abi_sched_op_cases();
    abi_event_channel_op_cases();
    abi_physdev_op_cases();
    abi_grant_table_op_cases();
    abi_sysctl_cases();
    abi_domctl_cases();
    abi_domctl_console_cases();

    if (phase_1_done(seen)) {
        if (abi.privileged)
            abi_event_channel_op_dom0_acts();
        else
            abi_event_channel_op_domu_sees();
    }
    /* After phase 2: building domains takes dom0 a while, and the domU waits for it there. */
    abi_domctl_lifecycle_cases();
    abi_summary();
}
