/*
 * The store's memory: one fixed arena cut into 16-byte granules, a bitmap
 * of the used ones, first fit. Every block carries a small header with its
 * size and a tag (the domain slot it is charged to), so a free needs only
 * the pointer and the accounting above can never drift from what is held.
 * No malloc exists in the guest kernel; the arena bounds the whole store.
 */
#ifndef XS_POOL_H
#define XS_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_GRANULE 16u

struct xs_pool {
    uint8_t *base;          /* granule 0 */
    uint64_t *map;          /* bit set: granule in use */
    uint32_t granules;
    uint32_t free;          /* granules not in use */
    uint32_t bad_frees;     /* frees of pointers the pool never gave out */
};

/* Lays the pool (bitmap included) over mem; false if mem is too small. */
bool xs_pool_init(struct xs_pool *p, void *mem, size_t size);

/* size bytes, 8-byte aligned, charged to tag; NULL when no run is free. */
void *xs_pool_alloc(struct xs_pool *p, size_t size, uint16_t tag);
void xs_pool_free(struct xs_pool *p, void *ptr);

/* What a block costs (header and rounding included), and whom. */
size_t xs_pool_cost(const void *ptr);
uint16_t xs_pool_tag(const void *ptr);
void xs_pool_set_tag(void *ptr, uint16_t tag);

/* Bytes the pool could still hand out (ignoring fragmentation). */
size_t xs_pool_free_bytes(const struct xs_pool *p);

/* Would a block of size bytes cost this much? */
size_t xs_pool_cost_of(size_t size);

/* Calls fn for every block in use; false if the pool's own structure is broken. */
typedef void (*xs_pool_walk_fn)(void *ctx, const void *block, uint16_t tag, size_t cost);
bool xs_pool_walk(const struct xs_pool *p, xs_pool_walk_fn fn, void *ctx);

#endif
