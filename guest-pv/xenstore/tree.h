/*
 * The node tree. Nodes are charged to their owner (the first permission
 * entry): the memory they hold, and one node each while linked in the tree.
 * Changes that allocate do so before touching anything, so they either
 * happen whole or fail with nothing changed.
 */
#ifndef XS_TREE_H
#define XS_TREE_H

#include "store.h"

static inline uint16_t xs_node_owner(const struct xs_node *n)
{
    return n->perm[0].domid;
}

/*
 * A new node, not linked anywhere, charged to domid (within its memory quota
 * if enforce): the name, the permissions and the value are copied.
 */
struct xs_node *xs_node_new(struct xs_store *s, uint16_t domid, bool enforce, const char *name,
                            size_t namelen, const struct xs_perm *perm, size_t nperm,
                            const void *value, size_t vlen, int *err);
/* Frees a node that is in no tree, with its buffers. */
void xs_node_free(struct xs_store *s, struct xs_node *n);

/* New value or permissions, charged to the (new) owner; nothing changes on error. */
int xs_node_set_value(struct xs_store *s, struct xs_node *n, bool enforce, const void *value,
                      size_t vlen);
int xs_node_set_perms(struct xs_store *s, struct xs_node *n, bool enforce,
                      const struct xs_perm *perm, size_t nperm);
/* Swaps the value and permissions of two nodes (a commit moving its copy in). */
void xs_node_swap_contents(struct xs_store *s, struct xs_node *a, struct xs_node *b);

struct xs_node *xs_node_child(const struct xs_node *parent, const char *name, size_t len);

/*
 * The deepest node of the tree on the way to path (canonical); *found_len is
 * the length of that node's own path (found_len == len: path exists).
 */
struct xs_node *xs_tree_walk(struct xs_store *s, const char *path, size_t len, size_t *found_len);
struct xs_node *xs_tree_find(struct xs_store *s, const char *path, size_t len);

/* Links child last under parent: counted for its owner, parent's gen bumped. */
void xs_tree_link(struct xs_store *s, struct xs_node *parent, struct xs_node *child);
/* Unlinks n (not the root) and frees it and everything below it. */
void xs_tree_remove(struct xs_store *s, struct xs_node *n);

/* The special node (@introduceDomain, @releaseDomain) named name, or NULL. */
struct xs_node *xs_special_find(struct xs_store *s, const char *name, size_t len);

/* Next component of path after pos (pos at a '/'): start and length. */
bool xs_path_next(const char *path, size_t len, size_t *pos, const char **comp, size_t *clen);

#endif
