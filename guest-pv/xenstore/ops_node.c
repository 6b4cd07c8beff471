/* READ, WRITE, MKDIR, RM, DIRECTORY(_PART), GET_PERMS, SET_PERMS. */
#include "domain.h"
#include "lib.h"
#include "ops.h"
#include "path.h"
#include "perms.h"
#include "tree.h"
#include "view.h"

/* The canonical form of a path argument, in s->path. */
static int canon(struct xs_req *r, const char *arg, size_t alen, bool special_ok, size_t *len)
{
    bool relative, special;
    return xs_path_canon(r->caller, arg, alen, special_ok, r->s->path, len, &relative, &special);
}

static bool can(struct xs_req *r, const struct xs_node *n, unsigned need)
{
    return (xs_access(r->s, r->caller, n->perm, n->nperm) & need) == need;
}

/*
 * The node at path with `need` access. A missing node is ENOENT only to
 * those who may read the nearest node above it: to others it is EACCES,
 * so that what they cannot read does not show through.
 */
static int get_node(struct xs_req *r, size_t len, unsigned need, struct xs_lookup *l)
{
    int err = xs_view_lookup(r->s, r->tx, r->s->path, len, l);
    if (err)
        return err;
    if (!l->node)
        return can(r, l->anc, XS_PERM_READ) ? XS_ENOENT : XS_EACCES;
    return can(r, l->node, need) ? 0 : XS_EACCES;
}

/* A special node (@introduceDomain...) with `need` access. */
static int get_special(struct xs_req *r, size_t len, unsigned need, struct xs_node **n)
{
    *n = xs_special_find(r->s, r->s->path, len);
    if (!*n)
        return XS_ENOENT;
    return can(r, *n, need) ? 0 : XS_EACCES;
}

int xs_op_read(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n, len;
    struct xs_lookup l;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = canon(r, v[0], vl[0], false, &len);
    if (!err)
        err = get_node(r, len, XS_PERM_READ, &l);
    if (err)
        return err;
    xs_reply(r, l.node->value, l.node->vlen);
    return 0;
}

/* Writing needs write access to the node, or to the nearest one above it. */
static int check_write(struct xs_req *r, size_t len)
{
    struct xs_lookup l;
    int err = xs_view_lookup(r->s, r->tx, r->s->path, len, &l);
    if (err)
        return err;
    return can(r, l.node ? l.node : l.anc, XS_PERM_WRITE) ? 0 : XS_EACCES;
}

int xs_op_write(struct xs_req *r)
{
    /* "<path>\0<value>": the value is raw bytes, NULs and all, to the end. */
    const char *p = r->payload;
    size_t plen = 0, len;

    while (plen < r->len && p[plen])
        plen++;
    if (plen == r->len)
        return XS_EINVAL;
    size_t vlen = r->len - plen - 1;
    if (!r->priv && vlen > r->s->quota.node_size)
        return XS_ENOSPC;
    int err = canon(r, p, plen, false, &len);
    if (!err)
        err = check_write(r, len);
    if (!err)
        err = xs_view_write(r->s, r->tx, r->caller, !r->priv, r->s->path, len, p + plen + 1,
                            vlen, false);
    return err ? err : xs_reply_ok(r);
}

int xs_op_mkdir(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n, len;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = canon(r, v[0], vl[0], false, &len);
    if (!err)
        err = check_write(r, len);
    if (!err)
        err = xs_view_write(r->s, r->tx, r->caller, !r->priv, r->s->path, len, NULL, 0, true);
    return err ? err : xs_reply_ok(r);
}

int xs_op_rm(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n, len;
    struct xs_lookup l;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = canon(r, v[0], vl[0], false, &len);
    if (err)
        return err;
    if (len == 1)
        return XS_EINVAL;   /* the root stays */
    err = get_node(r, len, XS_PERM_WRITE, &l);
    /* Already gone is fine, if its parent is there (and readable). */
    if (err == XS_ENOENT && l.anc_len == xs_path_parent_len(r->s->path, len))
        return xs_reply_ok(r);
    if (!err)
        err = xs_view_rm(r->s, r->tx, r->s->path, len);
    return err ? err : xs_reply_ok(r);
}

/* Children names into the reply buffer, NUL after each. */
struct listing {
    char *buf;
    size_t used, cap;
    bool overflow;
};

static bool list_child(void *ctx, const char *name, size_t len)
{
    struct listing *ls = ctx;
    if (ls->used + len + 1 > ls->cap) {
        ls->overflow = true;
        return false;
    }
    memcpy(ls->buf + ls->used, name, len);
    ls->used += len;
    ls->buf[ls->used++] = '\0';
    return true;
}

int xs_op_directory(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n, len;
    struct xs_lookup l;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = canon(r, v[0], vl[0], false, &len);
    if (!err)
        err = get_node(r, len, XS_PERM_READ, &l);
    if (err)
        return err;
    struct listing ls = { .buf = r->s->reply, .cap = XENSTORE_PAYLOAD_MAX };
    xs_view_children(r->s, r->tx, r->s->path, len, list_child, &ls);
    if (ls.overflow)
        return XS_E2BIG;    /* the client asks again with DIRECTORY_PART */
    xs_reply(r, ls.buf, ls.used);
    return 0;
}

/*
 * A window of the NUL-separated children list from byte `skip`: whole
 * strings while they fit, then one more NUL if the list ended.
 */
struct part {
    char *buf;
    size_t used, cap;
    uint64_t skip;          /* list bytes still to pass over */
    bool full;
};

static bool part_child(void *ctx, const char *name, size_t len)
{
    struct part *pt = ctx;
    size_t whole = len + 1;
    if (pt->skip >= whole) {
        pt->skip -= whole;
        return true;
    }
    size_t from = (size_t)pt->skip, take = whole - from;
    pt->skip = 0;
    if (pt->used + take + 1 > pt->cap) {     /* + 1: room for the end mark */
        pt->full = true;
        return false;
    }
    memcpy(pt->buf + pt->used, name + from, take - 1);
    pt->used += take - 1;
    pt->buf[pt->used++] = '\0';
    return true;
}

int xs_op_directory_part(struct xs_req *r)
{
    const char *v[2];
    size_t vl[2], n, len;
    uint64_t offset;
    struct xs_lookup l;
    int err = xs_args(r, 2, 2, v, vl, &n);

    if (!err && !xs_parse_u64(v[1], vl[1], &offset))
        err = XS_EINVAL;
    if (!err)
        err = canon(r, v[0], vl[0], false, &len);
    if (!err)
        err = get_node(r, len, XS_PERM_READ, &l);
    if (err)
        return err;
    char *buf = r->s->reply;
    size_t glen = fmt_u64(buf, l.node->gen);
    buf[glen++] = '\0';
    struct part pt = { .buf = buf, .used = glen, .cap = XENSTORE_PAYLOAD_MAX, .skip = offset };
    xs_view_children(r->s, r->tx, r->s->path, len, part_child, &pt);
    if (!pt.full)
        buf[pt.used++] = '\0';
    xs_reply(r, buf, pt.used);
    return 0;
}

int xs_op_get_perms(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n, len;
    const struct xs_node *node;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = canon(r, v[0], vl[0], true, &len);
    if (err)
        return err;
    if (r->s->path[0] == '@') {
        struct xs_node *sp;
        err = get_special(r, len, XS_PERM_READ, &sp);
        node = sp;
    } else {
        struct xs_lookup l;
        err = get_node(r, len, XS_PERM_READ, &l);
        node = l.node;
    }
    if (err)
        return err;
    size_t out = xs_perms_format(node->perm, node->nperm, r->s->reply, XENSTORE_PAYLOAD_MAX);
    if (!out)
        return XS_E2BIG;
    xs_reply(r, r->s->reply, out);
    return 0;
}

int xs_op_set_perms(struct xs_req *r)
{
    struct xs_store *s = r->s;
    const char *p = r->payload;
    size_t plen = 0, len, nperm;
    const struct xs_node *node;

    /* "<path>\0" then one or more permission strings. */
    while (plen < r->len && p[plen])
        plen++;
    if (plen == r->len)
        return XS_EINVAL;
    size_t max = r->priv ? sizeof(s->perm_buf) / sizeof(s->perm_buf[0]) : s->quota.perms;
    int err = xs_perms_parse(p + plen + 1, r->len - plen - 1, s->perm_buf, max, &nperm);
    if (!err)
        err = canon(r, p, plen, true, &len);
    if (err)
        return err;
    if (s->path[0] == '@') {
        struct xs_node *sp;
        err = get_special(r, len, XS_PERM_WRITE, &sp);
        node = sp;
    } else {
        struct xs_lookup l;
        err = get_node(r, len, XS_PERM_WRITE, &l);
        node = l.node;
    }
    if (err)
        return err;
    if (!r->priv) {
        /* Only the owner (or who acts for it) sets permissions, and keeps ownership. */
        uint16_t owner = xs_node_owner(node);
        const struct xs_domain *d = xs_dom_find(s, r->caller);
        bool acts_for = d && d->has_target && d->target == owner;
        if (owner != r->caller && !acts_for)
            return XS_EACCES;
        if (s->perm_buf[0].domid != owner)
            return XS_EPERM;
    }
    err = xs_view_set_perms(s, r->tx, !r->priv, s->path, len, s->perm_buf, nperm);
    return err ? err : xs_reply_ok(r);
}
