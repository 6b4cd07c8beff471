/*
 * Host unit test for hv/vcpu_op.c (vcpu_op and set_timer_op), linked with the
 * real hv/event.c and hv/time.c over the fake guest (shim_guest.c), a fake
 * clock (shim_time.c) and fake guest-physical RAM (shim_arch_mem.c).
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/shared_info.h"
#include "public/vcpu_op.h"

CHECK_SUITE("vcpu_op");

/* dom1 is the caller (one vCPU, id 0); dom2 is a bystander. */
static struct vcpu *v1, *v2;
static struct domain *d1;
static struct shared_info *si1;

#define ARG  (SHIM_RW_BASE + 0x1000)
#define AREA (SHIM_RW_BASE + 0x2000)
#define NOW  SHIM_TIME_START

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    v1 = shim_domain_create(1, false, MiB(16));
    v2 = shim_domain_create(2, false, MiB(16));
    d1 = v1->domain;
    si1 = shim_shared_info_create(d1);
    shim_shared_info_create(v2->domain);
    /* running for 300 ns, after some history */
    v1->runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_RUNNING, .state_entry_time = NOW - 300,
        .time = { 1000, 2000, 3000, 4000 },
    };
    v2->runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_RUNNABLE, .state_entry_time = NOW - 50, .time = { 7, 8, 9, 10 },
    };
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

static long vop(struct vcpu *v, uint64_t cmd, uint64_t id, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, id, arg, 0x5a5a, 0x6b6b };
    shim_guest_clear_stats();
    return do_vcpu_op(v, args);
}

static long set_timer_op(struct vcpu *v, uint64_t timeout)
{
    const uint64_t args[HYPERCALL_ARGS] = { timeout, 0x4949, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_set_timer_op(v, args);
}

static void put(gvaddr_t va, const void *src, size_t len)
{
    memcpy(shim_guest_mem(va, len), src, len);
}

static struct vcpu_runstate_info runstate_at(gvaddr_t va)
{
    struct vcpu_runstate_info r;
    memcpy(&r, shim_guest_mem(va, sizeof r), sizeof r);
    return r;
}

static void put_sshot(gvaddr_t va, uint64_t timeout, uint32_t flags)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = timeout, .flags = flags };
    put(va, &t, sizeof t);
}

static void put_vinfo(gvaddr_t va, uint64_t mfn, uint32_t offset, uint32_t rsvd)
{
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset, .rsvd = rsvd };
    put(va, &r, sizeof r);
}

static void put_area(gvaddr_t va, uint64_t addr)
{
    struct vcpu_register_runstate_memory_area a = { .addr = addr };
    put(va, &a, sizeof a);
}

/* ---- is_up, stop_periodic ------------------------------------------------- */

static void test_is_up(void)
{
    setup();
    snapshot();
    CHECK("is_up: runnable vCPU -> 1", vop(v1, VCPUOP_IS_UP, 0, SHIM_UNMAPPED) == 1);
    CHECK("is_up touches no guest memory", shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    v1->state = VCPU_BLOCKED;
    CHECK("is_up: blocked vCPU -> 1", vop(v1, VCPUOP_IS_UP, 0, 0) == 1);
    v1->state = VCPU_DOWN;
    CHECK("is_up: down vCPU -> 0", vop(v1, VCPUOP_IS_UP, 0, 0) == 0);
    v1->state = VCPU_RUNNABLE;
    CHECK("is_up changes nothing", unchanged());

    snapshot();
    CHECK("stop_periodic_timer -> 0", vop(v1, VCPUOP_STOP_PERIODIC_TIMER, 0, SHIM_NONCANON) == 0);
    CHECK("stop_periodic touches no guest memory",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("stop_periodic changes nothing", unchanged());
}

/* ---- get_runstate_info ---------------------------------------------------- */

static void test_get_runstate(void)
{
    setup();
    snapshot();
    CHECK("get_runstate_info -> 0", vop(v1, VCPUOP_GET_RUNSTATE_INFO, 0, ARG) == 0);
    struct vcpu_runstate_info r = runstate_at(ARG);
    CHECK("state running", r.state == RUNSTATE_RUNNING);
    CHECK("running time includes now - entry (1000 + 300)", r.time[RUNSTATE_RUNNING] == 1300);
    CHECK("state_entry_time is when the state began", r.state_entry_time == NOW - 300);
    CHECK("other times as accounted",
          r.time[1] == 2000 && r.time[2] == 3000 && r.time[3] == 4000);
    CHECK("exactly 48 bytes written once",
          shim_guest.to_calls == 1 && shim_guest.to_bytes == 48 &&
          shim_bytes_are(shim_guest_mem(ARG + 48, 64), 64, SHIM_FILL) &&
          shim_bytes_are(shim_guest_mem(ARG - 16, 16), 16, SHIM_FILL));
    CHECK("the vCPU's own accounting is not changed", shim_domains_unchanged());

    shim_now_ns = NOW + 700;
    v1->state = VCPU_BLOCKED;
    v1->runstate.state = RUNSTATE_BLOCKED;
    v1->runstate.state_entry_time = NOW + 200;
    CHECK("blocked vCPU -> 0", vop(v1, VCPUOP_GET_RUNSTATE_INFO, 0, ARG) == 0);
    r = runstate_at(ARG);
    CHECK("blocked: time[blocked] 3000 + 500, running as is",
          r.state == RUNSTATE_BLOCKED && r.time[RUNSTATE_BLOCKED] == 3500 &&
          r.time[RUNSTATE_RUNNING] == 1000);

    CHECK("upper-half buffer works", vop(v1, VCPUOP_GET_RUNSTATE_INFO, 0, SHIM_HI_BASE) == 0 &&
          runstate_at(SHIM_HI_BASE).time[RUNSTATE_BLOCKED] == 3500);

    /* Never entered a state: nothing to add. */
    setup();
    v1->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_RUNNABLE, .time = { 5, 6, 7, 8 } };
    CHECK("no entry time -> 0", vop(v1, VCPUOP_GET_RUNSTATE_INFO, 0, ARG) == 0);
    r = runstate_at(ARG);
    CHECK("no entry time: times as they are",
          r.state == RUNSTATE_RUNNABLE && r.time[0] == 5 && r.time[1] == 6 && r.time[2] == 7 &&
          r.time[3] == 8);

    /* Output pointers it cannot write. */
    const size_t size = sizeof(struct vcpu_runstate_info);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, size); b->what; b++) {
        setup();
        snapshot();
        CHECK(shim_name("get_runstate_info to %s -> EFAULT", b->what),
              vop(v1, VCPUOP_GET_RUNSTATE_INFO, 0, b->va) == -XEN_EFAULT);
        CHECK(shim_name("get_runstate_info to %s changes no state", b->what),
              b->partial ? shim_domains_unchanged() && shim_arch_mem_unchanged() : unchanged());
    }
}

/* ---- register_runstate_memory_area ---------------------------------------- */

static void test_register_runstate(void)
{
    setup();
    put_area(ARG, AREA);
    CHECK("register runstate area -> 0",
          vop(v1, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, ARG) == 0);
    CHECK("area registered", v1->runstate_gva == AREA);
    struct vcpu_runstate_info r = runstate_at(AREA);
    CHECK("written at once for the caller: a snapshot up to now",
          r.state == RUNSTATE_RUNNING && r.time[RUNSTATE_RUNNING] == 1300 && r.time[RUNSTATE_RUNNABLE] == 2000 &&
          r.time[RUNSTATE_BLOCKED] == 3000 && r.time[RUNSTATE_OFFLINE] == 4000);
    CHECK("8 bytes read, 48 written",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 8 &&
          shim_guest.to_calls == 1 && shim_guest.to_bytes == 48);
    CHECK("runstate accounting untouched",
          v1->runstate.time[RUNSTATE_RUNNING] == 1000 && v1->runstate.state_entry_time == NOW - 300);

    /* runstate_publish (hv/time.c) writes the accounting to the new area. */
    memset(shim_guest_mem(AREA, 48), 0, 48);
    runstate_publish(v1);
    CHECK("registered area is where publishing writes",
          runstate_at(AREA).time[RUNSTATE_OFFLINE] == 4000);

    /* Move it to another address, including the upper half. */
    put_area(ARG, SHIM_HI_BASE + 0x100);
    CHECK("re-register elsewhere -> 0",
          vop(v1, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, ARG) == 0 &&
          v1->runstate_gva == SHIM_HI_BASE + 0x100 &&
          runstate_at(SHIM_HI_BASE + 0x100).time[RUNSTATE_RUNNING] == 1300);

    /* 0 clears it and writes nothing. */
    put_area(ARG, 0);
    CHECK("addr 0 -> 0", vop(v1, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, ARG) == 0);
    CHECK("addr 0 clears the registration", v1->runstate_gva == 0);
    CHECK("addr 0 writes nothing", shim_guest.to_calls == 0);

    /* The area from read-only memory is fine as input. */
    put_area(SHIM_RO_BASE, AREA);
    CHECK("argument in read-only memory -> 0",
          vop(v1, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, SHIM_RO_BASE) == 0 &&
          v1->runstate_gva == AREA);

    /* An area it cannot write: -EFAULT, nothing registered (and an old one kept).
     * Address 0 is not one: it unregisters. */
    const size_t size = sizeof(struct vcpu_runstate_info);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, size); b->what; b++) {
        if (b->kind == BAD_NULL)
            continue;
        for (int old = 0; old < 2; old++) {
            setup();
            v1->runstate_gva = old ? AREA : 0;
            put_area(ARG, b->va);
            shim_world_snapshot();
            shim_arch_mem_snapshot();
            CHECK(shim_name("area %s%s -> EFAULT", b->what, old ? " (one registered)" : ""),
                  vop(v1, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, ARG) == -XEN_EFAULT);
            CHECK(shim_name("area %s%s: registration unchanged", b->what,
                            old ? " (one registered)" : ""),
                  v1->runstate_gva == (old ? AREA : 0) && shim_domains_unchanged());
        }
    }
}

/* ---- set_singleshot_timer / stop_singleshot_timer / set_timer_op ----------- */

static void test_singleshot(void)
{
    setup();
    put_sshot(ARG, NOW + 5000, 0);
    CHECK("set_singleshot +5000 -> 0", vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0);
    CHECK("deadline set", v1->timer_deadline == NOW + 5000);
    CHECK("16 bytes read, nothing written",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 16 && shim_guest.to_calls == 0);
    CHECK("other vCPU's timer untouched", v2->timer_deadline == 0);

    put_sshot(ARG, 0, 0);
    CHECK("timeout 0 -> 0", vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0);
    CHECK("timeout 0 fires at once (deadline 1)", v1->timer_deadline == 1);

    put_sshot(ARG, NOW - 1, 0);
    CHECK("past timeout without FUTURE -> 0, armed",
          vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0 && v1->timer_deadline == NOW - 1);

    put_sshot(ARG, NOW + 1, VCPU_SSHOTTMR_FUTURE);
    CHECK("FUTURE with now + 1 -> 0, armed",
          vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0 && v1->timer_deadline == NOW + 1);

    put_sshot(SHIM_RO_BASE, NOW + 77, 0);
    CHECK("argument in read-only memory -> 0",
          vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, SHIM_RO_BASE) == 0 &&
          v1->timer_deadline == NOW + 77);

    CHECK("stop_singleshot -> 0", vop(v1, VCPUOP_STOP_SINGLESHOT_TIMER, 0, SHIM_UNMAPPED) == 0);
    CHECK("stop_singleshot clears the deadline", v1->timer_deadline == 0);
    CHECK("stop_singleshot touches no guest memory",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);

    /* Errors leave an armed timer alone. */
    static const struct {
        const char *name;
        uint64_t timeout;
        uint32_t flags;
        long rc;
    } errs[] = {
        { "FUTURE with now", NOW, VCPU_SSHOTTMR_FUTURE, -XEN_ETIME },
        { "FUTURE with now - 1", NOW - 1, VCPU_SSHOTTMR_FUTURE, -XEN_ETIME },
        { "FUTURE with 0", 0, VCPU_SSHOTTMR_FUTURE, -XEN_ETIME },
        { "flags bit 1", NOW + 5000, 2, -XEN_EINVAL },
        { "flags bit 31", NOW + 5000, 1u << 31, -XEN_EINVAL },
        { "FUTURE | bit 1", NOW + 5000, 3, -XEN_EINVAL },
        { "all flags", NOW + 5000, ~0u, -XEN_EINVAL },
    };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        for (int armed = 0; armed < 2; armed++) {
            setup();
            v1->timer_deadline = armed ? NOW + 999 : 0;
            put_sshot(ARG, errs[i].timeout, errs[i].flags);
            snapshot();
            CHECK(shim_name("%s%s -> %ld", errs[i].name, armed ? " (armed)" : "", errs[i].rc),
                  vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == errs[i].rc);
            CHECK(shim_name("%s%s: nothing armed or changed", errs[i].name,
                            armed ? " (armed)" : ""),
                  v1->timer_deadline == (armed ? NOW + 999 : 0) && unchanged());
        }
    }

    /* set_timer_op is the same timer. */
    setup();
    CHECK("set_timer_op(now + 10) -> 0", set_timer_op(v1, NOW + 10) == 0);
    CHECK("set_timer_op sets the deadline", v1->timer_deadline == NOW + 10);
    CHECK("set_timer_op touches no guest memory",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("set_timer_op(0) -> 0", set_timer_op(v1, 0) == 0);
    CHECK("set_timer_op(0) clears the deadline", v1->timer_deadline == 0);
    CHECK("set_timer_op: other domain untouched", v2->timer_deadline == 0);
}

/* The armed timer delivers VIRQ_TIMER at its deadline (hv/time.c + hv/event.c). */
static void test_timer_fires(void)
{
    setup();
    d1->evtchn[4] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = 0, .virq = VIRQ_TIMER };
    v1->virq_port[VIRQ_TIMER] = 4;
    put_sshot(ARG, NOW + 100, VCPU_SSHOTTMR_FUTURE);
    CHECK("arm at now + 100", vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0);
    shim_now_ns = NOW + 99;
    timer_fire_expired();
    CHECK("not fired before its deadline",
          !evtchn_is_pending(d1, 4) && v1->timer_deadline == NOW + 100);
    shim_now_ns = NOW + 100;
    timer_fire_expired();
    CHECK("fired at its deadline: VIRQ_TIMER port pending, upcall raised",
          evtchn_is_pending(d1, 4) && si1->vcpu_info[0].evtchn_upcall_pending == 1 &&
          v1->upcall_needed);
    CHECK("fired timer is disarmed", v1->timer_deadline == 0);

    setup();
    d1->evtchn[4] = (struct evtchn){ .state = EVTCHN_VIRQ, .vcpu = 0, .virq = VIRQ_TIMER };
    v1->virq_port[VIRQ_TIMER] = 4;
    put_sshot(ARG, 0, 0);
    CHECK("timeout 0 -> 0", vop(v1, VCPUOP_SET_SINGLESHOT_TIMER, 0, ARG) == 0);
    timer_fire_expired();
    CHECK("timeout 0 fires at the next check", evtchn_is_pending(d1, 4));
}

/* ---- register_vcpu_info --------------------------------------------------- */

static void fill_old_vcpu_info(void)
{
    struct vcpu_info *vi = &si1->vcpu_info[0];
    vi->evtchn_upcall_pending = 1;
    vi->evtchn_upcall_mask = 1;
    vi->evtchn_pending_sel = 0x8000000000000005ull;
    vi->arch.cr2 = 0x123456789ull;
    vi->time.version = 6;
}

static void test_register_vcpu_info(void)
{
    setup();
    fill_old_vcpu_info();
    put_vinfo(ARG, 3, 0x40, 0);
    CHECK("register_vcpu_info gfn 3 offset 0x40 -> 0",
          vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, ARG) == 0);
    CHECK("vcpu_info_gpa 0x3040", v1->vcpu_info_gpa == 0x3040);
    struct vcpu_info *vi = shim_gpa_mem(0x3040, sizeof *vi);
    CHECK("vcpu_info_of now the registered page", vcpu_info_of(v1) == vi);
    CHECK("contents carried over",
          vi->evtchn_upcall_pending == 1 && vi->evtchn_upcall_mask == 1 &&
          vi->evtchn_pending_sel == 0x8000000000000005ull && vi->arch.cr2 == 0x123456789ull);
    CHECK("pvclock refreshed in the new place",
          vi->time.version % 2 == 0 && vi->time.version >= 6 && vi->time.system_time == NOW &&
          vi->time.tsc_timestamp == NOW + SHIM_TSC_AT_BOOT &&
          vi->time.tsc_to_system_mul == SHIM_TSC_MUL && vi->time.tsc_shift == SHIM_TSC_SHIFT &&
          (vi->time.flags & XEN_PVCLOCK_TSC_STABLE_BIT));
    CHECK("only those 64 bytes written",
          shim_bytes_are(shim_gpa_mem(0x3000, 0x40), 0x40, SHIM_FILL) &&
          shim_bytes_are(shim_gpa_mem(0x3080, 0xf80), 0xf80, SHIM_FILL));
    CHECK("16 bytes read from the guest, nothing written",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 16 && shim_guest.to_calls == 0);
    CHECK("other domain untouched", v2->vcpu_info_gpa == 0);

    /* Once only. */
    put_vinfo(ARG, 4, 0, 0);
    snapshot();
    CHECK("second registration -> EINVAL", vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, ARG) == -XEN_EINVAL);
    CHECK("second registration changes nothing", unchanged() && v1->vcpu_info_gpa == 0x3040);

    /* The last offset that fits, input from read-only memory. */
    setup();
    put_vinfo(SHIM_RO_BASE, 2, PAGE_SIZE - 64, 0);
    CHECK("offset 4032 (last that fits), argument read-only -> 0",
          vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, SHIM_RO_BASE) == 0 &&
          v1->vcpu_info_gpa == 0x2000 + PAGE_SIZE - 64);

    /* Refusals: all -EINVAL, nothing changes. */
    static const struct {
        const char *name;
        uint64_t mfn;
        uint32_t offset, rsvd;
    } bad[] = {
        { "rsvd 1", 3, 0, 1 },
        { "rsvd bit 31", 3, 0, 1u << 31 },
        { "offset 4033 crosses the page", 3, PAGE_SIZE - 63, 0 },
        { "offset 4096", 3, PAGE_SIZE, 0 },
        { "offset 0xffffffff", 3, 0xffffffffu, 0 },
        { "frame that is a hole", 5, 0, 0 },
        { "frame above RAM", SHIM_GPA_PAGES, 0, 0 },
        { "frame 2^36", 1ull << 36, 0, 0 },
        { "frame wrapping to gfn 3", (1ull << 52) | 3, 0, 0 },
        { "frame ~0", ~0ull, 0, 0 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        fill_old_vcpu_info();
        shim_gfn_set_ram(5, false);
        put_vinfo(ARG, bad[i].mfn, bad[i].offset, bad[i].rsvd);
        snapshot();
        CHECK(shim_name("register_vcpu_info %s -> EINVAL", bad[i].name),
              vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, ARG) == -XEN_EINVAL);
        CHECK(shim_name("register_vcpu_info %s changes nothing", bad[i].name),
              v1->vcpu_info_gpa == 0 && vcpu_info_of(v1) == &si1->vcpu_info[0] && unchanged());
    }

    /*
     * GFN 0 is RAM ([0, 0x9F000) in docs/guest-memory.md), so gfn 0 offset 0
     * is a valid place. Regression: vcpu_info_gpa == 0 once meant "not
     * moved", so such a registration returned 0 but moved nothing.
     */
    setup();
    fill_old_vcpu_info();
    put_vinfo(ARG, 0, 0, 0);
    CHECK("register_vcpu_info gfn 0 offset 0 -> 0", vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, ARG) == 0);
    CHECK("register_vcpu_info gfn 0 offset 0 moves vcpu_info there",
          vcpu_info_of(v1) == shim_gpa_mem(0, sizeof(struct vcpu_info)));
    put_vinfo(ARG, 3, 0, 0);
    CHECK("after gfn 0 offset 0 a second registration is refused (once only)",
          vop(v1, VCPUOP_REGISTER_VCPU_INFO, 0, ARG) == -XEN_EINVAL);
}

/* ---- errors common to every command ---------------------------------------- */

static const uint64_t all_cmds[] = {
    VCPUOP_INITIALISE, VCPUOP_UP, VCPUOP_DOWN, VCPUOP_IS_UP, VCPUOP_GET_RUNSTATE_INFO,
    VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA,
    VCPUOP_STOP_PERIODIC_TIMER, VCPUOP_SET_SINGLESHOT_TIMER, VCPUOP_STOP_SINGLESHOT_TIMER,
    VCPUOP_REGISTER_VCPU_INFO,
};

static void test_bad_vcpuid(void)
{
    static const uint64_t ids[] = { 1, 2, 31, 1ull << 32, ~0ull };

    for (size_t c = 0; c < sizeof all_cmds / sizeof all_cmds[0]; c++) {
        setup();
        v1->timer_deadline = NOW + 3;
        /* an argument that would succeed for vCPU 0 */
        switch (all_cmds[c]) {
        case VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA: put_area(ARG, AREA); break;
        case VCPUOP_SET_SINGLESHOT_TIMER: put_sshot(ARG, NOW + 50, 0); break;
        case VCPUOP_REGISTER_VCPU_INFO: put_vinfo(ARG, 3, 0, 0); break;
        default: break;
        }
        snapshot();
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            CHECK(shim_name("cmd %llu vcpuid %#llx -> EINVAL", (unsigned long long)all_cmds[c],
                            (unsigned long long)ids[i]),
                  vop(v1, all_cmds[c], ids[i], ARG) == -XEN_EINVAL);
            CHECK(shim_name("cmd %llu vcpuid %#llx touches no guest memory",
                            (unsigned long long)all_cmds[c], (unsigned long long)ids[i]),
                  shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
        }
        CHECK(shim_name("cmd %llu with bad vcpuids changes nothing",
                        (unsigned long long)all_cmds[c]), unchanged());
    }
}

static void test_unknown(void)
{
    /* 6 is Xen's set_periodic_timer, which PVH vCPUs do not have. */
    static const uint64_t cmds[] = { 6, 11, 12, 13, 14, 0x100, (1ull << 32) | VCPUOP_INITIALISE,
                                     (1ull << 32) | VCPUOP_IS_UP, ~0ull };
    setup();
    put_area(ARG, AREA);
    snapshot();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              vop(v1, cmds[i], 0, ARG) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", unchanged());
}

/* Input pointers it cannot read: every sub-op with an argument. */
static void test_bad_pointers(void)
{
    static const struct {
        uint64_t cmd;
        size_t size;
    } cmds[] = {
        { VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, sizeof(struct vcpu_register_runstate_memory_area) },
        { VCPUOP_SET_SINGLESHOT_TIMER, sizeof(struct vcpu_set_singleshot_timer) },
        { VCPUOP_REGISTER_VCPU_INFO, sizeof(struct vcpu_register_vcpu_info) },
    };
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        /* a valid request wherever the pointer is readable: the read must still fail */
        uint8_t good[16];
        struct vcpu_register_runstate_memory_area a = { .addr = AREA };
        struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = NOW + 50 };
        struct vcpu_register_vcpu_info r = { .mfn = 3 };
        memcpy(good, c == 0 ? (void *)&a : c == 1 ? (void *)&t : (void *)&r, cmds[c].size);
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, cmds[c].size); b->what; b++) {
            setup();
            fill_old_vcpu_info();
            bad_pointers_put_valid(good, cmds[c].size);
            snapshot();
            CHECK(shim_name("cmd %llu from %s -> EFAULT", (unsigned long long)cmds[c].cmd,
                            b->what),
                  vop(v1, cmds[c].cmd, 0, b->va) == -XEN_EFAULT);
            CHECK(shim_name("cmd %llu from %s changes nothing", (unsigned long long)cmds[c].cmd,
                            b->what), unchanged());
        }
    }
}

int main(void)
{
    test_is_up();
    test_get_runstate();
    test_register_runstate();
    test_singleshot();
    test_timer_fires();
    test_register_vcpu_info();
    test_bad_vcpuid();
    test_unknown();
    test_bad_pointers();
    CHECK_DONE();
}
