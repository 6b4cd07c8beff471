/* INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED, GET_DOMAIN_PATH, RESUME, SET_TARGET, CONTROL. */
#include "domain.h"
#include "lib.h"
#include "ops.h"
#include "path.h"
#include "tx.h"
#include "watch.h"
#include "xenstore.h"

static const char introduce_path[] = "@introduceDomain";
static const char release_path[] = "@releaseDomain";

static void fire_special(struct xs_store *s, int which, const char *path, size_t len)
{
    const struct xs_node *n = s->special[which];
    xs_watch_fire(s, path, len, n, NULL);
}

/* A domain the store can serve: not dom0, not one of Xen's special ids. */
static int guest_domid(const char *arg, size_t len, uint16_t *domid)
{
    int err = xs_arg_domid(arg, len, domid);
    if (!err && (*domid == XS_PRIV_DOMID || *domid >= XS_DOMID_FIRST_RESERVED))
        err = XS_EINVAL;
    return err;
}

int xs_op_introduce(struct xs_req *r)
{
    const char *v[4];
    size_t vl[4], n;
    uint16_t domid;
    uint64_t mfn, port;
    int err = xs_args(r, 3, 4, v, vl, &n);

    if (!err)
        err = guest_domid(v[0], vl[0], &domid);
    if (!err && (!xs_parse_u64(v[1], vl[1], &mfn) || !xs_parse_u64(v[2], vl[2], &port) ||
                 port > UINT32_MAX))
        err = XS_EINVAL;
    if (err)
        return err;
    struct xs_domain *d = xs_dom_get(r->s, domid);
    if (!d)
        return XS_ENOMEM;
    if (d->introduced)
        return d->mfn == mfn && d->port == port ? xs_reply_ok(r) : XS_EEXIST;
    if (r->s->hooks.introduce) {
        err = r->s->hooks.introduce(r->s->hooks.ctx, domid, mfn, (uint32_t)port);
        if (err)
            return err;
    }
    d->introduced = true;
    d->mfn = mfn;
    d->port = (uint32_t)port;
    fire_special(r->s, XS_SPECIAL_INTRODUCE, introduce_path, sizeof(introduce_path) - 1);
    return xs_reply_ok(r);
}

void xs_forget_domain(struct xs_store *s, uint16_t domid)
{
    struct xs_domain *d = xs_dom_find(s, domid);
    xs_watch_del_domain(s, domid);
    xs_tx_del_domain(s, domid);
    if (d && d->introduced) {
        d->introduced = false;
        if (s->hooks.release)
            s->hooks.release(s->hooks.ctx, domid);
    }
    if (d)
        d->has_target = false;
    fire_special(s, XS_SPECIAL_RELEASE, release_path, sizeof(release_path) - 1);
}

static int introduced_domain(struct xs_req *r, const char *arg, size_t len, uint16_t *domid)
{
    int err = guest_domid(arg, len, domid);
    if (err)
        return err;
    const struct xs_domain *d = xs_dom_find(r->s, *domid);
    return d && d->introduced ? 0 : XS_ENOENT;
}

int xs_op_release(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n;
    uint16_t domid;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = introduced_domain(r, v[0], vl[0], &domid);
    if (err)
        return err;
    xs_forget_domain(r->s, domid);
    return xs_reply_ok(r);
}

int xs_op_is_domain_introduced(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n;
    uint16_t domid;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = xs_arg_domid(v[0], vl[0], &domid);
    if (err)
        return err;
    const struct xs_domain *d = xs_dom_find(r->s, domid);
    bool yes = xs_is_priv(domid) || (d && d->introduced);
    xs_reply(r, yes ? "T" : "F", 2);
    return 0;
}

int xs_op_get_domain_path(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n;
    uint16_t domid;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = xs_arg_domid(v[0], vl[0], &domid);
    if (err)
        return err;
    size_t len = xs_home_path(domid, r->s->reply);
    xs_reply(r, r->s->reply, len + 1);
    return 0;
}

int xs_op_resume(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n;
    uint16_t domid;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (!err)
        err = introduced_domain(r, v[0], vl[0], &domid);
    return err ? err : xs_reply_ok(r);
}

int xs_op_set_target(struct xs_req *r)
{
    const char *v[2];
    size_t vl[2], n;
    uint16_t domid, target;
    int err = xs_args(r, 2, 2, v, vl, &n);

    if (!err)
        err = introduced_domain(r, v[0], vl[0], &domid);
    if (!err)
        err = guest_domid(v[1], vl[1], &target);
    if (err)
        return err;
    struct xs_domain *d = xs_dom_find(r->s, domid);
    d->has_target = true;
    d->target = target;
    return xs_reply_ok(r);
}

int xs_op_control(struct xs_req *r)
{
    static const char help[] = "check\nhelp\n";
    const char *v[XS_MAX_ARGS];
    size_t vl[XS_MAX_ARGS], n;
    int err = xs_args(r, 1, XS_MAX_ARGS, v, vl, &n);

    if (err)
        return err;
    if (vl[0] == 5 && memcmp(v[0], "check", 5) == 0)
        return xs_check(r->s) ? XS_EIO : xs_reply_ok(r);
    if (vl[0] == 4 && memcmp(v[0], "help", 4) == 0) {
        xs_reply(r, help, sizeof(help));
        return 0;
    }
    return XS_EINVAL;
}
