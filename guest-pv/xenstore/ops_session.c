/* WATCH, UNWATCH, RESET_WATCHES, TRANSACTION_START, TRANSACTION_END. */
#include "domain.h"
#include "lib.h"
#include "ops.h"
#include "path.h"
#include "tx.h"
#include "watch.h"

/* "<path>\0<token>\0", perhaps with a reserved string after. */
static int watch_args(struct xs_req *r, size_t *plen, bool *relative, const char **token,
                      size_t *tlen)
{
    const char *v[3];
    size_t vl[3], n;
    bool special;
    int err = xs_args(r, 2, 3, v, vl, &n);

    if (!err)
        err = xs_path_canon(r->caller, v[0], vl[0], true, r->s->path, plen, relative, &special);
    *token = v[1];
    *tlen = vl[1];
    return err;
}

int xs_op_watch(struct xs_req *r)
{
    size_t plen, tlen;
    bool relative;
    const char *token;
    int err = watch_args(r, &plen, &relative, &token, &tlen);

    if (!err)
        err = xs_watch_add(r->s, r->caller, !r->priv, r->s->path, plen, relative, token, tlen);
    if (err)
        return err;
    xs_reply_ok(r);
    /* It fires once at once, naming its own path (clients rely on it). */
    for (const struct xs_watch *w = r->s->watches; w; w = w->next) {
        if (!w->next) {
            xs_watch_send(r->s, w, w->path, w->plen);
            break;
        }
    }
    return 0;
}

int xs_op_unwatch(struct xs_req *r)
{
    size_t plen, tlen;
    bool relative;
    const char *token;
    int err = watch_args(r, &plen, &relative, &token, &tlen);

    if (!err)
        err = xs_watch_del(r->s, r->caller, r->s->path, plen, token, tlen);
    return err ? err : xs_reply_ok(r);
}

int xs_op_reset_watches(struct xs_req *r)
{
    xs_watch_del_domain(r->s, r->caller);
    xs_tx_del_domain(r->s, r->caller);
    return xs_reply_ok(r);
}

int xs_op_transaction_start(struct xs_req *r)
{
    uint32_t id;
    int err = xs_tx_start(r->s, r->caller, !r->priv, &id);
    if (err)
        return err;
    size_t n = fmt_u64(r->s->reply, id);
    r->s->reply[n++] = '\0';
    xs_reply(r, r->s->reply, n);
    return 0;
}

int xs_op_transaction_end(struct xs_req *r)
{
    const char *v[1];
    size_t vl[1], n;
    int err = xs_args(r, 1, 1, v, vl, &n);

    if (err)
        return err;
    if (vl[0] != 1 || (v[0][0] != 'T' && v[0][0] != 'F'))
        return XS_EINVAL;
    struct xs_tx *tx = r->tx;
    r->tx = NULL;
    if (v[0][0] == 'F')
        xs_tx_free(r->s, tx);
    else
        err = xs_tx_commit(r->s, tx, !r->priv);
    return err ? err : xs_reply_ok(r);
}
