/* xs_check: the store's invariants, for tests and CONTROL "check". */
#include "domain.h"
#include "lib.h"
#include "tx.h"
#include "xenstore.h"

static void tally_bytes(void *ctx, const void *block, uint16_t tag, size_t cost)
{
    uint32_t *bytes = ctx;
    (void)block;
    if (tag && tag <= XS_MAX_DOMAINS)
        bytes[tag - 1] += (uint32_t)cost;
}

static struct xs_domain *slot_of(struct xs_store *s, uint16_t domid)
{
    return xs_dom_find(s, domid);
}

static int check_tree(struct xs_store *s, uint32_t *nodes)
{
    const struct xs_node *top = s->root, *cur = top;

    if (top->parent)
        return 10;
    for (;;) {
        if (cur->nperm == 0 || !cur->perm)
            return 11;
        if (!!cur->value != !!cur->vlen)
            return 12;
        const struct xs_domain *d = slot_of(s, cur->perm[0].domid);
        if (!d)
            return 13;
        nodes[d - s->doms]++;
        if (cur->child) {
            if (cur->child->parent != cur)
                return 14;
            cur = cur->child;
            continue;
        }
        while (cur != top && !cur->next)
            cur = cur->parent;
        if (cur == top)
            return 0;
        if (cur->next->parent != cur->parent)
            return 15;
        cur = cur->next;
    }
}

static int check_tx(const struct xs_tx *tx)
{
    uint32_t n = 0;
    const struct xs_txrec *prev = NULL;

    for (const struct xs_txrec *r = tx->recs; r; prev = r, r = r->next, n++) {
        if (!(r->flags & TXR_SET) != !r->node)
            return 30;
        if (prev) {
            size_t m = prev->plen < r->plen ? prev->plen : r->plen;
            int c = memcmp(prev->path, r->path, m);
            if (c > 0 || (c == 0 && prev->plen >= r->plen))
                return 31;
        }
    }
    return n == tx->nrecs ? 0 : 32;
}

int xs_check(struct xs_store *s)
{
    uint32_t *bytes = s->tally[0], *nodes = s->tally[1], *watches = s->tally[2];
    uint32_t *txs = s->tally[3];
    int err;

    memset(s->tally, 0, sizeof(s->tally));
    if (s->pool.bad_frees)
        return 1;
    if (!xs_pool_walk(&s->pool, tally_bytes, bytes))
        return 2;
    err = check_tree(s, nodes);
    if (err)
        return err;
    for (const struct xs_watch *w = s->watches; w; w = w->next) {
        const struct xs_domain *d = slot_of(s, w->domid);
        if (!d || w->pending)
            return 20;
        watches[d - s->doms]++;
    }
    for (const struct xs_tx *tx = s->txs; tx; tx = tx->next) {
        const struct xs_domain *d = slot_of(s, tx->domid);
        if (!d)
            return 33;
        txs[d - s->doms]++;
        err = check_tx(tx);
        if (err)
            return err;
    }
    for (uint32_t i = 0; i < s->ndoms; i++) {
        const struct xs_domain *d = &s->doms[i];
        if (!d->used) {
            if (bytes[i])
                return 40;
            continue;
        }
        if (d->bytes != bytes[i])
            return 41;
        if (d->nodes != nodes[i])
            return 42;
        if (d->watches != watches[i])
            return 43;
        if (d->txs != txs[i])
            return 44;
    }
    return 0;
}
