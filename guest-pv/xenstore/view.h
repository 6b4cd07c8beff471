/*
 * What a request sees and changes: the main tree, or a transaction's view
 * of it (tx != NULL). Changes to the main tree fire watches as they happen;
 * a transaction's fire when it commits. Permission checks are the caller's
 * (ops.c); these only keep quotas and stay all-or-nothing.
 */
#ifndef XS_VIEW_H
#define XS_VIEW_H

#include "store.h"
#include "tx.h"

int xs_view_lookup(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                   struct xs_lookup *out);
void xs_view_children(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                      xs_child_fn fn, void *ctx);
/* Write (or, with mkdir, make if missing) path, creating missing parents. */
int xs_view_write(struct xs_store *s, struct xs_tx *tx, uint16_t caller, bool enforce,
                  const char *path, size_t len, const void *value, size_t vlen, bool mkdir);
/* Remove path (which must not be "/") and all below it; absent is fine. */
int xs_view_rm(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len);
int xs_view_set_perms(struct xs_store *s, struct xs_tx *tx, bool enforce, const char *path,
                      size_t len, const struct xs_perm *perm, size_t nperm);

#endif
