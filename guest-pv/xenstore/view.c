#include "view.h"

#include "domain.h"
#include "lib.h"
#include "path.h"
#include "tree.h"
#include "watch.h"

int xs_view_lookup(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                   struct xs_lookup *out)
{
    if (tx)
        return xs_tx_lookup(s, tx, path, len, out);
    size_t found;
    struct xs_node *n = xs_tree_walk(s, path, len, &found);
    out->node = found == len ? n : NULL;
    out->anc = n;
    out->anc_len = found;
    return 0;
}

void xs_view_children(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                      xs_child_fn fn, void *ctx)
{
    if (tx) {
        xs_tx_children(s, tx, path, len, fn, ctx);
        return;
    }
    const struct xs_node *n = xs_tree_find(s, path, len);
    for (const struct xs_node *c = n ? n->child : NULL; c; c = c->next) {
        if (!fn(ctx, c->name, c->namelen))
            return;
    }
}

/* Missing nodes from the deepest existing one down to path, all or none. */
static int create(struct xs_store *s, uint16_t caller, bool enforce, const char *path, size_t len,
                  struct xs_node *anc, size_t anc_len, const void *value, size_t vlen)
{
    uint16_t owner = xs_is_priv(caller) ? xs_node_owner(anc) : caller;
    struct xs_node *chain = NULL, **tail = &chain;
    size_t pos = anc_len == 1 ? 0 : anc_len;
    const char *comp;
    size_t clen;
    uint32_t k = 0;
    int err = 0;

    while (xs_path_next(path, len, &pos, &comp, &clen)) {
        bool last = pos == len;
        /* New nodes inherit the parent's permissions; a domU owns what it makes. */
        struct xs_node *n = xs_node_new(s, owner, enforce, comp, clen, anc->perm, anc->nperm,
                                        last ? value : NULL, last ? vlen : 0, &err);
        if (!n)
            goto fail;
        n->perm[0].domid = owner;
        *tail = n;
        tail = &n->next;
        k++;
    }
    if (enforce) {
        const struct xs_domain *d = xs_dom_find(s, owner);
        if ((d ? d->nodes : 0) + k > s->quota.nodes) {
            err = XS_ENOSPC;
            goto fail;
        }
    }
    struct xs_node *parent = anc, *last = NULL;
    while (chain) {
        struct xs_node *n = chain;
        chain = n->next;
        xs_tree_link(s, parent, n);
        parent = last = n;
    }
    xs_watch_fire(s, path, len, NULL, last);
    return 0;
fail:
    while (chain) {
        struct xs_node *n = chain;
        chain = n->next;
        xs_node_free(s, n);
    }
    return err;
}

int xs_view_write(struct xs_store *s, struct xs_tx *tx, uint16_t caller, bool enforce,
                  const char *path, size_t len, const void *value, size_t vlen, bool mkdir)
{
    if (tx)
        return xs_tx_write(s, tx, caller, enforce, path, len, value, vlen, mkdir);
    size_t found;
    struct xs_node *n = xs_tree_walk(s, path, len, &found);
    if (found != len)
        return create(s, caller, enforce, path, len, n, found, value, vlen);
    if (mkdir)
        return 0;
    int err = xs_node_set_value(s, n, enforce, value, vlen);
    if (!err)
        xs_watch_fire(s, path, len, n, n);
    return err;
}

int xs_view_rm(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len)
{
    if (tx)
        return xs_tx_rm(s, tx, path, len);
    struct xs_node *n = xs_tree_find(s, path, len);
    if (!n || n == s->root)
        return 0;
    xs_watch_mark(s, path, len, n, NULL, true);
    xs_tree_remove(s, n);
    xs_watch_flush(s, path, len);
    return 0;
}

int xs_view_set_perms(struct xs_store *s, struct xs_tx *tx, bool enforce, const char *path,
                      size_t len, const struct xs_perm *perm, size_t nperm)
{
    if (tx && path[0] != '@')
        return xs_tx_set_perms(s, tx, enforce, path, len, perm, nperm);
    if (path[0] == '@') {
        struct xs_node *sp = xs_special_find(s, path, len);
        return sp ? xs_node_set_perms(s, sp, enforce, perm, nperm) : XS_ENOENT;
    }
    struct xs_node *n = xs_tree_find(s, path, len);
    if (!n)
        return XS_ENOENT;
    /* Readers under the old permissions hear of the change as well as the new. */
    xs_watch_mark(s, path, len, n, NULL, false);
    int err = xs_node_set_perms(s, n, enforce, perm, nperm);
    if (err) {
        for (struct xs_watch *w = s->watches; w; w = w->next)
            w->pending = 0;
        return err;
    }
    xs_watch_mark(s, path, len, n, NULL, false);
    xs_watch_flush(s, path, len);
    return 0;
}
