/* The front door: a request in, its reply (and watch events) out. */
#include "domain.h"
#include "lib.h"
#include "ops.h"
#include "path.h"
#include "tree.h"
#include "tx.h"
#include "xenstore.h"

/* Xen xenstored's defaults, except memory (dom0's arena is small). */
const struct xs_quota xs_default_quota = {
    .nodes = 1000,
    .watches = 128,
    .transactions = 10,
    .node_size = 2048,
    .perms = 5,
    .tx_nodes = 1024,
    .memory = 256 * 1024,
};

#define OP_PRIV  0x1    /* dom0 only: EACCES for others */
#define OP_TX    0x2    /* runs inside the transaction tx_id names */

/*
 * Handlers return 0 once they have replied, or the error to send. A type
 * without a handler (XS_WATCH_EVENT and XS_ERROR go one way only; 20 was
 * withdrawn) is ENOSYS, as is any type past the table.
 */
static const struct xs_op {
    int (*fn)(struct xs_req *r);
    unsigned flags;
} ops[XS_TYPE_COUNT] = {
    [XS_CONTROL]              = { xs_op_control,              OP_PRIV },
    [XS_DIRECTORY]            = { xs_op_directory,            OP_TX },
    [XS_READ]                 = { xs_op_read,                 OP_TX },
    [XS_GET_PERMS]            = { xs_op_get_perms,            OP_TX },
    [XS_WATCH]                = { xs_op_watch,                0 },
    [XS_UNWATCH]              = { xs_op_unwatch,              0 },
    [XS_TRANSACTION_START]    = { xs_op_transaction_start,    0 },
    [XS_TRANSACTION_END]      = { xs_op_transaction_end,      OP_TX },
    [XS_INTRODUCE]            = { xs_op_introduce,            OP_PRIV },
    [XS_RELEASE]              = { xs_op_release,              OP_PRIV },
    [XS_GET_DOMAIN_PATH]      = { xs_op_get_domain_path,      0 },
    [XS_WRITE]                = { xs_op_write,                OP_TX },
    [XS_MKDIR]                = { xs_op_mkdir,                OP_TX },
    [XS_RM]                   = { xs_op_rm,                   OP_TX },
    [XS_SET_PERMS]            = { xs_op_set_perms,            OP_TX },
    [XS_WATCH_EVENT]          = { NULL,                       0 },
    [XS_ERROR]                = { NULL,                       0 },
    [XS_IS_DOMAIN_INTRODUCED] = { xs_op_is_domain_introduced, 0 },
    [XS_RESUME]               = { xs_op_resume,               OP_PRIV },
    [XS_SET_TARGET]           = { xs_op_set_target,           OP_PRIV },
    [XS_RESET_WATCHES]        = { xs_op_reset_watches,        0 },
    [XS_DIRECTORY_PART]       = { xs_op_directory_part,       OP_TX },
};

static const char *error_name(int err)
{
#define XS_ERROR_CASE(name, value) case value: return #name;
    switch (err) {
    XS_ERROR_LIST(XS_ERROR_CASE)
    default: return "EINVAL";
    }
#undef XS_ERROR_CASE
}

static void send(struct xs_req *r, uint32_t type, const void *data, size_t len)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = r->hdr->req_id, .tx_id = r->hdr->tx_id,
                               .len = (uint32_t)len };
    if (r->s->out)
        r->s->out(r->s->out_ctx, r->caller, &hdr, data ? data : "");
}

void xs_reply(struct xs_req *r, const void *data, size_t len)
{
    send(r, r->hdr->type, data, len);
}

int xs_reply_ok(struct xs_req *r)
{
    xs_reply(r, "OK", 3);
    return 0;
}

static void reply_error(struct xs_req *r, int err)
{
    const char *name = error_name(err);
    send(r, XS_ERROR, name, strlen(name) + 1);
}

int xs_args(const struct xs_req *r, size_t min, size_t max, const char **v, size_t *vlen,
            size_t *n)
{
    size_t count = 0, i = 0;

    if (r->len == 0 || r->payload[r->len - 1] != '\0')
        return XS_EINVAL;
    while (i < r->len) {
        size_t l = strlen(r->payload + i);
        if (count == max)
            return XS_EINVAL;
        v[count] = r->payload + i;
        vlen[count] = l;
        count++;
        i += l + 1;
    }
    if (count < min)
        return XS_EINVAL;
    *n = count;
    return 0;
}

int xs_arg_domid(const char *arg, size_t len, uint16_t *domid)
{
    uint64_t v;
    if (!xs_parse_u64(arg, len, &v) || v > 0xffff)
        return XS_EINVAL;
    *domid = (uint16_t)v;
    return 0;
}

static int dispatch(struct xs_req *r)
{
    uint32_t type = r->hdr->type;
    if (type >= XS_TYPE_COUNT || !ops[type].fn)
        return XS_ENOSYS;
    const struct xs_op *op = &ops[type];
    if ((op->flags & OP_PRIV) && !r->priv)
        return XS_EACCES;
    if (type == XS_TRANSACTION_START && r->hdr->tx_id)
        return xs_tx_find(r->s, r->caller, r->hdr->tx_id) ? XS_EBUSY : XS_ENOENT;
    if (op->flags & OP_TX) {
        if (r->hdr->tx_id) {
            r->tx = xs_tx_find(r->s, r->caller, r->hdr->tx_id);
            if (!r->tx)
                return XS_ENOENT;
        } else if (type == XS_TRANSACTION_END) {
            return XS_ENOENT;
        }
    }
    return op->fn(r);
}

int xs_handle(struct xs_store *s, uint16_t caller, const struct xsd_sockmsg *hdr,
              const void *payload, xs_output_fn out, void *ctx)
{
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return XS_HANDLE_CLOSE;
    struct xs_req r = { .s = s, .hdr = hdr, .payload = payload, .len = hdr->len,
                        .caller = caller, .priv = xs_is_priv(caller) };
    s->out = out;
    s->out_ctx = ctx;
    int err = dispatch(&r);
    if (err)
        reply_error(&r, err);
    xs_dom_sweep(s);
    s->out = NULL;
    s->out_ctx = NULL;
    return 0;
}

void xs_domain_gone(struct xs_store *s, uint16_t domid, xs_output_fn out, void *ctx)
{
    s->out = out;
    s->out_ctx = ctx;
    xs_forget_domain(s, domid);
    xs_dom_sweep(s);
    s->out = NULL;
    s->out_ctx = NULL;
}

static struct xs_node *special_node(struct xs_store *s, const char *name, size_t len)
{
    static const struct xs_perm dom0_only = { .domid = XS_PRIV_DOMID, .access = XS_PERM_NONE };
    int err;
    return xs_node_new(s, XS_PRIV_DOMID, false, name, len, &dom0_only, 1, NULL, 0, &err);
}

int xs_store_init(struct xs_store *s, void *arena, size_t size, const struct xs_quota *quota,
                  const struct xs_hooks *hooks)
{
    memset(s, 0, sizeof(*s));
    s->quota = quota ? *quota : xs_default_quota;
    if (hooks)
        s->hooks = *hooks;
    s->next_txid = 1;
    if (!xs_pool_init(&s->pool, arena, size))
        return XS_ENOMEM;
    s->doms = xs_pool_alloc(&s->pool, XS_MAX_DOMAINS * sizeof(*s->doms), 0);
    if (!s->doms)
        return XS_ENOMEM;
    memset(s->doms, 0, XS_MAX_DOMAINS * sizeof(*s->doms));
    s->ndoms = XS_MAX_DOMAINS;
    /* "/" belongs to dom0 and nobody else may read it (Xen's "n0"). */
    s->root = special_node(s, "", 0);
    s->special[XS_SPECIAL_INTRODUCE] = special_node(s, "@introduceDomain", 16);
    s->special[XS_SPECIAL_RELEASE] = special_node(s, "@releaseDomain", 14);
    if (!s->root || !s->special[XS_SPECIAL_INTRODUCE] || !s->special[XS_SPECIAL_RELEASE])
        return XS_ENOMEM;
    struct xs_domain *d0 = xs_dom_get(s, XS_PRIV_DOMID);
    d0->nodes = 1;      /* the root; the special nodes are not in the tree */
    return 0;
}
