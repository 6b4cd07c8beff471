/*
 * Host unit test for the inter-domain side of hv/event_channel_op.c and
 * hv/event.c: alloc_unbound, bind_interdomain, bind_ipi, send, status,
 * bind_vcpu, close, reset and evtchn_close_all. Linked with the real
 * hv/event.c, hv/time.c and hv/domain_target.c over the fake guest
 * (shim_guest.c), clock (shim_time.c), guest-physical RAM (shim_arch_mem.c)
 * and console (shim_console.c).
 *
 * dom0 privileged; dom1, dom2, dom3 unprivileged, each with its console port
 * on port 1 (as the domain builder sets it); dom4 destroyed; dom5 shut down;
 * slot 9 empty. Every domain has a shared-info page.
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

CHECK_SUITE("evtchn_interdomain");

static struct vcpu *v0, *v1, *v2, *v3, *v5;
static struct domain *d0, *d1, *d2, *d3, *d4, *d5;

#define ARG (SHIM_RW_BASE + 0x1000)
#define NOPORT 0xdeadbeefu

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    shim_console_reset();
    v0 = shim_domain_create(0, true, MiB(16));
    v1 = shim_domain_create(1, false, MiB(16));
    v2 = shim_domain_create(2, false, MiB(16));
    v3 = shim_domain_create(3, false, MiB(16));
    struct vcpu *v4 = shim_domain_create(4, false, MiB(16));
    v5 = shim_domain_create(5, false, MiB(16));
    d0 = v0->domain, d1 = v1->domain, d2 = v2->domain, d3 = v3->domain;
    d4 = v4->domain, d5 = v5->domain;
    for (uint32_t id = 0; id <= 5; id++)
        shim_shared_info_create(domain_by_id(id));
    for (uint32_t id = 1; id <= 3; id++) {
        struct domain *d = domain_by_id(id);
        d->console_port = evtchn_alloc_port(d);
        d->evtchn[d->console_port] = (struct evtchn){ .state = EVTCHN_CONSOLE, .vcpu = 0 };
    }
    d4->destroyed = true;
    d4->state = DOMAIN_CRASHED;
    d5->state = DOMAIN_SHUTDOWN;
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

/* For calls made through the helpers, which write their argument after the snapshot. */
static bool state_unchanged(void)
{
    return shim_domains_unchanged() && shim_arch_mem_unchanged();
}

/* A dropped send: counted for its sender `v` (once), and nothing else changed. */
static bool only_counted(struct vcpu *v)
{
    v->stats.evtchn_sends--;
    bool same = state_unchanged();
    v->stats.evtchn_sends++;
    return same;
}

static long evop(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_event_channel_op(v, args);
}

static void put(const void *p, size_t n)
{
    memcpy(shim_guest_mem(ARG, n), p, n);
}

/* `cmd` from every bad pointer (the write list for an argument it writes back):
 * -EFAULT and nothing changed, though every byte it can read holds `good`. */
static void check_bad_pointers(const char *op, struct vcpu *v, uint64_t cmd, enum bad_use use,
                               const void *good, size_t size)
{
    for (const struct bad_pointer *b = bad_pointers(use, size); b->what; b++) {
        bad_pointers_put_valid(good, size);
        snapshot();
        CHECK(shim_name("%s from %s -> EFAULT", op, b->what), evop(v, cmd, b->va) == -XEN_EFAULT);
        CHECK(shim_name("%s from %s changes nothing", op, b->what), unchanged());
    }
}

static void get(void *p, size_t n)
{
    memcpy(p, shim_guest_mem(ARG, n), n);
}

static long alloc_unbound(struct vcpu *v, uint16_t dom, uint16_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote, .port = NOPORT };
    put(&a, sizeof a);
    long rc = evop(v, EVTCHNOP_ALLOC_UNBOUND, ARG);
    get(&a, sizeof a);
    if (port)
        *port = a.port;
    return rc;
}

static long bind_interdomain(struct vcpu *v, uint16_t remote, uint32_t rport, uint32_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .pad = 0, .remote_port = rport,
                                         .local_port = NOPORT };
    put(&b, sizeof b);
    long rc = evop(v, EVTCHNOP_BIND_INTERDOMAIN, ARG);
    get(&b, sizeof b);
    if (local)
        *local = b.local_port;
    return rc;
}

static long bind_ipi(struct vcpu *v, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = NOPORT };
    put(&b, sizeof b);
    long rc = evop(v, EVTCHNOP_BIND_IPI, ARG);
    get(&b, sizeof b);
    if (port)
        *port = b.port;
    return rc;
}

static long bind_virq(struct vcpu *v, uint32_t virq, uint32_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0, .port = NOPORT };
    put(&b, sizeof b);
    long rc = evop(v, EVTCHNOP_BIND_VIRQ, ARG);
    get(&b, sizeof b);
    if (port)
        *port = b.port;
    return rc;
}

static long port_op(struct vcpu *v, uint64_t cmd, uint32_t port)
{
    struct evtchn_port_arg a = { .port = port };
    put(&a, sizeof a);
    return evop(v, cmd, ARG);
}

static long status(struct vcpu *v, uint16_t dom, uint32_t port, struct evtchn_status *out)
{
    struct evtchn_status s;
    memset(&s, 0x5a, sizeof s);
    s.dom = dom;
    s.port = port;
    put(&s, sizeof s);
    long rc = evop(v, EVTCHNOP_STATUS, ARG);
    get(out, sizeof *out);
    return rc;
}

static long bind_vcpu(struct vcpu *v, uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };
    put(&b, sizeof b);
    return evop(v, EVTCHNOP_BIND_VCPU, ARG);
}

static long reset(struct vcpu *v, uint16_t dom)
{
    struct evtchn_reset r = { .dom = dom };
    put(&r, sizeof r);
    return evop(v, EVTCHNOP_RESET, ARG);
}

static bool pending(struct domain *d, uint32_t port)
{
    return d->shared_info->evtchn_pending[port / 64] >> (port % 64) & 1;
}

static uint64_t pending_word(struct domain *d)
{
    return d->shared_info->evtchn_pending[0];
}

static bool upcall(struct domain *d)
{
    return d->shared_info->vcpu_info[0].evtchn_upcall_pending == 1 && d->vcpus[0]->upcall_needed;
}

static bool quiet(struct domain *d)
{
    struct shared_info *si = d->shared_info;
    return si->evtchn_pending[0] == 0 && si->vcpu_info[0].evtchn_upcall_pending == 0 &&
           si->vcpu_info[0].evtchn_pending_sel == 0 && !d->vcpus[0]->upcall_needed;
}

static void clear_events(struct domain *d)
{
    struct shared_info *si = d->shared_info;
    si->evtchn_pending[0] = 0;
    si->vcpu_info[0].evtchn_upcall_pending = 0;
    si->vcpu_info[0].evtchn_pending_sel = 0;
    d->vcpus[0]->upcall_needed = false;
}

static bool is_unbound(struct domain *d, uint32_t port, uint16_t remote)
{
    return d->evtchn[port].state == EVTCHN_UNBOUND && d->evtchn[port].remote_dom == remote;
}

static bool is_interdomain(struct domain *d, uint32_t port, uint16_t rdom, uint32_t rport)
{
    return d->evtchn[port].state == EVTCHN_INTERDOMAIN && d->evtchn[port].remote_dom == rdom &&
           d->evtchn[port].remote_port == rport;
}

/* Connect a (caller va) to b: b offers a port, a binds it. Returns a's port. */
static uint32_t connect(struct vcpu *va, struct vcpu *vb, uint32_t *bport)
{
    uint32_t pb = 0, pa = 0;
    if (alloc_unbound(vb, DOMID_SELF, (uint16_t)va->domain->id, &pb) ||
        bind_interdomain(va, (uint16_t)vb->domain->id, pb, &pa))
        return 0;
    *bport = pb;
    return pa;
}

/* ---- alloc_unbound ------------------------------------------------------------- */

static void test_alloc_unbound(void)
{
    setup();
    uint32_t p = 0;
    snapshot();
    CHECK("dom1 offers a port to dom2 -> 0", alloc_unbound(v1, DOMID_SELF, 2, &p) == 0);
    CHECK("port 2 written back (1 is the console)", p == 2);
    CHECK("reads and writes 8 bytes", shim_guest.from_bytes == 8 && shim_guest.to_bytes == 8 &&
          shim_guest.to_calls == 1);
    CHECK("unbound, offered to dom2, vCPU 0", is_unbound(d1, 2, 2) && d1->evtchn[2].vcpu == 0);
    CHECK("dom and remote_dom kept in the copy-out", ((struct evtchn_alloc_unbound *)
          shim_guest_mem(ARG, 8))->dom == DOMID_SELF &&
          ((struct evtchn_alloc_unbound *)shim_guest_mem(ARG, 8))->remote_dom == 2);
    CHECK("dom2 untouched, nothing raised", d2->evtchn[2].state == EVTCHN_FREE &&
          quiet(d1) && quiet(d2));

    CHECK("dom1 by its own id, remote DOMID_SELF -> 0",
          alloc_unbound(v1, 1, DOMID_SELF, &p) == 0 && p == 3);
    CHECK("remote DOMID_SELF means the caller", is_unbound(d1, 3, 1));
    CHECK("dom1 offers to dom0", alloc_unbound(v1, DOMID_SELF, 0, &p) == 0 && is_unbound(d1, p, 0));

    CHECK("dom0 allocates in dom2 for dom1 -> 0", alloc_unbound(v0, 2, 1, &p) == 0 && p == 2);
    CHECK("the port is dom2's, offered to dom1", is_unbound(d2, 2, 1) &&
          d0->evtchn[2].state == EVTCHN_FREE);
    CHECK("dom0 allocates in dom3, remote DOMID_SELF = dom0",
          alloc_unbound(v0, 3, DOMID_SELF, &p) == 0 && is_unbound(d3, p, 0));

    static const struct {
        const char *name;
        struct vcpu **caller;
        uint16_t dom, remote;
        long rc;
    } bad[] = {
        { "domU in another domain", &v1, 2, 1, -XEN_EPERM },
        { "domU in dom0", &v1, 0, 1, -XEN_EPERM },
        { "domU in an empty slot", &v1, 9, 1, -XEN_EPERM },
        { "remote an empty slot", &v1, DOMID_SELF, 9, -XEN_ESRCH },
        { "remote destroyed", &v1, DOMID_SELF, 4, -XEN_ESRCH },
        { "remote shut down", &v1, DOMID_SELF, 5, -XEN_ESRCH },
        { "remote MAX_DOMAINS", &v1, DOMID_SELF, MAX_DOMAINS, -XEN_ESRCH },
        { "remote DOMID_XEN", &v1, DOMID_SELF, DOMID_XEN, -XEN_ESRCH },
        { "remote 0xffff", &v1, DOMID_SELF, 0xffff, -XEN_ESRCH },
        { "dom0 in an empty slot", &v0, 9, 1, -XEN_ESRCH },
        { "dom0 in a destroyed domain", &v0, 4, 1, -XEN_ESRCH },
        { "dom0 for an empty slot", &v0, 2, 9, -XEN_ESRCH },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        struct evtchn_alloc_unbound a = { .dom = bad[i].dom, .remote_dom = bad[i].remote,
                                          .port = NOPORT };
        put(&a, sizeof a);
        snapshot();
        CHECK(shim_name("alloc_unbound %s -> %ld", bad[i].name, bad[i].rc),
              evop(*bad[i].caller, EVTCHNOP_ALLOC_UNBOUND, ARG) == bad[i].rc);
        CHECK(shim_name("alloc_unbound %s: nothing allocated or written", bad[i].name),
              unchanged() && shim_guest.to_calls == 0);
    }

    /* Full table. */
    setup();
    for (uint32_t q = 2; q < EVTCHN_MAX_PORTS; q++)
        CHECK(shim_name("fill port %u", q), alloc_unbound(v1, DOMID_SELF, 2, &p) == 0 && p == q);
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 2, .port = NOPORT };
    put(&a, sizeof a);
    snapshot();
    CHECK("table full -> ENOSPC", evop(v1, EVTCHNOP_ALLOC_UNBOUND, ARG) == -XEN_ENOSPC);
    CHECK("ENOSPC changes nothing", unchanged());
    CHECK("a closed port is reused", port_op(v1, EVTCHNOP_CLOSE, 40) == 0 &&
          alloc_unbound(v1, DOMID_SELF, 3, &p) == 0 && p == 40 && is_unbound(d1, 40, 3));

    /* Pointers: the port cannot be written back to read-only memory. */
    setup();
    a = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 2 };
    check_bad_pointers("alloc_unbound", v1, EVTCHNOP_ALLOC_UNBOUND, BAD_FOR_WRITE, &a, sizeof a);
    CHECK("alloc_unbound from bad pointers: no port allocated", d1->evtchn[2].state == EVTCHN_FREE);
}

/* ---- bind_interdomain ---------------------------------------------------------------- */

static void test_bind_interdomain(void)
{
    setup();
    uint32_t p2 = 0, l1 = 0;
    CHECK("dom2 offers a port to dom1", alloc_unbound(v2, DOMID_SELF, 1, &p2) == 0 && p2 == 2);
    clear_events(d1);
    CHECK("dom1 binds it -> 0", bind_interdomain(v1, 2, p2, &l1) == 0);
    CHECK("local port 2 written back", l1 == 2);
    CHECK("reads and writes 12 bytes", shim_guest.from_bytes == 12 && shim_guest.to_bytes == 12 &&
          shim_guest.to_calls == 1);
    CHECK("dom1's end: interdomain to dom2:2", is_interdomain(d1, l1, 2, p2));
    CHECK("dom2's end: interdomain to dom1:2", is_interdomain(d2, p2, 1, l1));
    CHECK("the binder's port raised: pending bit, selector, upcall",
          pending_word(d1) == 1ull << l1 && d1->shared_info->vcpu_info[0].evtchn_pending_sel == 1 &&
          upcall(d1));
    CHECK("nothing raised at dom2", quiet(d2));
    CHECK("ports of uninvolved domains untouched", d3->evtchn[2].state == EVTCHN_FREE &&
          d1->evtchn[3].state == EVTCHN_FREE && quiet(d3));

    /* Remote given by id and the offered port beyond the first. */
    setup();
    uint32_t x;
    CHECK("dom2 offers two ports to dom3 and one to dom1",
          alloc_unbound(v2, DOMID_SELF, 3, &x) == 0 && alloc_unbound(v2, DOMID_SELF, 3, &x) == 0 &&
          alloc_unbound(v2, DOMID_SELF, 1, &p2) == 0 && p2 == 4);
    CHECK("dom1 binds dom2:4", bind_interdomain(v1, 2, 4, &l1) == 0 && is_interdomain(d1, l1, 2, 4) &&
          is_interdomain(d2, 4, 1, l1));
    CHECK("the ports offered to dom3 are still waiting", is_unbound(d2, 2, 3) && is_unbound(d2, 3, 3));

    /* Loopback: a domain's own offer, via DOMID_SELF. */
    setup();
    uint32_t a1 = 0, b1 = 0;
    CHECK("dom1 offers to itself", alloc_unbound(v1, DOMID_SELF, DOMID_SELF, &a1) == 0 && a1 == 2);
    CHECK("dom1 binds its own offer via DOMID_SELF", bind_interdomain(v1, DOMID_SELF, a1, &b1) == 0 &&
          b1 == 3);
    CHECK("loopback: both ends in dom1", is_interdomain(d1, a1, 1, b1) && is_interdomain(d1, b1, 1, a1));
    clear_events(d1);
    CHECK("send on one end raises the other", port_op(v1, EVTCHNOP_SEND, a1) == 0 &&
          pending_word(d1) == 1ull << b1 && upcall(d1));

    /* Refusals. */
    static const struct {
        const char *name;
        uint16_t remote;
        uint32_t port;
        long rc;
    } bad[] = {
        { "a port offered to dom3", 2, 3, -XEN_EINVAL },
        { "an already bound port", 2, 4, -XEN_EINVAL },
        { "a free port", 2, 10, -XEN_EINVAL },
        { "a VIRQ port", 2, 5, -XEN_EINVAL },
        { "an IPI port", 2, 6, -XEN_EINVAL },
        { "the console port", 2, 1, -XEN_EINVAL },
        { "port 0", 2, 0, -XEN_EINVAL },
        { "port 64", 2, EVTCHN_MAX_PORTS, -XEN_EINVAL },
        { "port 2^32-1", 2, 0xffffffffu, -XEN_EINVAL },
        { "the right port of the wrong domain (dom3)", 3, 2, -XEN_EINVAL },
        { "DOMID_SELF for dom2's port", DOMID_SELF, 2, -XEN_EINVAL },
        { "an empty slot", 9, 2, -XEN_ESRCH },
        { "a destroyed domain", 4, 2, -XEN_ESRCH },
        { "a shut-down domain", 5, 2, -XEN_ESRCH },
        { "DOMID_XEN", DOMID_XEN, 2, -XEN_ESRCH },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        uint32_t p, q;
        /* dom2: 2 offered to dom1, 3 offered to dom3, 4 bound to dom3, 5 VIRQ, 6 IPI */
        alloc_unbound(v2, DOMID_SELF, 1, &p);
        alloc_unbound(v2, DOMID_SELF, 3, &p);
        alloc_unbound(v2, DOMID_SELF, 3, &p);
        bind_interdomain(v3, 2, p, &q);
        bind_virq(v2, VIRQ_TIMER, &p);
        bind_ipi(v2, 0, &q);
        /* the same offers where the shut-down and destroyed domains would have them */
        d4->evtchn[2] = d5->evtchn[2] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = 1 };
        CHECK(shim_name("bind to %s: set-up", bad[i].name),
              is_unbound(d2, 2, 1) && is_unbound(d2, 3, 3) && is_interdomain(d2, 4, 3, 2) &&
              is_interdomain(d3, 2, 2, 4) && d2->evtchn[5].state == EVTCHN_VIRQ &&
              d2->evtchn[6].state == EVTCHN_IPI);
        clear_events(d1);
        clear_events(d2);
        clear_events(d3);
        struct evtchn_bind_interdomain b = { .remote_dom = bad[i].remote, .remote_port = bad[i].port,
                                             .local_port = NOPORT };
        put(&b, sizeof b);
        snapshot();
        CHECK(shim_name("bind to %s -> %ld", bad[i].name, bad[i].rc),
              evop(v1, EVTCHNOP_BIND_INTERDOMAIN, ARG) == bad[i].rc);
        CHECK(shim_name("bind to %s: nothing bound, raised or written", bad[i].name),
              unchanged() && shim_guest.to_calls == 0);
    }

    /* Binding twice. */
    setup();
    CHECK("connect dom1 to dom2", connect(v1, v2, &p2) == 2);
    snapshot();
    CHECK("binding the same port again -> EINVAL", bind_interdomain(v1, 2, p2, &l1) == -XEN_EINVAL);
    CHECK("second bind changes nothing", shim_domains_unchanged() && shim_arch_mem_unchanged());
    CHECK("dom3 cannot steal it either", bind_interdomain(v3, 2, p2, &l1) == -XEN_EINVAL &&
          d3->evtchn[2].state == EVTCHN_FREE);

    /* The binder's table is full. */
    setup();
    CHECK("dom2 offers to dom1", alloc_unbound(v2, DOMID_SELF, 1, &p2) == 0);
    for (uint32_t q = 2; q < EVTCHN_MAX_PORTS; q++)
        d1->evtchn[q] = (struct evtchn){ .state = EVTCHN_IPI };
    struct evtchn_bind_interdomain b = { .remote_dom = 2, .remote_port = p2, .local_port = NOPORT };
    put(&b, sizeof b);
    snapshot();
    CHECK("binder's table full -> ENOSPC", evop(v1, EVTCHNOP_BIND_INTERDOMAIN, ARG) == -XEN_ENOSPC);
    CHECK("ENOSPC: the offer still waits, nothing raised", unchanged() && is_unbound(d2, p2, 1));

    /* Result not writable. */
    setup();
    CHECK("dom2 offers to dom1", alloc_unbound(v2, DOMID_SELF, 1, &p2) == 0);
    b = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = p2 };
    clear_events(d1);
    check_bad_pointers("bind_interdomain", v1, EVTCHNOP_BIND_INTERDOMAIN, BAD_FOR_WRITE, &b, sizeof b);
    CHECK("EFAULT: not bound, the offer still waits", is_unbound(d2, p2, 1));
}

/* ---- send ------------------------------------------------------------------------------ */

static void test_send(void)
{
    setup();
    uint32_t p2, l1 = connect(v1, v2, &p2);
    CHECK("connect dom1:2 <-> dom2:2", l1 == 2 && p2 == 2);
    clear_events(d1);
    clear_events(d2);
    CHECK("dom1 sends -> 0", port_op(v1, EVTCHNOP_SEND, l1) == 0);
    CHECK("dom2's port pending, upcall raised", pending_word(d2) == 1ull << p2 && upcall(d2) &&
          d2->shared_info->vcpu_info[0].evtchn_pending_sel == 1);
    CHECK("nothing at the sender", quiet(d1));
    CHECK("no console drain", shim_console.drain_calls == 0);
    clear_events(d2);
    CHECK("dom2 sends back -> 0", port_op(v2, EVTCHNOP_SEND, p2) == 0 &&
          pending_word(d1) == 1ull << l1 && upcall(d1) && quiet(d2));

    /* A blocked peer wakes. */
    clear_events(d2);
    v2->state = VCPU_BLOCKED;
    CHECK("send to a blocked peer wakes it", port_op(v1, EVTCHNOP_SEND, l1) == 0 &&
          v2->state == VCPU_RUNNABLE && upcall(d2));

    /* A masked peer port: pending only. */
    clear_events(d2);
    d2->shared_info->evtchn_mask[0] = 1ull << p2;
    CHECK("send to a masked port -> 0", port_op(v1, EVTCHNOP_SEND, l1) == 0);
    CHECK("masked: pending, no upcall", pending(d2, p2) &&
          d2->shared_info->vcpu_info[0].evtchn_upcall_pending == 0 && !v2->upcall_needed);
    CHECK("unmask delivers it", port_op(v2, EVTCHNOP_UNMASK, p2) == 0 && upcall(d2));

    /* A peer that is shut down gets nothing. */
    clear_events(d2);
    d2->state = DOMAIN_SHUTDOWN;
    snapshot();
    CHECK("send to a shut-down peer -> 0", port_op(v1, EVTCHNOP_SEND, l1) == 0);
    CHECK("shut-down peer: nothing raised", only_counted(v1));
    d2->state = DOMAIN_RUNNING;

    /* Unbound: accepted, dropped. */
    setup();
    uint32_t u;
    CHECK("dom1 offers to dom2", alloc_unbound(v1, DOMID_SELF, 2, &u) == 0);
    clear_events(d1);
    snapshot();
    CHECK("send on an unbound port -> 0", port_op(v1, EVTCHNOP_SEND, u) == 0);
    CHECK("unbound: nothing raised anywhere", only_counted(v1) && shim_console.drain_calls == 0);

    /* IPI. */
    setup();
    uint32_t ipi;
    CHECK("bind_ipi vCPU 0 -> 0", bind_ipi(v1, 0, &ipi) == 0 && ipi == 2);
    CHECK("bind_ipi reads and writes 8 bytes", shim_guest.from_bytes == 8 && shim_guest.to_bytes == 8);
    CHECK("IPI port of vCPU 0", d1->evtchn[ipi].state == EVTCHN_IPI && d1->evtchn[ipi].vcpu == 0);
    CHECK("binding raises nothing", quiet(d1));
    CHECK("send on the IPI port -> 0", port_op(v1, EVTCHNOP_SEND, ipi) == 0);
    CHECK("own port pending, upcall", pending_word(d1) == 1ull << ipi && upcall(d1));
    CHECK("no other domain sees it", quiet(d2) && quiet(d0));

    /* Free ports and VIRQs cannot be sent on. */
    setup();
    uint32_t virq;
    CHECK("bind VIRQ_TIMER", bind_virq(v1, VIRQ_TIMER, &virq) == 0);
    static const uint32_t bad[] = { 10, 0, EVTCHN_MAX_PORTS, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snapshot();
        CHECK(shim_name("send on port %u -> EINVAL", bad[i]),
              port_op(v1, EVTCHNOP_SEND, bad[i]) == -XEN_EINVAL && state_unchanged());
    }
    snapshot();
    CHECK("send on a VIRQ port -> EINVAL", port_op(v1, EVTCHNOP_SEND, virq) == -XEN_EINVAL &&
          state_unchanged());
}

/* ---- close and domain death ------------------------------------------------------------ */

static void test_close(void)
{
    setup();
    uint32_t p2, l1 = connect(v1, v2, &p2);
    CHECK("connect", l1 == 2 && p2 == 2);
    d1->shared_info->evtchn_pending[0] = 1ull << l1 | 1ull << 40;
    clear_events(d2);
    CHECK("dom1 closes its end -> 0", port_op(v1, EVTCHNOP_CLOSE, l1) == 0);
    CHECK("dom1's port free, its pending bit cleared (others kept)",
          d1->evtchn[l1].state == EVTCHN_FREE && pending_word(d1) == 1ull << 40);
    CHECK("dom2's end reverts to unbound, offered to dom1", is_unbound(d2, p2, 1));
    CHECK("closing raises nothing at dom2", quiet(d2));
    clear_events(d1);
    CHECK("dom2 sends on it: dropped", port_op(v2, EVTCHNOP_SEND, p2) == 0 && quiet(d1));
    uint32_t again;
    CHECK("dom1 binds again -> 0", bind_interdomain(v1, 2, p2, &again) == 0 &&
          is_interdomain(d1, again, 2, p2) && is_interdomain(d2, p2, 1, again));

    /* The other side closes. */
    setup();
    l1 = connect(v1, v2, &p2);
    CHECK("dom2 closes its end -> 0", port_op(v2, EVTCHNOP_CLOSE, p2) == 0);
    CHECK("dom1's end reverts to unbound, offered to dom2",
          is_unbound(d1, l1, 2) && d2->evtchn[p2].state == EVTCHN_FREE);
    snapshot();
    CHECK("dom1 sends on it: dropped", port_op(v1, EVTCHNOP_SEND, l1) == 0 && only_counted(v1));

    /* An unbound port and a loopback. */
    setup();
    uint32_t u, a1, b1;
    CHECK("offer", alloc_unbound(v1, DOMID_SELF, 2, &u) == 0);
    CHECK("close an unbound port -> 0", port_op(v1, EVTCHNOP_CLOSE, u) == 0 &&
          d1->evtchn[u].state == EVTCHN_FREE);
    CHECK("dom2 can no longer bind it", bind_interdomain(v2, 1, u, &a1) == -XEN_EINVAL);
    CHECK("loopback", alloc_unbound(v1, DOMID_SELF, DOMID_SELF, &a1) == 0 &&
          bind_interdomain(v1, DOMID_SELF, a1, &b1) == 0);
    CHECK("close one loopback end", port_op(v1, EVTCHNOP_CLOSE, b1) == 0);
    CHECK("the other end waits for dom1 again", is_unbound(d1, a1, 1) &&
          d1->evtchn[b1].state == EVTCHN_FREE);

    /* Closing an IPI port. */
    setup();
    uint32_t ipi;
    CHECK("bind_ipi", bind_ipi(v1, 0, &ipi) == 0);
    CHECK("close it", port_op(v1, EVTCHNOP_CLOSE, ipi) == 0 && d1->evtchn[ipi].state == EVTCHN_FREE);
    CHECK("send on it -> EINVAL", port_op(v1, EVTCHNOP_SEND, ipi) == -XEN_EINVAL);

    /* A peer that is destroyed meanwhile is left alone. */
    setup();
    l1 = connect(v1, v2, &p2);
    d2->destroyed = true;
    CHECK("close with the peer destroyed -> 0", port_op(v1, EVTCHNOP_CLOSE, l1) == 0 &&
          d1->evtchn[l1].state == EVTCHN_FREE);
    CHECK("the destroyed peer's table untouched", is_interdomain(d2, p2, 1, l1));
}

static void test_close_all(void)
{
    setup();
    uint32_t p1, p3, u, ipi, virq, x;
    uint32_t l1 = connect(v1, v2, &p1);     /* dom1:l1 <-> dom2:p1 */
    uint32_t l3 = connect(v3, v2, &p3);     /* dom3:l3 <-> dom2:p3 */
    CHECK("two connections to dom2", l1 && l3 && is_interdomain(d2, p1, 1, l1) &&
          is_interdomain(d2, p3, 3, l3));
    CHECK("dom2 also: an offer, an IPI, a VIRQ",
          alloc_unbound(v2, DOMID_SELF, 1, &u) == 0 && bind_ipi(v2, 0, &ipi) == 0 &&
          bind_virq(v2, VIRQ_TIMER, &virq) == 0);
    CHECK("and dom3 offers a port to dom1", alloc_unbound(v3, DOMID_SELF, 1, &x) == 0);
    d2->shared_info->evtchn_pending[0] = ~0ull;
    clear_events(d1);
    clear_events(d3);
    evtchn_close_all(d2);
    bool all_free = true;
    for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
        if (p != d2->console_port)
            all_free &= d2->evtchn[p].state == EVTCHN_FREE;
    CHECK("close_all: every port of dom2 free", all_free);
    CHECK("close_all: the console port kept", d2->evtchn[d2->console_port].state == EVTCHN_CONSOLE);
    CHECK("close_all: the VIRQ binding dropped", v2->virq_port[VIRQ_TIMER] == 0);
    CHECK("close_all: pending bits of closed ports cleared, console's kept",
          pending_word(d2) == ~(1ull << p1 | 1ull << p3 | 1ull << u | 1ull << ipi | 1ull << virq));
    CHECK("dom1's end reverts to unbound, offered to dom2", is_unbound(d1, l1, 2));
    CHECK("dom3's end reverts to unbound, offered to dom2", is_unbound(d3, l3, 2));
    CHECK("dom3's own offer to dom1 untouched", is_unbound(d3, x, 1));
    CHECK("nothing raised at the peers", quiet(d1) && quiet(d3));

    /* Once dom2 is gone, its peers cannot reconnect to it. */
    d2->destroyed = true;
    d2->state = DOMAIN_CRASHED;
    uint32_t y;
    CHECK("binding the dead domain's old port -> ESRCH", bind_interdomain(v1, 2, p1, &y) == -XEN_ESRCH);
    snapshot();
    CHECK("send on the reverted end -> 0, nothing raised",
          port_op(v1, EVTCHNOP_SEND, l1) == 0 && only_counted(v1));
    CHECK("close of the reverted end -> 0", port_op(v1, EVTCHNOP_CLOSE, l1) == 0 &&
          d1->evtchn[l1].state == EVTCHN_FREE);

    /* A domain without a console port: ports 1 and 63 go too. */
    setup();
    d0->evtchn[1] = (struct evtchn){ .state = EVTCHN_IPI };
    d0->evtchn[EVTCHN_MAX_PORTS - 1] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = 1 };
    d0->evtchn[30] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = 2 };
    evtchn_close_all(d0);
    CHECK("close_all: ports 1, 30 and 63 freed", d0->evtchn[1].state == EVTCHN_FREE &&
          d0->evtchn[30].state == EVTCHN_FREE && d0->evtchn[EVTCHN_MAX_PORTS - 1].state == EVTCHN_FREE);
}

/* ---- status ----------------------------------------------------------------------------- */

static void test_status(void)
{
    setup();
    uint32_t p2, l1 = connect(v1, v2, &p2), u, ipi, virq;
    CHECK("set-up: offer, IPI, VIRQ", alloc_unbound(v1, DOMID_SELF, 3, &u) == 0 &&
          bind_ipi(v1, 0, &ipi) == 0 && bind_virq(v1, VIRQ_CONSOLE, &virq) == 0);
    struct evtchn_status s;

    CHECK("status of the interdomain port -> 0", status(v1, DOMID_SELF, l1, &s) == 0);
    CHECK("interdomain: dom2, its port", s.status == EVTCHNSTAT_interdomain &&
          s.u.interdomain.dom == 2 && s.u.interdomain.port == p2 && s.u.interdomain.pad == 0 &&
          s.vcpu == 0);
    CHECK("status reads and writes 24 bytes", shim_guest.from_bytes == 24 && shim_guest.to_bytes == 24);
    CHECK("dom and port kept in the copy-out", s.dom == DOMID_SELF && s.port == l1);

    CHECK("status of the offer", status(v1, DOMID_SELF, u, &s) == 0 &&
          s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == 3 && s.vcpu == 0);
    CHECK("unbound: the rest of the union zeroed", s.u.interdomain.pad == 0 && s.u.interdomain.port == 0);
    CHECK("status of the IPI port", status(v1, DOMID_SELF, ipi, &s) == 0 &&
          s.status == EVTCHNSTAT_ipi && s.vcpu == 0 && s.u.interdomain.port == 0 &&
          s.u.interdomain.dom == 0);
    CHECK("status of the VIRQ port", status(v1, DOMID_SELF, virq, &s) == 0 &&
          s.status == EVTCHNSTAT_virq && s.u.virq == VIRQ_CONSOLE && s.vcpu == 0);
    CHECK("status of the console port: interdomain with DOMID_XEN",
          status(v1, 1, d1->console_port, &s) == 0 && s.status == EVTCHNSTAT_interdomain &&
          s.u.interdomain.dom == DOMID_XEN && s.u.interdomain.port == 0);
    CHECK("status of a free port: closed", status(v1, DOMID_SELF, 20, &s) == 0 &&
          s.status == EVTCHNSTAT_closed && s.u.virq == 0 && s.u.interdomain.port == 0);
    CHECK("status of port 63: closed", status(v1, DOMID_SELF, EVTCHN_MAX_PORTS - 1, &s) == 0 &&
          s.status == EVTCHNSTAT_closed);
    CHECK("after close: closed", port_op(v1, EVTCHNOP_CLOSE, ipi) == 0 &&
          status(v1, DOMID_SELF, ipi, &s) == 0 && s.status == EVTCHNSTAT_closed);
    d1->evtchn[30] = (struct evtchn){ .state = EVTCHN_UNBOUND, .vcpu = 7, .remote_dom = 2 };
    CHECK("vcpu field from the port", status(v1, DOMID_SELF, 30, &s) == 0 && s.vcpu == 7);

    CHECK("dom2's end, asked by dom0", status(v0, 2, p2, &s) == 0 &&
          s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == 1 && s.u.interdomain.port == l1);

    static const struct {
        const char *name;
        struct vcpu **caller;
        uint16_t dom;
        uint32_t port;
        long rc;
    } bad[] = {
        { "domU asks for dom2", &v1, 2, 2, -XEN_EPERM },
        { "domU asks for an empty slot", &v1, 9, 2, -XEN_EPERM },
        { "dom0 asks for an empty slot", &v0, 9, 2, -XEN_ESRCH },
        { "dom0 asks for a destroyed domain", &v0, 4, 2, -XEN_ESRCH },
        { "port 0", &v1, DOMID_SELF, 0, -XEN_EINVAL },
        { "port 64", &v1, DOMID_SELF, EVTCHN_MAX_PORTS, -XEN_EINVAL },
        { "port 2^32-1", &v1, DOMID_SELF, ~0u, -XEN_EINVAL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct evtchn_status q;
        memset(&q, 0x5a, sizeof q);
        q.dom = bad[i].dom;
        q.port = bad[i].port;
        put(&q, sizeof q);
        snapshot();
        CHECK(shim_name("status %s -> %ld", bad[i].name, bad[i].rc),
              evop(*bad[i].caller, EVTCHNOP_STATUS, ARG) == bad[i].rc);
        CHECK(shim_name("status %s writes nothing", bad[i].name), unchanged() && shim_guest.to_calls == 0);
    }
    struct evtchn_status q = { .dom = DOMID_SELF, .port = l1 };
    check_bad_pointers("status", v1, EVTCHNOP_STATUS, BAD_FOR_WRITE, &q, sizeof q);
}

/* ---- bind_ipi, bind_vcpu ------------------------------------------------------------------ */

static void test_bind_ipi(void)
{
    setup();
    uint32_t p;
    static const uint32_t bad[] = { 1, 5, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct evtchn_bind_ipi b = { .vcpu = bad[i], .port = NOPORT };
        put(&b, sizeof b);
        snapshot();
        CHECK(shim_name("bind_ipi vCPU %u -> ENOENT", bad[i]), evop(v1, EVTCHNOP_BIND_IPI, ARG) == -XEN_ENOENT);
        CHECK(shim_name("bind_ipi vCPU %u: nothing bound or written", bad[i]),
              unchanged() && shim_guest.to_calls == 0);
    }
    CHECK("two IPI ports", bind_ipi(v1, 0, &p) == 0 && p == 2 && bind_ipi(v1, 0, &p) == 0 && p == 3);
    for (uint32_t q = 4; q < EVTCHN_MAX_PORTS; q++)
        d1->evtchn[q] = (struct evtchn){ .state = EVTCHN_VIRQ, .virq = 5 };
    struct evtchn_bind_ipi b = { .vcpu = 0, .port = NOPORT };
    put(&b, sizeof b);
    snapshot();
    CHECK("bind_ipi with the table full -> ENOSPC", evop(v1, EVTCHNOP_BIND_IPI, ARG) == -XEN_ENOSPC &&
          unchanged());
    setup();
    check_bad_pointers("bind_ipi", v1, EVTCHNOP_BIND_IPI, BAD_FOR_WRITE, &b, sizeof b);
}

static void test_bind_vcpu(void)
{
    setup();
    uint32_t p2, l1 = connect(v1, v2, &p2), u, ipi, virq;
    CHECK("set-up: interdomain 2, offer 3, IPI 4, VIRQ 5",
          l1 == 2 && alloc_unbound(v1, DOMID_SELF, 2, &u) == 0 && u == 3 &&
          bind_ipi(v1, 0, &ipi) == 0 && ipi == 4 && bind_virq(v1, VIRQ_TIMER, &virq) == 0 && virq == 5);

    d1->evtchn[u].vcpu = 7;     /* a stale value to see the write */
    CHECK("bind_vcpu of the offer to vCPU 0 -> 0", bind_vcpu(v1, u, 0) == 0 && d1->evtchn[u].vcpu == 0);
    CHECK("bind_vcpu reads 8 bytes, writes nothing", shim_guest.from_bytes == 8 && shim_guest.to_calls == 0);
    CHECK("... state kept", is_unbound(d1, u, 2));
    d1->evtchn[l1].vcpu = 7;
    CHECK("bind_vcpu of the interdomain port -> 0", bind_vcpu(v1, l1, 0) == 0 && d1->evtchn[l1].vcpu == 0 &&
          is_interdomain(d1, l1, 2, p2));

    static const struct {
        const char *name;
        uint32_t port, vcpu;
        long rc;
    } bad[] = {
        { "an IPI port", 4, 0, -XEN_EINVAL },
        { "a VIRQ port", 5, 0, -XEN_EINVAL },
        { "the console port", 1, 0, -XEN_EINVAL },
        { "a free port", 40, 0, -XEN_EINVAL },
        { "port 0", 0, 0, -XEN_EINVAL },
        { "port 64", EVTCHN_MAX_PORTS, 0, -XEN_EINVAL },
        { "the offer to vCPU 1", 3, 1, -XEN_ENOENT },
        { "the interdomain port to vCPU 1", 2, 1, -XEN_ENOENT },
        { "the offer to vCPU 2^32-1", 3, ~0u, -XEN_ENOENT },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct evtchn_bind_vcpu b = { .port = bad[i].port, .vcpu = bad[i].vcpu };
        put(&b, sizeof b);
        snapshot();
        CHECK(shim_name("bind_vcpu %s -> %ld", bad[i].name, bad[i].rc),
              evop(v1, EVTCHNOP_BIND_VCPU, ARG) == bad[i].rc);
        CHECK(shim_name("bind_vcpu %s changes nothing", bad[i].name), unchanged());
    }
    const struct evtchn_bind_vcpu good = { .port = u, .vcpu = 0 };
    check_bad_pointers("bind_vcpu", v1, EVTCHNOP_BIND_VCPU, BAD_FOR_READ, &good, sizeof good);
}

/* ---- reset -------------------------------------------------------------------------------- */

static void test_reset(void)
{
    setup();
    uint32_t p2, l1 = connect(v1, v2, &p2), u, ipi, virq, x;
    CHECK("set-up", l1 && alloc_unbound(v1, DOMID_SELF, 3, &u) == 0 && bind_ipi(v1, 0, &ipi) == 0 &&
          bind_virq(v1, VIRQ_TIMER, &virq) == 0 && alloc_unbound(v2, DOMID_SELF, 1, &x) == 0);
    d1->shared_info->evtchn_pending[0] = ~0ull;
    CHECK("reset self -> 0", reset(v1, DOMID_SELF) == 0);
    CHECK("reset reads 2 bytes, writes nothing", shim_guest.from_bytes == 2 && shim_guest.to_calls == 0);
    bool all_free = true;
    for (uint32_t p = 2; p < EVTCHN_MAX_PORTS; p++)
        all_free &= d1->evtchn[p].state == EVTCHN_FREE;
    CHECK("every port but the console's closed", all_free);
    CHECK("the console port kept", d1->evtchn[1].state == EVTCHN_CONSOLE && d1->console_port == 1);
    CHECK("pending bits of the closed ports cleared, the others kept",
          pending_word(d1) == ~(1ull << l1 | 1ull << u | 1ull << ipi | 1ull << virq));
    CHECK("the VIRQ binding dropped", v1->virq_port[VIRQ_TIMER] == 0);
    CHECK("the peer's end reverts to unbound", is_unbound(d2, p2, 1));
    CHECK("the peer's own offer kept", is_unbound(d2, x, 1));
    CHECK("ports can be allocated again from 2", bind_ipi(v1, 0, &ipi) == 0 && ipi == 2);

    setup();
    l1 = connect(v1, v2, &p2);
    CHECK("reset by own id -> 0", reset(v1, 1) == 0 && d1->evtchn[l1].state == EVTCHN_FREE);

    setup();
    l1 = connect(v1, v2, &p2);
    snapshot();
    CHECK("domU resets dom2 -> EPERM", reset(v1, 2) == -XEN_EPERM && state_unchanged());
    CHECK("dom0 resets an empty slot -> ESRCH", reset(v0, 9) == -XEN_ESRCH && state_unchanged());
    const struct evtchn_reset self = { .dom = DOMID_SELF };
    check_bad_pointers("reset", v1, EVTCHNOP_RESET, BAD_FOR_READ, &self, sizeof self);
    CHECK("dom0 resets dom2 -> 0", reset(v0, 2) == 0);
    CHECK("dom2's port closed, its console port kept, dom1's end unbound again",
          d2->evtchn[p2].state == EVTCHN_FREE && is_unbound(d1, l1, 2) &&
          d2->evtchn[1].state == EVTCHN_CONSOLE);
}

int main(void)
{
    test_alloc_unbound();
    test_bind_interdomain();
    test_send();
    test_close();
    test_close_all();
    test_status();
    test_bind_ipi();
    test_bind_vcpu();
    test_reset();
    CHECK_DONE();
}
