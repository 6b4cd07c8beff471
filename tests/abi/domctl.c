/*
 * Family `domctl` (docs/abi.md, "36 domctl"): dom0 reads and sets its own
 * and the peer's scheduling state and reads the domain that has gone; every
 * setting is put back as it was. It reads its counters (get_stats) and sees
 * them grow by exactly the calls it makes. A domU gets -EPERM for everything, before
 * its argument is read. The header checks come in the documented order:
 * interface version, pad, command, domain; then the command's own.
 */
#include <stdint.h>

#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/hypercall.h>
#include <public/sched_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "abi.h"
#include "clock.h"
#include "control.h"
#include "lib.h"

#define F "domctl"
#define JUNK 0xA5
#define DEFAULT_WEIGHT 256

static struct mica_domctl req(uint32_t cmd, domid_t dom)
{
    struct mica_domctl op;

    memset(&op, JUNK, sizeof op);
    op.cmd = cmd;
    op.interface_version = MICA_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.pad[0] = op.pad[1] = op.pad[2] = 0;
    return op;
}

static long run(struct mica_domctl *op)
{
    return hyp_domctl((uintptr_t)op);
}

/* What a domU gets for everything. */
static long priv(long dom0)
{
    return abi_priv(dom0, -XEN_EPERM);
}

static bool name_is(const char *s, const char *want)
{
    return strcmp(s, want) == 0;
}

static void getdomaininfo_cases(void)
{
    struct mica_domctl op = req(XEN_DOMCTL_GETDOMAININFO, DOMID_SELF);
    struct mica_domctl_getdomaininfo *i = &op.u.getdomaininfo;
    long rc = run(&op);

    if (!abi.privileged) {
        abi_expect(F, "getdomaininfo", rc, -XEN_EPERM);
        op = req(XEN_DOMCTL_GETDOMAININFO, abi.self);
        abi_expect(F, "getdomaininfo-own-id", run(&op), -XEN_EPERM);
        op = req(XEN_DOMCTL_GETDOMAININFO, 0xffff);
        abi_expect(F, "getdomaininfo-domid-max", run(&op), -XEN_EPERM);
        op = req(XEN_DOMCTL_GETDOMAININFO, abi.peer);
        abi_expect(F, "getdomaininfo-peer", run(&op), -XEN_EPERM);
        op = req(XEN_DOMCTL_GETDOMAININFO, abi.gone);
        abi_expect(F, "getdomaininfo-gone", run(&op), -XEN_EPERM);
        op = req(XEN_DOMCTL_GETDOMAININFO, abi.absent);
        abi_expect(F, "getdomaininfo-absent", run(&op), -XEN_EPERM);
        return;
    }
    abi_check(F, "getdomaininfo",
              rc == 0 && i->domid == abi.self && i->state == MICA_DOMCTL_STATE_RUNNING &&
                  i->shutdown_reason == 0 && i->flags == MICA_DOMINF_PRIVILEGED &&
                  i->nr_vcpus == abi.nvcpus && i->nr_online_vcpus == 2 &&
                  i->weight == DEFAULT_WEIGHT && i->cap == 0 && i->cpu_time > 0 &&
                  i->max_pages == abi.ram_pages && i->tot_pages < i->max_pages &&
                  name_is(i->name, abi.env->name),
              "rc, or a field is off; online vCPUs", rc ? rc : (long)i->nr_online_vcpus);
    op = req(XEN_DOMCTL_GETDOMAININFO, abi.self);
    abi_check(F, "getdomaininfo-own-id", run(&op) == 0 && i->domid == abi.self, "domid",
              i->domid);
    op = req(XEN_DOMCTL_GETDOMAININFO, abi.peer);
    rc = run(&op);
    abi_check(F, "getdomaininfo-peer",
              rc == 0 && i->domid == abi.peer && i->state == MICA_DOMCTL_STATE_RUNNING &&
                  i->flags == 0 && i->nr_vcpus >= 1 && i->tot_pages > 0,
              "rc or flags", rc ? rc : (long)i->flags);
    op = req(XEN_DOMCTL_GETDOMAININFO, abi.gone);
    rc = run(&op);
    abi_check(F, "getdomaininfo-gone",
              rc == 0 && i->domid == abi.gone && i->state == MICA_DOMCTL_STATE_SHUTDOWN &&
                  i->shutdown_reason == SHUTDOWN_POWEROFF && (i->flags & MICA_DOMINF_DYING) &&
                  i->tot_pages == 0,
              "rc or state", rc ? rc : (long)i->state);
    op = req(XEN_DOMCTL_GETDOMAININFO, abi.absent);
    abi_expect(F, "getdomaininfo-absent", run(&op), -XEN_ESRCH);
    op = req(XEN_DOMCTL_GETDOMAININFO, 0xffff);
    abi_expect(F, "getdomaininfo-domid-max", run(&op), -XEN_ESRCH);
}

static long vcpuinfo(domid_t dom, uint32_t vcpu, uint32_t pad, struct mica_domctl_getvcpuinfo *out)
{
    struct mica_domctl op = req(XEN_DOMCTL_GETVCPUINFO, dom);
    long rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    op.u.getvcpuinfo.pad = pad;
    rc = run(&op);
    *out = op.u.getvcpuinfo;
    return rc;
}

static void getvcpuinfo_cases(void)
{
    struct mica_domctl_getvcpuinfo v;
    long rc = vcpuinfo(DOMID_SELF, 0, 0, &v);

    if (abi.privileged)
        abi_check(F, "getvcpuinfo",
                  rc == 0 && v.vcpu == 0 && v.online == 1 && v.blocked == 0 && v.running == 1 &&
                      v.runstate == RUNSTATE_RUNNING && v.cpu_time > 0 &&
                      v.cpu_time == v.runstate_time[RUNSTATE_RUNNING],
                  "rc or runstate", rc ? rc : (long)v.runstate);
    else
        abi_expect(F, "getvcpuinfo", rc, -XEN_EPERM);
    rc = vcpuinfo(DOMID_SELF, 2, 0, &v);
    if (abi.privileged)
        abi_check(F, "getvcpuinfo-down-vcpu",
                  rc == 0 && v.vcpu == 2 && v.online == 0 && v.runstate == RUNSTATE_OFFLINE,
                  "rc or runstate", rc ? rc : (long)v.runstate);
    else
        abi_expect(F, "getvcpuinfo-down-vcpu", rc, -XEN_EPERM);
    abi_expect(F, "getvcpuinfo-vcpu-beyond-count", vcpuinfo(DOMID_SELF, abi.nvcpus, 0, &v),
               priv(-XEN_EINVAL));
    abi_expect(F, "getvcpuinfo-pad", vcpuinfo(DOMID_SELF, 0, 1, &v), priv(-XEN_EINVAL));
    abi_expect(F, "getvcpuinfo-peer", vcpuinfo(abi.peer, 0, 0, &v), priv(0));
    /* Only getdomaininfo still names a domain that has stopped. */
    abi_expect(F, "getvcpuinfo-gone", vcpuinfo(abi.gone, 0, 0, &v), priv(-XEN_ESRCH));
    abi_expect(F, "getvcpuinfo-absent", vcpuinfo(abi.absent, 0, 0, &v), priv(-XEN_ESRCH));
}

static long affinity(uint32_t cmd, domid_t dom, uint32_t vcpu, uint32_t pad, uint64_t *map)
{
    struct mica_domctl op = req(cmd, dom);
    long rc;

    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.pad = pad;
    if (cmd == XEN_DOMCTL_SETVCPUAFFINITY)
        op.u.vcpuaffinity.cpumap = *map;
    rc = run(&op);
    if (cmd == XEN_DOMCTL_GETVCPUAFFINITY && rc == 0)
        *map = op.u.vcpuaffinity.cpumap;
    return rc;
}

static long get_affinity(domid_t dom, uint32_t vcpu, uint64_t *map)
{
    return affinity(XEN_DOMCTL_GETVCPUAFFINITY, dom, vcpu, 0, map);
}

static long set_affinity(domid_t dom, uint32_t vcpu, uint64_t map)
{
    return affinity(XEN_DOMCTL_SETVCPUAFFINITY, dom, vcpu, 0, &map);
}

/* A readable setaffinity request in read-only memory: it writes nothing back. */
static long set_affinity_readonly(uint64_t map)
{
    void *backing;
    uint64_t ro = abi_readonly_page(&backing);
    struct mica_domctl op = req(XEN_DOMCTL_SETVCPUAFFINITY, DOMID_SELF);

    op.u.vcpuaffinity = (struct mica_domctl_vcpuaffinity){ .vcpu = 1, .cpumap = map };
    memcpy(backing, &op, sizeof op);
    return hyp_domctl(ro);
}

static void affinity_cases(void)
{
    uint64_t orig = 0, map = 0, peer = 0, offline;
    long rc = get_affinity(DOMID_SELF, 1, &orig);

    abi_check(F, "getvcpuaffinity", abi.privileged ? rc == 0 && orig != 0 : rc == -XEN_EPERM,
              "rc or cpumap", rc ? rc : (long)orig);
    abi_expect(F, "setvcpuaffinity", set_affinity(DOMID_SELF, 1, 1), priv(0));
    rc = get_affinity(DOMID_SELF, 1, &map);
    abi_check(F, "setvcpuaffinity-reads-back", abi.privileged ? rc == 0 && map == 1 :
                                                                rc == -XEN_EPERM,
              "rc or cpumap", rc ? rc : (long)map);
    abi_expect(F, "setvcpuaffinity-cpu-8",
               set_affinity(DOMID_SELF, 1, 1ull << MICA_DOMCTL_MAX_CPUS),
               priv(-XEN_EINVAL));
    abi_expect(F, "setvcpuaffinity-no-cpu", set_affinity(DOMID_SELF, 1, 0), priv(-XEN_EINVAL));
    /* CPU 7 is not online in any configuration this suite runs in. */
    offline = 1ull << (MICA_DOMCTL_MAX_CPUS - 1);
    abi_expect(F, "setvcpuaffinity-offline-cpus-only", set_affinity(DOMID_SELF, 1, offline),
               priv(-XEN_EINVAL));
    abi_expect(F, "setvcpuaffinity-vcpu-beyond-count", set_affinity(DOMID_SELF, abi.nvcpus, 1),
               priv(-XEN_EINVAL));
    map = 1;
    abi_expect(F, "setvcpuaffinity-pad", affinity(XEN_DOMCTL_SETVCPUAFFINITY, DOMID_SELF, 1, 1,
                                                  &map), priv(-XEN_EINVAL));
    map = 0;
    rc = get_affinity(DOMID_SELF, 1, &map);
    abi_check(F, "setvcpuaffinity-refusals-change-nothing",
              abi.privileged ? rc == 0 && map == 1 : rc == -XEN_EPERM, "cpumap",
              rc ? rc : (long)map);
    abi_expect(F, "setvcpuaffinity-readonly-arg", set_affinity_readonly(orig), priv(0));
    abi_expect(F, "setvcpuaffinity-restore", set_affinity(DOMID_SELF, 1, orig), priv(0));
    abi_expect(F, "getvcpuaffinity-vcpu-beyond-count", get_affinity(DOMID_SELF, abi.nvcpus, &map),
               priv(-XEN_EINVAL));
    abi_expect(F, "getvcpuaffinity-pad",
               affinity(XEN_DOMCTL_GETVCPUAFFINITY, DOMID_SELF, 0, 1, &map), priv(-XEN_EINVAL));

    /* The peer's: read, and set to what it is. */
    rc = get_affinity(abi.peer, 0, &peer);
    abi_check(F, "getvcpuaffinity-peer", abi.privileged ? rc == 0 && peer != 0 : rc == -XEN_EPERM,
              "rc or cpumap", rc ? rc : (long)peer);
    abi_expect(F, "setvcpuaffinity-peer", set_affinity(abi.peer, 0, abi.privileged ? peer : 1),
               priv(0));
    abi_expect(F, "setvcpuaffinity-gone", set_affinity(abi.gone, 0, 1), priv(-XEN_ESRCH));
    abi_expect(F, "getvcpuaffinity-gone", get_affinity(abi.gone, 0, &map), priv(-XEN_ESRCH));
    abi_expect(F, "setvcpuaffinity-absent", set_affinity(abi.absent, 0, 1), priv(-XEN_ESRCH));
}

static long sched(domid_t dom, uint32_t id, uint32_t cmd, uint32_t *weight, uint32_t *cap)
{
    struct mica_domctl op = req(XEN_DOMCTL_SCHEDULER_OP, dom);
    long rc;

    op.u.scheduler_op = (struct mica_domctl_scheduler_op){ .sched_id = id, .cmd = cmd,
                                                           .weight = *weight, .cap = *cap };
    if (cmd == XEN_DOMCTL_SCHEDOP_GETINFO)
        op.u.scheduler_op.weight = op.u.scheduler_op.cap = 0xA5A5A5A5;
    rc = run(&op);
    if (rc == 0 && cmd == XEN_DOMCTL_SCHEDOP_GETINFO) {
        *weight = op.u.scheduler_op.weight;
        *cap = op.u.scheduler_op.cap;
    }
    return rc;
}

static long put(domid_t dom, uint32_t weight, uint32_t cap)
{
    return sched(dom, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_PUTINFO, &weight, &cap);
}

/* getinfo of `dom` is (weight, cap); a domU expects -EPERM. */
static void expect_sched(const char *name, domid_t dom, uint32_t weight, uint32_t cap)
{
    uint32_t w = 0, c = 0;
    long rc = sched(dom, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_GETINFO, &w, &c);

    if (!abi.privileged || rc != 0)
        abi_expect(F, name, rc, priv(0));
    else
        abi_check(F, name, w == weight && c == cap, "weight", w);
}

static void scheduler_op_cases(void)
{
    uint32_t w = 1, c = 0;

    expect_sched("scheduler_op-getinfo", DOMID_SELF, DEFAULT_WEIGHT, 0);
    abi_expect(F, "scheduler_op-putinfo-weight", put(DOMID_SELF, 512, MICA_DOMCTL_CAP_UNCHANGED),
               priv(0));
    expect_sched("scheduler_op-putinfo-weight-reads-back", DOMID_SELF, 512, 0);
    abi_expect(F, "scheduler_op-putinfo-cap", put(DOMID_SELF, MICA_DOMCTL_WEIGHT_UNCHANGED, 400),
               priv(0));
    expect_sched("scheduler_op-putinfo-cap-reads-back", DOMID_SELF, 512, 400);
    abi_expect(F, "scheduler_op-putinfo-max", put(DOMID_SELF, MICA_DOMCTL_MAX_WEIGHT,
                                                  MICA_DOMCTL_MAX_CAP), priv(0));
    expect_sched("scheduler_op-putinfo-max-reads-back", DOMID_SELF, MICA_DOMCTL_MAX_WEIGHT,
                 MICA_DOMCTL_MAX_CAP);
    abi_expect(F, "scheduler_op-weight-too-big", put(DOMID_SELF, MICA_DOMCTL_MAX_WEIGHT + 1, 0),
               priv(-XEN_EINVAL));
    abi_expect(F, "scheduler_op-cap-too-big", put(DOMID_SELF, 256, MICA_DOMCTL_MAX_CAP + 1),
               priv(-XEN_EINVAL));
    expect_sched("scheduler_op-refusals-change-nothing", DOMID_SELF, MICA_DOMCTL_MAX_WEIGHT,
                 MICA_DOMCTL_MAX_CAP);
    abi_expect(F, "scheduler_op-putinfo-restore", put(DOMID_SELF, DEFAULT_WEIGHT, 0), priv(0));
    expect_sched("scheduler_op-restored", DOMID_SELF, DEFAULT_WEIGHT, 0);
    abi_expect(F, "scheduler_op-bad-sched-id",
               sched(DOMID_SELF, XEN_SCHEDULER_CREDIT + 1, XEN_DOMCTL_SCHEDOP_GETINFO, &w, &c),
               priv(-XEN_EINVAL));
    abi_expect(F, "scheduler_op-bad-cmd",
               sched(DOMID_SELF, XEN_SCHEDULER_CREDIT, 2, &w, &c), priv(-XEN_EINVAL));

    abi_expect(F, "scheduler_op-peer", put(abi.peer, 300, MICA_DOMCTL_CAP_UNCHANGED), priv(0));
    expect_sched("scheduler_op-peer-reads-back", abi.peer, 300, 0);
    abi_expect(F, "scheduler_op-peer-restore", put(abi.peer, DEFAULT_WEIGHT, 0), priv(0));
    abi_expect(F, "scheduler_op-gone", put(abi.gone, DEFAULT_WEIGHT, 0), priv(-XEN_ESRCH));
    abi_expect(F, "scheduler_op-absent", put(abi.absent, DEFAULT_WEIGHT, 0), priv(-XEN_ESRCH));
}

static void header_cases(void)
{
    struct mica_domctl op = req(XEN_DOMCTL_GETDOMAININFO, DOMID_SELF);

    op.interface_version = MICA_DOMCTL_INTERFACE_VERSION + 1;
    op.pad[0] = 1;
    abi_expect(F, "bad-version", run(&op), priv(-XEN_EACCES));
    op = req(XEN_DOMCTL_GETDOMAININFO, DOMID_SELF);
    op.pad[2] = 1;
    abi_expect(F, "header-pad", run(&op), priv(-XEN_EINVAL));
    op = req(99, DOMID_SELF);
    op.pad[1] = 1;
    abi_expect(F, "pad-checked-before-cmd", run(&op), priv(-XEN_EINVAL));
    op = req(0, DOMID_SELF);
    abi_expect(F, "unknown-cmd-0", run(&op), priv(-XEN_ENOSYS));
    op = req(99, abi.absent);
    abi_expect(F, "cmd-checked-before-domain", run(&op), priv(-XEN_ENOSYS));
    op = req(0xffffffff, DOMID_SELF);
    abi_expect(F, "unknown-cmd-max", run(&op), priv(-XEN_ENOSYS));
}

/* ---- hypercall policy (docs/abi.md, "Hypercall policy") ---- */

#define BIT(n) (1ull << (n))
#define RESTRICTED_TIMEOUT_NS (60 * NSEC_PER_SEC)   /* after set_policy-restricted */
#define DOMU_CALLS                                                                          \
    (BIT(HYPERCALL_MEMORY_OP) | BIT(HYPERCALL_SET_TIMER_OP) | BIT(HYPERCALL_XEN_VERSION) |  \
     BIT(HYPERCALL_CONSOLE_IO) | BIT(HYPERCALL_GRANT_TABLE_OP) | BIT(HYPERCALL_VCPU_OP) |   \
     BIT(HYPERCALL_SCHED_OP) | BIT(HYPERCALL_EVENT_CHANNEL_OP) | BIT(HYPERCALL_HVM_OP))
#define DOM0_CALLS (DOMU_CALLS | BIT(HYPERCALL_PHYSDEV_OP) | BIT(HYPERCALL_SYSCTL) | \
                    BIT(HYPERCALL_DOMCTL))

static long get_policy(domid_t dom, struct mica_policy *p)
{
    struct mica_domctl op = req(MICA_DOMCTL_GET_POLICY, dom);
    long rc = run(&op);

    *p = op.u.policy;
    return rc;
}

static long set_policy(domid_t dom, const struct mica_policy *p)
{
    struct mica_domctl op = req(MICA_DOMCTL_SET_POLICY, dom);

    op.u.policy = *p;
    return run(&op);
}

static long get_denials(domid_t dom, struct mica_policy_denials *out)
{
    struct mica_domctl op = req(MICA_DOMCTL_GET_DENIALS, dom);
    long rc = run(&op);

    *out = op.u.denials;
    return rc;
}

/* What the dispatch table grants a domain by default: every call of its
 * privilege and every sub-op of those with sub-ops. */
static bool is_default(const struct mica_policy *p, bool privileged)
{
    for (unsigned int i = 0; i < MICA_POLICY_SLOTS; i++) {
        bool dom0_only = i == MICA_POLICY_SLOT_SYSCTL || i == MICA_POLICY_SLOT_DOMCTL ||
                         i == MICA_POLICY_SLOT_PHYSDEV_OP;
        bool used = i != MICA_POLICY_SLOT_SET_TIMER_OP && (privileged || !dom0_only);
        if (p->subops[i] != (used ? ~0ull : 0))
            return false;
    }
    return p->calls == (privileged ? DOM0_CALLS : DOMU_CALLS);
}

static bool restricted_stopped(void *arg)
{
    struct mica_domctl_getdomaininfo info;

    (void)arg;
    return domctl_get_domaininfo(abi.restricted, &info) == 0 &&
           info.state != MICA_DOMCTL_STATE_RUNNING;
}

static void get_policy_cases(void)
{
    struct mica_policy p;
    long rc;

    rc = get_policy(DOMID_SELF, &p);
    abi_check(F, "get_policy", abi.privileged ? rc == 0 && is_default(&p, true) : rc == -XEN_EPERM,
              "rc, or not dom0's default policy", rc);
    rc = get_policy(abi.peer, &p);
    abi_check(F, "get_policy-peer",
              abi.privileged ? rc == 0 && is_default(&p, false) : rc == -XEN_EPERM,
              "rc, or not a domU's default policy", rc);
    rc = get_policy(abi.gone, &p);
    abi_check(F, "get_policy-gone",
              abi.privileged ? rc == 0 && is_default(&p, false) : rc == -XEN_EPERM,
              "rc, or not a domU's default policy", rc);
    abi_expect(F, "get_policy-absent", get_policy(abi.absent, &p), priv(-XEN_ESRCH));
}

static void set_policy_cases(void)
{
    struct mica_policy before, p;
    long rc = get_policy(abi.peer, &before);

    /* The domctl and sysctl slots of a domU (0 by default) may be set; they
     * change nothing while the calls themselves stay denied by privilege. */
    p = before;
    p.subops[MICA_POLICY_SLOT_DOMCTL] = BIT(XEN_DOMCTL_GETDOMAININFO);
    abi_expect(F, "set_policy-peer", set_policy(abi.peer, &p), priv(0));
    rc = get_policy(abi.peer, &p);
    abi_check(F, "set_policy-peer-reads-back",
              abi.privileged ? rc == 0 && p.subops[MICA_POLICY_SLOT_DOMCTL] ==
                                              BIT(XEN_DOMCTL_GETDOMAININFO) &&
                                   p.calls == before.calls
                             : rc == -XEN_EPERM,
              "rc or the slot", rc);

    /* Refusals. */
    p = before;
    p.calls |= BIT(HYPERCALL_DOMCTL);
    abi_expect(F, "set_policy-widen-beyond-privilege", set_policy(abi.peer, &p), -XEN_EPERM);
    p = before;
    p.calls |= BIT(0);
    abi_expect(F, "set_policy-no-such-call", set_policy(abi.peer, &p), priv(-XEN_EINVAL));
    p = before;
    p.calls |= BIT(63);
    abi_expect(F, "set_policy-call-63", set_policy(abi.peer, &p), priv(-XEN_EINVAL));
    p = before;
    p.subops[MICA_POLICY_SLOT_SET_TIMER_OP] = 1;
    abi_expect(F, "set_policy-set_timer_op-sub-ops", set_policy(abi.peer, &p), priv(-XEN_EINVAL));
    p = before;
    abi_expect(F, "set_policy-self", set_policy(DOMID_SELF, &p), -XEN_EPERM);
    abi_expect(F, "set_policy-own-id", set_policy(abi.self, &p), -XEN_EPERM);
    abi_expect(F, "set_policy-gone", set_policy(abi.gone, &p), priv(-XEN_ESRCH));
    abi_expect(F, "set_policy-absent", set_policy(abi.absent, &p), priv(-XEN_ESRCH));
    rc = get_policy(abi.peer, &p);
    abi_check(F, "set_policy-refusals-change-nothing",
              abi.privileged ? rc == 0 && p.subops[MICA_POLICY_SLOT_DOMCTL] ==
                                              BIT(XEN_DOMCTL_GETDOMAININFO)
                             : rc == -XEN_EPERM,
              "rc or the slot", rc);

    abi_expect(F, "set_policy-peer-restore", set_policy(abi.peer, &before), priv(0));
    rc = get_policy(abi.peer, &p);
    abi_check(F, "set_policy-peer-restored",
              abi.privileged ? rc == 0 && is_default(&p, false) : rc == -XEN_EPERM,
              "rc, or not the default again", rc);
}

static void denial_cases(void)
{
    struct mica_policy_denials n;
    struct mica_policy p;
    long rc;

    /* The peer's policy denies nothing, and refusals for privilege are not
     * policy denials (the domU's domctl calls all got -EPERM). */
    rc = get_denials(abi.peer, &n);
    abi_check(F, "get_denials-peer", abi.privileged ? rc == 0 && n.total == 0 : rc == -XEN_EPERM,
              "rc or total", rc ? rc : (long)n.total);
    abi_expect(F, "get_denials-absent", get_denials(abi.absent, &n), priv(-XEN_ESRCH));

    /* The restricted domain is waiting for this to go on (test=restricted). */
    rc = get_policy(abi.restricted, &p);
    p.subops[MICA_POLICY_SLOT_XEN_VERSION] &= ~BIT(XENVER_PAGESIZE);
    abi_expect(F, "set_policy-restricted", rc ? rc : set_policy(abi.restricted, &p), priv(0));

    /* Once it has made its calls and powered off (its record stays); if it
     * never does, the cases below fail. */
    if (abi.privileged)
        abi_wait(restricted_stopped, NULL, RESTRICTED_TIMEOUT_NS);
    rc = get_denials(abi.restricted, &n);
    abi_check(F, "get_denials-restricted",
              abi.privileged
                  ? rc == 0 &&
                        n.calls[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] ==
                            ABI_RESTRICTED_EVTCHN_DENIALS &&
                        n.calls[MICA_POLICY_SLOT_GRANT_TABLE_OP] == ABI_RESTRICTED_GRANT_DENIALS &&
                        n.calls[MICA_POLICY_SLOT_SCHED_OP] == ABI_RESTRICTED_SCHED_DENIALS &&
                        n.calls[MICA_POLICY_SLOT_XEN_VERSION] == ABI_RESTRICTED_XENVER_DENIALS &&
                        n.total == ABI_RESTRICTED_EVTCHN_DENIALS + ABI_RESTRICTED_GRANT_DENIALS +
                                       ABI_RESTRICTED_SCHED_DENIALS +
                                       ABI_RESTRICTED_XENVER_DENIALS
                  : rc == -XEN_EPERM,
              "rc or total", rc ? rc : (long)n.total);
    rc = get_policy(abi.restricted, &p);
    abi_check(F, "get_policy-restricted",
              abi.privileged
                  ? rc == 0 && p.calls == (DOMU_CALLS & ~BIT(HYPERCALL_GRANT_TABLE_OP)) &&
                        p.subops[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] ==
                            ~BIT(EVTCHNOP_ALLOC_UNBOUND) &&
                        p.subops[MICA_POLICY_SLOT_SCHED_OP] == ~BIT(SCHEDOP_POLL) &&
                        p.subops[MICA_POLICY_SLOT_XEN_VERSION] == ~BIT(XENVER_PAGESIZE)
                  : rc == -XEN_EPERM,
              "rc or calls", rc ? rc : (long)p.calls);
    abi_expect(F, "set_policy-restricted-stopped", set_policy(abi.restricted, &p),
               priv(-XEN_ESRCH));
}

/* ---- get_stats ---- */

static struct mica_stats stats_buf[2];      /* a second one past the first: size checks */

static long get_stats(domid_t dom, uint32_t vcpu, uint32_t pad, uint64_t size,
                      struct mica_stats *out)
{
    struct mica_domctl op = req(MICA_DOMCTL_GET_STATS, dom);

    op.u.stats = (struct mica_domctl_get_stats){
        .vcpu = vcpu, .pad = pad, .buffer = (uintptr_t)out, .size = size,
    };
    memset(out, JUNK, sizeof *out);
    return run(&op);
}

static uint64_t sum(const uint64_t *v, unsigned int n)
{
    uint64_t total = 0;

    for (unsigned int i = 0; i < n; i++)
        total += v[i];
    return total;
}

/* Sent on a port of our own that nobody has bound: counted, and dropped. */
static long send_unbound(unsigned int times)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_port_arg p;
    long rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (uintptr_t)&a);

    p.port = a.port;
    for (unsigned int i = 0; rc == 0 && i < times; i++)
        rc = hyp_event_channel_op(EVTCHNOP_SEND, (uintptr_t)&p);
    if (rc == 0)
        rc = hyp_event_channel_op(EVTCHNOP_CLOSE, (uintptr_t)&p);
    return rc;
}

static void get_stats_peers(void)
{
    struct mica_stats *st = &stats_buf[0];
    struct mica_domctl_getdomaininfo info;
    long rc = get_stats(abi.peer, MICA_STATS_ALL_VCPUS, 0, sizeof *st, st);

    if (abi.privileged)
        abi_check(F, "get_stats-peer",
                  rc == 0 && st->nr_vcpus >= 1 && st->tot_pages > 0 &&
                      st->exits[MICA_STATS_EXIT_HYPERCALL] > 0 &&
                      st->hypercalls[HYPERCALL_EVENT_CHANNEL_OP] > 0,   /* it met us */
                  "rc or event_channel_op calls",
                  rc ? rc : (long)st->hypercalls[HYPERCALL_EVENT_CHANNEL_OP]);
    else
        abi_expect(F, "get_stats-peer", rc, -XEN_EPERM);
    rc = get_stats(abi.gone, MICA_STATS_ALL_VCPUS, 0, sizeof *st, st);
    if (abi.privileged)
        abi_check(F, "get_stats-gone",
                  rc == 0 && st->tot_pages == 0 && st->hypercalls[HYPERCALL_SCHED_OP] > 0 &&
                      st->exits[MICA_STATS_EXIT_HYPERCALL] >= st->hypercalls[HYPERCALL_SCHED_OP],
                  "rc or sched_op calls", rc ? rc : (long)st->hypercalls[HYPERCALL_SCHED_OP]);
    else
        abi_expect(F, "get_stats-gone", rc, -XEN_EPERM);
    abi_expect(F, "get_stats-absent",
               get_stats(abi.absent, MICA_STATS_ALL_VCPUS, 0, sizeof *st, st), priv(-XEN_ESRCH));
    /* The whole domain's memory, as getdomaininfo has it. */
    rc = get_stats(DOMID_SELF, 0, 0, sizeof *st, st);
    if (abi.privileged) {
        long rc2 = domctl_get_domaininfo(DOMID_SELF, &info);
        abi_check(F, "get_stats-memory",
                  rc == 0 && rc2 == 0 && st->max_pages == info.max_pages &&
                      st->tot_pages == info.tot_pages,
                  "rc or tot_pages", rc ? rc : rc2 ? rc2 : (long)st->tot_pages);
    } else {
        abi_expect(F, "get_stats-memory", rc, -XEN_EPERM);
    }
}

static void get_stats_cases(void)
{
    struct mica_stats *st = &stats_buf[0], before, all;
    struct mica_domctl op = req(MICA_DOMCTL_GET_STATS, DOMID_SELF), copy;
    long rc;

    /* All our vCPUs: what the families before this one did shows. */
    op.u.stats = (struct mica_domctl_get_stats){
        .vcpu = MICA_STATS_ALL_VCPUS, .buffer = (uintptr_t)st, .size = sizeof *st,
    };
    copy = op;
    memset(st, JUNK, sizeof *st);
    rc = run(&op);
    all = *st;
    if (abi.privileged)
        abi_check(F, "get_stats",
                  rc == 0 && st->nr_vcpus == abi.nvcpus && st->pad == 0 && st->cpu_time > 0 &&
                      st->cpu_time == st->runstate_time[RUNSTATE_RUNNING] &&
                      st->max_pages == abi.ram_pages &&
                      st->exits[MICA_STATS_EXIT_HYPERCALL] >= sum(st->hypercalls, 64) &&
                      st->hypercalls[HYPERCALL_DOMCTL] > 0 &&
                      st->hypercalls[HYPERCALL_GRANT_TABLE_OP] > 0 && st->evtchn_sends > 0 &&
                      st->grant_maps > 0 && st->grant_copies > 0 &&
                      memcmp(&op, &copy, sizeof op) == 0,
                  "rc or nr_vcpus", rc ? rc : (long)st->nr_vcpus);
    else
        abi_expect(F, "get_stats", rc, -XEN_EPERM);

    /* vCPU 0, where this runs: it grows by exactly what we do. */
    rc = get_stats(DOMID_SELF, 0, 0, sizeof before, &before);
    if (rc == 0)
        for (int i = 0; i < 10; i++)
            hyp_xen_version(XENVER_VERSION, 0);
    long sent = rc == 0 ? send_unbound(5) : rc;
    rc = rc ? rc : sent ? sent : get_stats(DOMID_SELF, 0, 0, sizeof *st, st);
    if (abi.privileged)
        abi_check(F, "get_stats-grows",
                  rc == 0 && st->nr_vcpus == 1 && before.nr_vcpus == 1 &&
                      st->hypercalls[HYPERCALL_XEN_VERSION] ==
                          before.hypercalls[HYPERCALL_XEN_VERSION] + 10 &&
                      st->hypercalls[HYPERCALL_EVENT_CHANNEL_OP] ==
                          before.hypercalls[HYPERCALL_EVENT_CHANNEL_OP] + 7 &&
                      st->hypercalls[HYPERCALL_DOMCTL] == before.hypercalls[HYPERCALL_DOMCTL] + 1 &&
                      st->evtchn_sends == before.evtchn_sends + 5 &&
                      st->exits[MICA_STATS_EXIT_HYPERCALL] >=
                          before.exits[MICA_STATS_EXIT_HYPERCALL] + 18 &&
                      st->cpu_time > before.cpu_time,
                  "rc or evtchn_sends", rc ? rc : (long)(st->evtchn_sends - before.evtchn_sends));
    else
        abi_expect(F, "get_stats-grows", rc, -XEN_EPERM);
    /* One vCPU's are part of the whole (read one call earlier). */
    if (abi.privileged)
        abi_check(F, "get_stats-vcpu",
                  before.hypercalls[HYPERCALL_DOMCTL] <= all.hypercalls[HYPERCALL_DOMCTL] + 1 &&
                      before.exits[MICA_STATS_EXIT_HYPERCALL] <=
                          all.exits[MICA_STATS_EXIT_HYPERCALL] + 1 &&
                      before.evtchn_sends <= all.evtchn_sends &&
                      before.tot_pages == all.tot_pages && before.max_pages == all.max_pages,
                  "vCPU 0's domctl calls", (long)before.hypercalls[HYPERCALL_DOMCTL]);
    else
        abi_expect(F, "get_stats-vcpu", get_stats(DOMID_SELF, 1, 0, sizeof *st, st), -XEN_EPERM);

    /* A larger buffer: only the structure is written. */
    memset(&stats_buf[1], JUNK, sizeof stats_buf[1]);
    rc = get_stats(DOMID_SELF, 1, 0, sizeof stats_buf, st);
    if (abi.privileged) {
        const uint8_t *past = (const uint8_t *)&stats_buf[1];
        bool kept = true;

        for (size_t i = 0; i < sizeof stats_buf[1]; i++)
            kept &= past[i] == JUNK;
        abi_check(F, "get_stats-larger-buffer", rc == 0 && st->nr_vcpus == 1 && kept,
                  "rc", rc);
    } else {
        abi_expect(F, "get_stats-larger-buffer", rc, -XEN_EPERM);
    }

    abi_expect(F, "get_stats-vcpu-beyond-count",
               get_stats(DOMID_SELF, abi.nvcpus, 0, sizeof *st, st), priv(-XEN_EINVAL));
    abi_expect(F, "get_stats-vcpu-max",
               get_stats(DOMID_SELF, MICA_STATS_ALL_VCPUS - 1, 0, sizeof *st, st),
               priv(-XEN_EINVAL));
    abi_expect(F, "get_stats-pad",
               get_stats(DOMID_SELF, MICA_STATS_ALL_VCPUS, 1, sizeof *st, st), priv(-XEN_EINVAL));
    abi_expect(F, "get_stats-size-short",
               get_stats(DOMID_SELF, 0, 0, sizeof *st - 1, st), priv(-XEN_EINVAL));
    abi_expect(F, "get_stats-size-0", get_stats(DOMID_SELF, 0, 0, 0, st), priv(-XEN_EINVAL));
    abi_check(F, "get_stats-refusals-write-nothing", *(const uint8_t *)st == JUNK &&
                  st->grant_copies == 0xA5A5A5A5A5A5A5A5ull,
              "first byte", *(const uint8_t *)st);
    get_stats_peers();
}

static long stats_buffer_call(uint64_t addr, void *ctx)
{
    struct mica_domctl op = req(MICA_DOMCTL_GET_STATS, DOMID_SELF);

    (void)ctx;
    op.u.stats = (struct mica_domctl_get_stats){
        .vcpu = MICA_STATS_ALL_VCPUS, .buffer = addr, .size = sizeof(struct mica_stats),
    };
    return run(&op);
}

static long badptr_call(uint64_t addr, void *ctx)
{
    (void)ctx;
    return hyp_domctl(addr);
}

void abi_domctl_cases(void)
{
    struct mica_domctl init = req(XEN_DOMCTL_GETDOMAININFO, DOMID_SELF);

    getdomaininfo_cases();
    getvcpuinfo_cases();
    affinity_cases();
    scheduler_op_cases();
    header_cases();
    get_policy_cases();
    set_policy_cases();
    denial_cases();
    get_stats_cases();
    abi_badptr_cases(F, "getdomaininfo", true, &init, sizeof init, badptr_call, NULL,
                     priv(-XEN_EFAULT));
    init = req(MICA_DOMCTL_GET_STATS, DOMID_SELF);
    init.u.stats = (struct mica_domctl_get_stats){
        .vcpu = MICA_STATS_ALL_VCPUS, .buffer = (uintptr_t)&stats_buf[0],
        .size = sizeof stats_buf[0],
    };
    abi_badptr_cases(F, "get_stats", false, &init, sizeof init, badptr_call, NULL,
                     priv(-XEN_EFAULT));
    memset(&stats_buf[0], 0, sizeof stats_buf[0]);
    abi_badptr_cases(F, "get_stats-buffer", true, &stats_buf[0], sizeof stats_buf[0],
                     stats_buffer_call, NULL, priv(-XEN_EFAULT));
    init = req(MICA_DOMCTL_GET_POLICY, DOMID_SELF);
    abi_badptr_cases(F, "get_policy", true, &init, sizeof init, badptr_call, NULL,
                     priv(-XEN_EFAULT));
    init = req(XEN_DOMCTL_SETVCPUAFFINITY, DOMID_SELF);
    init.u.vcpuaffinity = (struct mica_domctl_vcpuaffinity){ .vcpu = 1, .cpumap = 0xff };
    abi_badptr_cases(F, "setvcpuaffinity", false, &init, sizeof init, badptr_call, NULL,
                     priv(-XEN_EFAULT));
}
