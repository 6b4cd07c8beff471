/*
 * The daemon's core (xenstored.h): the store, one connection per
 * introduced domU, the engine's output routed to rings or to dom0's
 * caller, and the poll that serves rings whose port has fired.
 */
#include <stdarg.h>
#include <stdint.h>

#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>

#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "ring_conn.h"
#include "timer.h"
#include "xenstore.h"
#include "xenstored.h"

#define MAX_ID 32               /* the hypervisor's MAX_DOMAINS */
#define ARENA_BYTES (2u << 20)  /* 8 domUs at their memory quota, and dom0's tree */
/* Rings are mapped this many pages past dom0's highest RAM page, one per domid. */
#define MAP_GAP_PAGES 64

static struct xs_store store;
static uint8_t arena[ARENA_BYTES] __attribute__((aligned(16)));
static bool up;

static struct {
    bool live;
    evtchn_port_t port;         /* dom0's end of the store channel */
    grant_handle_t handle;
    uint64_t gpa;               /* where dom0 maps the ring */
    struct xs_conn conn;
} conns[MAX_ID];

/* Set by a store port's event, cleared by the poll. */
static volatile bool kicked;

/* dom0's reply to its own request in hand. */
static struct {
    char *buf;
    size_t cap;
    uint32_t len;
    uint32_t type;
    bool got, overflow;
} caller0;

static uint64_t map_base;

int xenstored_errno(const char *name)
{
#define XS_ERRNO_CASE(n, value) if (strcmp(name, #n) == 0) return value;
    XS_ERROR_LIST(XS_ERRNO_CASE)
#undef XS_ERRNO_CASE
    return XS_EINVAL;
}

static void out(void *ctx, uint16_t domid, const struct xsd_sockmsg *hdr, const void *payload)
{
    (void)ctx;
    if (domid == 0) {
        /* dom0 sets no watches: what comes for it is the reply. */
        if (hdr->type == XS_WATCH_EVENT || caller0.got)
            return;
        caller0.got = true;
        caller0.type = hdr->type;
        caller0.len = hdr->len;
        caller0.overflow = hdr->len > caller0.cap;
        if (!caller0.overflow) {
            memcpy(caller0.buf, payload, hdr->len);
            if (hdr->len < caller0.cap)
                caller0.buf[hdr->len] = 0;
        }
        return;
    }
    if (domid < MAX_ID && conns[domid].live)
        xs_conn_queue(&conns[domid].conn, hdr, payload);
}

/* Send queued output and tell the domain about it. */
static void flush(domid_t id)
{
    if (xs_conn_flush(&conns[id].conn))
        evtchn_send(conns[id].port);
}

static void flush_all(void)
{
    for (domid_t id = 1; id < MAX_ID; id++)
        if (conns[id].live)
            flush(id);
}

int xenstored_call(uint32_t type, const void *payload, uint32_t len, char *reply, size_t cap,
                   uint32_t *rlen)
{
    static uint32_t req_id;
    struct xsd_sockmsg hdr = { .type = type, .req_id = ++req_id, .len = len };
    caller0 = (typeof(caller0)){ .buf = reply, .cap = cap };
    if (!up || xs_handle(&store, 0, &hdr, payload, out, NULL) != 0)
        return XS_EINVAL;
    flush_all();                /* the request may have fired domUs' watches */
    if (!caller0.got || caller0.overflow)
        return XS_EINVAL;
    *rlen = caller0.len;
    return caller0.type == XS_ERROR ? xenstored_errno(reply) : 0;
}

int xenstored_callv(uint32_t type, char *reply, size_t cap, uint32_t *rlen, ...)
{
    static char payload[XENSTORE_PAYLOAD_MAX];
    uint32_t len = 0;
    va_list ap;
    va_start(ap, rlen);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t n = strlen(s) + 1;
        if (len + n > sizeof payload) {
            va_end(ap);
            return XS_EINVAL;
        }
        memcpy(payload + len, s, n);
        len += (uint32_t)n;
    }
    va_end(ap);
    return xenstored_call(type, payload, len, reply, cap, rlen);
}

int xenstored_write(const char *path, const char *value)
{
    static char payload[XENSTORE_PAYLOAD_MAX];
    char reply[8];
    uint32_t n;
    size_t p = strlen(path) + 1, v = strlen(value);
    if (p + v > sizeof payload)
        return XS_EINVAL;
    memcpy(payload, path, p);
    memcpy(payload + p, value, v);      /* the value is raw: no NUL */
    return xenstored_call(XS_WRITE, payload, (uint32_t)(p + v), reply, sizeof reply, &n);
}

void xenstored_forget(domid_t id)
{
    if (!up)
        return;
    xs_domain_gone(&store, id, out, NULL);   /* releases it: xenstored_disconnect */
    xenstored_disconnect(id);
    flush_all();                /* @releaseDomain watchers */
}

static void on_store_event(evtchn_port_t port)
{
    (void)port;
    kicked = true;
}

/* Every whole request a ring holds, each reply sent as room allows. */
static void serve(domid_t id)
{
    struct xs_conn *c = &conns[id].conn;
    const struct xsd_sockmsg *hdr;
    const void *payload;
    bool consumed, notify = false;

    while (xs_conn_next(c, &hdr, &payload, &consumed)) {
        notify |= consumed;
        xs_handle(&store, id, hdr, payload, out, NULL);
        flush_all();
    }
    notify |= consumed;
    if (c->dead) {
        printk("xenstore: domain %u broke the ring protocol (error %u): not served any more\n",
               id, c->ring->error);
        notify = true;
    }
    flush(id);
    if (notify)
        evtchn_send(conns[id].port);
}

void xenstored_poll(void)
{
    if (!kicked)
        return;
    kicked = false;
    for (domid_t id = 1; id < MAX_ID; id++)
        if (conns[id].live && !conns[id].conn.dead)
            serve(id);
}

/* The domain's HVM_PARAM_STORE_PFN, 0 if it has none. */
static uint64_t store_pfn(domid_t id)
{
    struct xen_hvm_param p = { .domid = id, .index = HVM_PARAM_STORE_PFN };
    return hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p) == 0 ? p.value : 0;
}

int xenstored_connect(domid_t id, uint64_t gfn, uint32_t port)
{
    if (id >= MAX_ID || conns[id].live || gfn == 0 || gfn != store_pfn(id))
        return XS_EINVAL;       /* only the builder's ring can be mapped, by its grant */
    uint64_t gpa = map_base + (uint64_t)id * PAGE_SIZE;
    grant_handle_t h;
    int st = grant_map(id, GNTTAB_RESERVED_XENSTORE, gpa, false, &h);
    if (st != GNTST_okay) {
        printk("xenstore: mapping domain %u's ring failed (GNTST %d)\n", id, st);
        return XS_EIO;
    }
    long local = evtchn_bind_interdomain(id, port, on_store_event);
    if (local < 0) {
        printk("xenstore: binding domain %u's port %u failed (%ld)\n", id, port, local);
        grant_unmap(gpa, h);
        return XS_EIO;
    }
    conns[id].live = true;
    conns[id].port = (evtchn_port_t)local;
    conns[id].handle = h;
    conns[id].gpa = gpa;
    xs_conn_init(&conns[id].conn, id, (struct xenstore_domain_interface *)(uintptr_t)gpa);
    kicked = true;              /* it may have written requests already */
    return 0;
}

void xenstored_disconnect(domid_t id)
{
    if (id >= MAX_ID || !conns[id].live)
        return;
    conns[id].live = false;
    evtchn_close(conns[id].port);
    grant_unmap(conns[id].gpa, conns[id].handle);
}

static int hook_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    return xenstored_connect(domid, mfn, port);
}

static void hook_release(void *ctx, uint16_t domid)
{
    (void)ctx;
    xenstored_disconnect(domid);
}

void xenstored_init(domid_t dom0, const char *dom0_name)
{
    static const struct xs_hooks hooks = { .introduce = hook_introduce, .release = hook_release };
    long max_gfn = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0);
    char id[8];

    if (max_gfn < 0 || xs_store_init(&store, arena, sizeof arena, NULL, &hooks)) {
        printk("xenstore: cannot start the store (%ld)\n", max_gfn);
        return;
    }
    map_base = ((uint64_t)max_gfn + 1 + MAP_GAP_PAGES) * PAGE_SIZE;
    up = true;
    fmt_u64(id, dom0);
    xenstored_write("/local/domain/0/name", dom0_name);
    xenstored_write("/local/domain/0/domid", id);
    timer_set_idle_work(xenstored_poll);
}
