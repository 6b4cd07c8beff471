/*
 * Family `domctl`, a domain's life at run time (docs/abi.md, "Domains at
 * run time"): dom0 creates a domain, populates its RAM, loads a kernel
 * from its boot modules (domu-test.elf in the modules folder, running
 * test=cpu-hog), starts, pauses, unpauses, shuts down and destroys it;
 * every refused create names its resource and changes nothing; the free
 * frames come back to what they were. VIRQ_DOM_EXC tells dom0 when the
 * domain stops. dom0 runs these cases last, once the peer has ended, so
 * that only its own actions move the free-frame count. A domU gets -EPERM
 * for every sub-op, before its argument is read.
 */
#include <stdint.h>

#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/io/xs_wire.h>
#include <public/memory_op.h>
#include <public/sched_op.h>
#include <public/sysctl.h>

#include "abi.h"
#include "clock.h"
#include "control.h"
#include "domain_build.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "modules.h"

#define F "domctl"
#define MODULE "domu-test.elf"
#define HOG_CMDLINE "name=lc-hog test=cpu-hog seconds=60"
#define RUN_TIMEOUT_NS (20 * NSEC_PER_SEC)
#define PAUSE_LOOK_NS (100 * NSEC_PER_MSEC)
#define PEER_END_TIMEOUT_NS (60 * NSEC_PER_SEC)

static volatile uint32_t dom_exc_events;

static void on_dom_exc(evtchn_port_t port)
{
    (void)port;
    dom_exc_events++;
}

static uint64_t free_pages(void)
{
    struct mica_sysctl_physinfo p;
    return sysctl_physinfo(&p) == 0 ? p.free_pages : 0;
}

/* s (NUL-terminated within MICA_DOMCTL_ERROR_LEN) begins with prefix. */
static bool starts_with(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        if (s[i] != prefix[i])
            return false;
    return true;
}

static struct mica_domctl req(uint32_t cmd, domid_t dom)
{
    struct mica_domctl op;
    memset(&op, 0, sizeof op);
    op.cmd = cmd;
    op.interface_version = MICA_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    return op;
}

/* A createdomain request for `mib` MiB, 1 vCPU, named `name`. */
static struct mica_domctl create_req(const char *name, uint64_t mib)
{
    struct mica_domctl op = req(XEN_DOMCTL_CREATEDOMAIN, 0);
    struct mica_domctl_createdomain *c = &op.u.createdomain;
    c->flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    c->max_vcpus = 1;
    c->max_mem_kb = mib << 10;
    memcpy(c->name, name, strlen(name) + 1);
    return op;
}

static long run(struct mica_domctl *op)
{
    return hyp_domctl((uintptr_t)op);
}

static long info(domid_t dom, struct mica_domctl_getdomaininfo *i)
{
    return domctl_get_domaininfo(dom, i);
}

/* Refused with `rc`, the error text starting with `prefix`, nothing changed. */
static void refused(const char *name, struct mica_domctl *op, long rc, const char *prefix)
{
    uint64_t before = free_pages();
    long got = run(op);
    bool ok = got == rc && starts_with(op->u.createdomain.error, prefix) &&
              free_pages() == before;
    abi_check(F, name, ok, op->u.createdomain.error, got);
}

static void create_refusals(void)
{
    struct mica_domctl op;
    struct mica_sysctl_physinfo p;

    sysctl_physinfo(&p);
    op = create_req("lc-big", 4096);
    refused("createdomain-more-memory-than-free", &op, -XEN_ENOMEM, "memory: need ");
    op = create_req("lc-cpus", 4);
    op.u.createdomain.max_vcpus = MICA_DOMCTL_MAX_VCPUS + 1;
    refused("createdomain-too-many-vcpus", &op, -XEN_EINVAL, "vcpus: 9 asked");
    op = create_req("lc-cpus", 4);
    op.u.createdomain.max_vcpus = 0;
    refused("createdomain-no-vcpus", &op, -XEN_EINVAL, "vcpus: 0 asked");
    op = create_req(abi.env->name, 4);
    refused("createdomain-duplicate-name", &op, -XEN_EEXIST, "name: ");
    op = create_req("gone", 4);
    refused("createdomain-name-of-stopped-domain", &op, -XEN_EEXIST, "name: ");
    op = create_req("lc-offline", 4);
    op.u.createdomain.cpumap = 1ull << (MICA_DOMCTL_MAX_CPUS - 1);
    if (p.nr_cpus < MICA_DOMCTL_MAX_CPUS)
        refused("createdomain-offline-cpu", &op, -XEN_EINVAL, "cpus: ");
    else
        abi_skip(F, "createdomain-offline-cpu", "every CPU a map can name is online");
    op = create_req("lc-bad name", 4);
    refused("createdomain-bad-name", &op, -XEN_EINVAL, "name: ");
    op = create_req("lc-grants", 4);
    op.u.createdomain.max_grant_frames = 5;
    refused("createdomain-grant-frames-over-host", &op, -XEN_EINVAL, "grant frames: 5");
    op = create_req("lc-ports", 4);
    op.u.createdomain.max_evtchn_port = ABI_EVTCHN_PORTS;
    refused("createdomain-evtchn-over-host", &op, -XEN_EINVAL, "event channels: 64");
    op = create_req("lc-maptrack", 4);
    op.u.createdomain.max_maptrack = 1025;
    refused("createdomain-maptrack-over-host", &op, -XEN_EINVAL, "maptrack: 1025");
    op = create_req("lc-small", 1);
    refused("createdomain-memory-below-2m", &op, -XEN_EINVAL, "memory: 1024 KiB");
    op = create_req("lc-flags", 4);
    op.u.createdomain.flags |= 1u << 7;
    refused("createdomain-unknown-flag", &op, -XEN_EINVAL, "flags");
    /* Mica's evtchn=2l flag is known (its effect: event_channel_op.fifo-2l-*). */
    uint64_t before = free_pages();
    op = create_req("lc-2l", 4);
    op.u.createdomain.flags |= MICA_DOMCTL_CDF_evtchn_2l;
    long rc = run(&op);
    abi_check(F, "createdomain-evtchn-2l", rc == 0 && dom_destroy(op.domain) == 0 &&
              free_pages() == before, op.u.createdomain.error, rc);
    op = create_req("lc-id", 4);
    op.domain = abi.peer;
    refused("createdomain-id-in-use", &op, -XEN_EEXIST, "id: ");
    op = create_req("lc-id", 4);
    op.domain = 40;
    refused("createdomain-id-beyond-table", &op, -XEN_EINVAL, "id: 40");
}

/* A building domain of 4 MiB: its RAM, refused extents, a bad kernel. */
static void building_cases(void)
{
    struct mica_domctl_getdomaininfo i;
    char error[MICA_DOMCTL_ERROR_LEN];
    uint64_t before = free_pages();
    struct domain_spec s = { .name = "lc-build", .memory_mib = 4 };
    domid_t id = 0;

    long rc = dom_create(&s, &id, error);
    abi_check(F, "createdomain", rc == 0 && id != 0 && id != DOMID_SELF, error, rc);
    if (rc)
        return;
    rc = info(id, &i);
    abi_check(F, "createdomain-building-paused",
              rc == 0 && i.state == MICA_DOMCTL_STATE_BUILDING &&
                  (i.flags & MICA_DOMINF_PAUSED) && i.tot_pages == 0 && i.max_pages == 1024 &&
                  i.nr_vcpus == 1,
              "state or pages", rc ? rc : (long)i.tot_pages);
    struct mica_domctl op = create_req("lc-build", 4);
    refused("createdomain-name-of-building-domain", &op, -XEN_EEXIST, "name: ");
    abi_expect(F, "unpausedomain-before-kernel", dom_unpause(id), -XEN_EINVAL);
    rc = dom_load_kernel(id, abi_grant_page(0), 4096, NULL, error);
    abi_check(F, "load_kernel-before-ram", rc == -XEN_EINVAL && starts_with(error, "RAM not"),
              error, rc);

    uint64_t gpfns[2] = { 1, 1024 };
    struct xen_memory_reservation r = {
        .extent_start = (uintptr_t)gpfns, .nr_extents = 1, .extent_order = 9, .domid = id,
    };
    abi_expect(F, "populate_physmap-misaligned-extent",
               hyp_memory_op(XENMEM_POPULATE_PHYSMAP, (uintptr_t)&r), 0);
    r.extent_start = (uintptr_t)&gpfns[1];
    r.extent_order = 0;
    abi_expect(F, "populate_physmap-beyond-its-ram",
               hyp_memory_op(XENMEM_POPULATE_PHYSMAP, (uintptr_t)&r), 0);
    r.extent_order = MICA_POPULATE_MAX_ORDER + 1;
    abi_expect(F, "populate_physmap-order-too-big",
               hyp_memory_op(XENMEM_POPULATE_PHYSMAP, (uintptr_t)&r), -XEN_EINVAL);
    rc = dom_populate(id, 1024);
    abi_check(F, "populate_physmap", rc == 0 && info(id, &i) == 0 && i.tot_pages == 1024,
              "rc or tot_pages", rc ? rc : (long)i.tot_pages);
    gpfns[0] = 0;
    r.extent_start = (uintptr_t)gpfns;
    r.extent_order = 0;
    abi_expect(F, "populate_physmap-already-there",
               hyp_memory_op(XENMEM_POPULATE_PHYSMAP, (uintptr_t)&r), 0);

    rc = dom_load_kernel(id, abi_grant_page(0), 4096, NULL, error);
    abi_check(F, "load_kernel-not-an-elf", rc == -XEN_EINVAL && error[0], error, rc);
    struct mica_domctl k = req(MICA_DOMCTL_LOAD_KERNEL, id);
    k.u.load_kernel.image = (uintptr_t)abi_grant_page(0);
    k.u.load_kernel.image_size = MICA_DOMCTL_IMAGE_MAX + 1;
    abi_expect(F, "load_kernel-too-big", run(&k), -XEN_EINVAL);
    k.u.load_kernel.image_size = 0;
    abi_expect(F, "load_kernel-empty", run(&k), -XEN_EINVAL);
    k.u.load_kernel.image_size = 4096;
    k.u.load_kernel.cmdline_len = 256;
    k.u.load_kernel.cmdline = (uintptr_t)abi_grant_page(1);
    abi_expect(F, "load_kernel-cmdline-too-long", run(&k), -XEN_EINVAL);
    k.u.load_kernel.cmdline_len = 0;
    k.u.load_kernel.image = 0x7ff000000000ull;
    abi_expect(F, "load_kernel-unmapped-image", run(&k), -XEN_EFAULT);

    abi_expect(F, "pausedomain-building", dom_pause(id), 0);
    abi_expect(F, "unpausedomain-building-count", dom_unpause(id), 0);
    rc = info(id, &i);
    abi_check(F, "unpausedomain-building-still-paused",
              rc == 0 && i.state == MICA_DOMCTL_STATE_BUILDING && (i.flags & MICA_DOMINF_PAUSED),
              "state", rc ? rc : (long)i.state);
    struct mica_domctl m = req(XEN_DOMCTL_MAX_MEM, id);
    m.u.max_mem.max_memkb = 2048;
    rc = run(&m);
    abi_check(F, "max_mem", rc == 0 && info(id, &i) == 0 && i.max_pages == 512, "max_pages",
              rc ? rc : (long)i.max_pages);
    abi_expect(F, "destroydomain-building", dom_destroy(id), 0);
    abi_expect(F, "destroydomain-forgets-it", info(id, &i), -XEN_ESRCH);
    abi_expect(F, "destroydomain-again", dom_destroy(id), -XEN_ESRCH);
    abi_check(F, "destroydomain-building-frames-back", free_pages() == before, "free pages",
              (long)(before - free_pages()));
}

static bool domain_stopped(void *arg)
{
    struct mica_domctl_getdomaininfo i;
    return info(*(domid_t *)arg, &i) == 0 && i.state != MICA_DOMCTL_STATE_RUNNING;
}

static bool dom_exc_seen(void *arg)
{
    return dom_exc_events > *(uint32_t *)arg;
}

/* Let the other domain run for `ns`: poll with a timeout (any event may end
 * it sooner, so poll again until the time has passed). */
static void wait_ns(uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;
    while (clock_now_ns() < end) {
        struct sched_poll p = { .ports = 0, .nr_ports = 0, .timeout = end };
        hyp_sched_op(SCHEDOP_POLL, (uintptr_t)&p);
    }
}

static uint64_t cpu_time(domid_t id)
{
    struct mica_domctl_getdomaininfo i;
    return info(id, &i) == 0 ? i.cpu_time : 0;
}

/* pause, unpause and remote shutdown of a domain that runs a CPU hog. */
static long store_param(unsigned int cmd, domid_t id, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = id, .index = index, .value = *value };
    long rc = hyp_hvm_op(cmd, (unsigned long)&p);
    *value = p.value;
    return rc;
}

static bool page_is_zero(const volatile uint8_t *p)
{
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        if (p[i])
            return false;
    return true;
}

/*
 * What dom0's toolstack does for a new domain's xenstore ring (docs/abi.md,
 * "The xenstore ring"): read the ring's gfn, offer the domain a port for
 * dom0 and name it in STORE_EVTCHN, and map the ring (and the console's)
 * through the builder's reserved grants. The domain (test=cpu-hog) never
 * touches its store ring, so the page is as the builder left it: zeroed.
 */
static void store_ring_cases(domid_t id)
{
    uint64_t v = 0;
    long rc = store_param(HVMOP_GET_PARAM, id, HVM_PARAM_STORE_PFN, &v);
    abi_check(F, "store-pfn-of-built-domain", rc == 0 && v == 0xA1, "rc or pfn", rc ? rc : (long)v);
    v = 0;
    rc = store_param(HVMOP_GET_PARAM, id, HVM_PARAM_STORE_EVTCHN, &v);
    abi_check(F, "store-evtchn-unset", rc == 0 && v == 0, "rc or port", rc ? rc : (long)v);

    struct evtchn_alloc_unbound a = { .dom = id, .remote_dom = 0 };
    rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&a);
    abi_check(F, "store-port-allocated", rc == 0 && a.port > 0, "rc", rc);
    v = a.port;
    rc = store_param(HVMOP_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN, &v);
    v = 0;
    if (rc == 0)
        rc = store_param(HVMOP_GET_PARAM, id, HVM_PARAM_STORE_EVTCHN, &v);
    abi_check(F, "store-evtchn-set-by-dom0", rc == 0 && v == a.port, "rc or port",
              rc ? rc : (long)v);
    v = 0;
    abi_expect(F, "store-evtchn-zero", store_param(HVMOP_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN,
                                                   &v), -XEN_EINVAL);
    v = ABI_EVTCHN_PORTS;
    abi_expect(F, "store-evtchn-past-ports",
               store_param(HVMOP_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN, &v), -XEN_EINVAL);
    v = 0x1234;
    abi_expect(F, "store-pfn-set-by-dom0",
               store_param(HVMOP_SET_PARAM, id, HVM_PARAM_STORE_PFN, &v), -XEN_EPERM);

    uint64_t ring = abi_map_addr(ABI_MAP_SLOTS - 1), cons = abi_map_addr(ABI_MAP_SLOTS - 2);
    grant_handle_t hr = 0, hc = 0;
    int st = grant_map(id, GNTTAB_RESERVED_XENSTORE, ring, false, &hr);
    abi_check(F, "store-ring-granted-zeroed",
              st == GNTST_okay && page_is_zero((const volatile uint8_t *)(uintptr_t)ring),
              "status", st);
    if (st == GNTST_okay)
        grant_unmap(ring, hr);
    st = grant_map(id, GNTTAB_RESERVED_CONSOLE, cons, false, &hc);
    abi_expect(F, "console-ring-granted", st, GNTST_okay);
    if (st == GNTST_okay)
        grant_unmap(cons, hc);
    abi_expect(F, "store-ring-grant-8-free", grant_map(id, GNTTAB_NR_RESERVED_ENTRIES, ring,
                                                       false, &hr), GNTST_permission_denied);
}

static void running_cases(const struct boot_module *m, long port)
{
    struct mica_domctl_getdomaininfo i;
    char error[MICA_DOMCTL_ERROR_LEN], report[128];
    struct domain_spec s = {
        .name = "lc-hog", .memory_mib = 8, .cmdline = HOG_CMDLINE,
    };
    uint64_t before = free_pages();
    domid_t id = 0;

    long rc = dom_build(&s, m->data, m->size, &id, error);
    abi_check(F, "load_kernel", rc == 0, error, rc);
    abi_check(F, "unpausedomain-starts-it",
              rc == 0 && info(id, &i) == 0 && i.state == MICA_DOMCTL_STATE_RUNNING &&
                  !(i.flags & MICA_DOMINF_PAUSED),
              "state", (long)i.state);
    if (rc)
        return;
    store_ring_cases(id);
    wait_ns(PAUSE_LOOK_NS);
    abi_check(F, "unpausedomain-it-runs", cpu_time(id) > 0, "cpu_time", 0);
    abi_expect(F, "pausedomain", dom_pause(id), 0);
    uint64_t t0 = cpu_time(id);
    wait_ns(PAUSE_LOOK_NS);
    uint64_t t1 = cpu_time(id);
    abi_check(F, "pausedomain-cpu-time-stops",
              t1 == t0 && info(id, &i) == 0 && (i.flags & MICA_DOMINF_PAUSED), "ns run paused",
              (long)(t1 - t0));
    abi_expect(F, "unpausedomain", dom_unpause(id), 0);
    wait_ns(PAUSE_LOOK_NS);
    abi_check(F, "unpausedomain-cpu-time-grows", cpu_time(id) > t1, "cpu_time",
              (long)cpu_time(id));
    abi_expect(F, "unpausedomain-not-paused", dom_unpause(id), -XEN_EINVAL);
    rc = dom_report(id, report);
    abi_check(F, "get_report-running", rc == 0 && report[0] == 0, report, rc);

    uint32_t seen = dom_exc_events;
    abi_expect(F, "remote_shutdown", dom_shutdown(id, SHUTDOWN_REBOOT), 0);
    abi_wait(domain_stopped, &id, RUN_TIMEOUT_NS);
    rc = info(id, &i);
    abi_check(F, "remote_shutdown-state",
              rc == 0 && i.state == MICA_DOMCTL_STATE_SHUTDOWN &&
                  i.shutdown_reason == SHUTDOWN_REBOOT,
              "state", rc ? rc : (long)i.state);
    if (port > 0)
        abi_check(F, "virq_dom_exc-raised", abi_wait(dom_exc_seen, &seen, RUN_TIMEOUT_NS),
                  "events", (long)dom_exc_events);
    rc = dom_report(id, report);
    abi_check(F, "get_report", rc == 0 && strcmp(report, "shut down (reboot)") == 0, report,
              rc);
    abi_expect(F, "pausedomain-stopped", dom_pause(id), -XEN_ESRCH);
    abi_expect(F, "destroydomain", dom_destroy(id), 0);
    abi_check(F, "destroydomain-frames-back", free_pages() == before, "free pages",
              (long)(before - free_pages()));
}

/* The peer ran its suite to the end and its memory is back. */
static bool peer_ended(void *arg)
{
    struct mica_domctl_getdomaininfo i;
    (void)arg;
    return info(abi.peer, &i) == 0 && (i.flags & MICA_DOMINF_DYING);
}

/* The module this suite needs, if the boot gave it. */
static bool find_module(struct boot_module *m)
{
    for (uint32_t i = 0; modules_get(abi.env->si, i, m); i++)
        if (strcmp(m->name, MODULE) == 0 && m->data)
            return true;
    return false;
}

static void domu_cases(void)
{
    struct mica_domctl op = create_req("lc-domu", 4);
    static const struct { uint32_t cmd; const char *name; } cmds[] = {
        { XEN_DOMCTL_CREATEDOMAIN, "createdomain-from-domu" },
        { XEN_DOMCTL_DESTROYDOMAIN, "destroydomain-from-domu" },
        { XEN_DOMCTL_PAUSEDOMAIN, "pausedomain-from-domu" },
        { XEN_DOMCTL_UNPAUSEDOMAIN, "unpausedomain-from-domu" },
        { XEN_DOMCTL_MAX_MEM, "max_mem-from-domu" },
        { MICA_DOMCTL_LOAD_KERNEL, "load_kernel-from-domu" },
        { MICA_DOMCTL_GET_REPORT, "get_report-from-domu" },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        op.cmd = cmds[i].cmd;
        op.domain = abi.peer;
        abi_expect(F, cmds[i].name, run(&op), -XEN_EPERM);
    }
    struct sched_remote_shutdown r = { .domain_id = abi.peer, .reason = SHUTDOWN_POWEROFF };
    abi_expect(F, "remote_shutdown-from-domu",
               hyp_sched_op(SCHEDOP_REMOTE_SHUTDOWN, (uintptr_t)&r), -XEN_EPERM);
}

void abi_domctl_lifecycle_cases(void)
{
    struct boot_module m;
    char report[128];

    if (!abi.privileged) {
        domu_cases();
        return;
    }
    /* Alone on the machine, so that the free frames move only with what we do. */
    abi_check(F, "lifecycle-peer-ended", abi_wait(peer_ended, NULL, PEER_END_TIMEOUT_NS),
              "peer state", 0);
    uint64_t before = free_pages();
    create_refusals();
    building_cases();
    abi_expect(F, "pausedomain-self", dom_pause(DOMID_SELF), -XEN_EINVAL);
    abi_expect(F, "destroydomain-self", dom_destroy(DOMID_SELF), -XEN_EINVAL);
    abi_expect(F, "pausedomain-absent", dom_pause(abi.absent), -XEN_ESRCH);
    abi_expect(F, "remote_shutdown-self", dom_shutdown(abi.self, SHUTDOWN_POWEROFF),
               -XEN_EPERM);
    abi_expect(F, "remote_shutdown-bad-reason", dom_shutdown(abi.peer, SHUTDOWN_WATCHDOG + 1),
               -XEN_EINVAL);
    abi_expect(F, "remote_shutdown-absent", dom_shutdown(abi.absent, SHUTDOWN_POWEROFF),
               -XEN_ESRCH);
    long rc = dom_report(abi.gone, report);
    abi_check(F, "get_report-gone", rc == 0 && strcmp(report, "shut down (poweroff)") == 0,
              report, rc);
    abi_expect(F, "get_report-absent", dom_report(abi.absent, report), -XEN_ESRCH);

    long port = evtchn_bind_virq(VIRQ_DOM_EXC, 0, on_dom_exc);
    abi_check(F, "virq_dom_exc-bind", port > 0, "port", port);
    if (find_module(&m))
        running_cases(&m, port);
    else
        abi_skip(F, "load_kernel", "no boot module " MODULE);
    if (port > 0)
        evtchn_close((evtchn_port_t)port);
    abi_check(F, "lifecycle-frames-back", free_pages() == before, "free pages",
              (long)(before - free_pages()));
}
