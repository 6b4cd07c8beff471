/*
 * The store's objects, shared by its files (tree, paths, permissions,
 * transactions, watches, domains, dispatch). Callers outside the store
 * only need sizeof(struct xs_store).
 */
#ifndef XS_STORE_H
#define XS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "public/io/xs_wire.h"

/* Internal results are 0 or one of these (the Xen errno values). */
#define XS_ERRNO_ENUM(name, value) XS_##name = value,
enum xs_errno { XS_ERROR_LIST(XS_ERRNO_ENUM) };
#undef XS_ERRNO_ENUM

/* The only privileged domain: it has every permission and no quota. */
#define XS_PRIV_DOMID 0
/* Domain ids at and above this are Xen's special ids (DOMID_SELF...). */
#define XS_DOMID_FIRST_RESERVED 0x7ff0u

/* Slots in the domain table: domains that own nodes, hold watches or are introduced. */
#define XS_MAX_DOMAINS 256

/* Room for any canonical path and its NUL. */
#define XS_PATH_CAP (XENSTORE_ABS_PATH_MAX + 1)

/* ---- permissions ---- */
#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH  3u

/* Entry 0 names the owner, and its access is everyone else's default. */
struct xs_perm {
    uint16_t domid;
    uint8_t access;         /* XS_PERM_* */
    uint8_t pad;
};

/* ---- nodes ---- */
struct xs_node {
    struct xs_node *parent, *child, *next;  /* child: first; next: sibling */
    uint8_t *value;                         /* NULL when vlen is 0 */
    struct xs_perm *perm;                   /* nperm >= 1 entries */
    uint64_t gen;                           /* bumped on any change, children included */
    uint32_t vlen;
    uint16_t nperm;
    uint16_t namelen;
    char name[];                            /* one component, NUL-terminated ("" for /) */
};

/* ---- watches ---- */
struct xs_watch {
    struct xs_watch *next;
    uint16_t domid;
    uint16_t plen;          /* of the canonical path */
    uint16_t tlen;          /* of the token */
    bool relative;          /* set with a relative path: events are relative too */
    uint8_t pending;        /* WATCH_PENDING_* while an event is being fired */
    char path[];            /* canonical path, NUL, token, NUL */
};

/* ---- transactions ---- */
struct xs_txrec {
    struct xs_txrec *next;  /* sorted by path: a parent before its children */
    struct xs_node *node;   /* TXR_SET: the node as the transaction sees it */
    uint64_t base_gen;      /* TXR_SEEN: main's gen at first access */
    uint16_t plen;
    uint8_t flags;          /* TXR_* (tx.h) */
    char path[];
};

struct xs_tx {
    struct xs_tx *next;
    struct xs_txrec *recs;
    uint64_t start_gen;     /* the store's gen when it began */
    uint32_t id;
    uint32_t nrecs;
    uint32_t new_nodes;     /* nodes it would add (net of its removals, roughly) */
    uint16_t domid;
};

/* ---- domains ---- */
struct xs_domain {
    uint16_t domid;
    uint16_t target;        /* valid when has_target */
    bool used;
    bool introduced;
    bool has_target;
    uint32_t nodes;         /* nodes it owns in the store */
    uint32_t watches;
    uint32_t txs;
    uint32_t bytes;         /* pool bytes charged to it */
    uint64_t mfn;
    uint32_t port;
};

/*
 * Limits on what one unprivileged domain may hold; dom0 has none. Each names
 * the error a request gets when it would go over.
 */
struct xs_quota {
    uint32_t nodes;         /* nodes it owns: ENOSPC */
    uint32_t watches;       /* watches it has set: E2BIG */
    uint32_t transactions;  /* transactions open at once: ENOSPC */
    uint32_t node_size;     /* bytes of one node's value: ENOSPC */
    uint32_t perms;         /* entries in one permission list: ENOSPC */
    uint32_t tx_nodes;      /* paths one transaction reads or changes: ENOSPC */
    uint32_t memory;        /* store memory charged to it: ENOMEM */
};

/* Bringing a domain's connection up and down (map its ring, bind its port). */
struct xs_hooks {
    /* 0, or the Xen errno value the INTRODUCE fails with. */
    int (*introduce)(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port);
    void (*release)(void *ctx, uint16_t domid);
    void *ctx;
};

/* One message for domain `domid`: a reply or a watch event. */
typedef void (*xs_output_fn)(void *ctx, uint16_t domid, const struct xsd_sockmsg *hdr,
                             const void *payload);

enum { XS_SPECIAL_INTRODUCE, XS_SPECIAL_RELEASE, XS_SPECIAL_COUNT };

struct xs_store {
    struct xs_pool pool;
    struct xs_node *root;
    struct xs_node *special[XS_SPECIAL_COUNT];  /* @introduceDomain, @releaseDomain */
    struct xs_watch *watches;
    struct xs_tx *txs;
    struct xs_domain *doms;
    uint32_t ndoms;
    struct xs_quota quota;
    struct xs_hooks hooks;
    uint64_t gen;
    uint32_t next_txid;

    /* The request in hand: where its output goes. */
    xs_output_fn out;
    void *out_ctx;

    /* Scratch, so that no handler needs kilobytes of stack. */
    char path[XS_PATH_CAP];
    char path2[XS_PATH_CAP];
    char reply[XENSTORE_PAYLOAD_MAX];
    char event[XENSTORE_PAYLOAD_MAX];
    struct xs_perm perm_buf[XENSTORE_PAYLOAD_MAX / 2];     /* a SET_PERMS list */
    uint32_t tally[4][XS_MAX_DOMAINS];                      /* xs_check's counts */
};

#endif
