#include "domain.h"

#include "lib.h"
#include "perms.h"

struct xs_domain *xs_dom_find(struct xs_store *s, uint16_t domid)
{
    for (uint32_t i = 0; i < s->ndoms; i++) {
        if (s->doms[i].used && s->doms[i].domid == domid)
            return &s->doms[i];
    }
    return NULL;
}

struct xs_domain *xs_dom_get(struct xs_store *s, uint16_t domid)
{
    struct xs_domain *d = xs_dom_find(s, domid);
    if (d)
        return d;
    for (uint32_t i = 0; i < s->ndoms; i++) {
        if (!s->doms[i].used) {
            d = &s->doms[i];
            memset(d, 0, sizeof(*d));
            d->used = true;
            d->domid = domid;
            return d;
        }
    }
    return NULL;
}

static bool idle(const struct xs_store *s, const struct xs_domain *d)
{
    if (d->introduced || d->nodes || d->watches || d->txs || d->bytes || d->has_target)
        return false;
    /* Another domain's target keeps its slot too (SET_TARGET names it). */
    for (uint32_t i = 0; i < s->ndoms; i++) {
        const struct xs_domain *o = &s->doms[i];
        if (o->used && o->has_target && o->target == d->domid)
            return false;
    }
    return true;
}

void xs_dom_sweep(struct xs_store *s)
{
    for (uint32_t i = 0; i < s->ndoms; i++) {
        if (s->doms[i].used && idle(s, &s->doms[i]))
            s->doms[i].used = false;
    }
}

/* Block tags: 0 is the store's own memory, else slot index + 1. */
static struct xs_domain *charged(struct xs_store *s, const void *ptr)
{
    uint16_t tag = xs_pool_tag(ptr);
    return tag && tag <= s->ndoms ? &s->doms[tag - 1] : NULL;
}

void *xs_mem_alloc(struct xs_store *s, uint16_t domid, bool enforce, size_t size, int *err)
{
    struct xs_domain *d = xs_dom_get(s, domid);
    size_t cost = xs_pool_cost_of(size);
    void *p = NULL;

    if (d && !(enforce && (size_t)d->bytes + cost > s->quota.memory))
        p = xs_pool_alloc(&s->pool, size, (uint16_t)(d - s->doms + 1));
    if (!p) {
        *err = XS_ENOMEM;
        return NULL;
    }
    d->bytes += (uint32_t)xs_pool_cost(p);
    return p;
}

void xs_mem_free(struct xs_store *s, void *ptr)
{
    if (!ptr)
        return;
    struct xs_domain *d = charged(s, ptr);
    if (d)
        d->bytes -= (uint32_t)xs_pool_cost(ptr);
    xs_pool_free(&s->pool, ptr);
}

void xs_mem_recharge(struct xs_store *s, void *ptr, uint16_t domid)
{
    if (!ptr)
        return;
    struct xs_domain *from = charged(s, ptr);
    if (from && from->domid == domid)
        return;
    struct xs_domain *to = xs_dom_get(s, domid);
    if (!to)
        return;     /* table full: the old owner keeps the charge */
    uint32_t cost = (uint32_t)xs_pool_cost(ptr);
    if (from)
        from->bytes -= cost;
    to->bytes += cost;
    xs_pool_set_tag(ptr, (uint16_t)(to - s->doms + 1));
}

unsigned xs_access(struct xs_store *s, uint16_t domid, const struct xs_perm *perm, size_t n)
{
    if (xs_is_priv(domid))
        return XS_PERM_BOTH;
    unsigned a = xs_perm_lookup(perm, n, domid);
    /* SET_TARGET: a device model acts for its target domain as well. */
    const struct xs_domain *d = xs_dom_find(s, domid);
    if (d && d->has_target)
        a |= xs_perm_lookup(perm, n, d->target);
    return a;
}
