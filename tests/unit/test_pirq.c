/*
 * Host unit test for the device owner's physical interrupts: hv/physdev_op.c
 * and hv/pirq.c, with EVTCHNOP_bind_pirq, status and close from the real
 * hv/event_channel_op.c and hv/event.c, over a fake interrupt controller
 * (shim_gsi.c) that records what the hypervisor did to each line.
 */
#include <string.h>
#include "check.h"
#include "shim_gsi.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/pirq.h"
#include "public/abi.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/physdev.h"
#include "public/shared_info.h"

CHECK_SUITE("pirq");

static struct vcpu *v0, *v1;
static struct domain *d0, *d1;
static struct shared_info *si0;

#define ARG (SHIM_RW_BASE + 0x1000)

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    shim_console_reset();
    shim_gsi_reset();
    v0 = shim_domain_create(0, true, MiB(16));      /* dom0: owns the devices */
    v1 = shim_domain_create(1, false, MiB(16));
    d0 = v0->domain;
    d1 = v1->domain;
    si0 = shim_shared_info_create(d0);
    shim_shared_info_create(d1);
}

static void teardown(void)
{
    evtchn_close_all(d0);
    pirq_release_domain(d0);
}

static long physdev(struct vcpu *v, uint64_t cmd, const void *req, size_t len)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, ARG, 0x5a5a, 0x6b6b, 0x7c7c };
    if (req)
        memcpy(shim_guest_mem(ARG, len), req, len);
    shim_guest_clear_stats();
    return do_physdev_op(v, args);
}

static long evop(struct vcpu *v, uint64_t cmd, const void *req, size_t len)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, ARG, 0x5a5a, 0x6b6b, 0x7c7c };
    memcpy(shim_guest_mem(ARG, len), req, len);
    shim_guest_clear_stats();
    return do_event_channel_op(v, args);
}

/* map_pirq of `gsi` for `dom`; *out gets the PIRQ written back. */
static long map(struct vcpu *v, uint16_t dom, int32_t type, int32_t gsi, int32_t want, int32_t *out)
{
    struct physdev_map_pirq m = { .domid = dom, .type = type, .index = gsi, .pirq = want };
    long rc = physdev(v, PHYSDEVOP_MAP_PIRQ, &m, sizeof m);
    memcpy(&m, shim_guest_mem(ARG, sizeof m), sizeof m);
    if (out)
        *out = m.pirq;
    return rc;
}

static long bind(struct vcpu *v, uint32_t pirq, uint32_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq };
    long rc = evop(v, EVTCHNOP_BIND_PIRQ, &b, sizeof b);
    memcpy(&b, shim_guest_mem(ARG, sizeof b), sizeof b);
    if (port)
        *port = b.port;
    return rc;
}

static long eoi(struct vcpu *v, uint32_t pirq)
{
    struct physdev_eoi e = { .irq = pirq };
    return physdev(v, PHYSDEVOP_EOI, &e, sizeof e);
}

static long status_flags(struct vcpu *v, uint32_t pirq, uint32_t *flags)
{
    struct physdev_irq_status_query q = { .irq = pirq, .flags = 0xdead };
    long rc = physdev(v, PHYSDEVOP_IRQ_STATUS_QUERY, &q, sizeof q);
    memcpy(&q, shim_guest_mem(ARG, sizeof q), sizeof q);
    *flags = q.flags;
    return rc;
}

static bool port_pending(uint32_t port)
{
    return si0->evtchn_pending[port / 64] >> (port % 64) & 1;
}

static void clear_pending(uint32_t port)
{
    si0->evtchn_pending[port / 64] &= ~(1ull << (port % 64));
}

static void test_map(void)
{
    int32_t pirq = 0;
    setup();
    CHECK("map GSI 9", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 9, -1, &pirq) == 0 && pirq == 9);
    CHECK("mapped, not yet routed or unmasked", !shim_gsi[9].routed && shim_gsi[9].masked);
    CHECK("map again by own id: same PIRQ", map(v0, 0, MAP_PIRQ_TYPE_GSI, 9, 9, &pirq) == 0 &&
                                                pirq == 9);
    CHECK("MSI -> EOPNOTSUPP", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_MSI, 9, -1, NULL) ==
                                   -XEN_EOPNOTSUPP);
    CHECK("unknown type -> EINVAL", map(v0, DOMID_SELF, 7, 9, -1, NULL) == -XEN_EINVAL);
    CHECK("GSI 24 (no such line) -> EINVAL", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 24, -1,
                                                 NULL) == -XEN_EINVAL);
    CHECK("GSI -1 -> EINVAL", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, -1, -1, NULL) ==
                                  -XEN_EINVAL);
    CHECK("a PIRQ other than the GSI -> EINVAL",
          map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 10, 5, NULL) == -XEN_EINVAL);
    CHECK("the hypervisor's GSI 4 -> EPERM", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 4, -1,
                                                 NULL) == -XEN_EPERM);
    CHECK("for another domain -> EINVAL", map(v0, 1, MAP_PIRQ_TYPE_GSI, 10, -1, NULL) ==
                                              -XEN_EINVAL);
    const uint64_t args[HYPERCALL_ARGS] = { PHYSDEVOP_MAP_PIRQ, SHIM_UNMAPPED, 0, 0, 0 };
    CHECK("unreadable argument -> EFAULT", do_physdev_op(v0, args) == -XEN_EFAULT);
    const uint64_t ro[HYPERCALL_ARGS] = { PHYSDEVOP_MAP_PIRQ, SHIM_RO_BASE, 0, 0, 0 };
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = 11,
                                  .pirq = -1 };
    memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof m), &m, sizeof m);
    CHECK("unwritable argument -> EFAULT, nothing mapped",
          do_physdev_op(v0, ro) == -XEN_EFAULT && eoi(v0, 11) == -XEN_EINVAL);
    const uint64_t unknown[HYPERCALL_ARGS] = { 99, ARG, 0, 0, 0 };
    CHECK("unknown sub-op -> ENOSYS", do_physdev_op(v0, unknown) == -XEN_ENOSYS);

    uint32_t flags;
    CHECK("status of a level line: needs EOI", status_flags(v0, 9, &flags) == 0 &&
                                                    flags == XENIRQSTAT_NEEDS_EOI);
    CHECK("map GSI 5", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 5, -1, &pirq) == 0 && pirq == 5);
    CHECK("status of an edge line: no EOI", status_flags(v0, 5, &flags) == 0 && flags == 0);
    CHECK("map GSI 13", map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 13, -1, &pirq) == 0);
    CHECK("a PCI function's line is level: needs EOI", status_flags(v0, 13, &flags) == 0 &&
                                                            flags == XENIRQSTAT_NEEDS_EOI);
    CHECK("status of an unmapped PIRQ -> EINVAL", status_flags(v0, 6, &flags) == -XEN_EINVAL);
    CHECK("EOI of an unmapped PIRQ -> EINVAL", eoi(v0, 6) == -XEN_EINVAL);
    CHECK("EOI of PIRQ 2^32-1 -> EINVAL", eoi(v0, ~0u) == -XEN_EINVAL);
    teardown();
}

static void test_level_line(void)
{
    uint32_t port = 0;
    setup();
    map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 10, -1, NULL);
    CHECK("bind PIRQ 10", bind(v0, 10, &port) == 0 && port != 0);
    CHECK("bound: routed level, unmasked", shim_gsi[10].routed && shim_gsi[10].level &&
                                               !shim_gsi[10].masked);
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    evop(v0, EVTCHNOP_STATUS, &st, sizeof st);
    memcpy(&st, shim_guest_mem(ARG, sizeof st), sizeof st);
    CHECK("status: EVTCHNSTAT_pirq 10", st.status == EVTCHNSTAT_pirq && st.u.pirq == 10);
    CHECK("bind again -> EBUSY", bind(v0, 10, NULL) == -XEN_EBUSY);
    CHECK("bind an unmapped PIRQ -> EINVAL", bind(v0, 12, NULL) == -XEN_EINVAL);

    /* The interrupt path masks a level line, then the event is sent. */
    shim_gsi[10].masked = true;
    pirq_raised(10);
    CHECK("nothing pending before delivery", !port_pending(port));
    pirq_deliver_pending();
    CHECK("delivered: the port is pending", port_pending(port));
    CHECK("still masked until the EOI", shim_gsi[10].masked);
    CHECK("EOI", eoi(v0, 10) == 0);
    CHECK("EOI unmasks it", !shim_gsi[10].masked);
    uint32_t writes = shim_gsi[10].mask_writes;
    CHECK("a second EOI is harmless and touches nothing", eoi(v0, 10) == 0 &&
                                                               shim_gsi[10].mask_writes == writes);

    struct evtchn_port_arg close = { .port = port };
    CHECK("close the port", evop(v0, EVTCHNOP_CLOSE, &close, sizeof close) == 0);
    CHECK("closing masks the line", shim_gsi[10].masked);
    clear_pending(port);
    pirq_raised(10);
    pirq_deliver_pending();
    CHECK("an interrupt while unbound sends nothing", !port_pending(port));
    CHECK("bind again after close", bind(v0, 10, &port) == 0);
    teardown();
    CHECK("release: masked", shim_gsi[10].masked);
    CHECK("release: no line bound", !pirq_any_bound());
}

static void test_edge_line(void)
{
    uint32_t port = 0;
    setup();
    map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 5, -1, NULL);
    bind(v0, 5, &port);
    CHECK("edge line routed edge, unmasked", shim_gsi[5].routed && !shim_gsi[5].level &&
                                                 !shim_gsi[5].masked);
    uint32_t writes = shim_gsi[5].mask_writes;
    pirq_raised(5);
    pirq_raised(5);
    pirq_deliver_pending();
    CHECK("two edges: one pending event", port_pending(port));
    CHECK("an edge line is never masked by its interrupts", shim_gsi[5].mask_writes == writes &&
                                                                 !shim_gsi[5].masked);
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 5 };
    CHECK("unmap a bound PIRQ: unbinds it", physdev(v0, PHYSDEVOP_UNMAP_PIRQ, &u, sizeof u) == 0 &&
                                                 d0->evtchn[port].state == EVTCHN_FREE &&
                                                 shim_gsi[5].masked);
    CHECK("unmap again -> EINVAL", physdev(v0, PHYSDEVOP_UNMAP_PIRQ, &u, sizeof u) ==
                                        -XEN_EINVAL);
    teardown();
}

static void test_setup_gsi(void)
{
    setup();
    struct physdev_setup_gsi s = { .gsi = 12, .triggering = 1, .polarity = 1 };
    CHECK("setup_gsi 12 level, active low", physdev(v0, PHYSDEVOP_SETUP_GSI, &s, sizeof s) == 0);
    map(v0, DOMID_SELF, MAP_PIRQ_TYPE_GSI, 12, -1, NULL);
    bind(v0, 12, NULL);
    CHECK("routed as set up", shim_gsi[12].level && shim_gsi[12].active_low);
    s.triggering = 0;
    CHECK("setup_gsi of a bound line -> EBUSY", physdev(v0, PHYSDEVOP_SETUP_GSI, &s, sizeof s) ==
                                                     -XEN_EBUSY);
    s = (struct physdev_setup_gsi){ .gsi = 13, .triggering = 2 };
    CHECK("triggering 2 -> EINVAL", physdev(v0, PHYSDEVOP_SETUP_GSI, &s, sizeof s) ==
                                         -XEN_EINVAL);
    s = (struct physdev_setup_gsi){ .gsi = 2 };
    CHECK("the hypervisor's GSI 2 -> EPERM", physdev(v0, PHYSDEVOP_SETUP_GSI, &s, sizeof s) ==
                                                  -XEN_EPERM);
    teardown();
}

static void test_domu(void)
{
    setup();
    CHECK("a domU's bind_pirq -> EPERM", bind(v1, 9, NULL) == -XEN_EPERM);
    CHECK("a domU's bind_pirq binds nothing", d1->evtchn[1].state == EVTCHN_FREE);
    teardown();
}

int main(void)
{
    test_map();
    test_level_line();
    test_edge_line();
    test_setup_gsi();
    test_domu();
    CHECK_DONE();
}
