/*
 * Host unit test for hv/sched_op.c, linked with the real hv/event.c and
 * hv/time.c over the fake guest (shim_guest.c), fake clock (shim_time.c) and
 * fake guest-physical RAM (shim_arch_mem.c). domain_shutdown (hv/domain.c,
 * which needs the arch) is replaced below by one that only records.
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "public/errno.h"
#include "public/sched_op.h"
#include "public/shared_info.h"

CHECK_SUITE("sched_op");

static struct {
    unsigned calls;
    struct domain *d;
    uint32_t reason;
} shutdown_rec;

void domain_shutdown(struct domain *d, uint32_t reason)
{
    shutdown_rec.calls++;
    shutdown_rec.d = d;
    shutdown_rec.reason = reason;
}

/* dom1 is the caller; dom2 a bystander. */
static struct vcpu *v1, *v2;
static struct domain *d1;
static struct shared_info *si1;

#define ARG   (SHIM_RW_BASE + 0x1000)
#define PORTS (SHIM_RW_BASE + 0x2000)
#define NOW   SHIM_TIME_START

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    memset(&shutdown_rec, 0, sizeof shutdown_rec);
    v1 = shim_domain_create(1, false, MiB(16));
    v2 = shim_domain_create(2, false, MiB(16));
    d1 = v1->domain;
    si1 = shim_shared_info_create(d1);
    shim_shared_info_create(v2->domain);
    d1->shutdown_code = ~0u;                /* as the domain builder sets it */
    v2->domain->shutdown_code = ~0u;
    v1->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_RUNNING,
                                                .state_entry_time = NOW - 100 };
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

static long sop(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_sched_op(v, args);
}

static void put_reason(gvaddr_t va, uint32_t reason)
{
    struct sched_shutdown s = { .reason = reason };
    memcpy(shim_guest_mem(va, sizeof s), &s, sizeof s);
}

static void put_poll(gvaddr_t va, gvaddr_t ports, uint32_t nr, uint64_t timeout)
{
    struct sched_poll p = { .ports = ports, .nr_ports = nr, .timeout = timeout };
    memcpy(shim_guest_mem(va, sizeof p), &p, sizeof p);
}

static void put_ports(gvaddr_t va, const uint32_t *ports, size_t n)
{
    memcpy(shim_guest_mem(va, n * 4), ports, n * 4);
}

static bool not_blocked(struct vcpu *v)
{
    return v->state == VCPU_RUNNABLE && !v->need_resched && v->poll_nr == 0 &&
           v->poll_deadline == 0;
}

/* ---- yield, block ----------------------------------------------------------- */

static void test_yield_block(void)
{
    setup();
    snapshot();
    CHECK("yield -> 0", sop(v1, SCHEDOP_YIELD, SHIM_UNMAPPED) == 0);
    CHECK("yield sets need_resched", v1->need_resched);
    CHECK("yield leaves the vCPU runnable", v1->state == VCPU_RUNNABLE);
    CHECK("yield ignores its argument", shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    v1->need_resched = false;
    CHECK("yield changes nothing else", unchanged());

    setup();
    snapshot();
    CHECK("block -> 0", sop(v1, SCHEDOP_BLOCK, SHIM_NONCANON) == 0);
    CHECK("block with nothing pending blocks", v1->state == VCPU_BLOCKED && v1->need_resched);
    CHECK("block ignores its argument", shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("block is not a poll", v1->poll_nr == 0 && v1->poll_deadline == 0);
    CHECK("other vCPU untouched", v2->state == VCPU_RUNNABLE && !v2->need_resched);
    v1->state = VCPU_RUNNABLE;
    v1->need_resched = false;
    CHECK("block changes nothing else", unchanged());

    /* An event then wakes it. */
    d1->evtchn[6] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = 0, .virq = 0 };
    CHECK("block again", sop(v1, SCHEDOP_BLOCK, 0) == 0 && v1->state == VCPU_BLOCKED);
    evtchn_set_pending(d1, 6);
    CHECK("an event wakes the blocked vCPU", v1->state == VCPU_RUNNABLE && v1->upcall_needed);

    /* Something already pending: no block. */
    setup();
    si1->vcpu_info[0].evtchn_upcall_pending = 1;
    snapshot();
    CHECK("block with upcall pending -> 0", sop(v1, SCHEDOP_BLOCK, 0) == 0);
    CHECK("block with upcall pending does not block", not_blocked(v1) && unchanged());

    /* Pending bits alone (upcall flag clear) do not stop the block: it is the flag. */
    setup();
    si1->evtchn_pending[0] = 1ull << 6;
    si1->vcpu_info[0].evtchn_pending_sel = 1;
    CHECK("block with only pending bits -> 0, blocks",
          sop(v1, SCHEDOP_BLOCK, 0) == 0 && v1->state == VCPU_BLOCKED);

    /* With a registered vcpu_info, that one's flag counts. */
    setup();
    v1->vcpu_info_gpa = 0x2040;
    v1->vcpu_info_moved = true;
    memset(shim_gpa_mem(0x2040, sizeof(struct vcpu_info)), 0, sizeof(struct vcpu_info));
    ((struct vcpu_info *)shim_gpa_mem(0x2040, sizeof(struct vcpu_info)))->evtchn_upcall_pending = 1;
    CHECK("registered vcpu_info with upcall pending: no block",
          sop(v1, SCHEDOP_BLOCK, 0) == 0 && not_blocked(v1));
    setup();
    v1->vcpu_info_gpa = 0x2040;
    v1->vcpu_info_moved = true;
    memset(shim_gpa_mem(0x2040, sizeof(struct vcpu_info)), 0, sizeof(struct vcpu_info));
    si1->vcpu_info[0].evtchn_upcall_pending = 1;    /* the old slot no longer counts */
    CHECK("registered vcpu_info clear (old slot set): blocks",
          sop(v1, SCHEDOP_BLOCK, 0) == 0 && v1->state == VCPU_BLOCKED);

    /* Taken down by another CPU while this call's exit waited for the lock. */
    setup();
    v1->state = VCPU_DOWN;
    CHECK("block of a vCPU taken down -> 0, it stays down",
          sop(v1, SCHEDOP_BLOCK, 0) == 0 && v1->state == VCPU_DOWN && !v1->need_resched);
}

/* ---- shutdown, shutdown_code -------------------------------------------------- */

static void test_shutdown(void)
{
    for (uint32_t r = SHUTDOWN_POWEROFF; r <= SHUTDOWN_WATCHDOG; r++) {
        setup();
        put_reason(ARG, r);
        CHECK(shim_name("shutdown reason %u -> 0", r), sop(v1, SCHEDOP_SHUTDOWN, ARG) == 0);
        CHECK(shim_name("shutdown reason %u: domain_shutdown(d1, %u) once", r, r),
              shutdown_rec.calls == 1 && shutdown_rec.d == d1 && shutdown_rec.reason == r);
        CHECK(shim_name("shutdown reason %u reads 4 bytes", r),
              shim_guest.from_calls == 1 && shim_guest.from_bytes == 4 && shim_guest.to_calls == 0);
    }

    static const uint32_t bad[] = { 5, 6, 255, 0x80000000u, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        put_reason(ARG, bad[i]);
        snapshot();
        CHECK(shim_name("shutdown reason %u -> EINVAL", bad[i]),
              sop(v1, SCHEDOP_SHUTDOWN, ARG) == -XEN_EINVAL);
        CHECK(shim_name("shutdown reason %u: domain untouched", bad[i]),
              shutdown_rec.calls == 0 && unchanged());
    }

    const struct sched_shutdown poweroff = { .reason = SHUTDOWN_POWEROFF };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof poweroff); b->what; b++) {
        setup();
        bad_pointers_put_valid(&poweroff, sizeof poweroff);
        snapshot();
        CHECK(shim_name("shutdown from %s -> EFAULT", b->what),
              sop(v1, SCHEDOP_SHUTDOWN, b->va) == -XEN_EFAULT);
        CHECK(shim_name("shutdown from %s: domain untouched", b->what),
              shutdown_rec.calls == 0 && unchanged());
        CHECK(shim_name("shutdown_code from %s -> EFAULT", b->what),
              sop(v1, SCHEDOP_SHUTDOWN_CODE, b->va) == -XEN_EFAULT);
        CHECK(shim_name("shutdown_code from %s: nothing recorded", b->what), unchanged());
    }

    setup();
    put_reason(SHIM_RO_BASE, SHUTDOWN_CRASH);
    CHECK("shutdown with a read-only argument -> 0",
          sop(v1, SCHEDOP_SHUTDOWN, SHIM_RO_BASE) == 0 && shutdown_rec.reason == SHUTDOWN_CRASH);

    for (uint32_t r = SHUTDOWN_POWEROFF; r <= SHUTDOWN_WATCHDOG; r++) {
        setup();
        put_reason(ARG, r);
        snapshot();
        CHECK(shim_name("shutdown_code %u -> 0", r), sop(v1, SCHEDOP_SHUTDOWN_CODE, ARG) == 0);
        CHECK(shim_name("shutdown_code %u recorded", r), d1->shutdown_code == r);
        CHECK(shim_name("shutdown_code %u does not stop the domain", r),
              shutdown_rec.calls == 0 && d1->state == DOMAIN_RUNNING &&
              v1->state == VCPU_RUNNABLE && !v1->need_resched);
        d1->shutdown_code = ~0u;
        CHECK(shim_name("shutdown_code %u changes nothing else", r), unchanged());
    }
    setup();
    put_reason(ARG, SHUTDOWN_REBOOT);
    sop(v1, SCHEDOP_SHUTDOWN_CODE, ARG);
    put_reason(ARG, SHUTDOWN_SUSPEND);
    CHECK("a later shutdown_code replaces the earlier",
          sop(v1, SCHEDOP_SHUTDOWN_CODE, ARG) == 0 && d1->shutdown_code == SHUTDOWN_SUSPEND);
    CHECK("other domain's code untouched", v2->domain->shutdown_code == ~0u);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_reason(ARG, bad[i]);
        snapshot();
        CHECK(shim_name("shutdown_code %u -> EINVAL", bad[i]),
              sop(v1, SCHEDOP_SHUTDOWN_CODE, ARG) == -XEN_EINVAL);
        CHECK(shim_name("shutdown_code %u: code kept", bad[i]),
              d1->shutdown_code == SHUTDOWN_SUSPEND && unchanged());
    }
}

/* ---- poll ------------------------------------------------------------------------ */

static void test_poll(void)
{
    static const uint32_t two[] = { 5, 9 };

    /* One of the ports already pending: 0 at once. */
    setup();
    put_ports(PORTS, two, 2);
    put_poll(ARG, PORTS, 2, NOW + 1000);
    si1->evtchn_pending[0] = 1ull << 9;
    snapshot();
    CHECK("poll with port 9 pending -> 0", sop(v1, SCHEDOP_POLL, ARG) == 0);
    CHECK("pending port: no block, nothing changed", not_blocked(v1) && unchanged());
    CHECK("poll reads 24 + 8 bytes, writes nothing",
          shim_guest.from_calls == 2 && shim_guest.from_bytes == 32 && shim_guest.to_calls == 0);

    setup();
    put_ports(PORTS, two, 2);
    put_poll(ARG, PORTS, 2, 0);
    si1->evtchn_pending[0] = 1ull << 5;
    si1->evtchn_mask[0] = 1ull << 5;
    CHECK("masked pending port counts as pending",
          sop(v1, SCHEDOP_POLL, ARG) == 0 && not_blocked(v1));

    /* Nothing pending: block, ports and deadline recorded. */
    setup();
    put_ports(PORTS, two, 2);
    put_poll(ARG, PORTS, 2, NOW + 1000);
    si1->evtchn_pending[0] = 1ull << 6;             /* a port not polled */
    CHECK("poll with nothing pending -> 0", sop(v1, SCHEDOP_POLL, ARG) == 0);
    CHECK("blocks", v1->state == VCPU_BLOCKED && v1->need_resched);
    CHECK("ports recorded", v1->poll_nr == 2 && v1->poll_ports[0] == 5 && v1->poll_ports[1] == 9);
    CHECK("deadline recorded", v1->poll_deadline == NOW + 1000);
    CHECK("other vCPU untouched", v2->state == VCPU_RUNNABLE && v2->poll_nr == 0);

    /* ... and a masked event on a polled port wakes it (hv/event.c). */
    si1->evtchn_mask[0] = 1ull << 9;
    evtchn_set_pending(d1, 9);
    CHECK("masked event on a polled port wakes the poller",
          v1->state == VCPU_RUNNABLE && v1->poll_nr == 0 && v1->poll_deadline == 0 &&
          !v1->upcall_needed);

    /* Taken down by another CPU while this call's exit waited for the lock:
     * it stays down, and waits for nothing. */
    setup();
    put_ports(PORTS, two, 2);
    put_poll(ARG, PORTS, 2, NOW + 1000);
    v1->state = VCPU_DOWN;
    CHECK("poll of a vCPU taken down -> 0, it stays down, nothing recorded",
          sop(v1, SCHEDOP_POLL, ARG) == 0 && v1->state == VCPU_DOWN && !v1->need_resched &&
          v1->poll_nr == 0 && v1->poll_deadline == 0);

    /* ... or the timeout (hv/time.c). */
    setup();
    put_ports(PORTS, two, 2);
    put_poll(ARG, PORTS, 2, NOW + 1000);
    CHECK("poll again", sop(v1, SCHEDOP_POLL, ARG) == 0 && v1->state == VCPU_BLOCKED);
    CHECK("timer_next_deadline sees the poll timeout", timer_next_deadline() == NOW + 1000);
    shim_now_ns = NOW + 999;
    timer_fire_expired();
    CHECK("still asleep before the timeout", v1->state == VCPU_BLOCKED);
    shim_now_ns = NOW + 1000;
    timer_fire_expired();
    CHECK("woken at the timeout", v1->state == VCPU_RUNNABLE && v1->poll_nr == 0);

    /* No timeout. */
    setup();
    put_ports(PORTS, two, 1);
    put_poll(ARG, PORTS, 1, 0);
    CHECK("poll one port, no timeout -> 0, blocks",
          sop(v1, SCHEDOP_POLL, ARG) == 0 && v1->state == VCPU_BLOCKED && v1->poll_nr == 1 &&
          v1->poll_ports[0] == 5 && v1->poll_deadline == 0);

    /* Only a timeout. */
    setup();
    put_poll(ARG, SHIM_UNMAPPED, 0, NOW + 5);
    CHECK("poll no ports, future timeout -> 0, blocks",
          sop(v1, SCHEDOP_POLL, ARG) == 0 && v1->state == VCPU_BLOCKED && v1->poll_nr == 0 &&
          v1->poll_deadline == NOW + 5);

    /* A timeout already past: 0 at once. */
    static const struct {
        const char *name;
        uint32_t nr;
        uint64_t timeout;
    } past[] = {
        { "2 ports, timeout now", 2, NOW }, { "2 ports, timeout now - 1", 2, NOW - 1 },
        { "2 ports, timeout 1", 2, 1 }, { "no ports, timeout now", 0, NOW },
    };
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        setup();
        put_ports(PORTS, two, 2);
        put_poll(ARG, PORTS, past[i].nr, past[i].timeout);
        snapshot();
        CHECK(shim_name("poll %s -> 0", past[i].name), sop(v1, SCHEDOP_POLL, ARG) == 0);
        CHECK(shim_name("poll %s: no block", past[i].name), not_blocked(v1) && unchanged());
    }

    /* The most ports allowed. */
    setup();
    uint32_t many[SCHED_POLL_MAX_PORTS + 1];
    for (uint32_t i = 0; i <= SCHED_POLL_MAX_PORTS; i++)
        many[i] = 1 + i % 63;
    put_ports(PORTS, many, SCHED_POLL_MAX_PORTS + 1);
    put_poll(ARG, PORTS, SCHED_POLL_MAX_PORTS, 0);
    CHECK("poll 128 ports -> 0, blocks",
          sop(v1, SCHEDOP_POLL, ARG) == 0 && v1->state == VCPU_BLOCKED &&
          v1->poll_nr == SCHED_POLL_MAX_PORTS && v1->poll_ports[0] == 1 &&
          v1->poll_ports[127] == 1 + 127 % 63);

    /* Ports in read-only memory are fine. */
    setup();
    put_ports(SHIM_RO_BASE + 0x100, two, 2);
    put_poll(SHIM_RO_BASE, SHIM_RO_BASE + 0x100, 2, 0);
    CHECK("poll with read-only argument and ports -> 0",
          sop(v1, SCHEDOP_POLL, SHIM_RO_BASE) == 0 && v1->poll_nr == 2 && v1->poll_ports[1] == 9);

    /* Argument errors: -EINVAL, nothing changed. */
    static const uint32_t bad64[] = { 5, 64 };
    static const uint32_t badmax[] = { ~0u, 5 };
    static const uint32_t bad4095[] = { 4095 };
    const struct {
        const char *name;
        const uint32_t *ports;
        uint32_t n, nr;
        uint64_t timeout;
    } inval[] = {
        { "129 ports", many, SCHED_POLL_MAX_PORTS + 1, SCHED_POLL_MAX_PORTS + 1, NOW + 10 },
        { "2^32 - 1 ports", many, 1, ~0u, NOW + 10 },
        { "no ports and no timeout", many, 1, 0, 0 },
        { "port 64", bad64, 2, 2, NOW + 10 },
        { "port 64, no timeout", bad64, 2, 2, 0 },
        { "port 0xffffffff", badmax, 2, 2, NOW + 10 },
        { "port 4095", bad4095, 1, 1, 0 },
    };
    for (size_t i = 0; i < sizeof inval / sizeof inval[0]; i++) {
        setup();
        put_ports(PORTS, inval[i].ports, inval[i].n);
        put_poll(ARG, PORTS, inval[i].nr, inval[i].timeout);
        snapshot();
        CHECK(shim_name("poll %s -> EINVAL", inval[i].name),
              sop(v1, SCHEDOP_POLL, ARG) == -XEN_EINVAL);
        CHECK(shim_name("poll %s: no block, nothing changed", inval[i].name),
              not_blocked(v1) && unchanged());
    }

    /* Pointers it cannot read: the argument, and the ports (2 and the most),
     * with valid contents wherever they can be read. */
    const struct sched_poll good = { .ports = PORTS, .nr_ports = 2, .timeout = NOW + 10 };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        setup();
        put_ports(PORTS, two, 2);
        bad_pointers_put_valid(&good, sizeof good);
        snapshot();
        CHECK(shim_name("poll argument %s -> EFAULT", b->what),
              sop(v1, SCHEDOP_POLL, b->va) == -XEN_EFAULT);
        CHECK(shim_name("poll argument %s: state unchanged", b->what),
              not_blocked(v1) && unchanged());
    }
    static const uint32_t nrs[] = { 2, SCHED_POLL_MAX_PORTS };
    for (size_t n = 0; n < sizeof nrs / sizeof nrs[0]; n++) {
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, nrs[n] * 4); b->what; b++) {
            setup();
            bad_pointers_put_valid(many, nrs[n] * 4);
            put_poll(ARG, b->va, nrs[n], NOW + 10);
            snapshot();
            CHECK(shim_name("poll %u ports %s -> EFAULT", nrs[n], b->what),
                  sop(v1, SCHEDOP_POLL, ARG) == -XEN_EFAULT);
            CHECK(shim_name("poll %u ports %s: state unchanged", nrs[n], b->what),
                  not_blocked(v1) && unchanged());
        }
    }
}

/* ---- remote_shutdown -------------------------------------------------------------- */

static void put_remote(gvaddr_t va, uint16_t domid, uint16_t pad, uint32_t reason)
{
    struct sched_remote_shutdown r = { .domain_id = domid, .pad = pad, .reason = reason };
    memcpy(shim_guest_mem(va, sizeof r), &r, sizeof r);
}

static void test_remote_shutdown(void)
{
    setup();
    struct vcpu *v0 = shim_domain_create(0, true, MiB(32));
    put_remote(ARG, 2, 0, SHUTDOWN_REBOOT);
    CHECK("dom0 shuts dom2 down, with its reason",
          sop(v0, SCHEDOP_REMOTE_SHUTDOWN, ARG) == 0 && shutdown_rec.calls == 1 &&
          shutdown_rec.d == v2->domain && shutdown_rec.reason == SHUTDOWN_REBOOT);

    struct {
        const char *what;
        uint16_t domid, pad;
        uint32_t reason;
        bool from_dom0;
        long want;
    } bad[] = {
        { "from a domU -> EPERM", 2, 0, SHUTDOWN_POWEROFF, false, -XEN_EPERM },
        { "dom0 naming itself -> EPERM", 0, 0, SHUTDOWN_POWEROFF, true, -XEN_EPERM },
        { "dom0 naming DOMID_SELF -> EPERM", DOMID_SELF, 0, SHUTDOWN_POWEROFF, true,
          -XEN_EPERM },
        { "a reason past SHUTDOWN_WATCHDOG -> EINVAL", 2, 0, SHUTDOWN_WATCHDOG + 1, true,
          -XEN_EINVAL },
        { "pad set -> EINVAL", 2, 1, SHUTDOWN_POWEROFF, true, -XEN_EINVAL },
        { "no such domain -> ESRCH", 9, 0, SHUTDOWN_POWEROFF, true, -XEN_ESRCH },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        v0 = shim_domain_create(0, true, MiB(32));
        put_remote(ARG, bad[i].domid, bad[i].pad, bad[i].reason);
        CHECK(shim_name("remote_shutdown %s", bad[i].what),
              sop(bad[i].from_dom0 ? v0 : v1, SCHEDOP_REMOTE_SHUTDOWN, ARG) == bad[i].want &&
              shutdown_rec.calls == 0);
    }
    setup();
    v0 = shim_domain_create(0, true, MiB(32));
    CHECK("remote_shutdown with an unmapped argument -> EFAULT",
          sop(v0, SCHEDOP_REMOTE_SHUTDOWN, SHIM_UNMAPPED) == -XEN_EFAULT &&
          shutdown_rec.calls == 0);
}

/* ---- unknown ---------------------------------------------------------------------- */

static void test_unknown(void)
{
    static const uint64_t cmds[] = { 6, 7, 8, 0x100, (1ull << 32) | SCHEDOP_YIELD, ~0ull };
    setup();
    put_reason(ARG, SHUTDOWN_POWEROFF);
    snapshot();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              sop(v1, cmds[i], ARG) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", unchanged() && shutdown_rec.calls == 0);
}

int main(void)
{
    test_yield_block();
    test_shutdown();
    test_poll();
    test_remote_shutdown();
    test_unknown();
    CHECK_DONE();
}
