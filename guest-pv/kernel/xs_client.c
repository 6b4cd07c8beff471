/* A domU's xenstore client (xs_client.h; Xen's xenstore-ring.txt). */
#include <stdarg.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/hvm_op.h>

#include "clock.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"
#include "timer.h"
#include "xs_client.h"

#define HDR_LEN ((uint32_t)sizeof(struct xsd_sockmsg))
#define LOOK_NS (10 * NSEC_PER_MSEC)

static volatile struct xenstore_domain_interface *ring;
static evtchn_port_t port;
static uint32_t next_req_id = 1;
/* Our own copies: the store's copies in the page are only told. */
static XENSTORE_RING_IDX req_prod, rsp_cons;
static bool broken;

/* One message off the rsp queue at a time. */
static uint8_t msg[HDR_LEN + XENSTORE_PAYLOAD_MAX];

static struct {
    char data[XENSTORE_PAYLOAD_MAX];
    uint32_t len;
} events[XS_CLIENT_EVENTS];
static uint32_t ev_head, ev_count, ev_dropped;

static uint64_t get_param(uint32_t index)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    return hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p) == 0 ? p.value : 0;
}

static void on_event(evtchn_port_t p)
{
    (void)p;            /* waking the wait is all */
}

static bool port_named(void *arg)
{
    (void)arg;
    return get_param(HVM_PARAM_STORE_EVTCHN) != 0;
}

bool xs_client_init(uint64_t timeout_ns)
{
    uint64_t pfn = get_param(HVM_PARAM_STORE_PFN);
    if (pfn == 0)
        return false;
    /* dom0 names the port once it has made it: poll, there is no event yet. */
    uint64_t deadline = clock_now_ns() + timeout_ns;
    while (!port_named(NULL)) {
        if (clock_now_ns() >= deadline)
            return false;
        sleep_ns(LOOK_NS);
    }
    ring = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
    port = (evtchn_port_t)get_param(HVM_PARAM_STORE_EVTCHN);
    req_prod = ring->req_prod;
    rsp_cons = ring->rsp_cons;
    evtchn_set_handler(port, on_event);
    evtchn_unmask(port);
    return true;
}

struct xenstore_domain_interface *xs_client_ring(void)
{
    return (struct xenstore_domain_interface *)ring;
}

void xs_client_kick(void)
{
    evtchn_send(port);
}

uint32_t xs_client_events_dropped(void)
{
    return ev_dropped;
}

static bool ring_failed(void)
{
    if (__atomic_load_n(&ring->error, __ATOMIC_ACQUIRE))
        broken = true;
    return broken;
}

struct wait_put {
    uint32_t need;
};

static bool room_or_broken(void *arg)
{
    const struct wait_put *w = arg;
    XENSTORE_RING_IDX cons = __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
    return ring_failed() || XENSTORE_RING_SIZE - (req_prod - cons) >= w->need ||
           req_prod - cons > XENSTORE_RING_SIZE;
}

bool xs_client_put_raw(const void *data, uint32_t len, uint64_t timeout_ns)
{
    const uint8_t *p = data;
    while (len) {
        struct wait_put w = { .need = 1 };
        if (!wait_until(room_or_broken, &w, timeout_ns) || ring_failed())
            return false;
        XENSTORE_RING_IDX cons = __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
        uint32_t used = req_prod - cons;
        if (used > XENSTORE_RING_SIZE) {
            broken = true;      /* the store's index is wild: give up */
            return false;
        }
        uint32_t n = XENSTORE_RING_SIZE - used;
        if (n > len)
            n = len;
        for (uint32_t i = 0; i < n; i++)
            ring->req[MASK_XENSTORE_IDX(req_prod + i)] = (char)p[i];
        req_prod += n;
        __atomic_store_n(&ring->req_prod, req_prod, __ATOMIC_RELEASE);
        evtchn_send(port);
        p += n;
        len -= n;
    }
    return true;
}

/* Bytes waiting on the rsp queue (the store's index read once), or -1. */
static long rsp_avail(void)
{
    XENSTORE_RING_IDX prod = __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
    uint32_t avail = prod - rsp_cons;
    return avail > XENSTORE_RING_SIZE ? -1 : (long)avail;
}

static void take(uint8_t *to, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        to[i] = (uint8_t)ring->rsp[MASK_XENSTORE_IDX(rsp_cons + i)];
    rsp_cons += n;
    __atomic_store_n(&ring->rsp_cons, rsp_cons, __ATOMIC_RELEASE);
}

static uint32_t msg_have;

/* Move bytes into msg until one message is whole: 1, 0 (not yet) or -1 (broken). */
static int pull(void)
{
    for (;;) {
        long avail = rsp_avail();
        if (avail < 0) {
            broken = true;
            return -1;
        }
        const struct xsd_sockmsg *h = (const struct xsd_sockmsg *)msg;
        uint32_t want = msg_have < HDR_LEN ? HDR_LEN - msg_have : HDR_LEN + h->len - msg_have;
        if (want == 0) {
            msg_have = 0;
            return 1;
        }
        if (avail == 0)
            return 0;
        uint32_t n = (uint32_t)avail < want ? (uint32_t)avail : want;
        take(msg + msg_have, n);
        msg_have += n;
        if (msg_have == HDR_LEN && h->len > XENSTORE_PAYLOAD_MAX) {
            broken = true;      /* the store broke the protocol */
            return -1;
        }
        evtchn_send(port);      /* room made: the store may be waiting for it */
    }
}

static void keep_event(void)
{
    const struct xsd_sockmsg *h = (const struct xsd_sockmsg *)msg;
    if (ev_count == XS_CLIENT_EVENTS) {
        ev_dropped++;
        return;
    }
    uint32_t slot = (ev_head + ev_count++) % XS_CLIENT_EVENTS;
    memcpy(events[slot].data, msg + HDR_LEN, h->len);
    events[slot].len = h->len;
}

struct wait_reply {
    uint32_t req_id;
    int got;        /* 1: the reply is in msg, -1: broken */
};

static bool reply_or_broken(void *arg)
{
    struct wait_reply *w = arg;
    for (;;) {
        if (ring_failed()) {
            w->got = -1;
            return true;
        }
        int r = pull();
        if (r < 0) {
            w->got = -1;
            return true;
        }
        if (r == 0)
            return false;
        const struct xsd_sockmsg *h = (const struct xsd_sockmsg *)msg;
        if (h->type == XS_WATCH_EVENT) {
            keep_event();
            continue;
        }
        if (h->req_id == w->req_id) {
            w->got = 1;
            return true;
        }
        /* A reply to a request we gave up on: not ours any more. */
    }
}

static int errno_of(const char *name, uint32_t len)
{
#define XS_ERRNO_CASE(n, value) \
    if (len == sizeof(#n) && memcmp(name, #n, sizeof(#n)) == 0) return value;
    XS_ERROR_LIST(XS_ERRNO_CASE)
#undef XS_ERRNO_CASE
    return XEN_EINVAL;
}

#define REPLY_TIMEOUT_NS (10 * NSEC_PER_SEC)

int xs_client_request(uint32_t type, uint32_t tx, const void *payload, uint32_t plen,
                      char *reply, size_t cap, uint32_t *len)
{
    if (!ring || broken)
        return XS_CLIENT_BROKEN;
    struct xsd_sockmsg h = { .type = type, .req_id = next_req_id++, .tx_id = tx, .len = plen };
    if (!xs_client_put_raw(&h, HDR_LEN, REPLY_TIMEOUT_NS) ||
        !xs_client_put_raw(payload, plen, REPLY_TIMEOUT_NS))
        return broken ? XS_CLIENT_BROKEN : XS_CLIENT_TIMEOUT;
    struct wait_reply w = { .req_id = h.req_id };
    if (!wait_until(reply_or_broken, &w, REPLY_TIMEOUT_NS))
        return XS_CLIENT_TIMEOUT;
    if (w.got < 0)
        return XS_CLIENT_BROKEN;
    const struct xsd_sockmsg *r = (const struct xsd_sockmsg *)msg;
    if (r->type == XS_ERROR)
        return errno_of((const char *)msg + HDR_LEN, r->len);
    if (len)
        *len = r->len;
    if (reply) {
        size_t n = r->len < cap ? r->len : cap;
        memcpy(reply, msg + HDR_LEN, n);
        if (n < cap)
            reply[n] = 0;
    }
    return 0;
}

int xs_client_requestv(uint32_t type, uint32_t tx, char *reply, size_t cap, uint32_t *len, ...)
{
    static char payload[XENSTORE_PAYLOAD_MAX];
    uint32_t plen = 0;
    va_list ap;
    va_start(ap, len);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t n = strlen(s) + 1;
        if (plen + n > sizeof payload)
            break;
        memcpy(payload + plen, s, n);
        plen += (uint32_t)n;
    }
    va_end(ap);
    return xs_client_request(type, tx, payload, plen, reply, cap, len);
}

int xs_client_write(uint32_t tx, const char *path, const char *value)
{
    static char payload[XENSTORE_PAYLOAD_MAX];
    size_t p = strlen(path) + 1, v = strlen(value);
    if (p + v > sizeof payload)
        return XEN_EINVAL;
    memcpy(payload, path, p);
    memcpy(payload + p, value, v);
    return xs_client_request(XS_WRITE, tx, payload, (uint32_t)(p + v), NULL, 0, NULL);
}

static bool event_or_broken(void *arg)
{
    (void)arg;
    struct wait_reply w = { .req_id = 0 };     /* no request has id 0 */
    reply_or_broken(&w);
    return ev_count > 0 || w.got < 0;
}

bool xs_client_event(char *path, size_t pcap, char *token, size_t tcap, uint64_t timeout_ns)
{
    if (!ring || (!ev_count && !wait_until(event_or_broken, NULL, timeout_ns)) || !ev_count)
        return false;
    const char *d = events[ev_head].data;
    uint32_t n = events[ev_head].len;
    ev_head = (ev_head + 1) % XS_CLIENT_EVENTS;
    ev_count--;
    /* path NUL token NUL; copied bounded, whatever the store sent. */
    uint32_t i = 0, o = 0;
    while (i < n && d[i] && o + 1 < pcap)
        path[o++] = d[i++];
    path[o] = 0;
    while (i < n && d[i])
        i++;
    i++;
    o = 0;
    while (i < n && d[i] && o + 1 < tcap)
        token[o++] = d[i++];
    token[o] = 0;
    return true;
}
