/*
 * Transactions. A transaction keeps, sorted by path, one record per path it
 * has touched: what the main tree held there when it first looked (to find
 * conflicts at commit), and the node as the transaction has it, if it
 * changed it. A record may also hide the main tree's subtree at its path
 * (the transaction removed or created the node there). Everything a commit
 * needs is allocated before it: a commit only relinks and frees, so it
 * cannot fail half way.
 */
#ifndef XS_TX_H
#define XS_TX_H

#include "store.h"

#define TXR_SEEN        0x01    /* base_gen / TXR_BASE_EXISTS are what main had */
#define TXR_BASE_EXISTS 0x02
#define TXR_SET         0x04    /* node is the transaction's version */
#define TXR_HIDE        0x08    /* main's node here and below is not in the view */

/* A path as some view has it: the node (NULL if absent), and the deepest
 * existing node on the way (the node itself if it exists). */
struct xs_lookup {
    const struct xs_node *node;
    const struct xs_node *anc;
    size_t anc_len;
};

typedef bool (*xs_child_fn)(void *ctx, const char *name, size_t len);

struct xs_tx *xs_tx_find(struct xs_store *s, uint16_t domid, uint32_t id);
/* 0 with *id, ENOSPC (quota) or ENOMEM. */
int xs_tx_start(struct xs_store *s, uint16_t domid, bool enforce, uint32_t *id);
/* Abort: drops the transaction and all it holds. */
void xs_tx_free(struct xs_store *s, struct xs_tx *tx);
void xs_tx_del_domain(struct xs_store *s, uint16_t domid);
/* Commit: 0, EAGAIN (a conflict) or ENOSPC (quota). The transaction is gone after. */
int xs_tx_commit(struct xs_store *s, struct xs_tx *tx, bool enforce);

/* The view inside tx (these record what they look at: ENOSPC, ENOMEM). */
int xs_tx_lookup(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                 struct xs_lookup *out);
/* Children names of path, which exists in the view; stops when fn returns false. */
void xs_tx_children(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                    xs_child_fn fn, void *ctx);
int xs_tx_write(struct xs_store *s, struct xs_tx *tx, uint16_t caller, bool enforce,
                const char *path, size_t len, const void *value, size_t vlen, bool mkdir);
int xs_tx_rm(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len);
int xs_tx_set_perms(struct xs_store *s, struct xs_tx *tx, bool enforce, const char *path,
                    size_t len, const struct xs_perm *perm, size_t nperm);

#endif
