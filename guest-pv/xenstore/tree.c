#include "tree.h"

#include "domain.h"
#include "lib.h"

static bool in_tree(const struct xs_store *s, const struct xs_node *n)
{
    return n->parent || n == s->root;
}

struct xs_node *xs_node_new(struct xs_store *s, uint16_t domid, bool enforce, const char *name,
                            size_t namelen, const struct xs_perm *perm, size_t nperm,
                            const void *value, size_t vlen, int *err)
{
    struct xs_node *n = xs_mem_alloc(s, domid, enforce, sizeof(*n) + namelen + 1, err);
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    memcpy(n->name, name, namelen);
    n->name[namelen] = '\0';
    n->namelen = (uint16_t)namelen;
    n->perm = xs_mem_alloc(s, domid, enforce, nperm * sizeof(*perm), err);
    if (!n->perm)
        goto fail;
    memcpy(n->perm, perm, nperm * sizeof(*perm));
    n->nperm = (uint16_t)nperm;
    if (vlen) {
        n->value = xs_mem_alloc(s, domid, enforce, vlen, err);
        if (!n->value)
            goto fail;
        memcpy(n->value, value, vlen);
        n->vlen = (uint32_t)vlen;
    }
    n->gen = ++s->gen;
    return n;
fail:
    xs_node_free(s, n);
    return NULL;
}

void xs_node_free(struct xs_store *s, struct xs_node *n)
{
    xs_mem_free(s, n->value);
    xs_mem_free(s, n->perm);
    xs_mem_free(s, n);
}

int xs_node_set_value(struct xs_store *s, struct xs_node *n, bool enforce, const void *value,
                      size_t vlen)
{
    uint8_t *v = NULL;
    int err;

    if (vlen) {
        v = xs_mem_alloc(s, xs_node_owner(n), enforce, vlen, &err);
        if (!v)
            return err;
        memcpy(v, value, vlen);
    }
    xs_mem_free(s, n->value);
    n->value = v;
    n->vlen = (uint32_t)vlen;
    n->gen = ++s->gen;
    return 0;
}

/* A node's memory follows its owner; a linked node's count too. */
static void change_owner(struct xs_store *s, struct xs_node *n, uint16_t old_owner)
{
    uint16_t owner = xs_node_owner(n);
    if (owner == old_owner)
        return;
    xs_mem_recharge(s, n, owner);
    xs_mem_recharge(s, n->value, owner);
    xs_mem_recharge(s, n->perm, owner);
    if (in_tree(s, n)) {
        struct xs_domain *from = xs_dom_find(s, old_owner), *to = xs_dom_get(s, owner);
        /* A full domain table leaves the count where it was (as the memory). */
        if (from && to) {
            from->nodes--;
            to->nodes++;
        } else if (to && !from) {
            to->nodes++;
        }
    }
}

int xs_node_set_perms(struct xs_store *s, struct xs_node *n, bool enforce,
                      const struct xs_perm *perm, size_t nperm)
{
    int err;
    struct xs_perm *p = xs_mem_alloc(s, perm[0].domid, enforce, nperm * sizeof(*perm), &err);
    if (!p)
        return err;
    memcpy(p, perm, nperm * sizeof(*perm));
    uint16_t old_owner = xs_node_owner(n);
    xs_mem_free(s, n->perm);
    n->perm = p;
    n->nperm = (uint16_t)nperm;
    change_owner(s, n, old_owner);
    n->gen = ++s->gen;
    return 0;
}

void xs_node_swap_contents(struct xs_store *s, struct xs_node *a, struct xs_node *b)
{
    uint16_t a_owner = xs_node_owner(a), b_owner = xs_node_owner(b);
    uint8_t *v = a->value;
    uint32_t vlen = a->vlen;
    struct xs_perm *p = a->perm;
    uint16_t np = a->nperm;

    a->value = b->value;
    a->vlen = b->vlen;
    a->perm = b->perm;
    a->nperm = b->nperm;
    b->value = v;
    b->vlen = vlen;
    b->perm = p;
    b->nperm = np;
    /* Buffers moved between nodes: charge each to its new holder's owner. */
    xs_mem_recharge(s, a->value, xs_node_owner(a));
    xs_mem_recharge(s, a->perm, xs_node_owner(a));
    xs_mem_recharge(s, b->value, xs_node_owner(b));
    xs_mem_recharge(s, b->perm, xs_node_owner(b));
    change_owner(s, a, a_owner);
    change_owner(s, b, b_owner);
    a->gen = ++s->gen;
    b->gen = ++s->gen;
}

struct xs_node *xs_node_child(const struct xs_node *parent, const char *name, size_t len)
{
    for (struct xs_node *c = parent->child; c; c = c->next) {
        if (c->namelen == len && memcmp(c->name, name, len) == 0)
            return c;
    }
    return NULL;
}

bool xs_path_next(const char *path, size_t len, size_t *pos, const char **comp, size_t *clen)
{
    size_t i = *pos;
    if (i >= len || path[i] != '/' || i + 1 >= len)
        return false;
    i++;
    size_t start = i;
    while (i < len && path[i] != '/')
        i++;
    *comp = path + start;
    *clen = i - start;
    *pos = i;
    return true;
}

struct xs_node *xs_tree_walk(struct xs_store *s, const char *path, size_t len, size_t *found_len)
{
    struct xs_node *n = s->root;
    size_t pos = 0;
    const char *comp;
    size_t clen;

    *found_len = 1;
    while (xs_path_next(path, len, &pos, &comp, &clen)) {
        struct xs_node *c = xs_node_child(n, comp, clen);
        if (!c)
            break;
        n = c;
        *found_len = pos;
    }
    return n;
}

struct xs_node *xs_tree_find(struct xs_store *s, const char *path, size_t len)
{
    size_t found;
    struct xs_node *n = xs_tree_walk(s, path, len, &found);
    return found == len ? n : NULL;
}

void xs_tree_link(struct xs_store *s, struct xs_node *parent, struct xs_node *child)
{
    struct xs_node **link = &parent->child;
    while (*link)
        link = &(*link)->next;
    *link = child;
    child->next = NULL;
    child->parent = parent;
    parent->gen = ++s->gen;
    child->gen = ++s->gen;
    uint16_t owner = xs_node_owner(child);
    xs_mem_recharge(s, child, owner);
    xs_mem_recharge(s, child->value, owner);
    xs_mem_recharge(s, child->perm, owner);
    struct xs_domain *d = xs_dom_get(s, owner);
    if (d)
        d->nodes++;
}

void xs_tree_remove(struct xs_store *s, struct xs_node *n)
{
    struct xs_node *parent = n->parent, **link = &parent->child;
    while (*link != n)
        link = &(*link)->next;
    *link = n->next;
    parent->gen = ++s->gen;

    /* Free the subtree without recursion: a work list threaded through next. */
    n->next = NULL;
    struct xs_node *work = n;
    while (work) {
        struct xs_node *cur = work;
        work = cur->next;
        if (cur->child) {
            struct xs_node *last = cur->child;
            while (last->next)
                last = last->next;
            last->next = work;
            work = cur->child;
        }
        struct xs_domain *d = xs_dom_find(s, xs_node_owner(cur));
        if (d && d->nodes)
            d->nodes--;
        xs_node_free(s, cur);
    }
}

struct xs_node *xs_special_find(struct xs_store *s, const char *name, size_t len)
{
    for (int i = 0; i < XS_SPECIAL_COUNT; i++) {
        struct xs_node *n = s->special[i];
        if (n && n->namelen == len && memcmp(n->name, name, len) == 0)
            return n;
    }
    return NULL;
}
