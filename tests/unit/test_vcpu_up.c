/*
 * Host unit test for multi-vCPU domains: vcpu_op's initialise, up, down and
 * is_up (hv/vcpu_op.c) over the recording seams of shim_vcpu.c (scheduler,
 * domain shutdown, the arch hook), and IPIs between vCPUs of one domain
 * (hv/event_channel_op.c, hv/event.c). The context checks themselves are
 * arch code: tests/unit/test_vcpu_context.c.
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_wake.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/hvm_vcpu.h"
#include "public/sched_op.h"
#include "public/shared_info.h"
#include "public/vcpu_op.h"

CHECK_SUITE("vcpu_up");

/* dom1 has four vCPUs: 0 up (the boot vCPU), 1-3 down and never initialised.
 * dom2 (two vCPUs) is a bystander. */
#define NVCPUS 4
static struct vcpu *v[NVCPUS], *w0, *w1;
static struct domain *d1;
static struct shared_info *si1;

#define ARG  (SHIM_RW_BASE + 0x1000)
#define ARG2 (SHIM_RW_BASE + 0x2000)
#define NOW  SHIM_TIME_START

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    shim_console_reset();
    shim_vcpu_reset();
    v[0] = shim_domain_create(1, false, MiB(16));
    d1 = v[0]->domain;
    for (int i = 1; i < NVCPUS; i++) {
        v[i] = shim_vcpu_add(d1);
        v[i]->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_OFFLINE,
                                                      .state_entry_time = NOW - 100 };
    }
    v[0]->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_RUNNING,
                                                  .state_entry_time = NOW - 100 };
    w0 = shim_domain_create(2, false, MiB(16));
    w1 = shim_vcpu_add(w0->domain);
    si1 = shim_shared_info_create(d1);
    shim_shared_info_create(w0->domain);
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

static long vop(struct vcpu *caller, uint64_t cmd, uint64_t id, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, id, arg, 0x5a5a, 0x6b6b };
    shim_guest_clear_stats();
    return do_vcpu_op(caller, args);
}

static long evop(struct vcpu *caller, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_event_channel_op(caller, args);
}

/* A context whose every byte is known; the shimmed arch hook takes anything. */
static struct vcpu_hvm_context put_ctx(gvaddr_t va, uint8_t seed)
{
    struct vcpu_hvm_context c;
    uint8_t *b = (uint8_t *)&c;
    for (size_t i = 0; i < sizeof c; i++)
        b[i] = (uint8_t)(seed + i * 7);
    c.mode = VCPU_HVM_MODE_64B;
    c.pad = 0;
    memcpy(shim_guest_mem(va, sizeof c), &c, sizeof c);
    return c;
}

static bool no_seam_called(void)
{
    return shim_vcpu.up_calls == 0 && shim_vcpu.down_calls == 0 &&
           shim_vcpu.shutdown_calls == 0 && shim_vcpu.set_context_calls == 0;
}

/* Initialise vCPU `id` from vCPU 0 and bring it up: the common start of many cases. */
static void start(uint32_t id)
{
    put_ctx(ARG, (uint8_t)id);
    vop(v[0], VCPUOP_INITIALISE, id, ARG);
    vop(v[0], VCPUOP_UP, id, 0);
    shim_vcpu_reset();
}

/* ---- the domain as the builder leaves it ---------------------------------- */

static void test_is_up(void)
{
    setup();
    snapshot();
    CHECK("is_up: boot vCPU -> 1", vop(v[0], VCPUOP_IS_UP, 0, SHIM_UNMAPPED) == 1);
    for (int i = 1; i < NVCPUS; i++)
        CHECK(shim_name("is_up: secondary vCPU %d starts down -> 0", i),
              vop(v[0], VCPUOP_IS_UP, (uint64_t)i, SHIM_UNMAPPED) == 0);
    CHECK("is_up: a secondary may ask about vCPU 0 -> 1", vop(v[2], VCPUOP_IS_UP, 0, 0) == 1);
    v[0]->state = VCPU_BLOCKED;
    CHECK("is_up: blocked counts as up -> 1", vop(v[0], VCPUOP_IS_UP, 0, 0) == 1);
    v[0]->state = VCPU_RUNNABLE;
    CHECK("is_up changes nothing and calls no seam", unchanged() && no_seam_called());
    CHECK("is_up: vCPU 4 of a 4-vCPU domain -> EINVAL",
          vop(v[0], VCPUOP_IS_UP, NVCPUS, 0) == -XEN_EINVAL);
    CHECK("is_up: the bystander's second vCPU is its own business -> 1 for dom2 only",
          vop(w0, VCPUOP_IS_UP, 1, 0) == 0 && vop(v[0], VCPUOP_IS_UP, 1, 0) == 0);
}

/* ---- initialise ------------------------------------------------------------ */

static void test_initialise(void)
{
    setup();
    struct vcpu_hvm_context c = put_ctx(ARG, 1);
    CHECK("initialise vCPU 1 -> 0", vop(v[0], VCPUOP_INITIALISE, 1, ARG) == 0);
    CHECK("the context is read once, 128 bytes, nothing written",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 128 && shim_guest.to_calls == 0);
    CHECK("the arch hook gets vCPU 1 and the context as read",
          shim_vcpu.set_context_calls == 1 && shim_vcpu.set_context_vcpu == v[1] &&
          !memcmp(shim_vcpu.set_context_ctx, &c, sizeof c));
    CHECK("vCPU 1 is initialised", v[1]->initialised);
    CHECK("vCPU 1 stays down until VCPUOP_up (Xen)",
          v[1]->state == VCPU_DOWN && vop(v[0], VCPUOP_IS_UP, 1, 0) == 0 &&
          v[1]->runstate.state == RUNSTATE_OFFLINE);
    CHECK("initialise brings nothing up or down", shim_vcpu.up_calls == 0 &&
          shim_vcpu.down_calls == 0 && shim_vcpu.shutdown_calls == 0);
    CHECK("the other secondaries are untouched", !v[2]->initialised && !v[3]->initialised);

    /* Any vCPU of the domain may initialise another; the argument may be read-only. */
    c = put_ctx(SHIM_RO_BASE, 9);
    CHECK("vCPU 1 initialises vCPU 3 from read-only memory -> 0",
          vop(v[1], VCPUOP_INITIALISE, 3, SHIM_RO_BASE) == 0 && v[3]->initialised &&
          shim_vcpu.set_context_vcpu == v[3] &&
          !memcmp(shim_vcpu.set_context_ctx, &c, sizeof c));
    /* A context straddling two mapped pages is read whole. */
    c = put_ctx(SHIM_RW_BASE + 0x2000 - 64, 17);
    CHECK("a context across a page boundary -> 0",
          vop(v[0], VCPUOP_INITIALISE, 2, SHIM_RW_BASE + 0x2000 - 64) == 0 &&
          !memcmp(shim_vcpu.set_context_ctx, &c, sizeof c));
}

static void test_initialise_errors(void)
{
    /* Already initialised: the boot vCPU, a down one, an up one. -EEXIST, hook not called. */
    setup();
    put_ctx(ARG, 1);
    snapshot();
    CHECK("initialise the boot vCPU (up) -> EEXIST", vop(v[0], VCPUOP_INITIALISE, 0, ARG) == -XEN_EEXIST);
    CHECK("initialise the boot vCPU: nothing changed, hook not called",
          unchanged() && no_seam_called());
    CHECK("initialise vCPU 1 -> 0", vop(v[0], VCPUOP_INITIALISE, 1, ARG) == 0);
    shim_vcpu_reset();
    snapshot();
    CHECK("initialise vCPU 1 again while it is down -> EEXIST (Xen: is_initialised)",
          vop(v[0], VCPUOP_INITIALISE, 1, ARG) == -XEN_EEXIST);
    CHECK("second initialise: nothing changed, hook not called", unchanged() && no_seam_called());
    vop(v[0], VCPUOP_UP, 1, 0);
    shim_vcpu_reset();
    CHECK("initialise vCPU 1 while it is up -> EEXIST",
          vop(v[0], VCPUOP_INITIALISE, 1, ARG) == -XEN_EEXIST && no_seam_called());
    vop(v[0], VCPUOP_DOWN, 1, 0);
    shim_vcpu_reset();
    CHECK("initialise vCPU 1 after it was taken down -> EEXIST",
          vop(v[0], VCPUOP_INITIALISE, 1, ARG) == -XEN_EEXIST && no_seam_called());

    /* The arch refuses the context: its error comes back and nothing changes. */
    setup();
    put_ctx(ARG, 2);
    shim_vcpu.set_context_result = -XEN_EINVAL;
    shim_world_snapshot();
    CHECK("a context the arch refuses -> EINVAL", vop(v[0], VCPUOP_INITIALISE, 2, ARG) == -XEN_EINVAL);
    CHECK("refused context: vCPU 2 not initialised, still down",
          !v[2]->initialised && v[2]->state == VCPU_DOWN && shim_world_unchanged());
    CHECK("refused context: it cannot be brought up", vop(v[0], VCPUOP_UP, 2, 0) == -XEN_EINVAL);
    shim_vcpu.set_context_result = 0;
    CHECK("a good context afterwards -> 0", vop(v[0], VCPUOP_INITIALISE, 2, ARG) == 0 &&
          v[2]->initialised);

    /* A context it cannot read: -EFAULT before anything else, even for an initialised vCPU. */
    const size_t size = sizeof(struct vcpu_hvm_context);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, size); b->what; b++) {
        for (uint32_t id = 0; id < 2; id++) {
            setup();
            struct vcpu_hvm_context good = put_ctx(ARG, 5);
            bad_pointers_put_valid(&good, size);
            snapshot();
            CHECK(shim_name("initialise vCPU %u from %s -> EFAULT", id, b->what),
                  vop(v[0], VCPUOP_INITIALISE, id, b->va) == -XEN_EFAULT);
            CHECK(shim_name("initialise vCPU %u from %s changes nothing", id, b->what),
                  unchanged() && no_seam_called());
        }
    }
}

/* ---- up -------------------------------------------------------------------- */

static void test_up(void)
{
    setup();
    snapshot();
    CHECK("up before initialise -> EINVAL", vop(v[0], VCPUOP_UP, 1, ARG) == -XEN_EINVAL);
    CHECK("up before initialise: nothing changed, not brought up",
          unchanged() && no_seam_called());

    put_ctx(ARG, 3);
    vop(v[0], VCPUOP_INITIALISE, 1, ARG);
    shim_vcpu_reset();
    CHECK("up after initialise -> 0", vop(v[0], VCPUOP_UP, 1, SHIM_UNMAPPED) == 0);
    CHECK("up goes through vcpu_bring_up(vCPU 1) once",
          shim_vcpu.up_calls == 1 && shim_vcpu.up[0] == v[1] && shim_vcpu.down_calls == 0);
    CHECK("up ignores its argument", shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("vCPU 1 is runnable and up", v[1]->state == VCPU_RUNNABLE &&
          v[1]->runstate.state == RUNSTATE_RUNNABLE && vop(v[0], VCPUOP_IS_UP, 1, 0) == 1);
    CHECK("its offline time was accounted", v[1]->runstate.time[RUNSTATE_OFFLINE] == 100);

    shim_vcpu_reset();
    snapshot();
    CHECK("up of an up vCPU -> 0", vop(v[0], VCPUOP_UP, 1, 0) == 0);
    CHECK("up of an up vCPU changes nothing", unchanged() && shim_vcpu.up_calls == 0);
    CHECK("up of the boot vCPU -> 0, nothing changed",
          vop(v[1], VCPUOP_UP, 0, 0) == 0 && unchanged() && shim_vcpu.up_calls == 0);
    v[1]->state = VCPU_BLOCKED;
    snapshot();
    CHECK("up of a blocked vCPU -> 0, it stays blocked",
          vop(v[0], VCPUOP_UP, 1, 0) == 0 && unchanged() && v[1]->state == VCPU_BLOCKED);
    CHECK("up of a never-initialised vCPU from a secondary -> EINVAL",
          vop(v[1], VCPUOP_UP, 3, 0) == -XEN_EINVAL && v[3]->state == VCPU_DOWN);
}

/* ---- down ------------------------------------------------------------------ */

static void test_down(void)
{
    setup();
    start(1);
    start(2);
    CHECK("down vCPU 1 from vCPU 0 -> 0", vop(v[0], VCPUOP_DOWN, 1, SHIM_UNMAPPED) == 0);
    CHECK("down goes through vcpu_take_down(vCPU 1) once",
          shim_vcpu.down_calls == 1 && shim_vcpu.down[0] == v[1] && shim_vcpu.up_calls == 0);
    CHECK("down ignores its argument", shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("vCPU 1 is down and offline", v[1]->state == VCPU_DOWN &&
          v[1]->runstate.state == RUNSTATE_OFFLINE && vop(v[0], VCPUOP_IS_UP, 1, 0) == 0);
    CHECK("down shuts nothing down", shim_vcpu.shutdown_calls == 0 && d1->state == DOMAIN_RUNNING);
    CHECK("vCPU 1 keeps its start state", v[1]->initialised);

    shim_vcpu_reset();
    CHECK("up again -> 0, through vcpu_bring_up",
          vop(v[0], VCPUOP_UP, 1, 0) == 0 && shim_vcpu.up_calls == 1 &&
          shim_vcpu.up[0] == v[1] && v[1]->state == VCPU_RUNNABLE);

    /* The caller takes itself down: it leaves the guest when the call returns. */
    shim_vcpu_reset();
    v[2]->need_resched = false;
    CHECK("vCPU 2 takes itself down -> 0", vop(v[2], VCPUOP_DOWN, 2, 0) == 0);
    CHECK("self down: vcpu_take_down(vCPU 2), it must leave the guest",
          shim_vcpu.down_calls == 1 && shim_vcpu.down[0] == v[2] && v[2]->state == VCPU_DOWN &&
          v[2]->need_resched);

    shim_vcpu_reset();
    snapshot();
    CHECK("down of a down vCPU -> 0, nothing changed",
          vop(v[0], VCPUOP_DOWN, 2, 0) == 0 && unchanged() && no_seam_called());
    CHECK("down of a never-initialised vCPU -> 0, nothing changed",
          vop(v[0], VCPUOP_DOWN, 3, 0) == 0 && unchanged() && no_seam_called());

    /* The boot vCPU can go down while another is up. */
    shim_vcpu_reset();
    CHECK("vCPU 1 takes vCPU 0 down -> 0", vop(v[1], VCPUOP_DOWN, 0, 0) == 0 &&
          shim_vcpu.down_calls == 1 && shim_vcpu.down[0] == v[0] && v[0]->state == VCPU_DOWN &&
          d1->state == DOMAIN_RUNNING);
    shim_vcpu_reset();
    CHECK("vCPU 1 brings vCPU 0 back -> 0", vop(v[1], VCPUOP_UP, 0, 0) == 0 &&
          v[0]->state == VCPU_RUNNABLE);

    /* A blocked vCPU (in SCHEDOP_poll) goes down and stops waiting. */
    setup();
    start(1);
    v[1]->state = VCPU_BLOCKED;
    v[1]->poll_nr = 2;
    v[1]->poll_deadline = NOW + 500;
    CHECK("down of a vCPU blocked in poll -> 0", vop(v[0], VCPUOP_DOWN, 1, 0) == 0);
    CHECK("it is down and waits for nothing",
          v[1]->state == VCPU_DOWN && v[1]->poll_nr == 0 && v[1]->poll_deadline == 0 &&
          shim_vcpu.down_calls == 1);
    CHECK("a down vCPU has no timer deadline the scheduler would wait for",
          timer_next_deadline() == 0);
}

/* Xen: the last vCPU that is up going down shuts the domain down (poweroff). */
static void test_down_last(void)
{
    setup();
    CHECK("the only up vCPU takes itself down -> 0", vop(v[0], VCPUOP_DOWN, 0, 0) == 0);
    CHECK("the domain is shut down (poweroff), not taken down vCPU by vCPU",
          shim_vcpu.shutdown_calls == 1 && shim_vcpu.shutdown_domain == d1 &&
          shim_vcpu.shutdown_reason == SHUTDOWN_POWEROFF && shim_vcpu.down_calls == 0 &&
          d1->state == DOMAIN_SHUTDOWN);
    CHECK("the bystander runs on", w0->domain->state == DOMAIN_RUNNING &&
          w0->state == VCPU_RUNNABLE);

    setup();
    start(3);
    vop(v[0], VCPUOP_DOWN, 0, 0);
    CHECK("vCPU 0 down while vCPU 3 is up: the domain runs on",
          d1->state == DOMAIN_RUNNING && shim_vcpu.shutdown_calls == 0 && v[0]->state == VCPU_DOWN);
    shim_vcpu_reset();
    CHECK("then vCPU 3, the last one up, takes itself down -> 0 and the domain ends",
          vop(v[3], VCPUOP_DOWN, 3, 0) == 0 && shim_vcpu.shutdown_calls == 1 &&
          d1->state == DOMAIN_SHUTDOWN);

    setup();
    start(1);
    v[0]->state = VCPU_BLOCKED;
    shim_vcpu_reset();
    CHECK("a blocked vCPU counts as up: vCPU 1 goes down alone",
          vop(v[1], VCPUOP_DOWN, 1, 0) == 0 && shim_vcpu.shutdown_calls == 0 &&
          shim_vcpu.down_calls == 1 && d1->state == DOMAIN_RUNNING);
}

/* ---- vCPU ids -------------------------------------------------------------- */

static void test_bad_vcpuid(void)
{
    static const uint64_t cmds[] = { VCPUOP_INITIALISE, VCPUOP_UP, VCPUOP_DOWN, VCPUOP_IS_UP };
    static const uint64_t ids[] = { NVCPUS, 7, 8, 64, 1ull << 32, (1ull << 32) | 1, ~0ull };
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        setup();
        put_ctx(ARG, 4);
        snapshot();
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            CHECK(shim_name("cmd %llu vcpuid %#llx -> EINVAL", (unsigned long long)cmds[c],
                            (unsigned long long)ids[i]),
                  vop(v[0], cmds[c], ids[i], ARG) == -XEN_EINVAL);
        CHECK(shim_name("cmd %llu with bad vcpuids: nothing read, changed or called",
                        (unsigned long long)cmds[c]),
              unchanged() && no_seam_called() && shim_guest.from_calls == 0);
    }
    /* vCPU 1 of dom2 exists, but not in dom1's numbering beyond its own vCPUs. */
    setup();
    shim_domain_create(3, false, MiB(16));     /* one vCPU */
    CHECK("a one-vCPU domain: up of vCPU 1 -> EINVAL",
          vop(domain_by_id(3)->vcpus[0], VCPUOP_UP, 1, 0) == -XEN_EINVAL);
}

/* ---- IPIs between the vCPUs of one domain --------------------------------- */

static uint32_t bind_ipi(struct vcpu *caller, uint32_t vcpu, long *rc)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = 0xdeadbeef };
    memcpy(shim_guest_mem(ARG2, sizeof b), &b, sizeof b);
    *rc = evop(caller, EVTCHNOP_BIND_IPI, ARG2);
    memcpy(&b, shim_guest_mem(ARG2, sizeof b), sizeof b);
    return b.port;
}

static long send(struct vcpu *caller, uint32_t port)
{
    struct evtchn_port_arg a = { .port = port };
    memcpy(shim_guest_mem(ARG2, sizeof a), &a, sizeof a);
    return evop(caller, EVTCHNOP_SEND, ARG2);
}

static void test_ipi(void)
{
    long rc;
    setup();
    start(2);
    start(3);
    uint32_t to3 = bind_ipi(v[0], 3, &rc);
    CHECK("bind_ipi for vCPU 3 of 4 -> 0", rc == 0 && to3 != 0 && d1->evtchn[to3].vcpu == 3 &&
          d1->evtchn[to3].state == EVTCHN_IPI);
    uint32_t back = bind_ipi(v[3], 0, &rc);
    CHECK("vCPU 3 binds an IPI back to vCPU 0 -> 0", rc == 0 && back != to3 &&
          d1->evtchn[back].vcpu == 0);
    snapshot();
    bind_ipi(v[0], NVCPUS, &rc);
    CHECK("bind_ipi for vCPU 4 of 4 -> ENOENT, nothing bound", rc == -XEN_ENOENT);
    CHECK("bind_ipi for vCPU 4: only the argument buffer was read", shim_domains_unchanged());

    v[3]->state = VCPU_BLOCKED;
    CHECK("vCPU 0 sends to vCPU 3 -> 0", send(v[0], to3) == 0);
    CHECK("the event is in vCPU 3's vcpu_info only",
          si1->vcpu_info[3].evtchn_upcall_pending == 1 && v[3]->upcall_needed &&
          si1->vcpu_info[0].evtchn_upcall_pending == 0 && !v[0]->upcall_needed &&
          si1->vcpu_info[2].evtchn_upcall_pending == 0 && !v[2]->upcall_needed);
    CHECK("blocked vCPU 3 is woken", v[3]->state == VCPU_RUNNABLE &&
          shim_wake.last_runnable == v[3]);
    CHECK("vCPU 3 acknowledges -> 0", send(v[3], back) == 0);
    CHECK("the acknowledgement reaches vCPU 0",
          si1->vcpu_info[0].evtchn_upcall_pending == 1 && v[0]->upcall_needed);

    /* A down vCPU is not woken; its event waits in its vcpu_info for when it is up. */
    setup();
    start(1);
    uint32_t to1 = bind_ipi(v[0], 1, &rc);
    vop(v[0], VCPUOP_DOWN, 1, 0);
    CHECK("send to a down vCPU -> 0", send(v[0], to1) == 0);
    CHECK("a down vCPU stays down, its event pending",
          v[1]->state == VCPU_DOWN && si1->vcpu_info[1].evtchn_upcall_pending == 1 &&
          v[1]->upcall_needed);
    vop(v[0], VCPUOP_UP, 1, 0);
    CHECK("brought up, it finds the event waiting",
          v[1]->state == VCPU_RUNNABLE && v[1]->upcall_needed);
}

int main(void)
{
    test_is_up();
    test_initialise();
    test_initialise_errors();
    test_up();
    test_down();
    test_down_last();
    test_bad_vcpuid();
    test_ipi();
    CHECK_DONE();
}
