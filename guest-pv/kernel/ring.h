/*
 * Shared request/response rings in Xen's layout: one page shared by a
 * frontend, which produces requests and consumes responses, and a backend,
 * which consumes requests and produces responses.
 *
 *   offset  0  req_prod    requests the frontend has published
 *           4  req_event   the backend wants an event once req_prod passes this
 *           8  rsp_prod    responses the backend has published
 *          12  rsp_event   the frontend wants an event once rsp_prod passes this
 *          16  padding up to 64
 *          64  a power-of-two array of entries, each a request or a response
 *
 * Indices run freely and wrap at 2^32; an index's slot is index & (size - 1).
 * A response goes into the slot of a request already consumed, so a ring
 * never holds more than `size` requests and responses in flight together.
 *
 * RING_DEFINE(name, req_type, rsp_type) declares `struct name_sring`, the
 * page. Each side keeps its private indices in a struct ring_front or
 * ring_back, and finds the entry for an index with RING_REQUEST and
 * RING_RESPONSE. Notifications go only to a side that asked, through its
 * event index: the push functions say whether the other side must be sent
 * an event, and the final-check functions ask for one before a side waits.
 */
#ifndef GUEST_RING_H
#define GUEST_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "lib.h"

#define RING_PAGE_SIZE   4096
#define RING_HEADER_SIZE 64

typedef uint32_t ring_idx_t;

struct ring_header {
    ring_idx_t req_prod;
    ring_idx_t req_event;
    ring_idx_t rsp_prod;
    ring_idx_t rsp_event;
    uint8_t pad[RING_HEADER_SIZE - 4 * sizeof(ring_idx_t)];
};
_Static_assert(sizeof(struct ring_header) == RING_HEADER_SIZE, "ring header size");

/* The largest power of two not above x (x < 8192), 0 for 0. */
#define RING_POW2_FLOOR(x)                                                          \
    ((x) >= 4096 ? 4096 : (x) >= 2048 ? 2048 : (x) >= 1024 ? 1024 : (x) >= 512 ? 512 : \
     (x) >= 256 ? 256 : (x) >= 128 ? 128 : (x) >= 64 ? 64 : (x) >= 32 ? 32 :          \
     (x) >= 16 ? 16 : (x) >= 8 ? 8 : (x) >= 4 ? 4 : (x) >= 2 ? 2 : (x) >= 1 ? 1 : 0)

/* Entries of entry_size bytes that fit in a page after the header. */
#define RING_ENTRIES(entry_size) RING_POW2_FLOOR((RING_PAGE_SIZE - RING_HEADER_SIZE) / (entry_size))

#define RING_DEFINE(name, req_type, rsp_type)                                           \
    union name##_entry {                                                                \
        req_type req;                                                                   \
        rsp_type rsp;                                                                   \
    };                                                                                  \
    struct name##_sring {                                                               \
        struct ring_header hdr;                                                         \
        union name##_entry entry[RING_ENTRIES(sizeof(union name##_entry))];             \
    };                                                                                  \
    _Static_assert(RING_ENTRIES(sizeof(union name##_entry)) > 0, #name " entry too big"); \
    _Static_assert(sizeof(struct name##_sring) <= RING_PAGE_SIZE, #name " ring in a page")

/* Entries in the ring `sring` points to (a compile-time constant). */
#define RING_SIZE(sring) ((ring_idx_t)(sizeof((sring)->entry) / sizeof((sring)->entry[0])))
#define RING_REQUEST(sring, idx)  (&(sring)->entry[(idx) & (RING_SIZE(sring) - 1)].req)
#define RING_RESPONSE(sring, idx) (&(sring)->entry[(idx) & (RING_SIZE(sring) - 1)].rsp)

/* Zero the page's indices: no requests, no responses, both sides want the first event. */
#define RING_SRING_INIT(sring) ring_header_init(&(sring)->hdr)

struct ring_front {
    struct ring_header *sh;
    ring_idx_t size;
    ring_idx_t req_prod_pvt;    /* requests filled in, published or not */
    ring_idx_t rsp_cons;        /* responses consumed */
};

struct ring_back {
    struct ring_header *sh;
    ring_idx_t size;
    ring_idx_t rsp_prod_pvt;    /* responses filled in, published or not */
    ring_idx_t req_cons;        /* requests consumed */
};

/* Attach to an initialised ring: either side may attach first, or later on. */
#define RING_FRONT_ATTACH(front, sring) ring_front_attach((front), &(sring)->hdr, RING_SIZE(sring))
#define RING_BACK_ATTACH(back, sring)   ring_back_attach((back), &(sring)->hdr, RING_SIZE(sring))

static inline void ring_header_init(struct ring_header *sh)
{
    memset(sh, 0, sizeof(*sh));
    sh->req_event = 1;
    sh->rsp_event = 1;
}

static inline void ring_front_attach(struct ring_front *f, struct ring_header *sh, ring_idx_t size)
{
    f->sh = sh;
    f->size = size;
    f->req_prod_pvt = READ_ONCE(sh->req_prod);
    f->rsp_cons = READ_ONCE(sh->rsp_prod);
}

static inline void ring_back_attach(struct ring_back *b, struct ring_header *sh, ring_idx_t size)
{
    b->sh = sh;
    b->size = size;
    b->rsp_prod_pvt = READ_ONCE(sh->rsp_prod);
    b->req_cons = READ_ONCE(sh->req_prod);
}

/*
 * Publish `prod` at *shared and say whether the other side must be notified:
 * it asked (its event index) for an event at an index in (old, prod].
 */
static inline bool ring_push(ring_idx_t *shared, const ring_idx_t *event, ring_idx_t prod)
{
    ring_idx_t old = READ_ONCE(*shared);

    barrier();                  /* the entries before the index that publishes them */
    WRITE_ONCE(*shared, prod);
    mb();                       /* the index before reading whether they asked */
    return (ring_idx_t)(prod - READ_ONCE(*event)) < (ring_idx_t)(prod - old);
}

/* Read a producer index; entries up to it may be read after this. */
static inline ring_idx_t ring_read_prod(const ring_idx_t *shared)
{
    ring_idx_t prod = READ_ONCE(*shared);

    barrier();
    return prod;
}

/* ---- frontend -------------------------------------------------------------- */

static inline ring_idx_t ring_free_requests(const struct ring_front *f)
{
    return f->size - (f->req_prod_pvt - f->rsp_cons);
}

static inline bool ring_full(const struct ring_front *f)
{
    return ring_free_requests(f) == 0;
}

/* Publish the requests filled in so far; true when the backend must be notified. */
static inline bool ring_push_requests(struct ring_front *f)
{
    return ring_push(&f->sh->req_prod, &f->sh->req_event, f->req_prod_pvt);
}

static inline ring_idx_t ring_unconsumed_responses(const struct ring_front *f)
{
    return ring_read_prod(&f->sh->rsp_prod) - f->rsp_cons;
}

/*
 * Before waiting for responses: ask for an event at the next one, then look
 * again, since one may have been published before the request was seen.
 * Responses waiting (nonzero: do not wait), or 0 with the event requested.
 */
static inline ring_idx_t ring_final_check_responses(struct ring_front *f)
{
    ring_idx_t n = ring_unconsumed_responses(f);

    if (n)
        return n;
    WRITE_ONCE(f->sh->rsp_event, f->rsp_cons + 1);
    mb();
    return ring_unconsumed_responses(f);
}

/* ---- backend --------------------------------------------------------------- */

/*
 * Requests waiting. Never more than the slots not holding unconsumed
 * responses, whatever req_prod says: a frontend cannot make us overrun.
 */
static inline ring_idx_t ring_unconsumed_requests(const struct ring_back *b)
{
    ring_idx_t reqs = ring_read_prod(&b->sh->req_prod) - b->req_cons;
    ring_idx_t room = b->size - (b->req_cons - b->rsp_prod_pvt);

    return reqs < room ? reqs : room;
}

/* Publish the responses filled in so far; true when the frontend must be notified. */
static inline bool ring_push_responses(struct ring_back *b)
{
    return ring_push(&b->sh->rsp_prod, &b->sh->rsp_event, b->rsp_prod_pvt);
}

/* As ring_final_check_responses, for requests. */
static inline ring_idx_t ring_final_check_requests(struct ring_back *b)
{
    ring_idx_t n = ring_unconsumed_requests(b);

    if (n)
        return n;
    WRITE_ONCE(b->sh->req_event, b->req_cons + 1);
    mb();
    return ring_unconsumed_requests(b);
}

#endif
