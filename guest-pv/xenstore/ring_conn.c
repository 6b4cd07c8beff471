/* The store's side of a domain's ring (ring_conn.h; Xen's xenstore-ring.txt). */
#include "lib.h"
#include "ring_conn.h"

#define HDR_LEN ((uint32_t)sizeof(struct xsd_sockmsg))

/* The guest's index: one read, whatever it writes meanwhile. */
static XENSTORE_RING_IDX read_index(const volatile XENSTORE_RING_IDX *p)
{
    XENSTORE_RING_IDX v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
    return v;
}

static void publish_index(volatile XENSTORE_RING_IDX *p, XENSTORE_RING_IDX v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);   /* the data before the index */
}

void xs_conn_init(struct xs_conn *c, uint16_t domid, struct xenstore_domain_interface *ring)
{
    memset(c, 0, sizeof *c);
    c->ring = ring;
    c->domid = domid;
    c->req_cons = read_index(&ring->req_cons);
    c->rsp_prod = read_index(&ring->rsp_prod);
    __atomic_store_n(&ring->server_features, XENSTORE_SERVER_FEATURE_ERROR, __ATOMIC_RELEASE);
}

void xs_conn_fail(struct xs_conn *c, uint32_t error)
{
    if (c->dead)
        return;
    c->dead = true;
    c->have = 0;
    c->out_len = 0;
    __atomic_store_n(&c->ring->error, error, __ATOMIC_RELEASE);
}

bool xs_conn_next(struct xs_conn *c, const struct xsd_sockmsg **hdr, const void **payload,
                  bool *consumed)
{
    *consumed = false;
    if (c->dead)
        return false;
    for (;;) {
        XENSTORE_RING_IDX prod = read_index(&c->ring->req_prod);
        uint32_t avail = prod - c->req_cons;
        if (avail > XENSTORE_RING_SIZE) {
            xs_conn_fail(c, XENSTORE_ERROR_RINGIDX);     /* more than a ring's worth */
            return false;
        }
        /* The header first, then exactly the payload it announces. */
        uint32_t want = c->have < HDR_LEN ? HDR_LEN - c->have
                                          : HDR_LEN + ((struct xsd_sockmsg *)c->in)->len - c->have;
        if (want == 0)
            break;
        if (avail == 0)
            return false;
        uint32_t n = avail < want ? avail : want;
        for (uint32_t i = 0; i < n; i++)
            c->in[c->have + i] = (uint8_t)c->ring->req[MASK_XENSTORE_IDX(c->req_cons + i)];
        c->req_cons += n;
        c->have += n;
        publish_index(&c->ring->req_cons, c->req_cons);
        *consumed = true;
        if (c->have == HDR_LEN && ((struct xsd_sockmsg *)c->in)->len > XENSTORE_PAYLOAD_MAX) {
            xs_conn_fail(c, XENSTORE_ERROR_PROTO);
            return false;
        }
    }
    *hdr = (const struct xsd_sockmsg *)c->in;
    *payload = c->in + HDR_LEN;
    c->have = 0;                /* the caller handles it before the next call */
    return true;
}

static void queue_bytes(struct xs_conn *c, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    for (uint32_t i = 0; i < len; i++)
        c->out[(c->out_head + c->out_len + i) % XS_CONN_OUT_MAX] = p[i];
    c->out_len += len;
}

bool xs_conn_queue(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload)
{
    if (c->dead)
        return false;
    if (hdr->len > XENSTORE_PAYLOAD_MAX || HDR_LEN + hdr->len > XS_CONN_OUT_MAX - c->out_len) {
        c->dropped++;
        return false;
    }
    queue_bytes(c, hdr, HDR_LEN);
    queue_bytes(c, payload, hdr->len);
    return true;
}

bool xs_conn_flush(struct xs_conn *c)
{
    if (c->dead || c->out_len == 0)
        return false;
    XENSTORE_RING_IDX cons = read_index(&c->ring->rsp_cons);
    uint32_t used = c->rsp_prod - cons;
    if (used > XENSTORE_RING_SIZE) {
        xs_conn_fail(c, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    uint32_t n = XENSTORE_RING_SIZE - used;
    if (n > c->out_len)
        n = c->out_len;
    if (n == 0)
        return false;
    for (uint32_t i = 0; i < n; i++)
        c->ring->rsp[MASK_XENSTORE_IDX(c->rsp_prod + i)] =
            (char)c->out[(c->out_head + i) % XS_CONN_OUT_MAX];
    c->out_head = (c->out_head + n) % XS_CONN_OUT_MAX;
    c->out_len -= n;
    c->rsp_prod += n;
    publish_index(&c->ring->rsp_prod, c->rsp_prod);
    return true;
}
