/*
 * A store on the host for the xenstore tests: requests go in as one call,
 * every message the store sends is kept, and after each request the
 * store's invariants (xs_check) must hold.
 */
#ifndef MICA_TEST_XS_FIXTURE_H
#define MICA_TEST_XS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore.h"

struct xs_msg {
    uint16_t domid;
    struct xsd_sockmsg hdr;
    char payload[XENSTORE_PAYLOAD_MAX + 1];     /* NUL after the payload */
};

#define XS_FX_MAX_OUT 512
extern struct xs_store xs_fx_store;
extern struct xs_msg xs_fx_out[XS_FX_MAX_OUT];
extern int xs_fx_nout;
extern int xs_fx_check_failures;   /* requests after which xs_check failed */
extern int xs_fx_last_check;
extern int xs_fx_check_period;     /* xs_check after every Nth request (default 1) */

/* Fresh store over an arena of size bytes; quota NULL: the defaults. */
void xs_fx_init(size_t size, const struct xs_quota *quota, const struct xs_hooks *hooks);

/* One request; returns what xs_handle returned. Output replaces xs_fx_out. */
int xs_fx_raw(uint16_t dom, uint32_t type, uint32_t tx, const void *payload, size_t len);

/*
 * One request whose payload is the NUL-terminated strings given (NULL ends
 * the list). Returns its reply as text: an error as "!ENAME", else the
 * payload with each NUL shown as '|' and a final NUL dropped ("OK").
 */
const char *xs_fx(uint16_t dom, uint32_t type, uint32_t tx, ...);

/* The reply to the last request (NULL if none); the text form of a message. */
const struct xs_msg *xs_fx_reply(void);
const char *xs_fx_text(const struct xs_msg *m);

/* Watch events domain dom received in the last request, and whether one
 * named path with token. */
int xs_fx_events(uint16_t dom);
bool xs_fx_event(uint16_t dom, const char *path, const char *token);

/* Helpers over xs_fx. */
const char *xs_write(uint16_t dom, uint32_t tx, const char *path, const char *value);
const char *xs_read(uint16_t dom, uint32_t tx, const char *path);
uint32_t xs_start(uint16_t dom);

#endif
