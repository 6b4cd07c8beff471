/*
 * test=ipc-errors peer=N: the error paths of inter-domain event channels and
 * grant tables, each with its exact errno or GNTST_* status. The peer runs
 * ipc-errors too: the cases about the peer's ports and grants need it alive
 * and offering us nothing, so the two meet on a channel first (the lower
 * domain id offers the port), run their cases, and part only when both are
 * done. Ports these cases allocate are offered to ourselves, never to the
 * peer, so neither side's probing can bind them.
 */
#include <stdint.h>

#include <public/errno.h>

#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "test_ipc.h"

/* A port number we never allocate: ours are handed out lowest first. */
#define NEVER_ALLOCATED_PORT (EVTCHN_HANDLED_PORTS - 1)
#define BAD_REF              100000
#define BAD_HANDLE           0xFFFFFFFFu
#define UNUSED_HANDLE        0          /* valid number, nothing mapped with it */

static void expect(const char *name, long got, long want)
{
    if (got == want)
        printk("PASS: ipc/%s\n", name);
    else
        printk("FAIL: ipc/%s got %ld expected %ld\n", name, got, want);
}

static long alloc_unbound_raw(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound req = { .dom = dom, .remote_dom = remote };

    return hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&req);
}

static void event_channel_cases(domid_t self, domid_t peer, evtchn_port_t meeting,
                                bool privileged)
{
    struct evtchn_status st;
    long port, rc, first_bound = 0;

    rc = evtchn_status(DOMID_SELF, meeting, &st);
    if (rc == EVTCHNSTAT_interdomain && st.u.interdomain.dom == peer)
        printk("PASS: ipc/status-interdomain\n");
    else
        printk("FAIL: ipc/status-interdomain got %ld remote %u\n", rc, st.u.interdomain.dom);

    port = evtchn_alloc_unbound(DOMID_SELF, NULL);
    if (port <= 0) {
        printk("FAIL: ipc/alloc-unbound got %ld\n", port);
        return;
    }
    printk("PASS: ipc/alloc-unbound\n");
    rc = evtchn_status(DOMID_SELF, (evtchn_port_t)port, &st);
    if (rc == EVTCHNSTAT_unbound && st.u.unbound.dom == self)
        printk("PASS: ipc/status-unbound\n");
    else
        printk("FAIL: ipc/status-unbound got %ld offered to %u\n", rc, st.u.unbound.dom);
    expect("send-unbound", evtchn_send((evtchn_port_t)port), 0);
    expect("close", evtchn_close((evtchn_port_t)port), 0);
    expect("send-closed", evtchn_send((evtchn_port_t)port), -XEN_EINVAL);
    expect("status-closed", evtchn_port_status((evtchn_port_t)port), EVTCHNSTAT_closed);
    expect("close-closed", evtchn_close((evtchn_port_t)port), -XEN_EINVAL);
    expect("send-never-allocated", evtchn_send(NEVER_ALLOCATED_PORT), -XEN_EINVAL);

    /* The peer offers us nothing now: every one of its ports must refuse us. */
    for (evtchn_port_t remote = 1; remote < EVTCHN_HANDLED_PORTS && !first_bound; remote++) {
        rc = evtchn_bind_interdomain(peer, remote, NULL);
        if (rc != -XEN_EINVAL)
            first_bound = remote;
        if (rc >= 0)
            evtchn_close((evtchn_port_t)rc);
    }
    if (first_bound == 0)
        printk("PASS: ipc/bind-not-offered\n");
    else
        printk("FAIL: ipc/bind-not-offered peer port %ld got %ld expected %d\n", first_bound,
               rc, -XEN_EINVAL);

    if (privileged)
        printk("ipc/alloc-unbound-foreign: not run (dom0 may allocate for others)\n");
    else
        expect("alloc-unbound-foreign", alloc_unbound_raw(peer, self), -XEN_EPERM);

    port = evtchn_bind_ipi(0, ipc_count_event);
    if (port <= 0) {
        printk("FAIL: ipc/ipi-self bind_ipi = %ld\n", port);
        return;
    }
    rc = evtchn_send((evtchn_port_t)port);
    if (rc == 0 && ipc_wait_event((evtchn_port_t)port, 0))
        printk("PASS: ipc/ipi-self\n");
    else
        printk("FAIL: ipc/ipi-self send %ld, %lu events\n", rc,
               (unsigned long)ipc_events((evtchn_port_t)port));
    evtchn_close((evtchn_port_t)port);
}

/* Map the peer's `ref` at our first map slot; unmap it again should it succeed. */
static int map_status(domid_t peer, grant_ref_t ref)
{
    grant_handle_t handle;
    int st = grant_map(peer, ref, ipc_map_addr(0), false, &handle);

    if (st == GNTST_okay)
        grant_unmap(ipc_map_addr(0), handle);
    return st;
}

static int copy_status(struct gnttab_copy op)
{
    long rc = grant_op(GNTTABOP_copy, &op, 1);

    return rc < 0 ? (int)rc : op.status;
}

static void grant_cases(domid_t peer)
{
    static struct gnttab_copy too_many[GRANT_MAX_OPS + 1];
    uint64_t gfn = ipc_gfn(ipc_page(0));
    struct gnttab_unmap_grant_ref unmap;
    struct gnttab_set_version ver;
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    long rc;

    expect("map-bad-ref", map_status(peer, BAD_REF), GNTST_bad_gntref);
    /* The last reserved entry: the builder writes only 0 and 1 (its rings, to dom0). */
    expect("map-not-granted", map_status(peer, GNTTAB_NR_RESERVED_ENTRIES - 1),
           GNTST_permission_denied);

    unmap = (struct gnttab_unmap_grant_ref){ .host_addr = ipc_map_addr(0), .handle = BAD_HANDLE };
    rc = grant_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
    expect("unmap-bad-handle", rc < 0 ? rc : unmap.status, GNTST_bad_handle);
    unmap.handle = UNUSED_HANDLE;
    rc = grant_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
    expect("unmap-unused-handle", rc < 0 ? rc : unmap.status, GNTST_bad_handle);

    expect("copy-source-past-page-end",
           copy_status((struct gnttab_copy){ .source = grant_copy_local(gfn, 4000),
                                             .dest = grant_copy_local(gfn, 0), .len = 200 }),
           GNTST_bad_copy_arg);
    expect("copy-dest-past-page-end",
           copy_status((struct gnttab_copy){ .source = grant_copy_local(gfn, 0),
                                             .dest = grant_copy_local(gfn, 3000), .len = 2000 }),
           GNTST_bad_copy_arg);

    /* Harmless if they were carried out: empty copies within our own page. */
    for (unsigned int i = 0; i < GRANT_MAX_OPS + 1; i++)
        too_many[i] = (struct gnttab_copy){ .source = grant_copy_local(gfn, 0),
                                            .dest = grant_copy_local(gfn, 0) };
    expect("count-513", grant_op(GNTTABOP_copy, too_many, GRANT_MAX_OPS + 1), -XEN_EINVAL);

    ver = (struct gnttab_set_version){ .version = 2 };
    expect("set-version-2", grant_op(GNTTABOP_set_version, &ver, 1), -XEN_ENOSYS);
    ver = (struct gnttab_set_version){ .version = 1 };
    rc = grant_op(GNTTABOP_set_version, &ver, 1);
    if (rc == 0 && ver.version == 1)
        printk("PASS: ipc/set-version-1\n");
    else
        printk("FAIL: ipc/set-version-1 got %ld version %u\n", rc, ver.version);

    rc = grant_op(GNTTABOP_query_size, &qs, 1);
    if (rc == 0 && qs.status == GNTST_okay && qs.nr_frames == grant_entries() /
        GRANT_ENTRIES_PER_FRAME && qs.max_nr_frames == GRANT_MAX_FRAMES)
        printk("PASS: ipc/query-size\n");
    else
        printk("FAIL: ipc/query-size got %ld status %d frames %u of %u\n", rc, qs.status,
               qs.nr_frames, qs.max_nr_frames);
}

void test_ipc_errors(const struct guest_env *env)
{
    static const char test[] = "ipc-errors";
    domid_t peer = ipc_start(env, test), self = xen_domid();
    evtchn_port_t meeting;
    uint64_t seen;

    if (self == DOMID_SELF || self == peer)
        ipc_abort(test, "needs our own domain id, other than the peer's; got", self);
    if (self < peer) {
        meeting = ipc_listen(peer, test);
        if (!ipc_wait_status(meeting, EVTCHNSTAT_interdomain))
            ipc_abort(test, "the peer never connected; port status",
                      evtchn_port_status(meeting));
    } else {
        meeting = ipc_connect(peer, test);
    }
    seen = ipc_events(meeting);

    event_channel_cases(self, peer, meeting, env->si->flags & SIF_PRIVILEGED);
    grant_cases(peer);

    /* Each side sends one event when done; the peer's may have come already. */
    ipc_notify(meeting, test);
    if (!ipc_wait_event(meeting, seen))
        ipc_abort(test, "the peer never finished; port status", evtchn_port_status(meeting));
    printk("ipc-errors: done\n");
}
