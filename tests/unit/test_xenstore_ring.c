/*
 * Host unit test for guest-pv/xenstore/ring_conn.c with the real engine:
 * requests written to a ring page as a client would (whole, byte by byte,
 * across the wrap), replies read back, the output queue's bound, and a
 * hostile client (oversize len, indexes jumping either way, garbage types):
 * the ring's error is set or an error reply comes, and nothing is read or
 * written past the page.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ring_conn.h"
#include "xenstore.h"

CHECK_SUITE("xenstore_ring");

#define DOM 5
#define ARENA (1u << 20)

static struct xs_store store;
static struct xs_conn conn;
/* The page, with a guard after the interface that must stay untouched. */
static union {
    struct xenstore_domain_interface ring;
    uint8_t page[4096];
} page;

/* The client's side: its own copies of its indexes. */
static XENSTORE_RING_IDX cli_prod, cli_cons;

static void out(void *ctx, uint16_t domid, const struct xsd_sockmsg *hdr, const void *payload)
{
    (void)ctx;
    if (domid == DOM)
        xs_conn_queue(&conn, hdr, payload);
}

static void setup(void)
{
    static uint8_t *arena;
    if (!arena)
        arena = malloc(ARENA);
    xs_store_init(&store, arena, ARENA, NULL, NULL);
    memset(&page, 0, sizeof page);
    memset(page.page + sizeof page.ring, 0x5a, sizeof page - sizeof page.ring);
    cli_prod = cli_cons = 0;
    xs_conn_init(&conn, DOM, &page.ring);
}

static bool guard_intact(void)
{
    for (size_t i = sizeof page.ring; i < sizeof page; i++)
        if (page.page[i] != 0x5a)
            return false;
    return true;
}

static void put(const void *data, uint32_t len)
{
    const uint8_t *p = data;
    for (uint32_t i = 0; i < len; i++)
        page.ring.req[MASK_XENSTORE_IDX(cli_prod + i)] = (char)p[i];
    cli_prod += len;
    page.ring.req_prod = cli_prod;
}

static void put_req(uint32_t type, uint32_t req_id, const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = len };
    put(&h, sizeof h);
    put(payload, len);
}

/* What the daemon does on an event: every whole request, then the output. */
static int serve(void)
{
    const struct xsd_sockmsg *hdr;
    const void *payload;
    bool consumed;
    int handled = 0;
    while (xs_conn_next(&conn, &hdr, &payload, &consumed)) {
        xs_handle(&store, DOM, hdr, payload, out, NULL);
        handled++;
        xs_conn_flush(&conn);
    }
    xs_conn_flush(&conn);
    return handled;
}

/* One message off the rsp queue: false if none is whole. */
static bool get_rsp(struct xsd_sockmsg *h, char *payload)
{
    uint32_t avail = page.ring.rsp_prod - cli_cons;
    if (avail < sizeof *h)
        return false;
    uint8_t buf[sizeof *h + XENSTORE_PAYLOAD_MAX];
    for (uint32_t i = 0; i < sizeof *h; i++)
        buf[i] = (uint8_t)page.ring.rsp[MASK_XENSTORE_IDX(cli_cons + i)];
    memcpy(h, buf, sizeof *h);
    if (avail < sizeof *h + h->len)
        return false;
    for (uint32_t i = 0; i < h->len; i++)
        payload[i] = page.ring.rsp[MASK_XENSTORE_IDX(cli_cons + sizeof *h + i)];
    payload[h->len] = 0;
    cli_cons += sizeof *h + h->len;
    page.ring.rsp_cons = cli_cons;
    return true;
}

static void test_requests(void)
{
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 1];

    setup();
    CHECK("init offers the error feature",
          page.ring.server_features == XENSTORE_SERVER_FEATURE_ERROR && page.ring.error == 0);
    put_req(XS_GET_DOMAIN_PATH, 7, "5", 2);
    CHECK("one request handled", serve() == 1);
    CHECK("req_cons published", page.ring.req_cons == cli_prod);
    CHECK("reply: same type and req_id, the path",
          get_rsp(&h, p) && h.type == XS_GET_DOMAIN_PATH && h.req_id == 7 &&
          strcmp(p, "/local/domain/5") == 0);

    /* Byte by byte: nothing happens until the request is whole. */
    struct xsd_sockmsg r = { .type = XS_READ, .req_id = 8, .len = 2 };
    const uint8_t *b = (const uint8_t *)&r;
    int early = 0;
    for (uint32_t i = 0; i < sizeof r; i++) {
        put(b + i, 1);
        early += serve();
    }
    put("x", 1);
    early += serve();
    put("", 1);
    CHECK("a request split over 18 writes: handled once, when whole",
          early == 0 && serve() == 1);
    CHECK("... a domU reading under / (n0): EACCES",
          get_rsp(&h, p) && h.type == XS_ERROR && h.req_id == 8 && strcmp(p, "EACCES") == 0);

    /* Many round trips carry the indexes across the wrap several times. */
    bool ok = true;
    for (uint32_t i = 0; i < 200 && ok; i++) {
        put_req(XS_GET_DOMAIN_PATH, 100 + i, "12", 3);
        ok = serve() == 1 && get_rsp(&h, p) && h.req_id == 100 + i &&
             strcmp(p, "/local/domain/12") == 0;
    }
    CHECK("200 round trips across the wrap", ok && cli_prod > 3 * XENSTORE_RING_SIZE);
    CHECK("garbage type: ENOSYS, connection kept",
          (put_req(0x7777, 1, "", 0), serve() == 1) && get_rsp(&h, p) && h.type == XS_ERROR &&
          strcmp(p, "ENOSYS") == 0 && !conn.dead);
    CHECK("nothing written past the interface", guard_intact());
}

static void test_output_queue(void)
{
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 1];

    setup();
    /* A client that never reads: replies pile up in the ring, then the
     * queue, then are dropped; the store keeps serving. */
    int handled = 0;
    for (int i = 0; i < 400; i++) {
        put_req(XS_GET_DOMAIN_PATH, (uint32_t)i, "5", 2);
        handled += serve();
    }
    CHECK("all 400 requests handled", handled == 400);
    CHECK("rsp queue full", page.ring.rsp_prod - cli_cons == XENSTORE_RING_SIZE);
    CHECK("output queue bounded", conn.out_len <= XS_CONN_OUT_MAX && conn.out_len > 0);
    CHECK("the rest dropped", conn.dropped > 0 && !conn.dead);
    int got = 0;
    while (get_rsp(&h, p) || (xs_conn_flush(&conn) && get_rsp(&h, p)))
        got++;
    CHECK("what was kept arrives in order after the client reads",
          got > 0 && got < 400 && conn.out_len == 0);
    put_req(XS_GET_DOMAIN_PATH, 999, "5", 2);
    CHECK("then serves again", serve() == 1 && get_rsp(&h, p) && h.req_id == 999);
}

static void test_hostile(void)
{
    struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
    char p[XENSTORE_PAYLOAD_MAX + 1];

    setup();
    put(&h, sizeof h);
    CHECK("len above the maximum: nothing handled", serve() == 0);
    CHECK("... error PROTO, connection dead",
          conn.dead && page.ring.error == XENSTORE_ERROR_PROTO);
    put_req(XS_GET_DOMAIN_PATH, 1, "5", 2);
    CHECK("a dead ring is served no more", serve() == 0 && page.ring.rsp_prod == 0);

    setup();
    page.ring.req_prod = XENSTORE_RING_SIZE + 1;    /* more than a ring's worth */
    CHECK("req_prod jumps ahead: RINGIDX", serve() == 0 && conn.dead &&
          page.ring.error == XENSTORE_ERROR_RINGIDX && page.ring.req_cons == 0);

    setup();
    page.ring.req_prod = (XENSTORE_RING_IDX)-5;     /* behind the consumer */
    CHECK("req_prod goes back: RINGIDX", serve() == 0 && conn.dead &&
          page.ring.error == XENSTORE_ERROR_RINGIDX);

    setup();
    put_req(XS_GET_DOMAIN_PATH, 1, "5", 2);
    page.ring.rsp_cons = 0x80000000u;               /* consumer past the producer */
    serve();
    CHECK("rsp_cons wild: RINGIDX, nothing written", conn.dead &&
          page.ring.error == XENSTORE_ERROR_RINGIDX && page.ring.rsp_prod == 0);

    setup();
    /* The client rewrites req_cons: our own copy rules, theirs is told again. */
    put_req(XS_GET_DOMAIN_PATH, 1, "5", 2);
    page.ring.req_cons = 12345;
    CHECK("req_cons scribbled: served from our copy",
          serve() == 1 && page.ring.req_cons == cli_prod && get_rsp(&h, p) && h.req_id == 1);

    /* Random bytes as requests: replies or a dead ring, never a hang or overrun. */
    srand(1);
    int dead = 0;
    for (int round = 0; round < 200; round++) {
        setup();
        uint8_t junk[600];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (uint8_t)rand();
        if (round % 2)
            ((struct xsd_sockmsg *)junk)->len %= 64;    /* half get a plausible length */
        put(junk, sizeof junk);
        for (int k = 0; k < 4; k++)
            serve();
        dead += conn.dead;
        if (!guard_intact() || xs_check(&store))
            break;
    }
    CHECK("200 junk rings: guard intact, store consistent", guard_intact() && !xs_check(&store));
    CHECK("... and the ones with a huge len were dropped", dead >= 100);
}

int main(void)
{
    test_requests();
    test_output_queue();
    test_hostile();
    CHECK_DONE();
}
