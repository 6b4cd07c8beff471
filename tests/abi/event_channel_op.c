/*
 * Family `event_channel_op` (docs/abi.md, "32 event_channel_op"). Most
 * cases work on a loop inside our own domain: a port we offer to ourselves
 * and bind, so both ends can be read back. Ports bound with the raw calls
 * here stay masked (guest-pv masks every port at start), so their events
 * show as pending bits without upcalls. Across domains: the peer's ports
 * refuse us unless offered to us; only dom0 may name the peer's ports, and
 * in phase 2 it allocates one of the peer's, binds it, and resets them all
 * while the peer watches its own ports close.
 */
#include <stdint.h>

#include <public/hvm_op.h>

#include "abi.h"
#include "evtchn.h"
#include "hypercall.h"
#include "timer.h"

#define F "event_channel_op"
#define MEET_TIMEOUT_NS (120ull * 1000000000ull)

static uint64_t ipi_events;

static long call(unsigned long cmd, uint64_t arg)
{
    return hypercall3(HYPERCALL_EVENT_CHANNEL_OP, cmd, arg, 0);
}

static long op(unsigned long cmd, void *arg)
{
    return call(cmd, (uintptr_t)arg);
}

static long alloc(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound r = { .dom = dom, .remote_dom = remote };
    long rc = op(EVTCHNOP_ALLOC_UNBOUND, &r);

    return rc < 0 ? rc : r.port;
}

static long bind_inter(domid_t remote, evtchn_port_t port)
{
    struct evtchn_bind_interdomain r = { .remote_dom = remote, .remote_port = port };
    long rc = op(EVTCHNOP_BIND_INTERDOMAIN, &r);

    return rc < 0 ? rc : r.local_port;
}

static long bind_virq(uint32_t virq, uint32_t vcpu)
{
    struct evtchn_bind_virq r = { .virq = virq, .vcpu = vcpu };
    long rc = op(EVTCHNOP_BIND_VIRQ, &r);

    return rc < 0 ? rc : r.port;
}

static long bind_ipi(uint32_t vcpu)
{
    struct evtchn_bind_ipi r = { .vcpu = vcpu };
    long rc = op(EVTCHNOP_BIND_IPI, &r);

    return rc < 0 ? rc : r.port;
}

static long port_op(unsigned long cmd, evtchn_port_t port)
{
    struct evtchn_port_arg r = { .port = port };

    return op(cmd, &r);
}

static long close_port(evtchn_port_t port)
{
    return port_op(EVTCHNOP_CLOSE, port);
}

static long send(evtchn_port_t port)
{
    return port_op(EVTCHNOP_SEND, port);
}

static long bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu r = { .port = port, .vcpu = vcpu };

    return op(EVTCHNOP_BIND_VCPU, &r);
}

static long reset(domid_t dom)
{
    struct evtchn_reset r = { .dom = dom };

    return op(EVTCHNOP_RESET, &r);
}

/* EVTCHNSTAT_* or -errno; *st filled in. */
static long status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    long rc;

    *st = (struct evtchn_status){ .dom = dom, .port = port, .status = 0xdead, .vcpu = 0xdead };
    rc = op(EVTCHNOP_STATUS, st);
    return rc < 0 ? rc : st->status;
}

static long state_of(domid_t dom, evtchn_port_t port)
{
    struct evtchn_status st;

    return status(dom, port, &st);
}

/* Port `port` of `dom` is unbound and offered to `to`. */
static bool is_unbound_to(domid_t dom, evtchn_port_t port, domid_t to)
{
    struct evtchn_status st;

    return status(dom, port, &st) == EVTCHNSTAT_unbound && st.u.unbound.dom == to;
}

static bool is_interdomain(domid_t dom, evtchn_port_t port, domid_t rdom, evtchn_port_t rport)
{
    struct evtchn_status st;

    return status(dom, port, &st) == EVTCHNSTAT_interdomain && st.u.interdomain.dom == rdom &&
           st.u.interdomain.port == rport;
}

static long console_port(domid_t dom)
{
    struct xen_hvm_param p = { .domid = dom, .index = HVM_PARAM_CONSOLE_EVTCHN };
    long rc = hyp_hvm_op(HVMOP_GET_PARAM, (uintptr_t)&p);

    return rc < 0 ? rc : (long)p.value;
}

static void on_ipi(evtchn_port_t port)
{
    (void)port;
    ipi_events++;
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr);
}

static void badptr(const char *name, unsigned long cmd, bool output, const void *init, size_t size,
                   long want)
{
    abi_badptr_cases(F, name, output, init, size, badptr_call, &cmd, want);
}

/* ---- alloc_unbound ---------------------------------------------------------- */

static void alloc_unbound_cases(void)
{
    struct evtchn_alloc_unbound req = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    long port, lowest;

    port = alloc(DOMID_SELF, DOMID_SELF);
    abi_check(F, "alloc_unbound", port > 0 && is_unbound_to(DOMID_SELF, port, abi.self),
              "port, or not unbound to us", port);
    close_port(port);
    port = alloc(abi.self, abi.self);
    abi_check(F, "alloc_unbound-own-id", port > 0 && is_unbound_to(DOMID_SELF, port, abi.self),
              "port", port);
    close_port(port);
    abi_expect(F, "alloc_unbound-remote-absent", alloc(DOMID_SELF, abi.absent), -XEN_ESRCH);
    abi_expect(F, "alloc_unbound-remote-gone", alloc(DOMID_SELF, abi.gone), -XEN_ESRCH);
    if (!abi.privileged)        /* dom0's turn comes in phase 2 */
        abi_expect(F, "alloc_unbound-foreign-dom", alloc(abi.peer, abi.self), -XEN_EPERM);
    abi_expect(F, "alloc_unbound-dom-absent", alloc(abi.absent, DOMID_SELF),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "alloc_unbound-dom-gone", alloc(abi.gone, DOMID_SELF),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    lowest = abi_lowest_free_port();
    badptr("alloc_unbound", EVTCHNOP_ALLOC_UNBOUND, true, &req, sizeof req, -XEN_EFAULT);
    abi_expect(F, "alloc_unbound-badptr-nothing-allocated", abi_lowest_free_port(), lowest);
}

/* Every port in use: each binding call is refused with -ENOSPC. */
static void table_full_cases(void)
{
    evtchn_port_t held[ABI_EVTCHN_PORTS];
    unsigned int n = 0;
    long offered = alloc(DOMID_SELF, DOMID_SELF), port, closed = 0;

    while (n < ABI_EVTCHN_PORTS && (port = alloc(DOMID_SELF, DOMID_SELF)) > 0)
        held[n++] = (evtchn_port_t)port;
    abi_expect(F, "alloc_unbound-table-full", alloc(DOMID_SELF, DOMID_SELF), -XEN_ENOSPC);
    abi_expect(F, "bind_ipi-table-full", bind_ipi(0), -XEN_ENOSPC);
    abi_expect(F, "bind_virq-table-full", bind_virq(VIRQ_TIMER, 1), -XEN_ENOSPC);
    abi_expect(F, "bind_interdomain-table-full", bind_inter(DOMID_SELF, offered), -XEN_ENOSPC);
    abi_check(F, "bind_interdomain-table-full-changes-nothing",
              is_unbound_to(DOMID_SELF, offered, abi.self), "status",
              state_of(DOMID_SELF, offered));
    for (unsigned int i = 0; i < n; i++)
        closed += close_port(held[i]) == 0;
    closed += close_port(offered) == 0;
    abi_expect(F, "close-after-table-full", closed, n + 1);
}

/* ---- bind_interdomain, send, close on a loop of our own ------------------------ */

static void loop_cases(void)
{
    long u = alloc(DOMID_SELF, DOMID_SELF), l, u2, l2, lowest;
    struct evtchn_bind_interdomain req;

    if (!abi_check(F, "bind_interdomain-setup", u > 0, "alloc_unbound", u))
        return;
    l = bind_inter(DOMID_SELF, u);
    abi_check(F, "bind_interdomain", l > 0, "port", l);
    abi_check(F, "bind_interdomain-status-local", is_interdomain(DOMID_SELF, l, abi.self, u),
              "status", state_of(DOMID_SELF, l));
    abi_check(F, "bind_interdomain-status-remote", is_interdomain(DOMID_SELF, u, abi.self, l),
              "status", state_of(DOMID_SELF, u));
    abi_check(F, "bind_interdomain-raises-local", abi_port_pending(l), "pending", 0);
    abi_expect(F, "bind_interdomain-bound-port", bind_inter(DOMID_SELF, u), -XEN_EINVAL);

    abi_clear_pending(l);
    abi_clear_pending(u);
    abi_expect(F, "send-interdomain", send(l), 0);
    abi_check(F, "send-interdomain-raises-remote", abi_port_pending(u) && !abi_port_pending(l),
              "remote pending", abi_port_pending(u));
    abi_clear_pending(u);
    send(u);
    abi_check(F, "send-interdomain-other-way", abi_port_pending(l) && !abi_port_pending(u),
              "pending", abi_port_pending(l));

    /* Closing one end: the other goes back to unbound, offered to the closer. */
    abi_expect(F, "close-interdomain", close_port(l), 0);
    abi_check(F, "close-interdomain-remote-unbound", is_unbound_to(DOMID_SELF, u, abi.self),
              "status", state_of(DOMID_SELF, u));
    abi_check(F, "close-clears-pending", !abi_port_pending(l), "pending", 1);
    abi_expect(F, "bind_interdomain-free-port", bind_inter(DOMID_SELF, l), -XEN_EINVAL);
    abi_expect(F, "bind_interdomain-port-0", bind_inter(DOMID_SELF, 0), -XEN_EINVAL);
    abi_expect(F, "bind_interdomain-port-64", bind_inter(DOMID_SELF, ABI_EVTCHN_PORTS),
               -XEN_EINVAL);
    abi_expect(F, "bind_interdomain-port-max", bind_inter(DOMID_SELF, 0xffffffff), -XEN_EINVAL);
    abi_expect(F, "bind_interdomain-remote-absent", bind_inter(abi.absent, u), -XEN_ESRCH);
    abi_expect(F, "bind_interdomain-remote-gone", bind_inter(abi.gone, u), -XEN_ESRCH);

    req = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = u };
    lowest = abi_lowest_free_port();
    badptr("bind_interdomain", EVTCHNOP_BIND_INTERDOMAIN, true, &req, sizeof req, -XEN_EFAULT);
    abi_check(F, "bind_interdomain-badptr-nothing-bound",
              is_unbound_to(DOMID_SELF, u, abi.self) && abi_lowest_free_port() == lowest,
              "status", state_of(DOMID_SELF, u));

    u2 = alloc(abi.self, abi.self);
    l2 = bind_inter(abi.self, u2);
    abi_check(F, "bind_interdomain-own-id", l2 > 0 && is_interdomain(DOMID_SELF, l2, abi.self, u2),
              "port", l2);
    close_port(l2);
    close_port(u2);
    close_port(u);
}

/* The peer offers us nothing during phase 1: every one of its ports refuses. */
static void peer_port_cases(void)
{
    long first = 0, got = 0;

    for (evtchn_port_t p = 1; p < ABI_EVTCHN_PORTS && !first; p++) {
        got = bind_inter(abi.peer, p);
        if (got != -XEN_EINVAL)
            first = p;
        if (got > 0)
            close_port(got);
    }
    abi_check(F, "bind_interdomain-peer-not-offered", first == 0, "the peer's port binds", first);
    abi_expect(F, "bind_interdomain-peer-meeting-port", bind_inter(abi.peer, abi.peer_meeting),
               -XEN_EINVAL);
    abi_check(F, "status-peer",
              abi.privileged ? is_interdomain(abi.peer, abi.peer_meeting, abi.self, abi.meeting)
                             : state_of(abi.peer, abi.peer_meeting) == -XEN_EPERM,
              "status", state_of(abi.peer, abi.peer_meeting));
    abi_expect(F, "status-peer-port-0", state_of(abi.peer, 0), abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_expect(F, "status-absent", state_of(abi.absent, 1), abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "status-gone", state_of(abi.gone, 1), abi_priv(-XEN_ESRCH, -XEN_EPERM));
    if (!abi.privileged)
        abi_expect(F, "reset-foreign-dom", reset(abi.peer), -XEN_EPERM);
    abi_expect(F, "reset-absent", reset(abi.absent), abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "reset-gone", reset(abi.gone), abi_priv(-XEN_ESRCH, -XEN_EPERM));
}

/* ---- VIRQs and IPIs -------------------------------------------------------------- */

static void bind_virq_cases(void)
{
    struct evtchn_bind_virq req = { .virq = VIRQ_TIMER, .vcpu = 1 };
    struct evtchn_status st;
    long port, lowest;

    abi_expect(F, "bind_virq-already-bound", bind_virq(VIRQ_TIMER, 0), -XEN_EEXIST);
    port = bind_virq(VIRQ_TIMER, 1);
    abi_check(F, "bind_virq",
              port > 0 && status(DOMID_SELF, port, &st) == EVTCHNSTAT_virq &&
                  st.u.virq == VIRQ_TIMER && st.vcpu == 1,
              "port", port);
    abi_expect(F, "bind_virq-twice", bind_virq(VIRQ_TIMER, 1), -XEN_EEXIST);
    abi_expect(F, "send-virq-port", send(port), -XEN_EINVAL);
    abi_expect(F, "close-virq", close_port(port), 0);
    port = bind_virq(VIRQ_TIMER, 1);
    abi_check(F, "close-virq-unbinds-it", port > 0, "bind again", port);
    close_port(port);
    port = bind_virq(VIRQ_CONSOLE, 0);
    abi_check(F, "bind_virq-console",
              port > 0 && status(DOMID_SELF, port, &st) == EVTCHNSTAT_virq &&
                  st.u.virq == VIRQ_CONSOLE && st.vcpu == 0,
              "port", port);
    close_port(port);
    abi_expect(F, "bind_virq-virq-1", bind_virq(1, 0), -XEN_EINVAL);
    abi_expect(F, "bind_virq-virq-24", bind_virq(24, 0), -XEN_EINVAL);
    abi_expect(F, "bind_virq-virq-max", bind_virq(0xffffffff, 0), -XEN_EINVAL);
    abi_expect(F, "bind_virq-vcpu-beyond-count", bind_virq(VIRQ_TIMER, abi.nvcpus), -XEN_ENOENT);
    abi_expect(F, "bind_virq-vcpu-max", bind_virq(VIRQ_TIMER, 0xffffffff), -XEN_ENOENT);
    abi_expect(F, "bind_virq-virq-checked-before-vcpu", bind_virq(99, abi.nvcpus), -XEN_EINVAL);
    lowest = abi_lowest_free_port();
    badptr("bind_virq", EVTCHNOP_BIND_VIRQ, true, &req, sizeof req, -XEN_EFAULT);
    port = bind_virq(VIRQ_TIMER, 1);
    abi_check(F, "bind_virq-badptr-nothing-bound", port == lowest, "port", port);
    close_port(port);
}

static void bind_ipi_cases(void)
{
    struct evtchn_bind_ipi req = { .vcpu = 0 };
    struct evtchn_status st;
    uint64_t seen = ipi_events;
    long port, lowest;

    port = evtchn_bind_ipi(0, on_ipi);
    abi_check(F, "bind_ipi",
              port > 0 && status(DOMID_SELF, port, &st) == EVTCHNSTAT_ipi && st.vcpu == 0,
              "port", port);
    abi_expect(F, "send-ipi", send(port), 0);
    abi_take_events();
    abi_expect(F, "send-ipi-delivered", (long)(ipi_events - seen), 1);
    evtchn_close(port);
    port = bind_ipi(1);
    abi_check(F, "bind_ipi-other-vcpu",
              port > 0 && status(DOMID_SELF, port, &st) == EVTCHNSTAT_ipi && st.vcpu == 1,
              "port", port);
    abi_expect(F, "bind_vcpu-ipi", bind_vcpu(port, 0), -XEN_EINVAL);
    close_port(port);
    abi_expect(F, "bind_ipi-vcpu-beyond-count", bind_ipi(abi.nvcpus), -XEN_ENOENT);
    abi_expect(F, "bind_ipi-vcpu-max", bind_ipi(0xffffffff), -XEN_ENOENT);
    lowest = abi_lowest_free_port();
    badptr("bind_ipi", EVTCHNOP_BIND_IPI, true, &req, sizeof req, -XEN_EFAULT);
    abi_expect(F, "bind_ipi-badptr-nothing-bound", abi_lowest_free_port(), lowest);
}

/* ---- close, send, status, bind_vcpu, unmask on single ports ---------------------- */

static void close_send_status_cases(void)
{
    long port = alloc(DOMID_SELF, DOMID_SELF), console = console_port(DOMID_SELF);
    struct evtchn_port_arg arg = { .port = (evtchn_port_t)port };
    struct evtchn_status st;

    abi_expect(F, "send-unbound", send(port), 0);
    abi_check(F, "send-unbound-dropped", !abi_port_pending(port), "pending", 1);
    badptr("send", EVTCHNOP_SEND, false, &arg, sizeof arg, -XEN_EFAULT);
    badptr("close", EVTCHNOP_CLOSE, false, &arg, sizeof arg, -XEN_EFAULT);
    abi_check(F, "close-badptr-nothing-closed", is_unbound_to(DOMID_SELF, port, abi.self),
              "status", state_of(DOMID_SELF, port));
    abi_expect(F, "close", close_port(port), 0);
    abi_expect(F, "status-closed", state_of(DOMID_SELF, port), EVTCHNSTAT_closed);
    abi_expect(F, "status-own-id", state_of(abi.self, port), EVTCHNSTAT_closed);
    abi_expect(F, "close-free", close_port(port), -XEN_EINVAL);
    abi_expect(F, "send-free", send(port), -XEN_EINVAL);
    abi_expect(F, "close-port-0", close_port(0), -XEN_EINVAL);
    abi_expect(F, "close-port-64", close_port(ABI_EVTCHN_PORTS), -XEN_EINVAL);
    abi_expect(F, "close-port-max", close_port(0xffffffff), -XEN_EINVAL);
    abi_expect(F, "send-port-0", send(0), -XEN_EINVAL);
    abi_expect(F, "send-port-64", send(ABI_EVTCHN_PORTS), -XEN_EINVAL);
    abi_expect(F, "send-port-max", send(0xffffffff), -XEN_EINVAL);
    abi_expect(F, "status-port-0", state_of(DOMID_SELF, 0), -XEN_EINVAL);
    abi_expect(F, "status-port-64", state_of(DOMID_SELF, ABI_EVTCHN_PORTS), -XEN_EINVAL);
    abi_expect(F, "status-port-max", state_of(DOMID_SELF, 0xffffffff), -XEN_EINVAL);
    abi_check(F, "status-virq",
              status(DOMID_SELF, timer_port(), &st) == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
                  st.vcpu == 0,
              "status", state_of(DOMID_SELF, timer_port()));
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = abi.meeting };
    badptr("status", EVTCHNOP_STATUS, true, &st, sizeof st, -XEN_EFAULT);

    /* The console ring's port belongs to the hypervisor's end: dom0 has none. */
    if (abi.privileged) {
        abi_skip(F, "status-console", "dom0 has no console ring (docs/abi.md: CONSOLE_EVTCHN 0)");
        abi_skip(F, "close-console", "dom0 has no console ring");
        abi_skip(F, "send-console", "dom0 has no console ring");
        abi_skip(F, "bind_vcpu-console", "dom0 has no console ring");
        return;
    }
    abi_check(F, "status-console",
              console > 0 && is_interdomain(DOMID_SELF, console, DOMID_XEN, 0), "status",
              console > 0 ? state_of(DOMID_SELF, console) : console);
    abi_expect(F, "close-console", close_port(console), -XEN_EINVAL);
    abi_expect(F, "send-console", send(console), 0);
    abi_expect(F, "bind_vcpu-console", bind_vcpu(console, 0), -XEN_EINVAL);
}

static void bind_vcpu_cases(void)
{
    long u = alloc(DOMID_SELF, DOMID_SELF), l, lowest = 0;
    struct evtchn_bind_vcpu req = { .port = (evtchn_port_t)u, .vcpu = 1 };
    struct evtchn_status st;

    abi_expect(F, "bind_vcpu-unbound", bind_vcpu(u, 1), 0);
    abi_check(F, "bind_vcpu-unbound-reads-back", status(DOMID_SELF, u, &st) == EVTCHNSTAT_unbound &&
                                                    st.vcpu == 1, "vcpu", st.vcpu);
    l = bind_inter(DOMID_SELF, u);
    abi_expect(F, "bind_vcpu-interdomain", bind_vcpu(l, 2), 0);
    abi_check(F, "bind_vcpu-interdomain-reads-back",
              status(DOMID_SELF, l, &st) == EVTCHNSTAT_interdomain && st.vcpu == 2, "vcpu",
              st.vcpu);
    abi_expect(F, "bind_vcpu-virq", bind_vcpu(timer_port(), 0), -XEN_EINVAL);
    abi_expect(F, "bind_vcpu-vcpu-beyond-count", bind_vcpu(u, abi.nvcpus), -XEN_ENOENT);
    abi_expect(F, "bind_vcpu-vcpu-max", bind_vcpu(u, 0xffffffff), -XEN_ENOENT);
    abi_expect(F, "bind_vcpu-port-0", bind_vcpu(0, 0), -XEN_EINVAL);
    abi_expect(F, "bind_vcpu-port-64", bind_vcpu(ABI_EVTCHN_PORTS, 0), -XEN_EINVAL);
    badptr("bind_vcpu", EVTCHNOP_BIND_VCPU, false, &req, sizeof req, -XEN_EFAULT);
    abi_check(F, "bind_vcpu-refusals-change-nothing",
              status(DOMID_SELF, u, &st) == EVTCHNSTAT_interdomain && st.vcpu == 1, "vcpu",
              st.vcpu);
    close_port(l);
    close_port(u);
    lowest = abi_lowest_free_port();
    abi_expect(F, "bind_vcpu-free", bind_vcpu(lowest, 0), -XEN_EINVAL);
    abi_expect(F, "bind_vcpu-free-port-bad-vcpu", bind_vcpu(lowest, abi.nvcpus), -XEN_ENOENT);
}

static void unmask_cases(void)
{
    long port = evtchn_bind_ipi(0, on_ipi);
    struct evtchn_port_arg arg = { .port = (evtchn_port_t)port };
    uint64_t seen = ipi_events;

    if (!abi_check(F, "unmask-setup", port > 0, "bind_ipi", port))
        return;
    evtchn_mask(port);
    send(port);
    abi_take_events();
    abi_check(F, "unmask-masked-stays-pending", abi_port_pending(port) && ipi_events == seen,
              "events", (long)(ipi_events - seen));
    abi_expect(F, "unmask", port_op(EVTCHNOP_UNMASK, port), 0);
    abi_check(F, "unmask-clears-mask", !abi_port_masked(port), "masked", 1);
    abi_take_events();
    abi_expect(F, "unmask-delivers-pending", (long)(ipi_events - seen), 1);
    badptr("unmask", EVTCHNOP_UNMASK, false, &arg, sizeof arg, -XEN_EFAULT);
    evtchn_close(port);
    abi_expect(F, "unmask-free-port", port_op(EVTCHNOP_UNMASK, port), 0);
    evtchn_mask(port);          /* as guest-pv keeps every port it does not use */
    abi_expect(F, "unmask-port-0", port_op(EVTCHNOP_UNMASK, 0), -XEN_EINVAL);
    abi_expect(F, "unmask-port-64", port_op(EVTCHNOP_UNMASK, ABI_EVTCHN_PORTS), -XEN_EINVAL);
    abi_expect(F, "unmask-port-max", port_op(EVTCHNOP_UNMASK, 0xffffffff), -XEN_EINVAL);
}

void abi_event_channel_op_cases(void)
{
    struct evtchn_reset r = { .dom = abi.absent };

    alloc_unbound_cases();
    table_full_cases();
    loop_cases();
    peer_port_cases();
    bind_virq_cases();
    bind_ipi_cases();
    close_send_status_cases();
    bind_vcpu_cases();
    unmask_cases();
    badptr("reset", EVTCHNOP_RESET, false, &r, sizeof r, -XEN_EFAULT);
    abi_event_channel_op_fifo_error_cases();
    abi_expect(F, "unknown-cmd-14", call(14, (uintptr_t)&r), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, (uintptr_t)&r), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits", call((1ul << 32) | EVTCHNOP_STATUS, (uintptr_t)&r),
               -XEN_ENOSYS);
}

/* ---- phase 2 ----------------------------------------------------------------------- */

/* A domain's own ports after EVTCHNOP_reset: all closed but its console's. */
static void reset_self(void)
{
    long ipi = bind_ipi(0), console = console_port(DOMID_SELF);

    abi_expect(F, "reset-self", reset(DOMID_SELF), 0);
    abi_check(F, "reset-self-closed-all",
              state_of(DOMID_SELF, ipi) == EVTCHNSTAT_closed &&
                  state_of(DOMID_SELF, timer_port()) == EVTCHNSTAT_closed,
              "ipi status", state_of(DOMID_SELF, ipi));
    if (console > 0)
        abi_check(F, "reset-self-kept-console", is_interdomain(DOMID_SELF, console, DOMID_XEN, 0),
                  "status", state_of(DOMID_SELF, console));
    else
        abi_skip(F, "reset-self-kept-console", "dom0 has no console ring");
}

void abi_event_channel_op_dom0_acts(void)
{
    long x = alloc(abi.peer, abi.self), y, console = console_port(abi.peer);

    abi_check(F, "alloc_unbound-foreign-dom", x > 0 && is_unbound_to(abi.peer, x, abi.self),
              "port", x);
    y = bind_inter(abi.peer, x);
    abi_check(F, "bind_interdomain-foreign-allocated",
              y > 0 && is_interdomain(abi.peer, x, abi.self, y), "port", y);
    abi_expect(F, "send-foreign-allocated", send(y), 0);
    abi_expect(F, "reset-foreign-dom", reset(abi.peer), 0);
    abi_check(F, "reset-foreign-closed-all",
              state_of(abi.peer, x) == EVTCHNSTAT_closed &&
                  state_of(abi.peer, abi.peer_meeting) == EVTCHNSTAT_closed,
              "status", state_of(abi.peer, x));
    abi_check(F, "reset-foreign-kept-console",
              console > 0 && is_interdomain(abi.peer, console, DOMID_XEN, 0), "status",
              console > 0 ? state_of(abi.peer, console) : console);
    abi_check(F, "reset-foreign-our-ends-unbound",
              is_unbound_to(DOMID_SELF, y, abi.peer) &&
                  is_unbound_to(DOMID_SELF, abi.meeting, abi.peer),
              "status", state_of(DOMID_SELF, y));
    close_port(y);
    reset_self();
}

static bool meeting_closed(void *arg)
{
    (void)arg;
    return state_of(DOMID_SELF, abi.meeting) == EVTCHNSTAT_closed;
}

void abi_event_channel_op_domu_sees(void)
{
    long console = console_port(DOMID_SELF);

    abi_check(F, "reset-by-dom0-seen", abi_wait(meeting_closed, NULL, MEET_TIMEOUT_NS), "status",
              state_of(DOMID_SELF, abi.meeting));
    abi_check(F, "reset-by-dom0-closed-virq",
              state_of(DOMID_SELF, timer_port()) == EVTCHNSTAT_closed, "status",
              state_of(DOMID_SELF, timer_port()));
    abi_check(F, "reset-by-dom0-kept-console",
              console > 0 && is_interdomain(DOMID_SELF, console, DOMID_XEN, 0), "status",
              console > 0 ? state_of(DOMID_SELF, console) : console);
    reset_self();
}
