/*
 * Per-domain bookkeeping: a fixed table of slots (what a domain owns and
 * holds, whether it is introduced, its target), the memory charged to it,
 * and the access a domain has under a permission list.
 */
#ifndef XS_DOMAIN_H
#define XS_DOMAIN_H

#include "store.h"

static inline bool xs_is_priv(uint16_t domid)
{
    return domid == XS_PRIV_DOMID;
}

/* The slot for domid, or NULL if it has none. */
struct xs_domain *xs_dom_find(struct xs_store *s, uint16_t domid);
/* The slot for domid, made if need be; NULL when the table is full. */
struct xs_domain *xs_dom_get(struct xs_store *s, uint16_t domid);
/* Frees the slots of domains that hold nothing; the end of every request. */
void xs_dom_sweep(struct xs_store *s);

/*
 * size bytes charged to domid; with enforce, only within its memory quota.
 * NULL with *err = ENOMEM when over quota, out of slots or out of pool.
 */
void *xs_mem_alloc(struct xs_store *s, uint16_t domid, bool enforce, size_t size, int *err);
void xs_mem_free(struct xs_store *s, void *ptr);
/* Moves a block's charge to domid (a node changing owner): never fails. */
void xs_mem_recharge(struct xs_store *s, void *ptr, uint16_t domid);

/* XS_PERM_* bits domid has on a node with these permissions. */
unsigned xs_access(struct xs_store *s, uint16_t domid, const struct xs_perm *perm, size_t n);

#endif
