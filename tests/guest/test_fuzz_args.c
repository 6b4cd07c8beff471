/*
 * test=fuzz: what the calls are made of (test_fuzz.h): boundary values, the
 * domains, ports and grant refs of the test, guest frames, and pointers
 * that are good, cross a page into nothing, lie past our RAM or the
 * identity map, or are not canonical. test_fuzz.c lists the regions.
 *
 * Safety rules kept here, so that the fuzzer survives its own calls (the
 * hypervisor is what is on trial):
 *  - a structure whose contents could stop or wreck us if garbage
 *    (P_STRUCT: shutdown, poll, add_to_physmap, memory_map, grant ops,
 *    register_vcpu_info, runstate area) is only ever read from the scratch
 *    area, where we wrote it, or from an address that cannot be read;
 *  - nothing ever names our kernel, its page tables or stacks as a place to
 *    write, map over or grant: safe_gfn() and fuzz_map_gpa() steer such
 *    values to just past our RAM;
 *  - persistent writers (runstate area, vcpu_info) and grants never name
 *    the scratch area, so only our own calls write it; nothing but
 *    touch_grant() (test_fuzz_calls.c) writes our grant table, so we only
 *    ever grant pages we may lose.
 */
#include <stdint.h>

#include "lib.h"
#include "test_fuzz.h"

#define GIB4          0x100000000ull
#define GFN_LIMIT     (1ull << 36)      /* the hypervisor's physmap limit, as a GFN */
#define GPA_LIMIT     (1ull << 48)
/* Low RAM we never use: below the start-info page (0x9F) and after the
 * console and xenstore rings (0xA0, 0xA1) up to the page before the kernel
 * (0xFF, left alone so a write crossing out of the region cannot reach the
 * kernel). */
#define LOW_END       0x9Full
#define HOLE_FIRST    0xA2ull
#define HOLE_END      0xFFull
/* Pages just past RAM (always empty), then as many in the map zone. */
#define SPARE_PAGES   16

const uint64_t fuzz_edges[] = {     /* FUZZ_EDGES of them: the declaration checks */
    0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 63, 64, 65, 127, 128, 129, 255, 256, 511, 512, 513,
    1023, 1024, 2047, 2048, 2049, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, GFN_LIMIT - 1, GFN_LIMIT,
    (1ull << 47) - 1, 1ull << 47, GPA_LIMIT - 1, GPA_LIMIT, 1ull << 52,
    0x7fffffffffffffff, 0x8000000000000000, ~0ull - 4095, ~0ull - 1, ~0ull,
};

bool fuzz_one_in(struct fuzz *f, uint64_t n)
{
    return fuzz_below(f, n) == 0;
}

uint64_t fuzz_value(struct fuzz *f)
{
    unsigned int bits;

    switch (fuzz_below(f, 4)) {
    case 0:
    case 1:
        return PICK(f, fuzz_edges);
    case 2:
        return fuzz_below(f, 64);
    default:
        bits = 1 + (unsigned int)fuzz_below(f, 64);
        return bits == 64 ? fuzz_next(f) : fuzz_next(f) & ((1ull << bits) - 1);
    }
}

uint32_t fuzz_value32(struct fuzz *f)
{
    return (uint32_t)fuzz_value(f);
}

uint16_t fuzz_value16(struct fuzz *f)
{
    return (uint16_t)fuzz_value(f);
}

/*
 * DOMID_SELF, the domains of the test (ids 0-5, ourselves among them),
 * special and absent ids. Our own id is never chosen as such: a seed then
 * gives the same calls in whichever domain it runs.
 */
uint16_t fuzz_domid(struct fuzz *f)
{
    static const uint16_t special[] = { 0x7ff1, DOMID_XEN, 0x7ff3, 0x7ff4, 0x7fff, 0xffff,
                                        31, 32, 33, 255, 256 };

    switch (fuzz_below(f, 8)) {
    case 0:
    case 1:
        return DOMID_SELF;
    case 2:
    case 3:
    case 4:
    case 5:
        return (uint16_t)fuzz_below(f, 6);
    case 6:
        return PICK(f, special);
    default:
        return fuzz_value16(f);
    }
}

/* Small ports (ours and, for other domains, theirs), our known ones, edges. */
uint32_t fuzz_port(struct fuzz *f)
{
    static const uint32_t edge[] = { 0, 62, 63, 64, 65, 127, 128, 4095, 4096, 0x7fffffff,
                                     0x80000000, 0xffffffff };

    switch (fuzz_below(f, 8)) {
    case 0:
    case 1:
    case 2:
    case 3:
        return 1 + (uint32_t)fuzz_below(f, 8);
    case 4:
        return f->mem.console_port;
    case 5:
        return f->mem.timer_port;
    case 6:
        return PICK(f, edge);
    default:
        return fuzz_value32(f);
    }
}

uint32_t fuzz_vcpu(struct fuzz *f)
{
    static const uint32_t ids[] = { 0, 0, 0, 1, 1, 2, 3, 4, 7, 8, 0xffffffff };

    return fuzz_one_in(f, 8) ? fuzz_value32(f) : PICK(f, ids);
}

uint32_t fuzz_ref(struct fuzz *f)
{
    static const uint32_t edge[] = { 511, 512, 2047, 2048, 2049, 0x7fffffff, 0xffffffff };

    switch (fuzz_below(f, 8)) {
    case 6:
        return PICK(f, edge);
    case 7:
        return fuzz_value32(f);
    default:
        return (uint32_t)fuzz_below(f, FUZZ_REFS);
    }
}

/* ---- guest frames ------------------------------------------------------ */

static uint64_t low_gfn(struct fuzz *f)
{
    return fuzz_one_in(f, 2) ? fuzz_below(f, LOW_END) : HOLE_FIRST + fuzz_below(f, HOLE_END - HOLE_FIRST);
}

uint64_t fuzz_top_gfn(struct fuzz *f)
{
    return f->mem.ram_end / PAGE_SIZE - 1 - fuzz_below(f, FUZZ_TOP_PAGES);
}

static uint64_t past_gfn(struct fuzz *f)
{
    return f->mem.ram_end / PAGE_SIZE + fuzz_below(f, SPARE_PAGES);
}

uint64_t fuzz_mapzone_gfn(struct fuzz *f)
{
    return f->mem.ram_end / PAGE_SIZE + SPARE_PAGES + fuzz_below(f, SPARE_PAGES);
}

/* The map zone's first pages, where most maps and unmaps aim: with the
 * first handles, unmaps then find what maps put there often enough to
 * keep the zone changing. */
uint64_t fuzz_hot_gfn(struct fuzz *f)
{
    return f->mem.ram_end / PAGE_SIZE + SPARE_PAGES + fuzz_below(f, FUZZ_HOT_PAGES);
}

/* Far above RAM: new page tables for the hypervisor's EPT; near the limits. */
static uint64_t high_gfn(struct fuzz *f)
{
    switch (fuzz_below(f, 3)) {
    case 0:
        return GFN_LIMIT - 1 - fuzz_below(f, SPARE_PAGES);
    case 1:
        return GIB4 / PAGE_SIZE + fuzz_below(f, 1u << 20);
    default:
        return GIB4 / PAGE_SIZE + fuzz_below(f, GFN_LIMIT - GIB4 / PAGE_SIZE);
    }
}

static bool in_range(uint64_t x, uint64_t lo, uint64_t hi)
{
    return x >= lo && x < hi;
}

static bool is_scratch_gfn(const struct fuzz *f, uint64_t g)
{
    return in_range(g, f->mem.scratch / PAGE_SIZE, f->mem.scratch / PAGE_SIZE + FUZZ_SCRATCH_PAGES);
}

static bool is_grant_gfn(const struct fuzz *f, uint64_t g)
{
    for (unsigned int i = 0; i < GRANT_MAX_FRAMES; i++)
        if (g == f->mem.grant_gfn[i])
            return true;
    return false;
}

/*
 * The start-info page, the console ring, the page before the kernel and the
 * kernel itself (with the scratch area's empty guard page) may only be
 * named where that is harmless: our homes and scratch pages for the uses
 * they allow, anything for reading. Everything else goes just past our RAM.
 */
static uint64_t safe_gfn(struct fuzz *f, uint64_t g, enum gfn_use use)
{
    uint64_t image_end = (f->mem.image_end + PAGE_SIZE - 1) / PAGE_SIZE;

    if (!in_range(g, LOW_END, HOLE_FIRST) && !in_range(g, HOLE_END, image_end))
        return g;
    if (use == G_READ)
        return g;
    if (g == f->mem.shinfo_gfn && use != G_WRITE)
        return g;
    if (is_grant_gfn(f, g) && (use == G_REPLACE || use == G_GRANT))
        return g;
    if (is_scratch_gfn(f, g) && use == G_WRITE)
        return g;
    return f->mem.ram_end / PAGE_SIZE;
}

uint64_t fuzz_gfn(struct fuzz *f, enum gfn_use use)
{
    uint64_t g;

    switch (fuzz_below(f, 12)) {
    case 0:
    case 1:
        g = low_gfn(f);
        break;
    case 2:
        g = fuzz_top_gfn(f);
        break;
    case 3:
        /* Seldom given up: granted pages come from here. */
        g = use == G_REPLACE ? past_gfn(f) : fuzz_top_gfn(f);
        break;
    case 4:
        g = past_gfn(f);
        break;
    case 5:
        g = fuzz_mapzone_gfn(f);
        break;
    case 6:
        g = f->mem.shinfo_gfn;
        break;
    case 7:
        g = f->mem.grant_gfn[fuzz_below(f, GRANT_MAX_FRAMES)];
        break;
    case 8:
        g = f->mem.scratch / PAGE_SIZE + fuzz_below(f, FUZZ_SCRATCH_PAGES);
        break;
    case 9:
        g = f->mem.image_start / PAGE_SIZE +
            fuzz_below(f, (f->mem.image_end - f->mem.image_start) / PAGE_SIZE);
        break;
    case 10:
        g = high_gfn(f);
        break;
    default:
        g = fuzz_value(f);
        break;
    }
    if (use == G_GRANT)
        g = (uint32_t)g;        /* a grant entry's frame field is 32 bits */
    return safe_gfn(f, g, use);
}

/* Where a grant may be mapped: empty slots (the map zone, low pages we gave
 * up) or taken ones, far above RAM, unaligned or out of range. Never our
 * kernel (the guard page is empty), just past our RAM or below 4 GiB
 * elsewhere, where pointers are meant to fail. */
uint64_t fuzz_map_gpa(struct fuzz *f)
{
    uint64_t g;

    switch (fuzz_below(f, 10)) {
    case 0:
    case 1:
    case 2:
        return fuzz_hot_gfn(f) * PAGE_SIZE;
    case 3:
    case 4:
        return fuzz_mapzone_gfn(f) * PAGE_SIZE;
    case 5:
        return low_gfn(f) * PAGE_SIZE;
    case 6:
        return fuzz_top_gfn(f) * PAGE_SIZE;
    case 7:
        return (GIB4 + fuzz_below(f, GPA_LIMIT - GIB4)) & ~(uint64_t)(PAGE_SIZE - 1);
    case 8:
        return fuzz_mapzone_gfn(f) * PAGE_SIZE + 1 + fuzz_below(f, PAGE_SIZE - 1);
    default:
        g = fuzz_value(f);
        if ((g & (PAGE_SIZE - 1)) || g >= GIB4)
            return g;
        g /= PAGE_SIZE;
        if (in_range(g, 0, LOW_END) || in_range(g, HOLE_FIRST, HOLE_END) ||
            in_range(g, f->mem.ram_end / PAGE_SIZE - FUZZ_TOP_PAGES, f->mem.ram_end / PAGE_SIZE))
            return g * PAGE_SIZE;
        return fuzz_mapzone_gfn(f) * PAGE_SIZE;
    }
}

/* ---- pointers ------------------------------------------------------------ */

/* An offset in a page for `len` bytes: at the start, flush with the end,
 * crossing into the next page, or anywhere. */
static uint64_t in_page(struct fuzz *f, uint64_t gfn, uint32_t len)
{
    uint64_t room = len < PAGE_SIZE ? PAGE_SIZE - len : 0;

    switch (fuzz_below(f, 4)) {
    case 0:
        return gfn * PAGE_SIZE;
    case 1:
        return gfn * PAGE_SIZE + room;
    case 2:
        if (len > 1)
            return gfn * PAGE_SIZE + PAGE_SIZE - 1 - fuzz_below(f, len - 1);
        return gfn * PAGE_SIZE + fuzz_below(f, room + 1);
    default:
        return gfn * PAGE_SIZE + fuzz_below(f, room + 1);
    }
}

/* In the scratch area: whole, across an inner page boundary, or running
 * into the empty guard page after it. */
static uint64_t scratch_ptr(struct fuzz *f, uint32_t len)
{
    uint64_t base = f->mem.scratch, span = FUZZ_SCRATCH_BYTES;
    uint64_t room = len < span ? span - len : 0;

    switch (fuzz_below(f, 12)) {
    case 0:
    case 1:
        return base + fuzz_below(f, FUZZ_SCRATCH_PAGES) * PAGE_SIZE;
    case 2:
        return base + (1 + fuzz_below(f, FUZZ_SCRATCH_PAGES - 1)) * PAGE_SIZE - len;
    case 3:
    case 4:
        if (len > 1)
            return base + (1 + fuzz_below(f, FUZZ_SCRATCH_PAGES - 1)) * PAGE_SIZE - 1 -
                   fuzz_below(f, len - 1);
        return base;
    case 5:
        if (len > 1)
            return base + span - 1 - fuzz_below(f, len - 1);
        return base + span - 1;
    case 6:
        return base + fuzz_below(f, room + 1);
    default:
        return base + (fuzz_below(f, room + 1) & ~7ull);
    }
}

/*
 * An address where `len` bytes cannot be read or written, at least not all
 * of them: the first page of the access is never one we could not control
 * (case 1 crosses from our last RAM page into nothing, so `len` must cover
 * the whole structure that is read in one piece).
 */
uint64_t fuzz_bad_ptr(struct fuzz *f, uint32_t len)
{
    uint64_t back = len > 1 ? 1 + fuzz_below(f, len - 1) : 0;

    switch (fuzz_below(f, 9)) {
    case 0:
        return past_gfn(f) * PAGE_SIZE + fuzz_below(f, PAGE_SIZE);     /* past our RAM */
    case 1:
        return f->mem.ram_end - back;                                   /* its last bytes, then none */
    case 2:
        return GIB4 + fuzz_below(f, 1u << 20);                          /* past the identity map */
    case 3:
        return GIB4 - (back ? back : 1);
    case 4:
        return (1ull << 47) + fuzz_below(f, PAGE_SIZE);                 /* first non-canonical */
    case 5:
        return (1ull << 47) - back;
    case 6:
        return 0xffff800000000000ull + fuzz_below(f, 1u << 20);         /* canonical, unmapped */
    case 7:
        return ~0ull - back;                                            /* wraps around */
    default:
        return fuzz_next(f) | GIB4;
    }
}

/*
 * Out of 16: the scratch area, an address that fails, 0 (low RAM, or "none"
 * for a persistent area), and the other regions, by what the call does with
 * the pointer. Only P_READ may name our grant table or kernel text.
 */
static const uint8_t ptr_mix[][3] = {
    [P_STRUCT] = { 13, 3, 0 },
    [P_IO] = { 10, 3, 0 },
    [P_READ] = { 6, 3, 1 },
    [P_WRITE] = { 6, 3, 1 },
    [P_PERSIST] = { 0, 4, 1 },
};

uint64_t fuzz_ptr(struct fuzz *f, enum ptr_use use, uint32_t len)
{
    unsigned int r = (unsigned int)fuzz_below(f, 16);

    if (r < ptr_mix[use][0])
        return scratch_ptr(f, len);
    r -= ptr_mix[use][0];
    if (r < ptr_mix[use][1])
        return fuzz_bad_ptr(f, len);
    r -= ptr_mix[use][1];
    if (r < ptr_mix[use][2])
        return 0;
    switch (fuzz_below(f, 8)) {
    case 0:
    case 1:
        return in_page(f, low_gfn(f), len);
    case 2:
    case 3:
        return in_page(f, fuzz_top_gfn(f), len);
    case 4:
    case 5:
        return in_page(f, fuzz_mapzone_gfn(f), len);
    case 6:
        /* Within the page: the next one is our kernel's. */
        return f->mem.shinfo_gfn * PAGE_SIZE + fuzz_below(f, PAGE_SIZE - FUZZ_MAX_WRITE);
    default:
        if (use == P_READ)
            return fuzz_one_in(f, 2) ? f->mem.grant_gfn[0] * PAGE_SIZE + fuzz_below(f, 4 * PAGE_SIZE)
                                : f->mem.image_start + fuzz_below(f, PAGE_SIZE);
        return in_page(f, past_gfn(f), len);
    }
}

/* ---- staging ------------------------------------------------------------- */

/* The guard page after the scratch area is empty: nothing to write there. */
void fuzz_put(struct fuzz *f, uint64_t at, const void *src, uint64_t len)
{
    uint64_t base = f->mem.scratch, off, n;
    struct fuzz_call *c = &f->call;

    if (at < base || at >= base + FUZZ_SCRATCH_BYTES || len == 0)
        return;
    off = at - base;
    n = len < FUZZ_SCRATCH_BYTES - off ? len : FUZZ_SCRATCH_BYTES - off;
    memcpy(f->stage + off, src, n);
    fuzz_hash(f, &off, sizeof off);
    fuzz_hash(f, src, n);
    if (off < c->lo)
        c->lo = (uint32_t)off;
    if (off + n > c->hi)
        c->hi = (uint32_t)(off + n);
}

/* The uint64_t at guest address `at` (already staged) is an offset from now. */
void fuzz_put_now(struct fuzz *f, uint64_t at)
{
    uint64_t base = f->mem.scratch;
    struct fuzz_call *c = &f->call;

    if (at >= base && at - base <= FUZZ_SCRATCH_BYTES - sizeof(uint64_t) && c->nnow < FUZZ_MAX_NOW)
        c->now_at[c->nnow++] = (uint32_t)(at - base);
}

void fuzz_put_random(struct fuzz *f, uint64_t at, uint32_t len)
{
    uint8_t bytes[256];

    while (len) {
        uint32_t n = len < sizeof bytes ? len : (uint32_t)sizeof bytes;

        for (uint32_t i = 0; i < n; i += 8) {
            uint64_t r = fuzz_next(f);
            memcpy(bytes + i, &r, n - i < 8 ? n - i : 8);
        }
        fuzz_put(f, at, bytes, n);
        at += n;
        len -= n;
    }
}

uint64_t fuzz_when(struct fuzz *f, bool *rel)
{
    *rel = true;
    switch (fuzz_below(f, 8)) {
    case 0:
        *rel = false;
        return 0;
    case 1:
        *rel = false;
        return 1;
    case 2:
        return -(uint64_t)fuzz_below(f, NS_PER_MS);                 /* just passed */
    case 3:
    case 4:
        return fuzz_below(f, NS_PER_MS);                            /* soon */
    case 5:
        return 1000 * NS_PER_MS + fuzz_below(f, 1000 * NS_PER_MS);  /* seconds away */
    default:
        *rel = false;
        return PICK(f, fuzz_edges);
    }
}
