/*
 * One request being handled, and the handlers the dispatch table names.
 * A handler checks everything first, then changes the store, then replies;
 * it returns 0 when it has replied, or the error the dispatcher sends.
 */
#ifndef XS_OPS_H
#define XS_OPS_H

#include "store.h"

struct xs_req {
    struct xs_store *s;
    const struct xsd_sockmsg *hdr;
    const char *payload;        /* hdr->len bytes */
    size_t len;
    struct xs_tx *tx;           /* the transaction tx_id names, if any */
    uint16_t caller;
    bool priv;                  /* dom0: every permission, no quota */
};

#define XS_MAX_ARGS 4

/*
 * The payload as between min and max NUL-terminated strings, filling it
 * exactly: 0 with v[], vlen[] and *n set, or EINVAL.
 */
int xs_args(const struct xs_req *r, size_t min, size_t max, const char **v, size_t *vlen,
            size_t *n);
/* A domid argument: decimal, at most 65535. */
int xs_arg_domid(const char *arg, size_t len, uint16_t *domid);

void xs_reply(struct xs_req *r, const void *data, size_t len);
int xs_reply_ok(struct xs_req *r);

/* The node ops (ops_node.c). */
int xs_op_read(struct xs_req *r);
int xs_op_write(struct xs_req *r);
int xs_op_mkdir(struct xs_req *r);
int xs_op_rm(struct xs_req *r);
int xs_op_directory(struct xs_req *r);
int xs_op_directory_part(struct xs_req *r);
int xs_op_get_perms(struct xs_req *r);
int xs_op_set_perms(struct xs_req *r);

/* Watches and transactions (ops_session.c). */
int xs_op_watch(struct xs_req *r);
int xs_op_unwatch(struct xs_req *r);
int xs_op_reset_watches(struct xs_req *r);
int xs_op_transaction_start(struct xs_req *r);
int xs_op_transaction_end(struct xs_req *r);

/* Domains and the store itself (ops_domain.c). */
int xs_op_introduce(struct xs_req *r);
int xs_op_release(struct xs_req *r);
int xs_op_is_domain_introduced(struct xs_req *r);
int xs_op_get_domain_path(struct xs_req *r);
int xs_op_resume(struct xs_req *r);
int xs_op_set_target(struct xs_req *r);
int xs_op_control(struct xs_req *r);

/* A domain's connection is gone: watches, transactions, introduction. */
void xs_forget_domain(struct xs_store *s, uint16_t domid);

#endif
