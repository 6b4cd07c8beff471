/*
 * dom0's xenstore engine: a store that takes one request (a header and its
 * payload, as read off a domain's ring) and produces the reply and any watch
 * events through an output callback. It knows nothing of rings, event
 * channels or grant maps: connecting a domain is a hook the caller supplies.
 * Freestanding: the memory it uses is the arena handed to xs_store_init.
 * docs/xenstore.md lists the protocol subset, permissions and quotas.
 */
#ifndef XS_XENSTORE_H
#define XS_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/io/xs_wire.h"
#include "store.h"

extern const struct xs_quota xs_default_quota;

/*
 * Lays the store over arena (which it then owns) with quota (NULL: the
 * defaults) and hooks (NULL: none). 0, or ENOMEM if the arena is too small.
 */
int xs_store_init(struct xs_store *s, void *arena, size_t size, const struct xs_quota *quota,
                  const struct xs_hooks *hooks);

/* What xs_handle returns besides 0. */
#define XS_HANDLE_CLOSE (-1)    /* protocol violation: drop the connection */

/*
 * Handles one request from caller: payload holds hdr->len bytes. Every reply
 * and event goes to out before it returns. Returns 0, or XS_HANDLE_CLOSE
 * (hdr->len above XENSTORE_PAYLOAD_MAX: payload is not read, nothing is sent).
 */
int xs_handle(struct xs_store *s, uint16_t caller, const struct xsd_sockmsg *hdr,
              const void *payload, xs_output_fn out, void *ctx);

/*
 * The domain has died: its watches and transactions go, it is no longer
 * introduced, and @releaseDomain fires. Its nodes stay (the toolstack
 * removes them).
 */
void xs_domain_gone(struct xs_store *s, uint16_t domid, xs_output_fn out, void *ctx);

/*
 * Internal consistency (tree links, accounting against what the pool
 * holds): 0, or a small number naming the first check that failed.
 */
int xs_check(struct xs_store *s);

#endif
