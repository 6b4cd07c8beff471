#include "tx.h"

#include "domain.h"
#include "lib.h"
#include "path.h"
#include "tree.h"
#include "watch.h"

/* A parent sorts before its children: a proper prefix comes first. */
static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static bool limited(const struct xs_tx *tx)
{
    return !xs_is_priv(tx->domid);
}

static struct xs_txrec **rec_link(struct xs_tx *tx, const char *path, size_t len)
{
    struct xs_txrec **link = &tx->recs;
    while (*link && path_cmp((*link)->path, (*link)->plen, path, len) < 0)
        link = &(*link)->next;
    return link;
}

static struct xs_txrec *rec_find(struct xs_tx *tx, const char *path, size_t len)
{
    struct xs_txrec *r = *rec_link(tx, path, len);
    return r && r->plen == len && memcmp(r->path, path, len) == 0 ? r : NULL;
}

/* A record not yet in the list (counted against the transaction's quota). */
static struct xs_txrec *rec_alloc(struct xs_store *s, struct xs_tx *tx, const char *path,
                                  size_t len, int *err)
{
    if (limited(tx) && tx->nrecs >= s->quota.tx_nodes) {
        *err = XS_ENOSPC;
        return NULL;
    }
    struct xs_txrec *r = xs_mem_alloc(s, tx->domid, limited(tx), sizeof(*r) + len + 1, err);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    memcpy(r->path, path, len);
    r->path[len] = '\0';
    r->plen = (uint16_t)len;
    tx->nrecs++;
    return r;
}

static void rec_insert(struct xs_tx *tx, struct xs_txrec *r)
{
    struct xs_txrec **link = rec_link(tx, r->path, r->plen);
    r->next = *link;
    *link = r;
}

static void rec_free(struct xs_store *s, struct xs_tx *tx, struct xs_txrec *r)
{
    if (r->node)
        xs_node_free(s, r->node);
    xs_mem_free(s, r);
    tx->nrecs--;
}

/* The last component of a canonical path ("" for "/"). */
static const char *last_comp(const char *path, size_t len, size_t *clen)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/')
        i--;
    *clen = len - i;
    return path + i;
}

/* ---- the view ---- */

struct view {
    const struct xs_node *node;     /* at the path, in the view; NULL: absent */
    const struct xs_node *main;     /* main's node at the path, if visible */
    bool main_visible;              /* main's state at the path counts */
    const struct xs_node *anc;      /* deepest existing node on the way */
    size_t anc_len;
};

static void view_walk(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                      struct view *v)
{
    struct xs_txrec *r = tx->recs;
    const struct xs_node *m = s->root;
    bool mvis = true;
    size_t qlen = 1, pos = 0;

    for (;;) {
        /* Prefixes grow, so the sorted records are met in order. */
        while (r && path_cmp(r->path, r->plen, path, qlen) < 0)
            r = r->next;
        struct xs_txrec *rec = r && r->plen == qlen && memcmp(r->path, path, qlen) == 0 ? r : NULL;
        if (rec && (rec->flags & TXR_HIDE))
            mvis = false;
        const struct xs_node *mn = mvis ? m : NULL;
        const struct xs_node *node = rec && (rec->flags & TXR_SET) ? rec->node : mn;
        v->main_visible = mvis;
        if (!node) {
            v->node = NULL;
            v->main = NULL;
            return;
        }
        v->anc = node;
        v->anc_len = qlen;
        const char *comp;
        size_t clen;
        if (qlen == len || !xs_path_next(path, len, &pos, &comp, &clen)) {
            v->node = node;
            v->main = mn;
            return;
        }
        m = mn ? xs_node_child(mn, comp, clen) : NULL;
        qlen = pos;
    }
}

/* First access to a path whose main state counts: remember that state. */
static int note(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                const struct view *v)
{
    int err;

    if (!v->main_visible)
        return 0;
    struct xs_txrec *r = rec_find(tx, path, len);
    if (r && (r->flags & (TXR_SEEN | TXR_SET)))
        return 0;
    if (!r) {
        r = rec_alloc(s, tx, path, len, &err);
        if (!r)
            return err;
        rec_insert(tx, r);
    }
    r->flags |= TXR_SEEN;
    if (v->main) {
        r->flags |= TXR_BASE_EXISTS;
        r->base_gen = v->main->gen;
    }
    return 0;
}

int xs_tx_lookup(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                 struct xs_lookup *out)
{
    struct view v;
    view_walk(s, tx, path, len, &v);
    int err = note(s, tx, path, len, &v);
    if (err)
        return err;
    out->node = v.node;
    out->anc = v.anc;
    out->anc_len = v.anc_len;
    return 0;
}

/* Is r a child of path[0..len)? Its name then. */
static bool rec_is_child(const struct xs_txrec *r, const char *path, size_t len,
                         const char **name, size_t *nlen)
{
    size_t start = len == 1 ? 1 : len + 1;
    if (r->plen <= start || !xs_path_is_below(r->path, r->plen, path, len))
        return false;
    for (size_t i = start; i < r->plen; i++) {
        if (r->path[i] == '/')
            return false;
    }
    *name = r->path + start;
    *nlen = r->plen - start;
    return true;
}

static struct xs_txrec *child_rec(struct xs_tx *tx, const char *path, size_t len, const char *name,
                                  size_t nlen)
{
    const char *n;
    size_t l;
    for (struct xs_txrec *r = tx->recs; r; r = r->next) {
        if (rec_is_child(r, path, len, &n, &l) && l == nlen && memcmp(n, name, l) == 0)
            return r;
    }
    return NULL;
}

void xs_tx_children(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len,
                    xs_child_fn fn, void *ctx)
{
    struct view v;
    view_walk(s, tx, path, len, &v);
    if (!v.node)
        return;
    /* main's children, less those the transaction removed... */
    if (v.main) {
        for (const struct xs_node *c = v.main->child; c; c = c->next) {
            const struct xs_txrec *r = child_rec(tx, path, len, c->name, c->namelen);
            if (r && (r->flags & TXR_HIDE) && !(r->flags & TXR_SET))
                continue;
            if (!fn(ctx, c->name, c->namelen))
                return;
        }
    }
    /* ...and those it created. */
    for (const struct xs_txrec *r = tx->recs; r; r = r->next) {
        const char *name;
        size_t nlen;
        if (!(r->flags & TXR_SET) || !rec_is_child(r, path, len, &name, &nlen))
            continue;
        if (v.main && xs_node_child(v.main, name, nlen))
            continue;
        if (!fn(ctx, name, nlen))
            return;
    }
}

/* ---- changes ---- */

/* The transaction's own copy of the node at path, made if need be. */
static int own_copy(struct xs_store *s, struct xs_tx *tx, bool enforce, const char *path,
                    size_t len, const struct view *v, const struct xs_perm *perm, size_t nperm,
                    const void *value, size_t vlen)
{
    int err = note(s, tx, path, len, v);
    if (err)
        return err;
    struct xs_txrec *r = rec_find(tx, path, len);
    bool fresh = !r;
    if (fresh) {
        r = rec_alloc(s, tx, path, len, &err);
        if (!r)
            return err;
    }
    size_t clen;
    const char *comp = last_comp(path, len, &clen);
    struct xs_node *n = xs_node_new(s, perm[0].domid, enforce, comp, clen, perm, nperm, value,
                                    vlen, &err);
    if (!n) {
        if (fresh)
            rec_free(s, tx, r);
        return err;
    }
    if (fresh)
        rec_insert(tx, r);
    r->node = n;
    r->flags |= TXR_SET;
    return 0;
}

static int create_chain(struct xs_store *s, struct xs_tx *tx, uint16_t caller, bool enforce,
                        const char *path, size_t len, const struct view *v, const void *value,
                        size_t vlen)
{
    const struct xs_node *anc = v->anc;
    uint16_t owner = xs_is_priv(caller) ? xs_node_owner(anc) : caller;
    struct xs_node *nodes = NULL, **ntail = &nodes;
    struct xs_txrec *recs = NULL, **rtail = &recs;
    uint32_t k = 0;
    size_t pos = v->anc_len == 1 ? 0 : v->anc_len;
    const char *comp;
    size_t clen;
    int err = 0;

    /* The nearest existing ancestor gains a child: a conflict if it changes. */
    struct view va;
    view_walk(s, tx, path, v->anc_len, &va);
    err = note(s, tx, path, v->anc_len, &va);
    if (err)
        return err;

    /* Allocate everything first... */
    while (xs_path_next(path, len, &pos, &comp, &clen)) {
        bool last = pos == len;
        struct xs_node *n = xs_node_new(s, owner, enforce, comp, clen, anc->perm, anc->nperm,
                                        last ? value : NULL, last ? vlen : 0, &err);
        if (!n)
            goto fail;
        n->perm[0].domid = owner;
        *ntail = n;
        ntail = &n->next;
        k++;
        if (!rec_find(tx, path, pos)) {
            struct xs_txrec *r = rec_alloc(s, tx, path, pos, &err);
            if (!r)
                goto fail;
            *rtail = r;
            rtail = &r->next;
        }
    }
    if (enforce) {
        const struct xs_domain *d = xs_dom_find(s, caller);
        if ((d ? d->nodes : 0) + tx->new_nodes + k > s->quota.nodes) {
            err = XS_ENOSPC;
            goto fail;
        }
    }
    /* ...then put it in place, parents first. */
    pos = v->anc_len == 1 ? 0 : v->anc_len;
    while (xs_path_next(path, len, &pos, &comp, &clen)) {
        struct xs_txrec *r = rec_find(tx, path, pos);
        if (!r) {
            /* The missing prefixes are the same ones, in the same order. */
            r = recs;
            recs = r->next;
            rec_insert(tx, r);
        }
        struct xs_node *n = nodes;
        nodes = n->next;
        n->next = NULL;
        r->node = n;
        r->flags |= TXR_SET | TXR_HIDE;
        tx->new_nodes++;
    }
    return 0;
fail:
    while (nodes) {
        struct xs_node *n = nodes;
        nodes = n->next;
        xs_node_free(s, n);
    }
    while (recs) {
        struct xs_txrec *r = recs;
        recs = r->next;
        rec_free(s, tx, r);
    }
    return err;
}

int xs_tx_write(struct xs_store *s, struct xs_tx *tx, uint16_t caller, bool enforce,
                const char *path, size_t len, const void *value, size_t vlen, bool mkdir)
{
    struct view v;
    view_walk(s, tx, path, len, &v);
    if (!v.node)
        return create_chain(s, tx, caller, enforce, path, len, &v, value, vlen);
    if (mkdir)
        return 0;
    struct xs_txrec *r = rec_find(tx, path, len);
    if (r && (r->flags & TXR_SET))
        return xs_node_set_value(s, r->node, enforce, value, vlen);
    return own_copy(s, tx, enforce, path, len, &v, v.node->perm, v.node->nperm, value, vlen);
}

int xs_tx_set_perms(struct xs_store *s, struct xs_tx *tx, bool enforce, const char *path,
                    size_t len, const struct xs_perm *perm, size_t nperm)
{
    struct view v;
    view_walk(s, tx, path, len, &v);
    if (!v.node)
        return XS_ENOENT;
    struct xs_txrec *r = rec_find(tx, path, len);
    if (r && (r->flags & TXR_SET))
        return xs_node_set_perms(s, r->node, enforce, perm, nperm);
    return own_copy(s, tx, enforce, path, len, &v, perm, nperm, v.node->value, v.node->vlen);
}

/* Drops what the transaction made at r, keeping what it saw. */
static void unset(struct xs_tx *tx, struct xs_store *s, struct xs_txrec *r)
{
    if (r->flags & TXR_SET) {
        if (r->flags & TXR_HIDE)
            tx->new_nodes--;
        xs_node_free(s, r->node);
        r->node = NULL;
    }
    r->flags &= (uint8_t)~(TXR_SET | TXR_HIDE);
}

int xs_tx_rm(struct xs_store *s, struct xs_tx *tx, const char *path, size_t len)
{
    struct view v, vp;
    int err;

    view_walk(s, tx, path, len, &v);
    if (!v.node)
        return 0;
    size_t plen = xs_path_parent_len(path, len);
    view_walk(s, tx, path, plen, &vp);
    err = note(s, tx, path, plen, &vp);
    if (!err)
        err = note(s, tx, path, len, &v);
    if (err)
        return err;
    struct xs_txrec *r = rec_find(tx, path, len);
    if (!r) {
        r = rec_alloc(s, tx, path, len, &err);
        if (!r)
            return err;
        rec_insert(tx, r);
    }
    unset(tx, s, r);
    r->flags |= TXR_HIDE;
    /* Below it nothing the transaction made survives; what it saw still counts. */
    struct xs_txrec **link = &tx->recs;
    while (*link) {
        struct xs_txrec *c = *link;
        if (c != r && xs_path_is_below(c->path, c->plen, path, len)) {
            unset(tx, s, c);
            if (!(c->flags & TXR_SEEN)) {
                *link = c->next;
                rec_free(s, tx, c);
                continue;
            }
        }
        link = &c->next;
    }
    return 0;
}

/* ---- life cycle ---- */

struct xs_tx *xs_tx_find(struct xs_store *s, uint16_t domid, uint32_t id)
{
    for (struct xs_tx *tx = s->txs; tx; tx = tx->next) {
        if (tx->id == id && tx->domid == domid)
            return tx;
    }
    return NULL;
}

static bool id_in_use(const struct xs_store *s, uint32_t id)
{
    for (const struct xs_tx *tx = s->txs; tx; tx = tx->next) {
        if (tx->id == id)
            return true;
    }
    return false;
}

int xs_tx_start(struct xs_store *s, uint16_t domid, bool enforce, uint32_t *id)
{
    struct xs_domain *d = xs_dom_get(s, domid);
    int err;

    if (!d)
        return XS_ENOMEM;
    if (enforce && d->txs >= s->quota.transactions)
        return XS_ENOSPC;
    struct xs_tx *tx = xs_mem_alloc(s, domid, enforce, sizeof(*tx), &err);
    if (!tx)
        return err;
    memset(tx, 0, sizeof(*tx));
    do {
        tx->id = s->next_txid++;
    } while (tx->id == 0 || id_in_use(s, tx->id));
    tx->domid = domid;
    tx->start_gen = s->gen;
    tx->next = s->txs;
    s->txs = tx;
    d->txs++;
    *id = tx->id;
    return 0;
}

void xs_tx_free(struct xs_store *s, struct xs_tx *tx)
{
    while (tx->recs) {
        struct xs_txrec *r = tx->recs;
        tx->recs = r->next;
        rec_free(s, tx, r);
    }
    struct xs_tx **link = &s->txs;
    while (*link && *link != tx)
        link = &(*link)->next;
    if (*link)
        *link = tx->next;
    struct xs_domain *d = xs_dom_find(s, tx->domid);
    if (d && d->txs)
        d->txs--;
    xs_mem_free(s, tx);
}

void xs_tx_del_domain(struct xs_store *s, uint16_t domid)
{
    struct xs_tx *tx = s->txs;
    while (tx) {
        struct xs_tx *next = tx->next;
        if (tx->domid == domid)
            xs_tx_free(s, tx);
        tx = next;
    }
}

/* ---- commit ---- */

static bool conflicts(struct xs_store *s, struct xs_tx *tx)
{
    for (const struct xs_txrec *r = tx->recs; r; r = r->next) {
        if (!(r->flags & TXR_SEEN))
            continue;
        const struct xs_node *m = xs_tree_find(s, r->path, r->plen);
        if (!m != !(r->flags & TXR_BASE_EXISTS))
            return true;
        if (m && (m->gen != r->base_gen || r->base_gen > tx->start_gen))
            return true;
    }
    return false;
}

static bool hidden_above(const struct xs_tx *tx, const struct xs_txrec *r)
{
    for (const struct xs_txrec *a = tx->recs; a; a = a->next) {
        if (a != r && (a->flags & TXR_HIDE) && a->plen < r->plen &&
            xs_path_is_below(r->path, r->plen, a->path, a->plen))
            return true;
    }
    return false;
}

static uint32_t count_owned(const struct xs_node *top, uint16_t domid)
{
    const struct xs_node *cur = top;
    uint32_t n = 0;

    for (;;) {
        n += xs_node_owner(cur) == domid;
        if (cur->child) {
            cur = cur->child;
            continue;
        }
        while (cur != top && !cur->next)
            cur = cur->parent;
        if (cur == top)
            return n;
        cur = cur->next;
    }
}

/* Would the caller own more nodes than it may once this commits? */
static bool over_quota(struct xs_store *s, struct xs_tx *tx)
{
    const struct xs_domain *d = xs_dom_find(s, tx->domid);
    int64_t nodes = (int64_t)(d ? d->nodes : 0) + tx->new_nodes;

    for (const struct xs_txrec *r = tx->recs; r; r = r->next) {
        if (!(r->flags & TXR_HIDE) || hidden_above(tx, r))
            continue;
        const struct xs_node *m = xs_tree_find(s, r->path, r->plen);
        if (m && m != s->root)
            nodes -= count_owned(m, tx->domid);
    }
    return nodes > (int64_t)s->quota.nodes;
}

static void apply(struct xs_store *s, struct xs_txrec *r)
{
    struct xs_node *m = xs_tree_find(s, r->path, r->plen);

    if ((r->flags & TXR_HIDE) && m && m != s->root) {
        xs_watch_mark(s, r->path, r->plen, m, NULL, true);
        xs_tree_remove(s, m);
        xs_watch_flush(s, r->path, r->plen);
        m = NULL;
    }
    if (!(r->flags & TXR_SET))
        return;
    if (m) {
        xs_node_swap_contents(s, m, r->node);
        xs_watch_fire(s, r->path, r->plen, r->node, m);
        return;
    }
    struct xs_node *parent = xs_tree_find(s, r->path, xs_path_parent_len(r->path, r->plen));
    if (!parent)
        return;     /* cannot happen after validation; the record frees the node */
    xs_tree_link(s, parent, r->node);
    m = r->node;
    r->node = NULL;
    xs_watch_fire(s, r->path, r->plen, NULL, m);
}

int xs_tx_commit(struct xs_store *s, struct xs_tx *tx, bool enforce)
{
    int err = 0;

    if (conflicts(s, tx))
        err = XS_EAGAIN;
    else if (enforce && over_quota(s, tx))
        err = XS_ENOSPC;
    if (!err) {
        for (struct xs_txrec *r = tx->recs; r; r = r->next)
            apply(s, r);
    }
    xs_tx_free(s, tx);
    return err;
}
