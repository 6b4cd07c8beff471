/*
 * Host unit test for hv/domctl.c, linked with the real scheduling policy
 * (hv/sched_policy.c), hv/time.c and hv/event.c over the fake guest
 * (shim_guest.c), a fake clock (shim_time.c) and a recording
 * sched_kick_cpu (shim_sched.c).
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "shim_sched.h"
#include "hv/console_focus.h"
#include "hv/domain_console.h"
#include "hv/hypercall.h"
#include "hv/hypercalls.h"
#include "hv/policy.h"
#include "public/abi.h"
#include "public/domctl.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/sched_op.h"
#include "public/vcpu_op.h"

CHECK_SUITE("domctl");

/*
 * Four CPUs. dom0 (privileged, one vCPU, running on CPU 0); dom1 (two
 * vCPUs: vCPU 0 running on CPU 2, vCPU 1 blocked, last on CPU 1); dom2 (its
 * vCPU queued on CPU 3, weight 100, cap 50); dom3 ended and destroyed; dom4
 * still being built; slot 5 empty.
 */
static struct vcpu *v0, *v1, *v2;
static struct domain *d0, *d1, *d2, *d3;
static struct vcpu v1b;                 /* dom1's vCPU 1 (the shim gives one vCPU each) */
static struct vcpu v1b_snap;
static struct shim_sched sched_snap;
static uint64_t migrations_snap;

#define ARG  (SHIM_RW_BASE + 0x1000)
#define NOW  SHIM_TIME_START
#define ALL_CPUS 0xffull

static void setup(void)
{
    console_focus_detach();     /* its focus is the one static outside the shims */
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    shim_sched_reset();
    v0 = shim_domain_create(0, true, MiB(64));
    v1 = shim_domain_create(1, false, MiB(32));
    v2 = shim_domain_create(2, false, MiB(16));
    struct vcpu *v3 = shim_domain_create(3, false, MiB(8));
    struct vcpu *v4 = shim_domain_create(4, false, MiB(8));
    d0 = v0->domain, d1 = v1->domain, d2 = v2->domain, d3 = v3->domain;
    d3->state = DOMAIN_SHUTDOWN;
    d3->shutdown_reason = SHUTDOWN_REBOOT;
    d3->destroyed = true;
    d3->frames_owned = 0;
    v3->state = VCPU_DOWN;
    v4->domain->state = DOMAIN_BUILDING;

    memset(&v1b, 0, sizeof v1b);
    v1b.domain = d1;
    v1b.id = 1;
    v1b.state = VCPU_BLOCKED;
    d1->vcpus[1] = &v1b;
    d1->nvcpus = 2;
    d1->frames_owned = 8000;

    /* What the domain builder and the scheduler would have done. */
    uint64_t until;
    sched_policy_init(4, 0);
    struct vcpu *all[] = { v0, v1, &v1b, v2, v3, v4 };
    static const uint32_t first_cpu[] = { 0, 2, 1, 3, 0, 0 };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct domain *d = all[i]->domain;
        if (all[i]->id == 0)
            sched_domain_init(&d->sched);
        sched_vcpu_init(&all[i]->sched, &d->sched, first_cpu[i]);
    }
    sched_set_weight(&d2->sched, 100);
    sched_set_cap(&d2->sched, 50);
    sched_wake(&v0->sched, NOW - 1000);
    sched_wake(&v1->sched, NOW - 1000);
    sched_wake(&v2->sched, NOW - 1000);
    sched_pick(0, NOW - 1000, &until);
    sched_pick(2, NOW - 1000, &until);

    v0->runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_RUNNING, .state_entry_time = NOW - 10, .time = { 90, 0, 0, 0 },
    };
    /* dom1's vCPU 0 runs on CPU 2 since 300 ns; vCPU 1 blocked since 50 ns on CPU 1 */
    v1->runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_RUNNING, .state_entry_time = NOW - 300,
        .time = { 1000, 2000, 3000, 4000 },
    };
    v1b.sched.cpu = 1;
    v1b.runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_BLOCKED, .state_entry_time = NOW - 50, .time = { 500, 600, 700, 800 },
    };
}

static void snapshot(void)
{
    shim_world_snapshot();
    shim_arch_mem_snapshot();
    v1b_snap = v1b;
    sched_snap = shim_sched;
    migrations_snap = sched_migrations();
}

/* No domain or vCPU (scheduling parameters included) changed, no CPU kicked. */
static bool domains_unchanged(void)
{
    return shim_domains_unchanged() && !memcmp(&v1b, &v1b_snap, sizeof v1b) &&
           shim_sched.kick_calls == sched_snap.kick_calls &&
           sched_migrations() == migrations_snap;
}

static bool unchanged(void)
{
    return shim_world_unchanged() && shim_arch_mem_unchanged() && domains_unchanged();
}

/* The console ring's rate for its reports: no input reaches a ring here
 * (tests/unit/test_console_focus.c types at one). */
bool domain_console_charge(struct domain *d, size_t n)
{
    (void)d, (void)n;
    return true;
}

static struct mica_domctl req(uint32_t cmd, uint16_t domain)
{
    return (struct mica_domctl){
        .cmd = cmd, .interface_version = MICA_DOMCTL_INTERFACE_VERSION, .domain = domain,
    };
}

static long call_at(struct vcpu *v, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { arg, 0x4949, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_domctl(v, args);
}

static void put_at(gvaddr_t va, const struct mica_domctl *op)
{
    memcpy(shim_guest_mem(va, sizeof *op), op, sizeof *op);
}

/* Put `op` at ARG, snapshot the world, call. */
static long dctl(struct vcpu *v, const struct mica_domctl *op)
{
    put_at(ARG, op);
    snapshot();
    return call_at(v, ARG);
}

static struct mica_domctl result(void)
{
    struct mica_domctl op;
    memcpy(&op, shim_guest_mem(ARG, sizeof op), sizeof op);
    return op;
}

/* Read exactly once (the whole structure), written at most once. */
static bool read_once(void)
{
    return shim_guest.from_calls == 1 && shim_guest.from_bytes == sizeof(struct mica_domctl);
}

static bool written_once(void)
{
    return shim_guest.to_calls == 1 && shim_guest.to_bytes == sizeof(struct mica_domctl) &&
           shim_guest.last_to == ARG;
}

static struct mica_domctl vcpuinfo_req(uint16_t dom, uint32_t vcpu)
{
    struct mica_domctl op = req(XEN_DOMCTL_GETVCPUINFO, dom);
    op.u.getvcpuinfo.vcpu = vcpu;
    return op;
}

static struct mica_domctl affinity_req(uint32_t cmd, uint16_t dom, uint32_t vcpu, uint64_t map)
{
    struct mica_domctl op = req(cmd, dom);
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.cpumap = map;
    return op;
}

static struct mica_domctl sched_req(uint16_t dom, uint32_t cmd, uint32_t weight, uint32_t cap)
{
    struct mica_domctl op = req(XEN_DOMCTL_SCHEDULER_OP, dom);
    op.u.scheduler_op = (struct mica_domctl_scheduler_op){
        .sched_id = XEN_SCHEDULER_CREDIT, .cmd = cmd, .weight = weight, .cap = cap,
    };
    return op;
}

/* What a domU may call by default, less event_channel_op alloc_unbound. */
static struct mica_policy narrower_policy(void)
{
    struct mica_policy p;
    hypercall_policy_ceiling(false, &p);
    p.subops[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] &= ~(1ull << EVTCHNOP_ALLOC_UNBOUND);
    return p;
}

static struct mica_domctl set_policy_req(uint16_t dom, const struct mica_policy *p)
{
    struct mica_domctl op = req(MICA_DOMCTL_SET_POLICY, dom);
    op.u.policy = *p;
    return op;
}

#define STATS_BUF (SHIM_RW_BASE + 0x3000)

static struct mica_domctl stats_req(uint16_t dom, uint32_t vcpu, gvaddr_t buf, uint64_t size)
{
    struct mica_domctl op = req(MICA_DOMCTL_GET_STATS, dom);
    op.u.stats = (struct mica_domctl_get_stats){ .vcpu = vcpu, .buffer = buf, .size = size };
    return op;
}

static struct mica_domctl console_req(uint16_t dom, uint32_t console_op)
{
    struct mica_domctl op = req(MICA_DOMCTL_CONSOLE, dom);
    op.u.console.op = console_op;
    return op;
}

/* A valid request of each sub-op, naming dom1. */
static struct mica_domctl valid_req(size_t i)
{
    struct mica_policy p = narrower_policy();

    switch (i) {
    case 0: return req(XEN_DOMCTL_GETDOMAININFO, 1);
    case 1: return vcpuinfo_req(1, 1);
    case 2: return affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, 0, 0x3);
    case 3: return affinity_req(XEN_DOMCTL_GETVCPUAFFINITY, 1, 1, 0);
    case 4: return sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, 30);
    case 5: return sched_req(1, XEN_DOMCTL_SCHEDOP_GETINFO, 0, 0);
    case 6: return req(MICA_DOMCTL_GET_POLICY, 1);
    case 7: return set_policy_req(1, &p);
    case 8: return req(MICA_DOMCTL_GET_DENIALS, 1);
    case 10: return console_req(1, MICA_CONSOLE_GETINFO);
    default: return stats_req(1, MICA_STATS_ALL_VCPUS, STATS_BUF, sizeof(struct mica_stats));
    }
}
#define NR_VALID 11
static const char *const valid_name[NR_VALID] = {
    "getdomaininfo", "getvcpuinfo", "setvcpuaffinity", "getvcpuaffinity", "putinfo", "getinfo",
    "get_policy", "set_policy", "get_denials", "get_stats", "console getinfo",
};
/* Sub-ops that write nothing back to the request (those that set
 * something, and get_stats: its buffer), and those that still name a
 * domain that has stopped. */
static bool valid_sets(size_t i)
{
    return i == 2 || i == 4 || i == 7 || i == 9;
}

static bool valid_ended_ok(size_t i)
{
    return i == 0 || i == 6 || i == 8 || i == 9 || i == 10;
}

/* ---- who may call, and the header ------------------------------------------ */

static void test_eperm(void)
{
    for (size_t i = 0; i < NR_VALID; i++) {
        setup();
        struct mica_domctl op = valid_req(i);
        op.domain = DOMID_SELF;
        CHECK(shim_name("%s from a domU -> EPERM", valid_name[i]), dctl(v1, &op) == -XEN_EPERM);
        CHECK(shim_name("%s from a domU: argument not even read", valid_name[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
        CHECK(shim_name("%s from a domU changes nothing", valid_name[i]), unchanged());
    }
    setup();
    snapshot();
    CHECK("domU with an unmapped pointer -> EPERM, not EFAULT",
          call_at(v2, SHIM_UNMAPPED) == -XEN_EPERM && shim_guest.from_calls == 0);
    struct mica_domctl op = req(999, 1);
    op.interface_version = 0;
    CHECK("domU with unknown cmd and version -> EPERM", dctl(v2, &op) == -XEN_EPERM);
}

static void test_efault(void)
{
    const struct mica_domctl good = valid_req(0);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        setup();
        bad_pointers_put_valid(&good, sizeof good);
        snapshot();
        CHECK(shim_name("request at %s -> EFAULT", b->what), call_at(v0, b->va) == -XEN_EFAULT);
        CHECK(shim_name("request at %s: nothing written or changed", b->what),
              shim_guest.to_calls == 0 && unchanged());
    }

    /* Results that cannot be written back: -EFAULT, nothing changed. */
    for (size_t i = 0; i < NR_VALID; i++) {
        setup();
        struct mica_domctl op = valid_req(i);
        memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof op), &op, sizeof op);
        snapshot();
        long rc = call_at(v0, SHIM_RO_BASE);
        bool sets = valid_sets(i);
        CHECK(shim_name("%s from read-only memory -> %s", valid_name[i], sets ? "0" : "EFAULT"),
              rc == (sets ? 0 : -XEN_EFAULT));
        if (!sets)
            CHECK(shim_name("%s to read-only memory changes nothing", valid_name[i]),
                  unchanged());
    }
}

static void test_version(void)
{
    static const uint32_t versions[] = {
        0, 0x10, 0x12, 0x15, 0x17, MICA_DOMCTL_INTERFACE_VERSION - 1,
        MICA_DOMCTL_INTERFACE_VERSION + 1, MICA_DOMCTL_INTERFACE_VERSION | 0x80000000u, ~0u,
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        for (size_t s = 0; s < NR_VALID; s++) {
            setup();
            struct mica_domctl op = valid_req(s);
            op.interface_version = versions[i];
            CHECK(shim_name("%s with version 0x%x -> EACCES", valid_name[s], versions[i]),
                  dctl(v0, &op) == -XEN_EACCES);
            CHECK(shim_name("%s with version 0x%x: nothing written or changed", valid_name[s],
                            versions[i]),
                  shim_guest.to_calls == 0 && unchanged());
        }
    }
    setup();
    struct mica_domctl op = req(999, 77);
    op.interface_version = 0x10;
    op.pad[0] = 1;
    CHECK("bad version beats unknown cmd, bad domain and pad", dctl(v0, &op) == -XEN_EACCES);
}

static void test_header(void)
{
    for (int p = 0; p < 3; p++) {
        for (size_t s = 0; s < NR_VALID; s++) {
            setup();
            struct mica_domctl op = valid_req(s);
            op.pad[p] = (uint16_t)(1u << (p * 5));
            CHECK(shim_name("%s with header pad[%d] != 0 -> EINVAL", valid_name[s], p),
                  dctl(v0, &op) == -XEN_EINVAL);
            CHECK(shim_name("%s with header pad[%d]: nothing written or changed",
                            valid_name[s], p),
                  shim_guest.to_calls == 0 && unchanged());
        }
    }

    static const uint32_t unknown[] = {
        0, 1, 2, 3, 4, 6, 7, 8, 10, 12, 13, 15, 17, 24, 26, 27, 1000, 0x4cff, 0x4d03, 0x4e00,
        0x80000005u, ~0u,
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        setup();
        struct mica_domctl op = req(unknown[i], 1);
        CHECK(shim_name("cmd %u -> ENOSYS", unknown[i]), dctl(v0, &op) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %u: read once, nothing written or changed", unknown[i]),
              read_once() && shim_guest.to_calls == 0 && unchanged());
    }
    setup();
    struct mica_domctl op = req(1000, 77);
    CHECK("unknown cmd beats a bad domain", dctl(v0, &op) == -XEN_ENOSYS);
}

static void test_esrch(void)
{
    static const uint16_t ids[] = { 5, 17, MAX_DOMAINS - 1, MAX_DOMAINS, 0x7fef, DOMID_XEN,
                                    0x7ff1, 0x7fff, 0xffff };
    for (size_t s = 0; s < NR_VALID; s++) {
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            setup();
            struct mica_domctl op = valid_req(s);
            op.domain = ids[i];
            CHECK(shim_name("%s for domain 0x%x -> ESRCH", valid_name[s], ids[i]),
                  dctl(v0, &op) == -XEN_ESRCH);
            CHECK(shim_name("%s for domain 0x%x: nothing written or changed", valid_name[s],
                            ids[i]),
                  shim_guest.to_calls == 0 && unchanged());
        }
        setup();
        struct mica_domctl op = valid_req(s);
        op.domain = 4;
        if (s == 1 || s == 2 || s == 3)
            op.u.vcpuaffinity.vcpu = 0;     /* same offset in getvcpuinfo */
        /* dom0 sets a new domain up before it starts it. */
        CHECK(shim_name("%s for a domain being built -> done", valid_name[s]),
              dctl(v0, &op) == 0);
        if (valid_ended_ok(s))
            continue;
        setup();
        op = valid_req(s);
        op.domain = 3;
        if (s == 1 || s == 2 || s == 3)
            op.u.vcpuaffinity.vcpu = 0;     /* same offset in getvcpuinfo */
        CHECK(shim_name("%s for a destroyed domain -> ESRCH", valid_name[s]),
              dctl(v0, &op) == -XEN_ESRCH && shim_guest.to_calls == 0 && unchanged());
    }
}

/* ---- getdomaininfo ---------------------------------------------------------- */

static void test_getdomaininfo(void)
{
    setup();
    d1->sched.weight = 700;
    d1->sched.cap = 150;
    struct mica_domctl op = req(XEN_DOMCTL_GETDOMAININFO, 1);
    memset(&op.u, 0xee, sizeof op.u);       /* OUT fields: input ignored */
    CHECK("getdomaininfo dom1 -> 0", dctl(v0, &op) == 0);
    CHECK("getdomaininfo: read once, written once", read_once() && written_once());
    struct mica_domctl r = result();
    const struct mica_domctl_getdomaininfo *i = &r.u.getdomaininfo;
    CHECK("header written back as given",
          r.cmd == XEN_DOMCTL_GETDOMAININFO && r.domain == 1 &&
          r.interface_version == MICA_DOMCTL_INTERFACE_VERSION);
    CHECK("domid 1, running, no shutdown reason, no flags",
          i->domid == 1 && i->state == MICA_DOMCTL_STATE_RUNNING && i->shutdown_reason == 0 &&
          i->flags == 0);
    CHECK("two vCPUs, both online", i->nr_vcpus == 2 && i->nr_online_vcpus == 2);
    CHECK("weight and cap", i->weight == 700 && i->cap == 150);
    CHECK("cpu_time: vCPU 0 1000 + 300 running now, vCPU 1 500", i->cpu_time == 1800);
    CHECK("pages: owned now and built with", i->tot_pages == 8000 && i->max_pages == 8192);
    CHECK("name", !strcmp(i->name, "dom1"));
    CHECK("name padded with zeros",
          shim_bytes_are(i->name + 5, sizeof i->name - 5, 0));
    CHECK("the rest of the union is as the caller left it",
          shim_bytes_are(r.u.raw + sizeof *i, sizeof r.u.raw - sizeof *i, 0xee));
    CHECK("getdomaininfo changes nothing", domains_unchanged());

    /* Later, with vCPU 1 down. */
    shim_now_ns = NOW + 1000;
    v1b.state = VCPU_DOWN;
    CHECK("getdomaininfo later -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("one vCPU down: 1 online", r.u.getdomaininfo.nr_online_vcpus == 1);
    CHECK("cpu_time grows with the running vCPU only", r.u.getdomaininfo.cpu_time == 2800);

    /* DOMID_SELF and the caller's own id: dom0, privileged. */
    op = req(XEN_DOMCTL_GETDOMAININFO, DOMID_SELF);
    CHECK("DOMID_SELF -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("DOMID_SELF names dom0, privileged, default weight",
          r.u.getdomaininfo.domid == 0 && r.u.getdomaininfo.flags == MICA_DOMINF_PRIVILEGED &&
          r.u.getdomaininfo.weight == SCHED_DEFAULT_WEIGHT && r.u.getdomaininfo.cap == 0 &&
          r.u.getdomaininfo.cpu_time == 1100 && r.domain == DOMID_SELF);
    op = req(XEN_DOMCTL_GETDOMAININFO, 0);
    CHECK("id 0 -> dom0", dctl(v0, &op) == 0 && result().u.getdomaininfo.domid == 0);

    /* Ended domains: their record is reported. */
    op = req(XEN_DOMCTL_GETDOMAININFO, 3);
    CHECK("destroyed dom3 -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("dom3: shut down (reboot), dying, no vCPU online, no pages",
          r.u.getdomaininfo.state == MICA_DOMCTL_STATE_SHUTDOWN &&
          r.u.getdomaininfo.shutdown_reason == SHUTDOWN_REBOOT &&
          r.u.getdomaininfo.flags == MICA_DOMINF_DYING &&
          r.u.getdomaininfo.nr_online_vcpus == 0 && r.u.getdomaininfo.tot_pages == 0);
    d2->state = DOMAIN_CRASHED;
    d2->shutdown_reason = SHUTDOWN_REBOOT;      /* stale: not reported */
    op = req(XEN_DOMCTL_GETDOMAININFO, 2);
    CHECK("crashed dom2 -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("dom2: crashed, no shutdown reason, not yet dying, its weight and cap",
          r.u.getdomaininfo.state == MICA_DOMCTL_STATE_CRASHED &&
          r.u.getdomaininfo.shutdown_reason == 0 && r.u.getdomaininfo.flags == 0 &&
          r.u.getdomaininfo.weight == 100 && r.u.getdomaininfo.cap == 50);

    /* A name that fills its array is cut, still terminated. */
    memset(d1->name, 'x', sizeof d1->name);
    op = req(XEN_DOMCTL_GETDOMAININFO, 1);
    CHECK("long name -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("long name terminated",
          strlen(r.u.getdomaininfo.name) == sizeof r.u.getdomaininfo.name - 1);

    /* A request that crosses a page boundary, ending at the last writable byte. */
    setup();
    op = req(XEN_DOMCTL_GETDOMAININFO, 1);
    put_at(SHIM_RW_END - sizeof op, &op);
    CHECK("request ending at the last writable byte -> 0",
          call_at(v0, SHIM_RW_END - sizeof op) == 0 &&
          ((struct mica_domctl *)shim_guest_mem(SHIM_RW_END - sizeof op, sizeof op))
              ->u.getdomaininfo.max_pages == 8192);
    put_at(SHIM_HI_BASE + 0x800, &op);
    CHECK("request in the upper half -> 0", call_at(v0, SHIM_HI_BASE + 0x800) == 0);
}

/* ---- getvcpuinfo ------------------------------------------------------------ */

static void test_getvcpuinfo(void)
{
    setup();
    struct mica_domctl op = vcpuinfo_req(1, 0);
    memset((uint8_t *)&op.u.getvcpuinfo + 8, 0xee, sizeof op.u.getvcpuinfo - 8);
    CHECK("getvcpuinfo dom1 vCPU 0 -> 0", dctl(v0, &op) == 0);
    CHECK("getvcpuinfo: read once, written once", read_once() && written_once());
    struct mica_domctl r = result();
    const struct mica_domctl_getvcpuinfo *i = &r.u.getvcpuinfo;
    CHECK("vCPU 0: online, not blocked, running on CPU 2",
          i->vcpu == 0 && i->pad == 0 && i->online == 1 && i->blocked == 0 && i->running == 1 &&
          i->runstate == RUNSTATE_RUNNING && i->cpu == 2);
    CHECK("vCPU 0: runstate times up to now",
          i->runstate_time[RUNSTATE_RUNNING] == 1300 &&
          i->runstate_time[RUNSTATE_RUNNABLE] == 2000 &&
          i->runstate_time[RUNSTATE_BLOCKED] == 3000 &&
          i->runstate_time[RUNSTATE_OFFLINE] == 4000);
    CHECK("vCPU 0: cpu_time is the running time", i->cpu_time == 1300);
    CHECK("getvcpuinfo changes nothing", domains_unchanged());

    op = vcpuinfo_req(1, 1);
    shim_now_ns = NOW + 100;
    CHECK("getvcpuinfo dom1 vCPU 1 -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("vCPU 1: online, blocked, not running, last on CPU 1",
          i->vcpu == 1 && i->online == 1 && i->blocked == 1 && i->running == 0 &&
          i->runstate == RUNSTATE_BLOCKED && i->cpu == 1);
    CHECK("vCPU 1: blocked time up to now (700 + 150), cpu_time 500",
          i->runstate_time[RUNSTATE_BLOCKED] == 850 && i->runstate_time[RUNSTATE_RUNNING] == 500 &&
          i->cpu_time == 500 && i->runstate_time[RUNSTATE_RUNNABLE] == 600 &&
          i->runstate_time[RUNSTATE_OFFLINE] == 800);

    v1b.state = VCPU_DOWN;
    v1b.runstate.state = RUNSTATE_OFFLINE;
    CHECK("down vCPU -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("down vCPU: not online, not blocked, offline time grows",
          i->online == 0 && i->blocked == 0 && i->running == 0 &&
          i->runstate == RUNSTATE_OFFLINE && i->runstate_time[RUNSTATE_OFFLINE] == 950);

    /* Never entered a state: times as they are. */
    v1b.runstate = (struct vcpu_runstate_info){
        .state = RUNSTATE_RUNNABLE, .time = { 1, 2, 3, 4 },
    };
    CHECK("no entry time -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("no entry time: times unchanged",
          i->runstate_time[0] == 1 && i->runstate_time[1] == 2 && i->runstate_time[2] == 3 &&
          i->runstate_time[3] == 4 && i->cpu_time == 1);

    op = vcpuinfo_req(DOMID_SELF, 0);
    CHECK("DOMID_SELF vCPU 0 -> 0", dctl(v0, &op) == 0);
    r = result();
    CHECK("dom0's vCPU 0: running on CPU 0, 100 ns", i->running == 1 && i->cpu == 0 &&
          i->cpu_time == 90 + 10 + 100);

    static const struct {
        const char *what;
        uint16_t dom;
        uint32_t vcpu, pad;
    } bad[] = {
        { "vCPU 2 of a 2-vCPU domain", 1, 2, 0 },
        { "vCPU 1 of a 1-vCPU domain", 2, 1, 0 },
        { "vCPU 8", 1, 8, 0 },
        { "vCPU 2^31", 1, 1u << 31, 0 },
        { "vCPU ~0", 1, ~0u, 0 },
        { "pad 1", 1, 0, 1 },
        { "pad bit 31", 1, 0, 1u << 31 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        setup();
        op = vcpuinfo_req(bad[k].dom, bad[k].vcpu);
        op.u.getvcpuinfo.pad = bad[k].pad;
        CHECK(shim_name("getvcpuinfo %s -> EINVAL", bad[k].what), dctl(v0, &op) == -XEN_EINVAL);
        CHECK(shim_name("getvcpuinfo %s: nothing written or changed", bad[k].what),
              shim_guest.to_calls == 0 && unchanged());
    }
}

/* ---- get_stats --------------------------------------------------------------- */

static struct mica_stats stats_result(void)
{
    struct mica_stats st;
    memcpy(&st, shim_guest_mem(STATS_BUF, sizeof st), sizeof st);
    return st;
}

/* Counters of dom1's two vCPUs (dom1's vCPU 0 is v1, vCPU 1 is v1b). */
static void set_counters(void)
{
    v1->stats.exits[MICA_STATS_EXIT_HYPERCALL] = 40;
    v1->stats.exits[MICA_STATS_EXIT_HLT] = 3;
    v1->stats.exits[MICA_STATS_EXIT_OTHER] = 1;
    v1->stats.hypercalls[HYPERCALL_EVENT_CHANNEL_OP] = 30;
    v1->stats.hypercalls[HYPERCALL_GRANT_TABLE_OP] = 10;
    v1->stats.evtchn_sends = 25;
    v1->stats.grant_maps = 4;
    v1->stats.grant_copies = 6;
    v1b.stats.exits[MICA_STATS_EXIT_HYPERCALL] = 2;
    v1b.stats.exits[MICA_STATS_EXIT_PREEMPTION_TIMER] = 7;
    v1b.stats.hypercalls[HYPERCALL_EVENT_CHANNEL_OP] = 2;
    v1b.stats.hypercalls[63] = 5;
    v1b.stats.evtchn_sends = 2;
    v1b.stats.grant_copies = 1;
}

/* Every counter of `st` is 0 but those listed by index (exits, hypercalls). */
static bool others_zero(const struct mica_stats *st, const unsigned *exits, size_t nexits,
                        const unsigned *calls, size_t ncalls)
{
    for (unsigned i = 0; i < MICA_STATS_EXITS; i++) {
        bool listed = false;
        for (size_t k = 0; k < nexits; k++)
            listed |= exits[k] == i;
        if (!listed && st->exits[i])
            return false;
    }
    for (unsigned i = 0; i < MICA_STATS_HYPERCALLS; i++) {
        bool listed = false;
        for (size_t k = 0; k < ncalls; k++)
            listed |= calls[k] == i;
        if (!listed && st->hypercalls[i])
            return false;
    }
    return true;
}

static void test_get_stats(void)
{
    setup();
    set_counters();
    struct mica_domctl op = stats_req(1, MICA_STATS_ALL_VCPUS, STATS_BUF, sizeof(struct mica_stats));
    CHECK("get_stats dom1, all vCPUs -> 0", dctl(v0, &op) == 0);
    CHECK("get_stats: request read once, only the buffer written, once",
          read_once() && shim_guest.to_calls == 1 && shim_guest.last_to == STATS_BUF &&
          shim_guest.to_bytes == sizeof(struct mica_stats));
    CHECK("get_stats changes nothing", domains_unchanged());
    struct mica_stats st = stats_result();
    CHECK("all vCPUs: two counted, pad 0", st.nr_vcpus == 2 && st.pad == 0);
    CHECK("all vCPUs: runstate times summed up to now",
          st.runstate_time[RUNSTATE_RUNNING] == 1300 + 500 &&
          st.runstate_time[RUNSTATE_RUNNABLE] == 2000 + 600 &&
          st.runstate_time[RUNSTATE_BLOCKED] == 3000 + 700 + 50 &&
          st.runstate_time[RUNSTATE_OFFLINE] == 4000 + 800 && st.cpu_time == 1800);
    CHECK("all vCPUs: the domain's memory", st.tot_pages == 8000 && st.max_pages == d1->max_pages);
    static const unsigned exits[] = { MICA_STATS_EXIT_HYPERCALL, MICA_STATS_EXIT_HLT,
                                      MICA_STATS_EXIT_OTHER, MICA_STATS_EXIT_PREEMPTION_TIMER };
    static const unsigned calls[] = { HYPERCALL_EVENT_CHANNEL_OP, HYPERCALL_GRANT_TABLE_OP, 63 };
    CHECK("all vCPUs: exits summed by reason",
          st.exits[MICA_STATS_EXIT_HYPERCALL] == 42 && st.exits[MICA_STATS_EXIT_HLT] == 3 &&
          st.exits[MICA_STATS_EXIT_OTHER] == 1 && st.exits[MICA_STATS_EXIT_PREEMPTION_TIMER] == 7);
    CHECK("all vCPUs: hypercalls summed by number",
          st.hypercalls[HYPERCALL_EVENT_CHANNEL_OP] == 32 &&
          st.hypercalls[HYPERCALL_GRANT_TABLE_OP] == 10 && st.hypercalls[63] == 5);
    CHECK("all vCPUs: no other counter", others_zero(&st, exits, 4, calls, 3));
    CHECK("all vCPUs: sends, maps, copies summed",
          st.evtchn_sends == 27 && st.grant_maps == 4 && st.grant_copies == 7);

    op = stats_req(1, 1, STATS_BUF, sizeof(struct mica_stats));
    shim_now_ns = NOW + 100;
    CHECK("get_stats dom1 vCPU 1 -> 0", dctl(v0, &op) == 0);
    st = stats_result();
    CHECK("vCPU 1 alone: one counted, its own times",
          st.nr_vcpus == 1 && st.cpu_time == 500 && st.runstate_time[RUNSTATE_BLOCKED] == 850);
    CHECK("vCPU 1 alone: its own counters",
          st.exits[MICA_STATS_EXIT_HYPERCALL] == 2 && st.exits[MICA_STATS_EXIT_HLT] == 0 &&
          st.exits[MICA_STATS_EXIT_PREEMPTION_TIMER] == 7 &&
          st.hypercalls[HYPERCALL_EVENT_CHANNEL_OP] == 2 && st.hypercalls[63] == 5 &&
          st.hypercalls[HYPERCALL_GRANT_TABLE_OP] == 0 && st.evtchn_sends == 2 &&
          st.grant_maps == 0 && st.grant_copies == 1);
    CHECK("vCPU 1 alone: the domain's memory", st.tot_pages == 8000);

    /* A larger buffer: only the structure is written. */
    setup();
    op = stats_req(2, 0, STATS_BUF, 4096);
    CHECK("get_stats with a 4096-byte buffer -> 0", dctl(v0, &op) == 0);
    CHECK("4096-byte buffer: sizeof(struct mica_stats) written",
          shim_guest.to_calls == 1 && shim_guest.to_bytes == sizeof(struct mica_stats) &&
          shim_bytes_are(shim_guest_mem(STATS_BUF + sizeof st, 64), 64, SHIM_FILL));

    /* A stopped domain still reads: its counters stay, its memory is gone. */
    setup();
    d3->vcpus[0]->stats.exits[MICA_STATS_EXIT_CPUID] = 9;
    op = stats_req(3, MICA_STATS_ALL_VCPUS, STATS_BUF, sizeof(struct mica_stats));
    CHECK("get_stats of a destroyed domain -> 0", dctl(v0, &op) == 0);
    st = stats_result();
    CHECK("destroyed domain: counters kept, no pages",
          st.exits[MICA_STATS_EXIT_CPUID] == 9 && st.tot_pages == 0 && st.nr_vcpus == 1);

    /* Through the dispatcher: the call itself is counted before it runs. */
    setup();
    op = stats_req(DOMID_SELF, 0, STATS_BUF, sizeof(struct mica_stats));
    put_at(ARG, &op);
    const uint64_t args[HYPERCALL_ARGS] = { ARG, 0, 0, 0, 0 };
    CHECK("get_stats through the dispatcher -> 0",
          hypercall_dispatch(v0, HYPERCALL_DOMCTL, args) == 0);
    st = stats_result();
    CHECK("dispatcher: this domctl counted, nothing else",
          st.hypercalls[HYPERCALL_DOMCTL] == 1 && others_zero(&st, NULL, 0,
                                                              (const unsigned[]){ 36 }, 1));
    policy_init(d1, &(struct mica_policy){ 0 });     /* a domU's own: no domctl */
    CHECK("dispatcher: a domU's refused domctl is not counted",
          hypercall_dispatch(v1, HYPERCALL_DOMCTL, args) == -XEN_EPERM &&
          v1->stats.hypercalls[HYPERCALL_DOMCTL] == 0);

    static const struct {
        const char *what;
        uint16_t dom;
        uint32_t vcpu, pad;
        uint64_t size;
    } bad[] = {
        { "vCPU 2 of a 2-vCPU domain", 1, 2, 0, sizeof(struct mica_stats) },
        { "vCPU 1 of a 1-vCPU domain", 2, 1, 0, sizeof(struct mica_stats) },
        { "vCPU 8", 1, 8, 0, sizeof(struct mica_stats) },
        { "vCPU 0xfffffffe", 1, 0xfffffffeu, 0, sizeof(struct mica_stats) },
        { "pad 1", 1, 0, 1, sizeof(struct mica_stats) },
        { "pad bit 31", 1, MICA_STATS_ALL_VCPUS, 1u << 31, sizeof(struct mica_stats) },
        { "size one short", 1, 0, 0, sizeof(struct mica_stats) - 1 },
        { "size 0", 1, MICA_STATS_ALL_VCPUS, 0, 0 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        setup();
        op = stats_req(bad[k].dom, bad[k].vcpu, STATS_BUF, bad[k].size);
        op.u.stats.pad = bad[k].pad;
        CHECK(shim_name("get_stats %s -> EINVAL", bad[k].what), dctl(v0, &op) == -XEN_EINVAL);
        CHECK(shim_name("get_stats %s: nothing written or changed", bad[k].what),
              shim_guest.to_calls == 0 && unchanged());
    }

    /* A buffer that cannot be written: -EFAULT. */
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, sizeof st); b->what; b++) {
        setup();
        op = stats_req(1, MICA_STATS_ALL_VCPUS, b->va, sizeof st);
        CHECK(shim_name("get_stats into %s -> EFAULT", b->what), dctl(v0, &op) == -XEN_EFAULT);
        if (!b->partial)
            CHECK(shim_name("get_stats into %s: nothing changed", b->what), unchanged());
    }
}

/* ---- console ------------------------------------------------------------------ */

/* console getinfo of `dom` from dom0: the answer, or focus ~0 on an error. */
static struct mica_domctl_console console_info(uint16_t dom)
{
    struct mica_domctl op = console_req(dom, MICA_CONSOLE_GETINFO);
    if (dctl(v0, &op) != 0 || !read_once() || !written_once())
        return (struct mica_domctl_console){ .focus = ~0u };
    return result().u.console;
}

static void test_console(void)
{
    setup();
    d1->console_ring_gpa = 0x3000;      /* a domU with a ring, as the builder makes it */
    d1->console_port = 2;
    struct mica_domctl_console c = console_info(1);
    CHECK("console getinfo at first: dom0 has the input",
          c.focus == 0 && c.attached == 0 && c.dropped == 0 && c.op == MICA_CONSOLE_GETINFO &&
          c.pad == 0);
    struct mica_domctl op = console_req(1, MICA_CONSOLE_ATTACH);
    CHECK("console attach dom1 -> 0", dctl(v0, &op) == 0);
    CHECK("console attach: read once, nothing written back",
          read_once() && shim_guest.to_calls == 0 && console_focus() == d1);
    c = console_info(1);
    CHECK("console getinfo dom1: focus 1, attached", c.focus == 1 && c.attached == 1);
    c = console_info(2);
    CHECK("console getinfo dom2: focus 1, not attached", c.focus == 1 && c.attached == 0);
    c = console_info(DOMID_SELF);
    CHECK("console getinfo dom0: focus 1, not attached", c.focus == 1 && c.attached == 0);
    d1->console_in_dropped = 7;
    CHECK("console getinfo: the bytes dom1's ring dropped", console_info(1).dropped == 7);
    op = console_req(1, MICA_CONSOLE_ATTACH);
    CHECK("console attach dom1 again -> 0, still dom1", dctl(v0, &op) == 0 && console_focus() == d1);

    static const struct {
        const char *what;
        uint16_t dom;
        uint32_t op, pad;
        long rc;
    } bad[] = {
        { "attach dom0 (DOMID_SELF)", DOMID_SELF, MICA_CONSOLE_ATTACH, 0, -XEN_EINVAL },
        { "attach dom0 (id 0)", 0, MICA_CONSOLE_ATTACH, 0, -XEN_EINVAL },
        { "attach a domU with no console ring", 2, MICA_CONSOLE_ATTACH, 0, -XEN_EINVAL },
        { "attach a domain being built", 4, MICA_CONSOLE_ATTACH, 0, -XEN_EINVAL },
        { "attach a domain that has stopped", 3, MICA_CONSOLE_ATTACH, 0, -XEN_ESRCH },
        { "attach no domain", 5, MICA_CONSOLE_ATTACH, 0, -XEN_ESRCH },
        { "detach naming no domain", 0x7fef, MICA_CONSOLE_DETACH, 0, -XEN_ESRCH },
        { "op 3", 1, 3, 0, -XEN_EINVAL },
        { "op 0xffffffff", 1, ~0u, 0, -XEN_EINVAL },
        { "attach with pad 1", 1, MICA_CONSOLE_ATTACH, 1, -XEN_EINVAL },
        { "detach with pad bit 31", 1, MICA_CONSOLE_DETACH, 1u << 31, -XEN_EINVAL },
        { "getinfo with pad 1", 1, MICA_CONSOLE_GETINFO, 1, -XEN_EINVAL },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        op = console_req(bad[k].dom, bad[k].op);
        op.u.console.pad = bad[k].pad;
        CHECK(shim_name("console %s -> %ld", bad[k].what, bad[k].rc), dctl(v0, &op) == bad[k].rc);
        CHECK(shim_name("console %s: nothing written or changed, dom1 keeps the input",
                        bad[k].what),
              shim_guest.to_calls == 0 && unchanged() && console_focus() == d1);
    }
    op = console_req(2, MICA_CONSOLE_DETACH);
    CHECK("console detach from a domU -> EPERM, still dom1",
          dctl(v1, &op) == -XEN_EPERM && console_focus() == d1);

    op = console_req(DOMID_SELF, MICA_CONSOLE_DETACH);
    CHECK("console detach -> 0, dom0 has the input",
          dctl(v0, &op) == 0 && console_focus() == NULL && shim_guest.to_calls == 0);
    c = console_info(1);
    CHECK("console getinfo after detach: focus 0, not attached", c.focus == 0 && c.attached == 0);
    CHECK("console detach with nothing attached -> 0", dctl(v0, &op) == 0);

    /* The attached domain stops: the input is dom0's, however it stopped. */
    op = console_req(1, MICA_CONSOLE_ATTACH);
    CHECK("console attach dom1 once more -> 0", dctl(v0, &op) == 0);
    d1->state = DOMAIN_CRASHED;
    c = console_info(1);
    CHECK("console getinfo of the stopped domain: focus 0, not attached",
          c.focus == 0 && c.attached == 0 && console_focus() == NULL);
}

/* ---- scheduler_op ----------------------------------------------------------- */

static bool sched_is(const struct domain *d, uint32_t weight, uint32_t cap)
{
    return d->sched.weight == weight && d->sched.cap == cap;
}

static void test_scheduler_op(void)
{
    setup();
    struct mica_domctl op = sched_req(2, XEN_DOMCTL_SCHEDOP_GETINFO, 0xeeee, 0xeeee);
    CHECK("getinfo dom2 -> 0", dctl(v0, &op) == 0);
    CHECK("getinfo: read once, written once", read_once() && written_once());
    struct mica_domctl r = result();
    CHECK("getinfo: weight 100, cap 50, ids echoed",
          r.u.scheduler_op.weight == 100 && r.u.scheduler_op.cap == 50 &&
          r.u.scheduler_op.sched_id == XEN_SCHEDULER_CREDIT &&
          r.u.scheduler_op.cmd == XEN_DOMCTL_SCHEDOP_GETINFO);
    CHECK("getinfo changes nothing", domains_unchanged());

    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, 30);
    CHECK("putinfo dom1 weight 512 cap 30 -> 0", dctl(v0, &op) == 0);
    CHECK("putinfo: read once, nothing written back", read_once() && shim_guest.to_calls == 0);
    CHECK("putinfo set both", sched_is(d1, 512, 30));
    CHECK("putinfo: other domains untouched",
          sched_is(d0, SCHED_DEFAULT_WEIGHT, 0) && sched_is(d2, 100, 50));
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_GETINFO, 0, 0);
    CHECK("getinfo reads back what putinfo set",
          dctl(v0, &op) == 0 && result().u.scheduler_op.weight == 512 &&
          result().u.scheduler_op.cap == 30);
    op = req(XEN_DOMCTL_GETDOMAININFO, 1);
    CHECK("getdomaininfo reads them back too",
          dctl(v0, &op) == 0 && result().u.getdomaininfo.weight == 512 &&
          result().u.getdomaininfo.cap == 30);

    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, MICA_DOMCTL_WEIGHT_UNCHANGED, 75);
    CHECK("putinfo weight 0 -> 0", dctl(v0, &op) == 0);
    CHECK("weight 0 keeps the weight, sets the cap", sched_is(d1, 512, 75));
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 9, MICA_DOMCTL_CAP_UNCHANGED);
    CHECK("putinfo cap UNCHANGED -> 0", dctl(v0, &op) == 0);
    CHECK("cap UNCHANGED keeps the cap, sets the weight", sched_is(d1, 9, 75));
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 0, MICA_DOMCTL_CAP_UNCHANGED);
    CHECK("putinfo with both unchanged -> 0, nothing changes",
          dctl(v0, &op) == 0 && unchanged());
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 0, 0);
    CHECK("putinfo cap 0 -> 0, no cap", dctl(v0, &op) == 0 && sched_is(d1, 9, 0));
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, MICA_DOMCTL_MAX_WEIGHT, MICA_DOMCTL_MAX_CAP);
    CHECK("putinfo at the maxima -> 0",
          dctl(v0, &op) == 0 && sched_is(d1, MICA_DOMCTL_MAX_WEIGHT, MICA_DOMCTL_MAX_CAP));
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 1, 1);
    CHECK("putinfo at the minima -> 0", dctl(v0, &op) == 0 && sched_is(d1, 1, 1));
    op = sched_req(DOMID_SELF, XEN_DOMCTL_SCHEDOP_PUTINFO, 1000, 0);
    CHECK("putinfo DOMID_SELF sets dom0's", dctl(v0, &op) == 0 && sched_is(d0, 1000, 0));

    /* Set from read-only memory: nothing to write back. */
    setup();
    op = sched_req(1, XEN_DOMCTL_SCHEDOP_PUTINFO, 300, 20);
    memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof op), &op, sizeof op);
    CHECK("putinfo from read-only memory -> 0",
          call_at(v0, SHIM_RO_BASE) == 0 && sched_is(d1, 300, 20));

    static const struct {
        const char *what;
        uint32_t sched_id, cmd, weight, cap;
    } bad[] = {
        { "sched_id 0", 0, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, 30 },
        { "sched_id credit2 (6)", 6, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, 30 },
        { "sched_id ~0", ~0u, XEN_DOMCTL_SCHEDOP_GETINFO, 0, 0 },
        { "getinfo with sched_id 4", 4, XEN_DOMCTL_SCHEDOP_GETINFO, 0, 0 },
        { "cmd putvcpuinfo (2)", XEN_SCHEDULER_CREDIT, 2, 512, 30 },
        { "cmd getvcpuinfo (3)", XEN_SCHEDULER_CREDIT, 3, 0, 0 },
        { "cmd ~0", XEN_SCHEDULER_CREDIT, ~0u, 512, 30 },
        { "weight 65536", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 65536, 30 },
        { "weight ~0", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, ~0u, 30 },
        { "weight 2^31", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 1u << 31, 30 },
        { "cap 801", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, 801 },
        { "cap 0xffff (Xen's unchanged)", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO,
          512, 0xffff },
        { "cap 0xfffffffe", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 512, ~1u },
        { "good weight, bad cap", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 1, 900 },
        { "bad weight, good cap", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 70000, 0 },
        { "bad weight, cap unchanged", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 70000,
          MICA_DOMCTL_CAP_UNCHANGED },
        { "weight unchanged, bad cap", XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, 0, 1000 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        setup();
        d1->sched.cap = 40;
        op = req(XEN_DOMCTL_SCHEDULER_OP, 1);
        op.u.scheduler_op = (struct mica_domctl_scheduler_op){
            bad[k].sched_id, bad[k].cmd, bad[k].weight, bad[k].cap,
        };
        CHECK(shim_name("scheduler_op %s -> EINVAL", bad[k].what), dctl(v0, &op) == -XEN_EINVAL);
        CHECK(shim_name("scheduler_op %s: neither changed, nothing written", bad[k].what),
              sched_is(d1, SCHED_DEFAULT_WEIGHT, 40) && shim_guest.to_calls == 0 && unchanged());
    }
}

/* ---- setvcpuaffinity / getvcpuaffinity ------------------------------------- */

static void test_affinity(void)
{
    setup();
    struct mica_domctl op = affinity_req(XEN_DOMCTL_GETVCPUAFFINITY, 1, 0, 0xeeee);
    CHECK("getvcpuaffinity -> 0", dctl(v0, &op) == 0);
    CHECK("getvcpuaffinity: read once, written once", read_once() && written_once());
    CHECK("getvcpuaffinity: all CPUs at start",
          result().u.vcpuaffinity.cpumap == ALL_CPUS && result().u.vcpuaffinity.vcpu == 0);
    CHECK("getvcpuaffinity changes nothing", domains_unchanged());
    /* Without cpus= the domain builder leaves every bit set: only the CPUs a
     * map may name are reported, so what is read can be set again. */
    v1b.sched.affinity = ~0ull;
    op = affinity_req(XEN_DOMCTL_GETVCPUAFFINITY, 1, 1, 0);
    CHECK("getvcpuaffinity: CPUs 0-7 only",
          dctl(v0, &op) == 0 && result().u.vcpuaffinity.cpumap == ALL_CPUS);
    v1b.sched.affinity = ALL_CPUS;

    /* vCPU 0 runs on CPU 2: a mask without CPU 2 kicks it off. */
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, 0, 0x3);
    CHECK("setvcpuaffinity {0,1} -> 0", dctl(v0, &op) == 0);
    CHECK("setvcpuaffinity: read once, nothing written back",
          read_once() && shim_guest.to_calls == 0);
    CHECK("affinity set", v1->sched.affinity == 0x3);
    CHECK("CPU 2 kicked: it runs the vCPU but may no longer",
          shim_sched.kick_calls == 1 && shim_sched.last_kick == 2);
    CHECK("other vCPUs untouched",
          v1b.sched.affinity == ALL_CPUS && v0->sched.affinity == ALL_CPUS);
    op = affinity_req(XEN_DOMCTL_GETVCPUAFFINITY, 1, 0, 0);
    CHECK("getvcpuaffinity reads it back",
          dctl(v0, &op) == 0 && result().u.vcpuaffinity.cpumap == 0x3);

    /* The blocked vCPU 1: nothing to kick (the policy says SCHED_NO_CPU). */
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, 1, 0x4);
    CHECK("setvcpuaffinity vCPU 1 {2} -> 0", dctl(v0, &op) == 0 && v1b.sched.affinity == 0x4);
    CHECK("not running: kick with SCHED_NO_CPU",
          shim_sched.kick_calls == 2 && shim_sched.last_kick == SCHED_NO_CPU);
    op = affinity_req(XEN_DOMCTL_GETVCPUAFFINITY, 1, 1, 0);
    CHECK("getvcpuaffinity vCPU 1 reads it back",
          dctl(v0, &op) == 0 && result().u.vcpuaffinity.cpumap == 0x4);

    /* dom2's vCPU is queued on CPU 3: a mask without CPU 3 moves it now. */
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 2, 0, 0x2);
    CHECK("setvcpuaffinity of a queued vCPU {1} -> 0", dctl(v0, &op) == 0);
    CHECK("queued vCPU moved to CPU 1, which is kicked (it idles)",
          v2->sched.cpu == 1 && v2->sched.affinity == 0x2 && sched_migrations() == 1 &&
          shim_sched.kick_calls == 3 && shim_sched.last_kick == 1);

    /* Offline CPUs may be named as long as one is online (as Xen). */
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, DOMID_SELF, 0, 0xf1);
    CHECK("setvcpuaffinity {0,4..7} with 4 CPUs -> 0",
          dctl(v0, &op) == 0 && v0->sched.affinity == 0xf1);

    static const struct {
        const char *what;
        uint32_t vcpu, pad;
        uint64_t map;
    } bad[] = {
        { "empty mask", 0, 0, 0 },
        { "only CPUs not online (4..7)", 0, 0, 0xf0 },
        { "CPU 8", 0, 0, 1ull << 8 },
        { "CPU 8 with CPU 0", 0, 0, 0x101 },
        { "CPU 63 with CPU 0", 0, 0, (1ull << 63) | 1 },
        { "all bits", 0, 0, ~0ull },
        { "vCPU 2", 2, 0, 0x1 },
        { "vCPU 8", 8, 0, 0x1 },
        { "vCPU ~0", ~0u, 0, 0x1 },
        { "pad 1", 0, 1, 0x1 },
        { "pad bit 31", 0, 1u << 31, 0x1 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        setup();
        op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, bad[k].vcpu, bad[k].map);
        op.u.vcpuaffinity.pad = bad[k].pad;
        CHECK(shim_name("setvcpuaffinity %s -> EINVAL", bad[k].what),
              dctl(v0, &op) == -XEN_EINVAL);
        CHECK(shim_name("setvcpuaffinity %s: nothing changed or kicked", bad[k].what),
              v1->sched.affinity == ALL_CPUS && shim_sched.kick_calls == 0 &&
              shim_guest.to_calls == 0 && unchanged());
        if (bad[k].vcpu || bad[k].pad) {
            setup();
            op.cmd = XEN_DOMCTL_GETVCPUAFFINITY;
            CHECK(shim_name("getvcpuaffinity %s -> EINVAL", bad[k].what),
                  dctl(v0, &op) == -XEN_EINVAL && shim_guest.to_calls == 0 && unchanged());
        }
    }

    /* A one-CPU machine: only CPU 0 is online. */
    setup();
    sched_policy_init(1, 0);
    sched_vcpu_init(&v1->sched, &d1->sched, 0);
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, 0, 0x2);
    CHECK("one CPU: mask {1} -> EINVAL", dctl(v0, &op) == -XEN_EINVAL &&
          v1->sched.affinity == ALL_CPUS && shim_sched.kick_calls == 0);
    op = affinity_req(XEN_DOMCTL_SETVCPUAFFINITY, 1, 0, 0x1);
    CHECK("one CPU: mask {0} -> 0", dctl(v0, &op) == 0 && v1->sched.affinity == 0x1);
}

/* ---- hypercall policy ---------------------------------------------------- */

/* What the last call left in the guest's request, as a policy / counters. */
static bool result_policy_is(const struct mica_policy *want)
{
    struct mica_domctl op = result();
    return !memcmp(&op.u.policy, want, sizeof *want);
}

static bool result_denials_are(const struct mica_policy_denials *want)
{
    struct mica_domctl op = result();
    return !memcmp(&op.u.denials, want, sizeof *want);
}

static void test_policy(void)
{
    static const struct mica_policy no_deny;
    struct mica_policy domu, dom0;

    hypercall_policy_ceiling(false, &domu);
    hypercall_policy_ceiling(true, &dom0);

    setup();
    policy_init(d1, &no_deny);
    struct mica_domctl op = req(MICA_DOMCTL_GET_POLICY, 1);
    memset(&op.u, 0xa5, sizeof op.u);
    CHECK("get_policy: a domU's default", dctl(v0, &op) == 0 &&
          result_policy_is(&domu) && written_once() && domains_unchanged());
    policy_init(d0, &no_deny);
    op = req(MICA_DOMCTL_GET_POLICY, DOMID_SELF);
    CHECK("get_policy: dom0's own", dctl(v0, &op) == 0 &&
          result_policy_is(&dom0));
    policy_init(d3, &no_deny);
    op = req(MICA_DOMCTL_GET_POLICY, 3);
    CHECK("get_policy: a domain that has stopped", dctl(v0, &op) == 0 &&
          result_policy_is(&domu));

    struct mica_policy p = narrower_policy();
    op = set_policy_req(1, &p);
    CHECK("set_policy: narrower -> 0, nothing written back",
          dctl(v0, &op) == 0 && shim_guest.to_calls == 0 && read_once() &&
              !memcmp(&d1->policy, &p, sizeof p));
    CHECK("set_policy: the dispatcher's mask follows",
          !(d1->policy_mask[HYPERCALL_EVENT_CHANNEL_OP] & (1ull << EVTCHNOP_ALLOC_UNBOUND)) &&
              (d1->policy_mask[HYPERCALL_EVENT_CHANNEL_OP] & (1ull << EVTCHNOP_SEND)));
    op = req(MICA_DOMCTL_GET_POLICY, 1);
    CHECK("set_policy: reads back", dctl(v0, &op) == 0 &&
          result_policy_is(&p));
    op = set_policy_req(1, &domu);
    CHECK("set_policy: dom0 may widen it again, up to the domU's privilege",
          dctl(v0, &op) == 0 && !memcmp(&d1->policy, &domu, sizeof domu));

    /* Refusals: each changes nothing. */
    struct {
        const char *what;
        uint16_t dom;
        uint64_t calls_or, slot, subop_bits;
        long want;
    } bad[] = {
        { "a privileged call for a domU -> EPERM", 1, 1ull << HYPERCALL_DOMCTL, 0, 0, -XEN_EPERM },
        { "a number with no hypercall -> EINVAL", 1, 1ull << 40, 0, 0, -XEN_EINVAL },
        { "set_timer_op sub-op bits -> EINVAL", 1, 0, MICA_POLICY_SLOT_SET_TIMER_OP, 1,
          -XEN_EINVAL },
        { "physdev_op for a domU -> EPERM", 1, 1ull << HYPERCALL_PHYSDEV_OP, 0, 0, -XEN_EPERM },
        { "dom0's own (DOMID_SELF) -> EPERM", DOMID_SELF, 0, 0, 0, -XEN_EPERM },
        { "dom0's own (id 0) -> EPERM", 0, 0, 0, 0, -XEN_EPERM },
        { "a domain that has stopped -> ESRCH", 3, 0, 0, 0, -XEN_ESRCH },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        policy_init(d1, &no_deny);
        p = bad[i].dom == 0 || bad[i].dom == DOMID_SELF ? dom0 : domu;
        p.calls |= bad[i].calls_or;
        p.subops[bad[i].slot] |= bad[i].subop_bits;
        op = set_policy_req(bad[i].dom, &p);
        CHECK(shim_name("set_policy: %s", bad[i].what), dctl(v0, &op) == bad[i].want);
        CHECK(shim_name("set_policy: %s: nothing written or changed", bad[i].what),
              shim_guest.to_calls == 0 && unchanged());
    }

    setup();
    d1->denials.total = 7;
    d1->denials.calls[MICA_POLICY_SLOT_SCHED_OP] = 4;
    d1->denials.calls[MICA_POLICY_SLOT_GRANT_TABLE_OP] = 3;
    op = req(MICA_DOMCTL_GET_DENIALS, 1);
    memset(&op.u, 0xa5, sizeof op.u);
    CHECK("get_denials: the counters", dctl(v0, &op) == 0 &&
          result_denials_are(&d1->denials) && written_once() &&
          domains_unchanged());
    d3->denials.total = 2;
    op = req(MICA_DOMCTL_GET_DENIALS, 3);
    CHECK("get_denials: of a domain that has stopped", dctl(v0, &op) == 0 &&
          result().u.denials.total == 2);
}

int main(void)
{
    test_eperm();
    test_efault();
    test_version();
    test_header();
    test_esrch();
    test_getdomaininfo();
    test_getvcpuinfo();
    test_get_stats();
    test_console();
    test_scheduler_op();
    test_affinity();
    test_policy();
    CHECK_DONE();
}
