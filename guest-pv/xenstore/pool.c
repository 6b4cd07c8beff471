#include "pool.h"

#include "lib.h"

#define POOL_MAGIC 0x5853u      /* "XS" */

/* Sits in the granule(s) just before what the caller gets. */
struct pool_hdr {
    uint32_t granules;          /* of the whole block, header included */
    uint16_t tag;
    uint16_t magic;
};
_Static_assert(sizeof(struct pool_hdr) == 8, "pool header");

static bool bit(const struct xs_pool *p, uint32_t g)
{
    return p->map[g / 64] >> (g % 64) & 1;
}

static void set_run(struct xs_pool *p, uint32_t g, uint32_t n, bool used)
{
    for (uint32_t i = g; i < g + n; i++) {
        if (used)
            p->map[i / 64] |= 1ull << (i % 64);
        else
            p->map[i / 64] &= ~(1ull << (i % 64));
    }
}

bool xs_pool_init(struct xs_pool *p, void *mem, size_t size)
{
    uintptr_t start = ((uintptr_t)mem + 15) & ~(uintptr_t)15;
    uintptr_t end = (uintptr_t)mem + size;

    memset(p, 0, sizeof(*p));
    if (end < start + 1024)
        return false;
    /* Each granule costs 16 bytes plus one bit of map (rounded to words). */
    size_t avail = end - start;
    uint32_t granules = (uint32_t)((avail * 8) / (XS_GRANULE * 8 + 1));
    size_t words = (granules + 63) / 64;
    size_t map_bytes = (words * 8 + 15) & ~(size_t)15;
    while (granules && map_bytes + (size_t)granules * XS_GRANULE > avail) {
        granules--;
        words = (granules + 63) / 64;
        map_bytes = (words * 8 + 15) & ~(size_t)15;
    }
    if (granules < 16)
        return false;
    p->map = (uint64_t *)start;
    p->base = (uint8_t *)(start + map_bytes);
    p->granules = granules;
    p->free = granules;
    memset(p->map, 0, words * 8);
    return true;
}

size_t xs_pool_cost_of(size_t size)
{
    return (size + sizeof(struct pool_hdr) + XS_GRANULE - 1) / XS_GRANULE * XS_GRANULE;
}

void *xs_pool_alloc(struct xs_pool *p, size_t size, uint16_t tag)
{
    if (size > (size_t)p->granules * XS_GRANULE)
        return NULL;
    uint32_t need = (uint32_t)(xs_pool_cost_of(size) / XS_GRANULE);
    if (need > p->free)
        return NULL;

    uint32_t run = 0;
    for (uint32_t g = 0; g < p->granules; g++) {
        /* Skip whole words in use. */
        if (g % 64 == 0 && p->map[g / 64] == ~0ull && g + 64 <= p->granules) {
            run = 0;
            g += 63;
            continue;
        }
        if (bit(p, g)) {
            run = 0;
            continue;
        }
        if (++run < need)
            continue;
        uint32_t first = g + 1 - need;
        set_run(p, first, need, true);
        p->free -= need;
        struct pool_hdr *h = (struct pool_hdr *)(p->base + (size_t)first * XS_GRANULE);
        h->granules = need;
        h->tag = tag;
        h->magic = POOL_MAGIC;
        return h + 1;
    }
    return NULL;
}

static struct pool_hdr *hdr_of(const struct xs_pool *p, const void *ptr, uint32_t *first)
{
    uintptr_t a = (uintptr_t)ptr, base = (uintptr_t)p->base;
    if (a < base + sizeof(struct pool_hdr) || a >= base + (size_t)p->granules * XS_GRANULE)
        return NULL;
    uintptr_t off = a - sizeof(struct pool_hdr) - base;
    if (off % XS_GRANULE)
        return NULL;
    struct pool_hdr *h = (struct pool_hdr *)(base + off);
    uint32_t g = (uint32_t)(off / XS_GRANULE);
    if (h->magic != POOL_MAGIC || h->granules == 0 || h->granules > p->granules - g)
        return NULL;
    for (uint32_t i = g; i < g + h->granules; i++) {
        if (!bit(p, i))
            return NULL;
    }
    *first = g;
    return h;
}

void xs_pool_free(struct xs_pool *p, void *ptr)
{
    uint32_t first;
    if (!ptr)
        return;
    struct pool_hdr *h = hdr_of(p, ptr, &first);
    if (!h) {
        p->bad_frees++;
        return;
    }
    uint32_t n = h->granules;
    h->magic = 0;
    set_run(p, first, n, false);
    p->free += n;
}

size_t xs_pool_cost(const void *ptr)
{
    return (size_t)((const struct pool_hdr *)ptr - 1)->granules * XS_GRANULE;
}

uint16_t xs_pool_tag(const void *ptr)
{
    return ((const struct pool_hdr *)ptr - 1)->tag;
}

void xs_pool_set_tag(void *ptr, uint16_t tag)
{
    ((struct pool_hdr *)ptr - 1)->tag = tag;
}

size_t xs_pool_free_bytes(const struct xs_pool *p)
{
    return (size_t)p->free * XS_GRANULE;
}

bool xs_pool_walk(const struct xs_pool *p, xs_pool_walk_fn fn, void *ctx)
{
    uint32_t g = 0, used = 0;

    while (g < p->granules) {
        if (!bit(p, g)) {
            g++;
            continue;
        }
        const struct pool_hdr *h = (const struct pool_hdr *)(p->base + (size_t)g * XS_GRANULE);
        if (h->magic != POOL_MAGIC || h->granules == 0 || h->granules > p->granules - g)
            return false;
        for (uint32_t i = g; i < g + h->granules; i++) {
            if (!bit(p, i))
                return false;
        }
        fn(ctx, h + 1, h->tag, (size_t)h->granules * XS_GRANULE);
        used += h->granules;
        g += h->granules;
    }
    return used + p->free == p->granules;
}
