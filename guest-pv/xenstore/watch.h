/*
 * Watches: a domain asks for an event whenever a path, or anything below it,
 * changes. An event is marked on every watch it concerns (the watcher must
 * be able to read the node, before or after the change) and then flushed;
 * a removal marks before the nodes go, since their permissions go with them.
 */
#ifndef XS_WATCH_H
#define XS_WATCH_H

#include "store.h"

#define WATCH_PENDING_PATH 1    /* event names the changed path */
#define WATCH_PENDING_SELF 2    /* event names the watch's own path (an ancestor went) */

/* 0, EEXIST (same path and token), E2BIG (quota), ENOMEM. */
int xs_watch_add(struct xs_store *s, uint16_t domid, bool enforce, const char *path, size_t plen,
                 bool relative, const char *token, size_t tlen);
/* 0 or ENOENT. */
int xs_watch_del(struct xs_store *s, uint16_t domid, const char *path, size_t plen,
                 const char *token, size_t tlen);
void xs_watch_del_domain(struct xs_store *s, uint16_t domid);

/* Sends w one event naming epath (canonical; made relative if w was). */
void xs_watch_send(struct xs_store *s, const struct xs_watch *w, const char *epath, size_t elen);

/*
 * Marks the watches a change at path concerns: before/after are the node as
 * it was and is (either may be NULL). removal: the subtree at path is going,
 * so watches below it fire too, naming themselves.
 */
void xs_watch_mark(struct xs_store *s, const char *path, size_t len, const struct xs_node *before,
                   const struct xs_node *after, bool removal);
/* Sends every marked event for a change at path, then clears the marks. */
void xs_watch_flush(struct xs_store *s, const char *path, size_t len);

/* Mark and flush: a change at path that removes nothing. */
void xs_watch_fire(struct xs_store *s, const char *path, size_t len, const struct xs_node *before,
                   const struct xs_node *after);

#endif
