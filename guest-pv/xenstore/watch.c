#include "watch.h"

#include "domain.h"
#include "lib.h"
#include "path.h"
#include "tree.h"

static const char *token_of(const struct xs_watch *w)
{
    return w->path + w->plen + 1;
}

int xs_watch_add(struct xs_store *s, uint16_t domid, bool enforce, const char *path, size_t plen,
                 bool relative, const char *token, size_t tlen)
{
    struct xs_watch **link = &s->watches;
    int err;

    for (; *link; link = &(*link)->next) {
        const struct xs_watch *w = *link;
        if (w->domid == domid && w->plen == plen && w->tlen == tlen &&
            memcmp(w->path, path, plen) == 0 && memcmp(token_of(w), token, tlen) == 0)
            return XS_EEXIST;
    }
    struct xs_domain *d = xs_dom_get(s, domid);
    if (!d)
        return XS_ENOMEM;
    if (enforce && d->watches >= s->quota.watches)
        return XS_E2BIG;
    struct xs_watch *w = xs_mem_alloc(s, domid, enforce, sizeof(*w) + plen + tlen + 2, &err);
    if (!w)
        return err;
    w->next = NULL;
    w->domid = domid;
    w->plen = (uint16_t)plen;
    w->tlen = (uint16_t)tlen;
    w->relative = relative;
    w->pending = 0;
    memcpy(w->path, path, plen);
    w->path[plen] = '\0';
    memcpy(w->path + plen + 1, token, tlen);
    w->path[plen + 1 + tlen] = '\0';
    *link = w;
    d->watches++;
    return 0;
}

static void unlink_free(struct xs_store *s, struct xs_watch **link)
{
    struct xs_watch *w = *link;
    struct xs_domain *d = xs_dom_find(s, w->domid);
    *link = w->next;
    if (d && d->watches)
        d->watches--;
    xs_mem_free(s, w);
}

int xs_watch_del(struct xs_store *s, uint16_t domid, const char *path, size_t plen,
                 const char *token, size_t tlen)
{
    for (struct xs_watch **link = &s->watches; *link; link = &(*link)->next) {
        const struct xs_watch *w = *link;
        if (w->domid == domid && w->plen == plen && w->tlen == tlen &&
            memcmp(w->path, path, plen) == 0 && memcmp(token_of(w), token, tlen) == 0) {
            unlink_free(s, link);
            return 0;
        }
    }
    return XS_ENOENT;
}

void xs_watch_del_domain(struct xs_store *s, uint16_t domid)
{
    struct xs_watch **link = &s->watches;
    while (*link) {
        if ((*link)->domid == domid)
            unlink_free(s, link);
        else
            link = &(*link)->next;
    }
}

void xs_watch_send(struct xs_store *s, const struct xs_watch *w, const char *epath, size_t elen)
{
    char home[32];
    size_t hlen = xs_home_path(w->domid, home);

    /* A relative watch hears relative paths: drop "/local/domain/<id>/". */
    if (w->relative && elen > hlen + 1 && memcmp(epath, home, hlen) == 0 && epath[hlen] == '/') {
        epath += hlen + 1;
        elen -= hlen + 1;
    }
    size_t len = elen + 1 + w->tlen + 1;
    if (len > XENSTORE_PAYLOAD_MAX)
        return;     /* cannot be framed: dropped (docs/xenstore.md) */
    char *buf = s->event;
    memcpy(buf, epath, elen);
    buf[elen] = '\0';
    memcpy(buf + elen + 1, token_of(w), w->tlen + 1);
    struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .req_id = 0, .tx_id = 0,
                               .len = (uint32_t)len };
    if (s->out)
        s->out(s->out_ctx, w->domid, &hdr, buf);
}

static bool may_read(struct xs_store *s, uint16_t domid, const struct xs_node *a,
                     const struct xs_node *b)
{
    if (xs_is_priv(domid))
        return true;
    if (a && (xs_access(s, domid, a->perm, a->nperm) & XS_PERM_READ))
        return true;
    return b && (xs_access(s, domid, b->perm, b->nperm) & XS_PERM_READ);
}

void xs_watch_mark(struct xs_store *s, const char *path, size_t len, const struct xs_node *before,
                   const struct xs_node *after, bool removal)
{
    bool special = path[0] == '@';

    for (struct xs_watch *w = s->watches; w; w = w->next) {
        if (special) {
            if (w->plen == len && memcmp(w->path, path, len) == 0 && may_read(s, w->domid, before, after))
                w->pending = WATCH_PENDING_PATH;
            continue;
        }
        if (w->path[0] == '@')
            continue;
        if (xs_path_is_below(path, len, w->path, w->plen)) {
            if (may_read(s, w->domid, before, after))
                w->pending = WATCH_PENDING_PATH;
        } else if (removal && xs_path_is_below(w->path, w->plen, path, len)) {
            /* Below the removed node: judge by the deepest node on its way. */
            size_t found;
            const struct xs_node *n = xs_tree_walk(s, w->path, w->plen, &found);
            if (found < len)
                n = before;
            if (may_read(s, w->domid, n, NULL))
                w->pending = WATCH_PENDING_SELF;
        }
    }
}

void xs_watch_flush(struct xs_store *s, const char *path, size_t len)
{
    for (struct xs_watch *w = s->watches; w; w = w->next) {
        if (w->pending == WATCH_PENDING_PATH)
            xs_watch_send(s, w, path, len);
        else if (w->pending == WATCH_PENDING_SELF)
            xs_watch_send(s, w, w->path, w->plen);
        w->pending = 0;
    }
}

void xs_watch_fire(struct xs_store *s, const char *path, size_t len, const struct xs_node *before,
                   const struct xs_node *after)
{
    xs_watch_mark(s, path, len, before, after, false);
    xs_watch_flush(s, path, len);
}
