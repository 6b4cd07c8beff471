/*
 * Host unit test for hv/event_channel_op.c, linked with the real hv/event.c
 * and hv/time.c over the fake guest (shim_guest.c), fake clock (shim_time.c),
 * fake guest-physical RAM (shim_arch_mem.c) and a recording console
 * (shim_console.c).
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

CHECK_SUITE("event_channel_op");

/* dom1 is the caller (a domU: console port 1, as the domain builder sets it); dom2 a bystander. */
static struct vcpu *v1, *v2;
static struct domain *d1, *d2;
static struct shared_info *si1;

#define ARG (SHIM_RW_BASE + 0x1000)

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    shim_console_reset();
    v1 = shim_domain_create(1, false, MiB(16));
    v2 = shim_domain_create(2, false, MiB(16));
    d1 = v1->domain;
    d2 = v2->domain;
    si1 = shim_shared_info_create(d1);
    shim_shared_info_create(d2);
    d1->console_port = evtchn_alloc_port(d1);
    d1->evtchn[d1->console_port] = (struct evtchn){ .state = EVTCHN_CONSOLE, .vcpu = 0 };
    d2->console_port = evtchn_alloc_port(d2);
    d2->evtchn[d2->console_port] = (struct evtchn){ .state = EVTCHN_CONSOLE, .vcpu = 0 };
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

static long evop(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_event_channel_op(v, args);
}

static void put_bind(gvaddr_t va, uint32_t virq, uint32_t vcpu)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu, .port = 0xdeadbeef };
    memcpy(shim_guest_mem(va, sizeof b), &b, sizeof b);
}

static uint32_t bound_port(gvaddr_t va)
{
    struct evtchn_bind_virq b;
    memcpy(&b, shim_guest_mem(va, sizeof b), sizeof b);
    return b.port;
}

/* bind_virq through the hypercall; the port written back, or 0 on error. */
static uint32_t bind(struct vcpu *v, uint32_t virq)
{
    put_bind(ARG, virq, 0);
    return evop(v, EVTCHNOP_BIND_VIRQ, ARG) == 0 ? bound_port(ARG) : 0;
}

static void put_port(uint32_t port)
{
    struct evtchn_port_arg a = { .port = port };
    memcpy(shim_guest_mem(ARG, sizeof a), &a, sizeof a);
}

static long port_op(struct vcpu *v, uint64_t cmd, uint32_t port)
{
    put_port(port);
    return evop(v, cmd, ARG);
}

static bool pending(uint32_t port)
{
    return si1->evtchn_pending[port / 64] >> (port % 64) & 1;
}

/* ---- bind_virq ------------------------------------------------------------- */

static void test_bind_virq(void)
{
    setup();
    put_bind(ARG, VIRQ_TIMER, 0);
    CHECK("bind VIRQ_TIMER -> 0", evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == 0);
    uint32_t tp = bound_port(ARG);
    CHECK("timer port written back, >= 1, not the console port",
          tp >= 1 && tp < EVTCHN_MAX_PORTS && tp != d1->console_port);
    CHECK("12 bytes read, 12 written",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 12 &&
          shim_guest.to_calls == 1 && shim_guest.to_bytes == 12);
    CHECK("virq and vcpu fields kept in the copy-out", ((struct evtchn_bind_virq *)
          shim_guest_mem(ARG, 12))->virq == VIRQ_TIMER &&
          ((struct evtchn_bind_virq *)shim_guest_mem(ARG, 12))->vcpu == 0);
    CHECK("timer port is a VIRQ port of vCPU 0",
          d1->evtchn[tp].state == EVTCHN_VIRQ && d1->evtchn[tp].vcpu == 0 &&
          d1->evtchn[tp].virq == VIRQ_TIMER);
    CHECK("vCPU's virq_port[TIMER] set", v1->virq_port[VIRQ_TIMER] == tp);
    CHECK("bind changes no pending/mask bit", si1->evtchn_pending[0] == 0 && si1->evtchn_mask[0] == 0);

    put_bind(ARG, VIRQ_CONSOLE, 0);
    CHECK("bind VIRQ_CONSOLE -> 0", evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == 0);
    uint32_t cp = bound_port(ARG);
    CHECK("console VIRQ gets a new port", cp >= 1 && cp != tp && cp != d1->console_port);
    CHECK("console VIRQ bound", d1->evtchn[cp].state == EVTCHN_VIRQ &&
          d1->evtchn[cp].virq == VIRQ_CONSOLE && v1->virq_port[VIRQ_CONSOLE] == cp);
    CHECK("other domain has no binding",
          v2->virq_port[VIRQ_TIMER] == 0 && v2->virq_port[VIRQ_CONSOLE] == 0 &&
          d2->evtchn[tp].state == EVTCHN_FREE);

    /* The binding works: evtchn_send_virq delivers on that port. */
    evtchn_send_virq(v1, VIRQ_TIMER);
    CHECK("VIRQ_TIMER delivered on the bound port", pending(tp) && !pending(cp) &&
          si1->vcpu_info[0].evtchn_upcall_pending == 1);

    /* Already bound. */
    put_bind(ARG, VIRQ_TIMER, 0);
    snapshot();
    CHECK("second bind of VIRQ_TIMER -> EEXIST", evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == -XEN_EEXIST);
    CHECK("EEXIST changes nothing", unchanged());

    /* The lowest free port is taken. */
    setup();
    for (uint32_t p = 2; p < EVTCHN_MAX_PORTS; p++)
        d1->evtchn[p] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = 0, .virq = 5 };
    d1->evtchn[40].state = EVTCHN_FREE;
    CHECK("only port 40 free: bound there", bind(v1, VIRQ_CONSOLE) == 40 &&
          v1->virq_port[VIRQ_CONSOLE] == 40);

    /* Table full. */
    put_bind(ARG, VIRQ_TIMER, 0);
    snapshot();
    CHECK("no free port -> ENOSPC", evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == -XEN_ENOSPC);
    CHECK("ENOSPC changes nothing", unchanged() && v1->virq_port[VIRQ_TIMER] == 0);

    /* Argument errors. */
    static const struct {
        const char *name;
        uint32_t virq, vcpu;
        long rc;
    } errs[] = {
        { "virq 1", 1, 0, -XEN_EINVAL },
        { "virq 4", 4, 0, -XEN_EINVAL },
        { "virq 3 (DOM_EXC, global) on vcpu 1", VIRQ_DOM_EXC, 1, -XEN_ENOENT },
        { "virq 23", 23, 0, -XEN_EINVAL },
        { "virq 24 (NR_VIRQS)", NR_VIRQS, 0, -XEN_EINVAL },
        { "virq 99", 99, 0, -XEN_EINVAL },
        { "virq 0xffffffff", 0xffffffffu, 0, -XEN_EINVAL },
        { "vcpu 1", VIRQ_TIMER, 1, -XEN_ENOENT },
        { "vcpu 5", VIRQ_TIMER, 5, -XEN_ENOENT },
        { "vcpu 5 (console)", VIRQ_CONSOLE, 5, -XEN_ENOENT },
        { "vcpu 0xffffffff", VIRQ_TIMER, 0xffffffffu, -XEN_ENOENT },
    };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        setup();
        put_bind(ARG, errs[i].virq, errs[i].vcpu);
        snapshot();
        CHECK(shim_name("bind %s -> %ld", errs[i].name, errs[i].rc),
              evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == errs[i].rc);
        CHECK(shim_name("bind %s: nothing bound, nothing written", errs[i].name),
              unchanged() && shim_guest.to_calls == 0);
    }

    /* A global VIRQ is bound on vCPU 0 only, as Xen requires. */
    setup();
    shim_vcpu_add(v1->domain);
    put_bind(ARG, VIRQ_DOM_EXC, 1);
    CHECK("bind DOM_EXC on vcpu 1 of two -> EINVAL", evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == -XEN_EINVAL);
    put_bind(ARG, VIRQ_DOM_EXC, 0);
    CHECK("bind DOM_EXC on vcpu 0 -> a port",
          evop(v1, EVTCHNOP_BIND_VIRQ, ARG) == 0 && v1->virq_port[VIRQ_DOM_EXC] != 0);

    /* An argument it cannot read, or (read-only) cannot write the port back to:
     * a valid request in every byte it can read, yet nothing bound. */
    const struct evtchn_bind_virq good = { .virq = VIRQ_TIMER, .vcpu = 0, .port = 0xdeadbeef };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, sizeof good); b->what; b++) {
        setup();
        bad_pointers_put_valid(&good, sizeof good);
        snapshot();
        CHECK(shim_name("bind from %s -> EFAULT", b->what),
              evop(v1, EVTCHNOP_BIND_VIRQ, b->va) == -XEN_EFAULT);
        CHECK(shim_name("bind from %s: nothing bound", b->what),
              unchanged() && v1->virq_port[VIRQ_TIMER] == 0 && d1->evtchn[2].state == EVTCHN_FREE);
    }
}

/* send, unmask and close with an argument it cannot read: -EFAULT, no drain,
 * nothing changed, though the readable part names `port`, valid after prepare(). */
static void check_port_arg_faults(const char *op, uint64_t cmd, void (*prepare)(void), uint32_t port)
{
    const struct evtchn_port_arg good = { .port = port };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        prepare();
        bad_pointers_put_valid(&good, sizeof good);
        snapshot();
        CHECK(shim_name("%s from %s -> EFAULT", op, b->what), evop(v1, cmd, b->va) == -XEN_EFAULT);
        CHECK(shim_name("%s from %s: no drain, nothing changed", op, b->what),
              shim_console.drain_calls == 0 && unchanged());
    }
}

/* ---- send ---------------------------------------------------------------------- */

static void test_send(void)
{
    setup();
    CHECK("send on the console port -> 0", port_op(v1, EVTCHNOP_SEND, d1->console_port) == 0);
    CHECK("the ring is drained exactly once, for this domain",
          shim_console.drain_calls == 1 && shim_console.drain_last == d1);
    CHECK("send reads 4 bytes, writes nothing",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 4 && shim_guest.to_calls == 0);
    CHECK("console send raises no event on the sender",
          si1->evtchn_pending[0] == 0 && !v1->upcall_needed);

    CHECK("dom2's send drains dom2", port_op(v2, EVTCHNOP_SEND, d2->console_port) == 0 &&
          shim_console.drain_calls == 2 && shim_console.drain_last == d2);
    CHECK("each send counted for its sender",
          v1->stats.evtchn_sends == 1 && v2->stats.evtchn_sends == 1);

    static const struct {
        const char *name;
        uint32_t port;
    } bad[] = {
        { "a VIRQ port", 2 }, { "a free port", 10 }, { "port 63 (free)", 63 }, { "port 0", 0 },
        { "port 64", 64 }, { "port 65", 65 }, { "port 4095", 4095 }, { "port 0xffffffff", ~0u },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        CHECK("bind timer on port 2", bind(v1, VIRQ_TIMER) == 2);
        put_port(bad[i].port);
        snapshot();
        shim_console_reset();
        CHECK(shim_name("send on %s -> EINVAL", bad[i].name),
              evop(v1, EVTCHNOP_SEND, ARG) == -XEN_EINVAL);
        CHECK(shim_name("send on %s: no drain, nothing changed (nor counted)", bad[i].name),
              shim_console.drain_calls == 0 && unchanged() && v1->stats.evtchn_sends == 0);
    }

    check_port_arg_faults("send", EVTCHNOP_SEND, setup, 1);     /* the console port */
}

/* ---- unmask ---------------------------------------------------------------------- */

static void setup_all_masked(void)
{
    setup();
    si1->evtchn_mask[0] = ~0ull;
}

static void test_unmask(void)
{
    setup();
    uint32_t tp = bind(v1, VIRQ_TIMER);
    CHECK("bind timer", tp == 2);
    si1->evtchn_mask[0] |= 1ull << tp;
    evtchn_send_virq(v1, VIRQ_TIMER);
    CHECK("masked timer event: pending, no upcall",
          pending(tp) && si1->vcpu_info[0].evtchn_upcall_pending == 0 &&
          si1->vcpu_info[0].evtchn_pending_sel == 0 && !v1->upcall_needed);
    CHECK("unmask -> 0", port_op(v1, EVTCHNOP_UNMASK, tp) == 0);
    CHECK("mask bit cleared", (si1->evtchn_mask[0] >> tp & 1) == 0);
    CHECK("pending port delivered: selector, upcall_pending, upcall raised",
          si1->vcpu_info[0].evtchn_pending_sel == 1 &&
          si1->vcpu_info[0].evtchn_upcall_pending == 1 && v1->upcall_needed);
    CHECK("unmask reads 4 bytes, writes nothing",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 4 && shim_guest.to_calls == 0);

    /* Masked but not pending: only the mask bit changes. */
    setup();
    si1->evtchn_mask[0] = ~0ull;
    CHECK("unmask port 63 (not pending) -> 0", port_op(v1, EVTCHNOP_UNMASK, 63) == 0);
    CHECK("only bit 63 cleared", si1->evtchn_mask[0] == ~(1ull << 63));
    CHECK("not pending: no upcall", si1->vcpu_info[0].evtchn_upcall_pending == 0 &&
          si1->vcpu_info[0].evtchn_pending_sel == 0 && !v1->upcall_needed);

    /* A blocked vCPU wakes when unmask delivers. */
    setup();
    si1->evtchn_mask[0] = 1ull << 7;
    si1->evtchn_pending[0] = 1ull << 7;
    v1->state = VCPU_BLOCKED;
    CHECK("unmask pending port 7 -> 0", port_op(v1, EVTCHNOP_UNMASK, 7) == 0);
    CHECK("blocked vCPU woken by the delivery", v1->state == VCPU_RUNNABLE && v1->upcall_needed);

    static const uint32_t bad[] = { 0, 64, 65, 127, 4095, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        si1->evtchn_mask[0] = si1->evtchn_mask[1] = ~0ull;
        si1->evtchn_pending[0] = si1->evtchn_pending[1] = ~0ull;
        put_port(bad[i]);
        snapshot();
        CHECK(shim_name("unmask port %u -> EINVAL", bad[i]),
              evop(v1, EVTCHNOP_UNMASK, ARG) == -XEN_EINVAL);
        CHECK(shim_name("unmask port %u changes nothing", bad[i]), unchanged());
    }

    check_port_arg_faults("unmask", EVTCHNOP_UNMASK, setup_all_masked, 1);
}

/* ---- close ------------------------------------------------------------------------ */

static void setup_timer_bound(void)
{
    setup();
    CHECK("bind timer on port 2", bind(v1, VIRQ_TIMER) == 2);
}

static void test_close(void)
{
    setup();
    uint32_t tp = bind(v1, VIRQ_TIMER), cp = bind(v1, VIRQ_CONSOLE);
    CHECK("bind timer and console VIRQs", tp == 2 && cp == 3);
    si1->evtchn_pending[0] = (1ull << tp) | (1ull << cp) | (1ull << 40);
    si1->evtchn_mask[0] = 1ull << tp;
    CHECK("close the timer port -> 0", port_op(v1, EVTCHNOP_CLOSE, tp) == 0);
    CHECK("port freed", d1->evtchn[tp].state == EVTCHN_FREE);
    CHECK("vCPU's virq_port[TIMER] cleared", v1->virq_port[VIRQ_TIMER] == 0);
    CHECK("its pending bit cleared, the others kept",
          si1->evtchn_pending[0] == ((1ull << cp) | (1ull << 40)));
    CHECK("console VIRQ still bound", v1->virq_port[VIRQ_CONSOLE] == cp &&
          d1->evtchn[cp].state == EVTCHN_VIRQ);
    CHECK("console port untouched", d1->evtchn[d1->console_port].state == EVTCHN_CONSOLE);
    CHECK("close reads 4 bytes, writes nothing",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 4 && shim_guest.to_calls == 0);

    evtchn_send_virq(v1, VIRQ_TIMER);
    CHECK("closed VIRQ is no longer delivered", !pending(tp));

    CHECK("closed port can be bound again", bind(v1, VIRQ_TIMER) == tp &&
          v1->virq_port[VIRQ_TIMER] == tp);

    static const struct {
        const char *name;
        uint32_t port;
    } bad[] = {
        { "the console port", 1 }, { "a free port", 10 }, { "port 63 (free)", 63 },
        { "port 0", 0 }, { "port 64", 64 }, { "port 4095", 4095 }, { "port 0xffffffff", ~0u },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        CHECK("bind timer", bind(v1, VIRQ_TIMER) == 2);
        si1->evtchn_pending[0] = si1->evtchn_pending[1] = ~0ull;
        put_port(bad[i].port);
        snapshot();
        CHECK(shim_name("close %s -> EINVAL", bad[i].name),
              evop(v1, EVTCHNOP_CLOSE, ARG) == -XEN_EINVAL);
        CHECK(shim_name("close %s changes nothing", bad[i].name), unchanged());
    }

    setup();
    CHECK("bind timer", bind(v1, VIRQ_TIMER) == 2);
    CHECK("close it", port_op(v1, EVTCHNOP_CLOSE, 2) == 0);
    snapshot();
    CHECK("close it again -> EINVAL", port_op(v1, EVTCHNOP_CLOSE, 2) == -XEN_EINVAL && unchanged());

    check_port_arg_faults("close", EVTCHNOP_CLOSE, setup_timer_bound, 2);
}

/* ---- the end-of-run leak check ---------------------------------------------------- */

static void test_ports_in_use(void)
{
    setup();
    CHECK("console ports are not counted", evtchn_ports_in_use() == 0);
    CHECK("bind two VIRQs in dom1, one in dom2", bind(v1, VIRQ_TIMER) == 2 && bind(v1, VIRQ_CONSOLE) == 3 &&
          bind(v2, VIRQ_TIMER) == 2);
    CHECK("three ports in use", evtchn_ports_in_use() == 3);
    evtchn_close_all(d1);
    CHECK("close_all of one domain: its ports gone, the other's counted",
          evtchn_ports_in_use() == 1 && d1->evtchn[d1->console_port].state == EVTCHN_CONSOLE);
    evtchn_close_all(d2);
    CHECK("every domain closed: none in use", evtchn_ports_in_use() == 0);
}

/* ---- sub-ops that are not implemented ---------------------------------------------- */

/* The inter-domain sub-ops (tested in test_evtchn_interdomain.c) are dispatched:
 * each reads its argument and answers something other than ENOSYS. */
static void test_dispatched(void)
{
    static const struct {
        const char *name;
        uint64_t cmd;
        long rc;            /* for the argument below: all zeroes but the console port */
    } cmds[] = {
        { "0 bind_interdomain (dom 0: no such domain)", EVTCHNOP_BIND_INTERDOMAIN, -XEN_ESRCH },
        { "5 status (DOMID 0: another domain)", EVTCHNOP_STATUS, -XEN_EPERM },
        { "6 alloc_unbound (in dom0)", EVTCHNOP_ALLOC_UNBOUND, -XEN_EPERM },
        { "7 bind_ipi (vCPU 0)", EVTCHNOP_BIND_IPI, 0 },
        { "8 bind_vcpu (port 0)", EVTCHNOP_BIND_VCPU, -XEN_EINVAL },
        { "10 reset (dom0)", EVTCHNOP_RESET, -XEN_EPERM },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        setup();
        memset(shim_guest_mem(ARG, 32), 0, 32);
        CHECK(shim_name("cmd %s -> %ld", cmds[i].name, cmds[i].rc),
              evop(v1, cmds[i].cmd, ARG) == cmds[i].rc);
        CHECK(shim_name("cmd %s reads its argument", cmds[i].name),
              shim_guest.from_calls == 1 && shim_guest.last_from == ARG);
    }
}

struct unknown_cmd {
    const char *name;
    uint64_t cmd;
};

/* Each of `cmds` is -ENOSYS before its argument (the console port) is read; nothing changes. */
static void expect_enosys(const char *who, const struct unknown_cmd *cmds, size_t n)
{
    memcpy(shim_guest_mem(ARG, 4), &d1->console_port, 4);
    snapshot();
    for (size_t i = 0; i < n; i++) {
        CHECK(shim_name("%scmd %s -> ENOSYS", who, cmds[i].name),
              evop(v1, cmds[i].cmd, ARG) == -XEN_ENOSYS);
        CHECK(shim_name("%scmd %s touches no guest memory", who, cmds[i].name),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK(shim_name("%sthose commands change nothing, drain nothing", who),
          unchanged() && shim_console.drain_calls == 0 && !d1->fifo.active);
}

static void test_unknown(void)
{
    static const struct unknown_cmd cmds[] = {
        { "14 (Xen's internal reset_cont)", 14 }, { "99", 99 }, { "2^32 + send", (1ull << 32) | EVTCHNOP_SEND },
        { "2^32 + alloc_unbound", (1ull << 32) | EVTCHNOP_ALLOC_UNBOUND }, { "~0", ~0ull },
    };
    setup();
    expect_enosys("", cmds, sizeof cmds / sizeof cmds[0]);
}

/* A domain booted with evtchn=2l: the FIFO sub-ops are as unknown as on a Xen without them. */
static void test_fifo_refused_2l(void)
{
    static const struct unknown_cmd cmds[] = {
        { "11 init_control", EVTCHNOP_INIT_CONTROL }, { "12 expand_array", EVTCHNOP_EXPAND_ARRAY },
        { "13 set_priority", EVTCHNOP_SET_PRIORITY },
    };
    setup();
    d1->evtchn_2l_only = true;
    expect_enosys("2l: ", cmds, sizeof cmds / sizeof cmds[0]);
}

int main(void)
{
    test_bind_virq();
    test_send();
    test_unmask();
    test_close();
    test_ports_in_use();
    test_dispatched();
    test_unknown();
    test_fifo_refused_2l();
    CHECK_DONE();
}
