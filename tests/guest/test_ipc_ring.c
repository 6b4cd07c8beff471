/*
 * test=ring-server / test=ring-client: 10,000 round trips over a shared
 * ring (ring.h) in a page the server grants (ref 8), with notifications on
 * an interdomain channel sent only when the other side asked for one. The
 * server checks every request and answers it; the client checks every
 * answer. Then the client unmaps and closes, and the server, seeing its end
 * go back to unbound, ends the grant.
 */
#include <stdint.h>

#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "lib.h"
#include "ring.h"
#include "test_ipc.h"

#define RING_REF      8
#define ROUND_TRIPS   10000
#define PAYLOAD_WORDS 3

struct ring_test_req {
    uint32_t seq;
    uint32_t pad;
    uint64_t payload[PAYLOAD_WORDS];
};

struct ring_test_rsp {
    uint32_t seq;
    int32_t status;             /* 0: the request was as expected */
    uint64_t digest;            /* of the request as the server read it */
};

RING_DEFINE(ring_test, struct ring_test_req, struct ring_test_rsp);
_Static_assert(RING_SIZE((struct ring_test_sring *)0) == 64, "64 entries of 32 bytes");

static uint64_t payload(uint32_t seq, unsigned int i)
{
    return ipc_mix((uint64_t)seq * PAYLOAD_WORDS + i);
}

static uint64_t rotl(uint64_t x, unsigned int n)
{
    return x << n | x >> (64 - n);
}

static uint64_t digest(const struct ring_test_req *r)
{
    return r->payload[0] ^ rotl(r->payload[1], 21) ^ rotl(r->payload[2], 42) ^ r->seq;
}

static bool request_ok(const struct ring_test_req *r, uint32_t seq)
{
    if (r->seq != seq)
        return false;
    for (unsigned int i = 0; i < PAYLOAD_WORDS; i++) {
        if (r->payload[i] != payload(seq, i))
            return false;
    }
    return true;
}

void test_ipc_ring_server(const struct guest_env *env)
{
    static const char test[] = "ring-server";
    domid_t peer = ipc_start(env, test);
    struct ring_test_sring *s = ipc_page(0);
    struct ring_back back;
    uint32_t served = 0, bad = 0;
    evtchn_port_t port;

    RING_SRING_INIT(s);
    RING_BACK_ATTACH(&back, s);
    if (!grant_access(RING_REF, peer, ipc_gfn(s), false))
        ipc_abort(test, "cannot grant ref", RING_REF);
    port = ipc_listen(peer, test);

    while (served < ROUND_TRIPS) {
        uint64_t seen = ipc_events(port);
        ring_idx_t n = ring_final_check_requests(&back);

        if (n == 0) {
            if (!ipc_wait_event(port, seen))
                ipc_abort(test, "timed out waiting for requests; served", served);
            continue;
        }
        if (served == 0)        /* requests arrived: the client has the page mapped */
            ipc_expect_in_use("ring-end-while-mapped", RING_REF, true);
        for (; n && served < ROUND_TRIPS; n--, served++) {
            struct ring_test_req req = *RING_REQUEST(s, back.req_cons);   /* read once */
            bool ok = request_ok(&req, served);

            back.req_cons++;
            if (!ok && bad++ == 0)
                printk("FAIL: ipc/ring-server request %u: seq %u payload 0x%lx\n", served,
                       req.seq, (unsigned long)req.payload[0]);
            *RING_RESPONSE(s, back.rsp_prod_pvt) =
                (struct ring_test_rsp){ .seq = req.seq, .status = ok ? 0 : -1,
                                        .digest = digest(&req) };
            back.rsp_prod_pvt++;
        }
        if (ring_push_responses(&back))
            ipc_notify(port, test);
    }
    if (bad == 0)
        printk("PASS: ipc/ring-server %u requests\n", served);
    else
        printk("FAIL: ipc/ring-server %u of %u requests wrong\n", bad, served);

    /* The client unmaps, then closes its end: ours goes back to unbound. */
    if (!ipc_wait_status(port, EVTCHNSTAT_unbound))
        ipc_abort(test, "client never closed its end; status", evtchn_port_status(port));
    ipc_expect_end("ring-server-end-grant", RING_REF);
    evtchn_close(port);
}

void test_ipc_ring_client(const struct guest_env *env)
{
    static const char test[] = "ring-client";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = ipc_connect(peer, test);
    struct ring_test_sring *s = (struct ring_test_sring *)(uintptr_t)ipc_map_addr(0);
    struct ring_front front;
    grant_handle_t handle;
    uint32_t sent = 0, got = 0, bad = 0;
    long rc;
    int st;

    st = ipc_map(peer, RING_REF, 0, false, &handle);
    if (st != GNTST_okay)
        ipc_abort(test, "cannot map the ring; status", st);
    RING_FRONT_ATTACH(&front, s);

    while (got < ROUND_TRIPS) {
        uint64_t seen;
        ring_idx_t n;

        for (; sent < ROUND_TRIPS && !ring_full(&front); sent++) {
            struct ring_test_req *req = RING_REQUEST(s, front.req_prod_pvt);

            req->seq = sent;
            req->pad = 0;
            for (unsigned int i = 0; i < PAYLOAD_WORDS; i++)
                req->payload[i] = payload(sent, i);
            front.req_prod_pvt++;
        }
        if (ring_push_requests(&front))
            ipc_notify(port, test);

        seen = ipc_events(port);
        n = ring_final_check_responses(&front);
        if (n == 0) {
            if (!ipc_wait_event(port, seen))
                ipc_abort(test, "timed out waiting for responses; got", got);
            continue;
        }
        for (; n; n--, got++) {
            struct ring_test_rsp rsp = *RING_RESPONSE(s, front.rsp_cons);  /* read once */
            struct ring_test_req want = { .seq = got };

            front.rsp_cons++;
            for (unsigned int i = 0; i < PAYLOAD_WORDS; i++)
                want.payload[i] = payload(got, i);
            if ((rsp.seq != got || rsp.status != 0 || rsp.digest != digest(&want)) &&
                bad++ == 0)
                printk("FAIL: ipc/ring-client response %u: seq %u status %d digest 0x%lx "
                       "expected 0x%lx\n", got, rsp.seq, rsp.status, (unsigned long)rsp.digest,
                       (unsigned long)digest(&want));
        }
    }
    if (bad == 0)
        printk("PASS: ipc/ring-client %u round trips\n", got);
    else
        printk("FAIL: ipc/ring-client %u of %u responses wrong\n", bad, got);

    st = grant_unmap(ipc_map_addr(0), handle);
    rc = evtchn_close(port);
    if (st == GNTST_okay && rc == 0)
        printk("PASS: ipc/ring-client-teardown\n");
    else
        printk("FAIL: ipc/ring-client-teardown unmap status %d close %ld\n", st, rc);
}
