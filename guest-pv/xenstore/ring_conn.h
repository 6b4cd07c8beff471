/*
 * One domain's connection to the store over its ring page (struct
 * xenstore_domain_interface, docs/xenstore.md "The ring"): requests are
 * reassembled from the req queue, replies and watch events wait in a
 * bounded output queue and go to the rsp queue as space allows. The guest
 * may write anything to the page at any time, so each index it owns is read
 * once and checked, ours are kept here, and a ring that breaks the protocol
 * gets its `error` set and is served no more. Knows nothing of ports or
 * grant maps: the caller notifies the domain when told to.
 */
#ifndef XS_RING_CONN_H
#define XS_RING_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "public/io/xs_wire.h"

/* Output one domain may have waiting: two full messages. */
#define XS_CONN_OUT_MAX (2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))

struct xs_conn {
    struct xenstore_domain_interface *ring;
    uint16_t domid;
    bool dead;                  /* the ring's error is set: serve it no more */
    XENSTORE_RING_IDX req_cons; /* ours: the ring's copies are only told */
    XENSTORE_RING_IDX rsp_prod;
    uint32_t have;              /* bytes of the request in `in` so far */
    uint32_t out_head, out_len; /* the output queue: a byte ring over `out` */
    uint32_t dropped;           /* messages that did not fit in the queue */
    uint8_t in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    uint8_t out[XS_CONN_OUT_MAX];
};

/* Start serving `ring` for domid. Takes the indexes as they are (the
 * domain may have written requests already); sets server_features. */
void xs_conn_init(struct xs_conn *c, uint16_t domid, struct xenstore_domain_interface *ring);

/*
 * Move request bytes off the ring until one request is whole: true with
 * *hdr and *payload pointing into the connection (valid until the next
 * call), false if none is (yet), or the ring just broke the protocol (then
 * c->dead). *consumed is set when bytes were taken: the domain may be
 * waiting for room, so notify it.
 */
bool xs_conn_next(struct xs_conn *c, const struct xsd_sockmsg **hdr, const void **payload,
                  bool *consumed);

/* Queue one message whole; false (counted in dropped) if it does not fit. */
bool xs_conn_queue(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload);

/* Copy queued output to the rsp queue as room allows; true if any went
 * (notify the domain). */
bool xs_conn_flush(struct xs_conn *c);

/* Give up on the ring: error set (XENSTORE_ERROR_*), nothing more read or written. */
void xs_conn_fail(struct xs_conn *c, uint32_t error);

#endif
