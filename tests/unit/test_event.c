/*
 * Host unit test for hv/event.c (2-level delivery), linked with the real
 * hv/time.c (runstate accounting) over fake domains (shim_guest.c), a fake
 * clock (shim_time.c) and fake guest-physical RAM (shim_arch_mem.c).
 */
#include <string.h>
#include "check.h"
#include "shim_wake.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/time.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

CHECK_SUITE("event");

static struct vcpu *v1, *v2;
static struct domain *d1;
static struct shared_info *si1, *si2;
static struct vcpu_info *vi1;          /* dom1's vcpu_info slot in shared_info */

#define NOW SHIM_TIME_START

static void bind(struct vcpu *v, uint32_t port, uint32_t virq)
{
    v->domain->evtchn[port] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = v->id, .virq = virq };
    v->virq_port[virq] = (uint16_t)port;
}

/* dom1: VIRQ_TIMER on port 5, VIRQ_CONSOLE on port 63; dom2 a bystander. */
static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    v1 = shim_domain_create(1, false, MiB(16));
    v2 = shim_domain_create(2, false, MiB(16));
    d1 = v1->domain;
    si1 = shim_shared_info_create(d1);
    si2 = shim_shared_info_create(v2->domain);
    vi1 = &si1->vcpu_info[0];
    bind(v1, 5, VIRQ_TIMER);
    bind(v1, 63, VIRQ_CONSOLE);
    v1->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_RUNNING,
                                                .state_entry_time = NOW - 100,
                                                .time = { 10, 20, 30, 40 } };
}

static void snapshot(void)
{
    shim_world_snapshot();
    shim_arch_mem_snapshot();
}

static bool unchanged(void)
{
    return shim_world_unchanged() && shim_arch_mem_unchanged();
}

/* v1 as the scheduler leaves it after a block: BLOCKED since NOW - 500. */
static void block_v1(void)
{
    v1->state = VCPU_BLOCKED;
    v1->runstate.state = RUNSTATE_BLOCKED;
    v1->runstate.state_entry_time = NOW - 500;
}

static bool pending(uint32_t port)
{
    return si1->evtchn_pending[port / 64] >> (port % 64) & 1;
}

static bool nothing_raised(const struct vcpu_info *vi)
{
    return vi->evtchn_upcall_pending == 0 && vi->evtchn_pending_sel == 0 && !v1->upcall_needed;
}

/* ---- set_pending ----------------------------------------------------------- */

static void test_set_pending(void)
{
    setup();
    evtchn_set_pending(d1, 5);
    CHECK("pending bit set", si1->evtchn_pending[0] == 1ull << 5);
    CHECK("selector bit 0 set", vi1->evtchn_pending_sel == 1);
    CHECK("evtchn_upcall_pending set", vi1->evtchn_upcall_pending == 1);
    CHECK("upcall_needed set", v1->upcall_needed);
    CHECK("a running vCPU stays runnable, runstate untouched",
          v1->state == VCPU_RUNNABLE && v1->runstate.state == RUNSTATE_RUNNING &&
          v1->runstate.state_entry_time == NOW - 100);
    CHECK("mask bits untouched", si1->evtchn_mask[0] == 0);
    CHECK("other words untouched", si1->evtchn_pending[1] == 0);
    CHECK("other domain untouched", si2->evtchn_pending[0] == 0 &&
          si2->vcpu_info[0].evtchn_upcall_pending == 0 && !v2->upcall_needed);
    CHECK("evtchn_is_pending(5)", evtchn_is_pending(d1, 5) && !evtchn_is_pending(d1, 6));
    CHECK("vcpu_event_pending", vcpu_event_pending(v1) && !vcpu_event_pending(v2));

    /* The same port again: nothing new. */
    v1->upcall_needed = false;
    snapshot();
    evtchn_set_pending(d1, 5);
    CHECK("same port again raises nothing new", !v1->upcall_needed && unchanged());

    /* Another port while the upcall is still pending: bit only. */
    block_v1();     /* (a vCPU that blocked with the flag set is not woken again) */
    evtchn_set_pending(d1, 63);
    CHECK("second port: its bit set", pending(63) && pending(5));
    CHECK("second port: selector already set, no new upcall",
          vi1->evtchn_pending_sel == 1 && !v1->upcall_needed && v1->state == VCPU_BLOCKED);

    /* The guest has handled everything: the next event raises again. */
    setup();
    evtchn_set_pending(d1, 5);
    vi1->evtchn_upcall_pending = 0;
    vi1->evtchn_pending_sel = 0;
    si1->evtchn_pending[0] = 0;
    v1->upcall_needed = false;
    evtchn_set_pending(d1, 5);
    CHECK("after the guest cleared all: raised again",
          pending(5) && vi1->evtchn_pending_sel == 1 && vi1->evtchn_upcall_pending == 1 &&
          v1->upcall_needed);

    /* Guest cleared the flag but not the selector yet: nothing new (it will scan). */
    setup();
    evtchn_set_pending(d1, 5);
    vi1->evtchn_upcall_pending = 0;
    v1->upcall_needed = false;
    evtchn_set_pending(d1, 63);
    CHECK("selector still set: bit only, no upcall",
          pending(63) && vi1->evtchn_upcall_pending == 0 && !v1->upcall_needed);

    /* The flag is still set (selector clear): the upcall is already on its way. */
    setup();
    vi1->evtchn_upcall_pending = 1;
    block_v1();
    evtchn_set_pending(d1, 5);
    CHECK("flag already set: pending and selector bits set",
          pending(5) && vi1->evtchn_pending_sel == 1);
    CHECK("flag already set: no new upcall, no wake",
          !v1->upcall_needed && v1->state == VCPU_BLOCKED);

    /* Port 63: bit 63 of word 0. */
    setup();
    evtchn_set_pending(d1, 63);
    CHECK("port 63: bit 63 of word 0, selector bit 0",
          si1->evtchn_pending[0] == 1ull << 63 && si1->evtchn_pending[1] == 0 &&
          vi1->evtchn_pending_sel == 1 && v1->upcall_needed);

    /* An unbound port still goes to vCPU 0. */
    setup();
    evtchn_set_pending(d1, 20);
    CHECK("unbound port: pending, delivered to vCPU 0", pending(20) && v1->upcall_needed);
}

static void test_wake(void)
{
    setup();
    block_v1();
    unsigned before = shim_wake.runnable_calls;
    evtchn_set_pending(d1, 5);
    CHECK("blocked vCPU woken", v1->state == VCPU_RUNNABLE);
    CHECK("the wake-up reached the scheduler for that vCPU",
          shim_wake.runnable_calls == before + 1 && shim_wake.last_runnable == v1);
    CHECK("runstate -> runnable at now", v1->runstate.state == RUNSTATE_RUNNABLE &&
          v1->runstate.state_entry_time == NOW);
    CHECK("blocked time accounted (30 + 500)", v1->runstate.time[RUNSTATE_BLOCKED] == 530 &&
          v1->runstate.time[RUNSTATE_RUNNING] == 10);
    CHECK("and the upcall raised", v1->upcall_needed && vi1->evtchn_upcall_pending == 1);

    /* vcpu_wake only acts on a blocked vCPU. */
    setup();
    vcpu_wake(v1);
    CHECK("vcpu_wake on a runnable vCPU: nothing",
          v1->state == VCPU_RUNNABLE && v1->runstate.state == RUNSTATE_RUNNING);
    v1->state = VCPU_DOWN;
    snapshot();
    vcpu_wake(v1);
    CHECK("vcpu_wake on a down vCPU: stays down", v1->state == VCPU_DOWN && unchanged());
    evtchn_set_pending(d1, 5);
    CHECK("event for a down vCPU does not bring it up", v1->state == VCPU_DOWN);

    setup();
    block_v1();
    v1->poll_nr = 1;
    v1->poll_ports[0] = 30;
    v1->poll_deadline = NOW + 50;
    vcpu_wake(v1);
    CHECK("vcpu_wake clears the poll state",
          v1->state == VCPU_RUNNABLE && v1->poll_nr == 0 && v1->poll_deadline == 0);
}

/* ---- masking -------------------------------------------------------------- */

static void test_mask(void)
{
    setup();
    block_v1();
    si1->evtchn_mask[0] = 1ull << 5;
    evtchn_set_pending(d1, 5);
    CHECK("masked port: pending bit set", pending(5));
    CHECK("masked port: no selector, no upcall", nothing_raised(vi1));
    CHECK("masked port: blocked vCPU stays blocked",
          v1->state == VCPU_BLOCKED && v1->runstate.state == RUNSTATE_BLOCKED);

    evtchn_unmask(d1, 5);
    CHECK("unmask clears the mask bit", si1->evtchn_mask[0] == 0);
    CHECK("unmask delivers: selector, upcall_pending, upcall_needed",
          vi1->evtchn_pending_sel == 1 && vi1->evtchn_upcall_pending == 1 && v1->upcall_needed);
    CHECK("unmask wakes the blocked vCPU",
          v1->state == VCPU_RUNNABLE && v1->runstate.state == RUNSTATE_RUNNABLE);
    CHECK("pending bit stays for the guest", pending(5));

    /* Unmasking a port that is not pending raises nothing. */
    setup();
    block_v1();
    si1->evtchn_mask[0] = (1ull << 5) | (1ull << 7);
    evtchn_unmask(d1, 5);
    CHECK("unmask, not pending: only that mask bit cleared", si1->evtchn_mask[0] == 1ull << 7);
    CHECK("unmask, not pending: nothing raised, still blocked",
          nothing_raised(vi1) && v1->state == VCPU_BLOCKED);

    /* Unmask of a pending port whose upcall is already raised: nothing new. */
    setup();
    evtchn_set_pending(d1, 63);
    si1->evtchn_mask[0] = 1ull << 5;
    evtchn_set_pending(d1, 5);
    v1->upcall_needed = false;
    evtchn_unmask(d1, 5);
    CHECK("unmask with the selector already set: no new upcall", !v1->upcall_needed);
}

/* ---- poll wake-ups -------------------------------------------------------- */

static void poll_v1(uint32_t a, uint32_t b)
{
    block_v1();
    v1->poll_nr = 2;
    v1->poll_ports[0] = a;
    v1->poll_ports[1] = b;
    v1->poll_deadline = NOW + 1000;
}

static void test_poll_wake(void)
{
    setup();
    poll_v1(7, 9);
    si1->evtchn_mask[0] = ~0ull;
    evtchn_set_pending(d1, 9);
    CHECK("masked port being polled: pending", pending(9));
    CHECK("masked port being polled: poller woken", v1->state == VCPU_RUNNABLE &&
          v1->runstate.state == RUNSTATE_RUNNABLE);
    CHECK("poller's ports and deadline cleared", v1->poll_nr == 0 && v1->poll_deadline == 0);
    CHECK("masked: still no upcall", nothing_raised(vi1));

    setup();
    poll_v1(7, 9);
    evtchn_set_pending(d1, 7);
    CHECK("unmasked polled port: woken and upcall raised",
          v1->state == VCPU_RUNNABLE && v1->upcall_needed && v1->poll_nr == 0);

    setup();
    poll_v1(7, 9);
    si1->evtchn_mask[0] = ~0ull;
    evtchn_set_pending(d1, 11);
    CHECK("masked port not polled: poller sleeps on",
          v1->state == VCPU_BLOCKED && v1->poll_nr == 2 && v1->poll_deadline == NOW + 1000 &&
          pending(11) && nothing_raised(vi1));

    setup();
    poll_v1(7, 9);
    si1->evtchn_pending[0] = 1ull << 9;     /* already pending: no 0 -> 1, no wake */
    si1->evtchn_mask[0] = ~0ull;
    evtchn_set_pending(d1, 9);
    CHECK("port already pending: poller not woken again", v1->state == VCPU_BLOCKED);
}

/* ---- registered vcpu_info -------------------------------------------------- */

#define VINFO_GPA 0x3040

static void test_registered_vcpu_info(void)
{
    setup();
    struct vcpu_info *reg = shim_gpa_mem(VINFO_GPA, sizeof *reg);
    memset(reg, 0, sizeof *reg);
    v1->vcpu_info_gpa = VINFO_GPA;
    v1->vcpu_info_moved = true;
    CHECK("vcpu_info_of: the registered page", vcpu_info_of(v1) == reg);
    CHECK("vcpu_info_of: unregistered vCPU gets its shared_info slot",
          vcpu_info_of(v2) == &si2->vcpu_info[0]);
    block_v1();
    evtchn_set_pending(d1, 5);
    CHECK("registered: pending bit in shared_info", pending(5));
    CHECK("registered: selector and upcall flag in the registered vcpu_info",
          reg->evtchn_pending_sel == 1 && reg->evtchn_upcall_pending == 1);
    CHECK("registered: the shared_info slot is left alone", vi1->evtchn_upcall_pending == 0 &&
          vi1->evtchn_pending_sel == 0);
    CHECK("registered: upcall raised and vCPU woken",
          v1->upcall_needed && v1->state == VCPU_RUNNABLE);
    CHECK("registered: the bytes around it untouched",
          ((uint8_t *)shim_gpa_mem(VINFO_GPA - 1, 1))[0] == SHIM_FILL &&
          ((uint8_t *)shim_gpa_mem(VINFO_GPA + 64, 1))[0] == SHIM_FILL);
    CHECK("vcpu_event_pending reads the registered flag", vcpu_event_pending(v1));

    /* The page is no longer RAM: the port stays pending, nothing else, no crash. */
    setup();
    v1->vcpu_info_gpa = VINFO_GPA;
    v1->vcpu_info_moved = true;
    shim_gfn_set_ram(VINFO_GPA >> 12, false);
    CHECK("registered page gone: vcpu_info_of NULL", vcpu_info_of(v1) == NULL);
    block_v1();
    snapshot();
    evtchn_set_pending(d1, 5);
    CHECK("registered page gone: pending bit only",
          si1->evtchn_pending[0] == 1ull << 5 && !v1->upcall_needed &&
          v1->state == VCPU_BLOCKED && vi1->evtchn_upcall_pending == 0);
    CHECK("registered page gone: vcpu_event_pending false", !vcpu_event_pending(v1));
}

/* ---- ignored ports, VIRQs, no shared_info --------------------------------- */

static void test_ignored(void)
{
    static const uint32_t bad[] = { 0, 64, 65, 127, 4095, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        block_v1();
        snapshot();
        evtchn_set_pending(d1, bad[i]);
        CHECK(shim_name("set_pending port %u ignored", bad[i]), unchanged());
        CHECK(shim_name("evtchn_is_pending port %u false", bad[i]),
              !evtchn_is_pending(d1, bad[i]));
    }

    setup();
    v1->virq_port[VIRQ_TIMER] = 0;
    d1->evtchn[5].state = EVTCHN_FREE;
    block_v1();
    snapshot();
    evtchn_send_virq(v1, VIRQ_TIMER);
    evtchn_send_virq(v1, 1);
    evtchn_send_virq(v1, NR_VIRQS - 1);
    CHECK("send_virq with no binding does nothing", unchanged());
    evtchn_send_virq(v1, NR_VIRQS);
    evtchn_send_virq(v1, ~0u);
    CHECK("send_virq of a VIRQ >= NR_VIRQS does nothing", unchanged());

    setup();
    evtchn_send_virq(v1, VIRQ_CONSOLE);
    CHECK("send_virq with a binding: its port pending", pending(63) && !pending(5) &&
          v1->upcall_needed);
    evtchn_send_virq(v2, VIRQ_CONSOLE);
    CHECK("send_virq to an unbound vCPU of another domain: nothing",
          si2->evtchn_pending[0] == 0 && !v2->upcall_needed);

    /* A domain without shared_info: nothing to deliver into. */
    setup();
    d1->shared_info = NULL;
    snapshot();
    evtchn_set_pending(d1, 5);
    CHECK("no shared_info: set_pending does nothing", unchanged());
    CHECK("no shared_info: vcpu_info_of NULL, nothing pending",
          vcpu_info_of(v1) == NULL && !vcpu_event_pending(v1) && !evtchn_is_pending(d1, 5));
}

static void test_alloc_port(void)
{
    setup();
    CHECK("lowest free port: 1", evtchn_alloc_port(d1) == 1);
    CHECK("allocating does not take it", d1->evtchn[1].state == EVTCHN_FREE);
    d1->evtchn[1].state = EVTCHN_CONSOLE;
    CHECK("next free: 2", evtchn_alloc_port(d1) == 2);
    for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
        d1->evtchn[p].state = EVTCHN_VIRQ;
    CHECK("full table: 0", evtchn_alloc_port(d1) == 0);
    d1->evtchn[0].state = EVTCHN_FREE;
    d1->evtchn[62].state = EVTCHN_FREE;
    CHECK("only port 62 free: 62 (never 0)", evtchn_alloc_port(d1) == 62);
}

int main(void)
{
    test_set_pending();
    test_wake();
    test_mask();
    test_poll_wake();
    test_registered_vcpu_info();
    test_ignored();
    test_alloc_port();
    CHECK_DONE();
}
