/*
 * Family `physdev_op` (docs/abi.md, "33 physdev_op") and the PIRQ side of
 * event_channel_op (EVTCHNOP_bind_pirq): dom0 sets up, maps, queries, binds,
 * EOIs, and unmaps GSI 7, a line no device of the test machine uses (the
 * interrupts themselves: tests/system/devices.sh); every refusal; bad
 * pointers. A domU gets -EPERM for every physdev_op and for bind_pirq, and
 * ends with no PIRQ port.
 */
#include <stdint.h>

#include <public/event_channel.h>
#include <public/physdev.h>

#include "abi.h"
#include "evtchn.h"
#include "hypercall.h"

#define F "physdev_op"
#define GSI 7                   /* the parallel port's ISA line: nothing there */
#define UNMAPPED_GSI 6
#define HYPERVISOR_GSI 4        /* COM1 */

static long op(unsigned long cmd, const void *arg)
{
    return hypercall3(HYPERCALL_PHYSDEV_OP, cmd, (uintptr_t)arg, 0);
}

/* dom0's answer, or -EPERM for a domU (the call is dom0's only). */
static long own(long dom0)
{
    return abi_priv(dom0, -XEN_EPERM);
}

static long setup_gsi(int32_t gsi, uint8_t triggering, uint8_t polarity)
{
    struct physdev_setup_gsi s = { .gsi = gsi, .triggering = triggering, .polarity = polarity };
    return op(PHYSDEVOP_SETUP_GSI, &s);
}

static long map(uint16_t dom, int32_t type, int32_t gsi, int32_t pirq, int32_t *out)
{
    struct physdev_map_pirq m = { .domid = dom, .type = type, .index = gsi, .pirq = pirq };
    long rc = op(PHYSDEVOP_MAP_PIRQ, &m);
    if (out)
        *out = m.pirq;
    return rc;
}

static long unmap(uint16_t dom, int32_t pirq)
{
    struct physdev_unmap_pirq u = { .domid = dom, .pirq = pirq };
    return op(PHYSDEVOP_UNMAP_PIRQ, &u);
}

static long eoi(uint32_t pirq)
{
    struct physdev_eoi e = { .irq = pirq };
    return op(PHYSDEVOP_EOI, &e);
}

static long query(uint32_t pirq, uint32_t *flags)
{
    struct physdev_irq_status_query q = { .irq = pirq, .flags = 0xdead };
    long rc = op(PHYSDEVOP_IRQ_STATUS_QUERY, &q);
    *flags = q.flags;
    return rc;
}

static long bind(uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_PIRQ, (uintptr_t)&b);
    *port = b.port;
    return rc;
}

static long physdev_badptr(uint64_t addr, void *ctx)
{
    return hypercall3(HYPERCALL_PHYSDEV_OP, *(unsigned long *)ctx, addr, 0);
}

static long bind_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return hyp_event_channel_op(EVTCHNOP_BIND_PIRQ, addr);
}

/* How many of our ports are bound to a PIRQ (and, if one is, which). */
static unsigned pirq_ports(uint32_t *pirq)
{
    unsigned n = 0;
    for (evtchn_port_t p = 1; p < ABI_EVTCHN_PORTS; p++) {
        struct evtchn_status st;
        if (evtchn_status(DOMID_SELF, p, &st) == EVTCHNSTAT_pirq) {
            *pirq = st.u.pirq;
            n++;
        }
    }
    return n;
}

static void setup_cases(void)
{
    abi_expect(F, "setup_gsi-level", setup_gsi(GSI, 1, 0), own(0));
    abi_expect(F, "setup_gsi-bad-triggering", setup_gsi(GSI, 2, 0), own(-XEN_EINVAL));
    abi_expect(F, "setup_gsi-bad-polarity", setup_gsi(GSI, 0, 2), own(-XEN_EINVAL));
    abi_expect(F, "setup_gsi-hypervisor-gsi", setup_gsi(HYPERVISOR_GSI, 0, 0), -XEN_EPERM);
    abi_expect(F, "setup_gsi-gsi-255", setup_gsi(255, 0, 0), own(-XEN_EINVAL));
    abi_expect(F, "setup_gsi-gsi-negative", setup_gsi(-1, 0, 0), own(-XEN_EINVAL));
    static const unsigned long cmd = PHYSDEVOP_SETUP_GSI;
    const struct physdev_setup_gsi s = { .gsi = GSI, .triggering = 1 };
    abi_badptr_cases(F, "setup_gsi", false, &s, sizeof s, physdev_badptr, (void *)&cmd,
                     own(-XEN_EFAULT));
}

static void map_cases(void)
{
    int32_t pirq = -5;
    long rc = map(DOMID_SELF, MAP_PIRQ_TYPE_GSI, GSI, -1, &pirq);
    abi_check(F, "map_pirq", abi.privileged ? rc == 0 && pirq == GSI : rc == -XEN_EPERM,
              "rc or pirq", rc ? rc : pirq);
    rc = map(abi.self, MAP_PIRQ_TYPE_GSI, GSI, GSI, &pirq);
    abi_check(F, "map_pirq-own-id-again", abi.privileged ? rc == 0 && pirq == GSI
                                                         : rc == -XEN_EPERM,
              "rc or pirq", rc ? rc : pirq);
    abi_expect(F, "map_pirq-msi", map(DOMID_SELF, MAP_PIRQ_TYPE_MSI, GSI, -1, NULL),
               own(-XEN_EOPNOTSUPP));
    abi_expect(F, "map_pirq-type-2", map(DOMID_SELF, 2, GSI, -1, NULL), own(-XEN_EINVAL));
    abi_expect(F, "map_pirq-gsi-255", map(DOMID_SELF, MAP_PIRQ_TYPE_GSI, 255, -1, NULL),
               own(-XEN_EINVAL));
    abi_expect(F, "map_pirq-gsi-negative", map(DOMID_SELF, MAP_PIRQ_TYPE_GSI, -1, -1, NULL),
               own(-XEN_EINVAL));
    abi_expect(F, "map_pirq-other-pirq", map(DOMID_SELF, MAP_PIRQ_TYPE_GSI, GSI, GSI + 1, NULL),
               own(-XEN_EINVAL));
    abi_expect(F, "map_pirq-hypervisor-gsi",
               map(DOMID_SELF, MAP_PIRQ_TYPE_GSI, HYPERVISOR_GSI, -1, NULL), -XEN_EPERM);
    abi_expect(F, "map_pirq-for-peer", map(abi.peer, MAP_PIRQ_TYPE_GSI, GSI, -1, NULL),
               own(-XEN_EINVAL));
    abi_expect(F, "map_pirq-for-absent", map(abi.absent, MAP_PIRQ_TYPE_GSI, GSI, -1, NULL),
               own(-XEN_EINVAL));
    static const unsigned long cmd = PHYSDEVOP_MAP_PIRQ;
    const struct physdev_map_pirq m = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = GSI, .pirq = -1,
    };
    abi_badptr_cases(F, "map_pirq", true, &m, sizeof m, physdev_badptr, (void *)&cmd,
                     own(-XEN_EFAULT));

    uint32_t flags;
    rc = query(GSI, &flags);
    abi_check(F, "irq_status_query-level",
              abi.privileged ? rc == 0 && flags == XENIRQSTAT_NEEDS_EOI : rc == -XEN_EPERM,
              "rc or flags", rc ? rc : (long)flags);
    abi_expect(F, "irq_status_query-unmapped", query(UNMAPPED_GSI, &flags), own(-XEN_EINVAL));
    static const unsigned long qcmd = PHYSDEVOP_IRQ_STATUS_QUERY;
    const struct physdev_irq_status_query q = { .irq = GSI };
    abi_badptr_cases(F, "irq_status_query", true, &q, sizeof q, physdev_badptr, (void *)&qcmd,
                     own(-XEN_EFAULT));
}

static void bind_cases(void)
{
    /* Before the binding: with the output unwritable, nothing stays bound. */
    const struct evtchn_bind_pirq b = { .pirq = GSI };
    abi_badptr_cases(F, "bind_pirq", false, &b, sizeof b, bind_badptr, NULL, -XEN_EFAULT);
    /* Bound from here to the unmap: routed and unmasked, though nothing drives it. */
    evtchn_port_t port = 0;
    long rc = bind(GSI, &port);
    abi_check(F, "bind_pirq", abi.privileged ? rc == 0 && port > 0 : rc == -XEN_EPERM,
              "rc or port", rc ? rc : (long)port);
    uint32_t pirq = 0;
    unsigned n = pirq_ports(&pirq);
    abi_check(F, "bind_pirq-status", abi.privileged ? n == 1 && pirq == GSI : n == 0,
              "PIRQ ports", (long)n);
    evtchn_port_t other;
    abi_expect(F, "bind_pirq-twice", bind(GSI, &other), own(-XEN_EBUSY));
    abi_expect(F, "bind_pirq-unmapped", bind(UNMAPPED_GSI, &other), own(-XEN_EINVAL));
    abi_expect(F, "bind_pirq-pirq-max", bind(~0u, &other), own(-XEN_EINVAL));
    abi_expect(F, "setup_gsi-bound", setup_gsi(GSI, 0, 0), own(-XEN_EBUSY));

    abi_expect(F, "eoi", eoi(GSI), own(0));
    abi_expect(F, "eoi-unmapped", eoi(UNMAPPED_GSI), own(-XEN_EINVAL));
    abi_expect(F, "eoi-pirq-max", eoi(~0u), own(-XEN_EINVAL));
    static const unsigned long cmd = PHYSDEVOP_EOI;
    const struct physdev_eoi e = { .irq = GSI };
    abi_badptr_cases(F, "eoi", false, &e, sizeof e, physdev_badptr, (void *)&cmd,
                     own(-XEN_EFAULT));
}

static void unmap_cases(void)
{
    static const unsigned long cmd = PHYSDEVOP_UNMAP_PIRQ;
    const struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = GSI };
    abi_badptr_cases(F, "unmap_pirq", false, &u, sizeof u, physdev_badptr, (void *)&cmd,
                     own(-XEN_EFAULT));
    abi_expect(F, "unmap_pirq-for-peer", unmap(abi.peer, GSI), own(-XEN_EINVAL));
    /* Unmapping a bound line unbinds it: its port is free afterwards. */
    abi_expect(F, "unmap_pirq", unmap(DOMID_SELF, GSI), own(0));
    uint32_t pirq;
    abi_check(F, "unmap_pirq-unbinds", pirq_ports(&pirq) == 0, "PIRQ ports", 0);
    abi_expect(F, "unmap_pirq-again", unmap(DOMID_SELF, GSI), own(-XEN_EINVAL));
    abi_expect(F, "eoi-after-unmap", eoi(GSI), own(-XEN_EINVAL));
    abi_expect(F, "setup_gsi-edge", setup_gsi(GSI, 0, 0), own(0));
    abi_expect(F, "unknown-cmd-99", op(99, NULL), own(-XEN_ENOSYS));
}

void abi_physdev_op_cases(void)
{
    setup_cases();
    map_cases();
    bind_cases();
    unmap_cases();
}
