/*
 * A domU's xenstore client (docs/xenstore.md, "A domU's side"): the ring
 * page and port the toolstack gave it (HVM_PARAM_STORE_PFN and
 * _STORE_EVTCHN), one request at a time, replies matched by req_id, and
 * watch events kept until asked for. Call on vCPU 0 with interrupts off,
 * as the rest of the kernel's waits.
 */
#ifndef GUEST_XS_CLIENT_H
#define GUEST_XS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/io/xs_wire.h>

/* What a request returns besides 0 and a store's errno (EACCES...). */
#define XS_CLIENT_TIMEOUT (-1)  /* no reply in time */
#define XS_CLIENT_BROKEN  (-2)  /* the ring's error is set, or its indexes are wild */

/* Wait up to timeout_ns for dom0 to name our store port; false if it never does. */
bool xs_client_init(uint64_t timeout_ns);

/*
 * One request and its reply: 0 with the reply's payload in reply (cap
 * bytes; a NUL after it when there is room) and its length in *len, the
 * errno an XS_ERROR reply names, or XS_CLIENT_*. reply may be NULL.
 */
int xs_client_request(uint32_t type, uint32_t tx, const void *payload, uint32_t plen,
                      char *reply, size_t cap, uint32_t *len);
/* The same with string arguments (each sent with its NUL); NULL ends them. */
int xs_client_requestv(uint32_t type, uint32_t tx, char *reply, size_t cap, uint32_t *len, ...);
/* WRITE: the path with its NUL, the value without. */
int xs_client_write(uint32_t tx, const char *path, const char *value);

/* The oldest watch event not yet taken: path and token, false if none came
 * within timeout_ns. */
bool xs_client_event(char *path, size_t pcap, char *token, size_t tcap, uint64_t timeout_ns);
/* Events dropped because the queue was full (it holds XS_CLIENT_EVENTS). */
#define XS_CLIENT_EVENTS 8
uint32_t xs_client_events_dropped(void);

/* ---- for tests of the store's defences ---- */
/* The ring page itself. */
struct xenstore_domain_interface *xs_client_ring(void);
/* Raw bytes onto the request queue (as room allows, up to timeout), then notify. */
bool xs_client_put_raw(const void *data, uint32_t len, uint64_t timeout_ns);
/* Notify the store without writing anything. */
void xs_client_kick(void);

#endif
