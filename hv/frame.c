/*
 * Bitmap frame allocator: one bit per 4 KiB frame below FRAME_MAX_PHYS,
 * set = free. The bitmap is static so the allocator needs no memory to start.
 * Allocation is next-fit from a moving hint; freeing a frame that is already
 * free (or was never managed) is a hypervisor bug and stops the machine.
 */
#include "hv/frame.h"
#include "hv/printk.h"

#define NFRAMES (FRAME_MAX_PHYS >> PAGE_SHIFT)
#define BITS 64

static uint64_t free_bitmap[NFRAMES / BITS];
static uint64_t managed_bitmap[NFRAMES / BITS];  /* ever added: catches bad frees */
static uint64_t nfree, ntotal, hint;

/* Set bits in a word (no POPCNT assumed, and no libgcc in the hypervisor). */
static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static bool test_bit(const uint64_t *bm, uint64_t i) { return bm[i / BITS] >> (i % BITS) & 1; }
static void set_bit(uint64_t *bm, uint64_t i) { bm[i / BITS] |= 1ull << (i % BITS); }
static void clear_bit(uint64_t *bm, uint64_t i) { bm[i / BITS] &= ~(1ull << (i % BITS)); }

/* The whole frames inside a map entry, clipped to [1 MiB, FRAME_MAX_PHYS); false if none. */
static bool frame_span(const struct mica_memrange *r, paddr_t *start, paddr_t *end)
{
    /* Bogus firmware data (an end past 2^64) is skipped, as is anything too high. */
    if (r->pages > (UINT64_MAX - r->base) >> PAGE_SHIFT || r->base >= FRAME_MAX_PHYS)
        return false;
    *start = MAX(ALIGN_UP(r->base, PAGE_SIZE), FRAME_LOW_RESERVED);
    *end = MIN(ALIGN_DOWN(r->base + (r->pages << PAGE_SHIFT), PAGE_SIZE), FRAME_MAX_PHYS);
    return *start < *end;
}

/*
 * Frames [s, e) (frame numbers), 64 at a time where a whole bitmap word is
 * covered: setting up gigabytes frame by frame costs millions of
 * instructions at boot. `skip_lo`..`skip_hi` (the hypervisor image) are
 * never added.
 */
static void add_range(uint64_t s, uint64_t e, uint64_t skip_lo, uint64_t skip_hi)
{
    for (uint64_t i = s; i < e;) {
        uint64_t w = i / BITS;
        bool whole = !(i % BITS) && i + BITS <= e && (i + BITS <= skip_lo || i >= skip_hi);
        if (whole) {
            uint64_t add = ~managed_bitmap[w];
            managed_bitmap[w] = ~0ull;
            free_bitmap[w] |= add;
            nfree += popcount64(add);
            ntotal += popcount64(add);
            i += BITS;
            continue;
        }
        if ((i < skip_lo || i >= skip_hi) && !test_bit(managed_bitmap, i)) {
            set_bit(managed_bitmap, i);
            set_bit(free_bitmap, i);
            nfree++;
            ntotal++;
        }
        i++;
    }
}

/* A frame that some entry calls usable and another does not is never handed out. */
static void withdraw_range(uint64_t s, uint64_t e)
{
    for (uint64_t i = s; i < e;) {
        uint64_t w = i / BITS;
        if (!(i % BITS) && i + BITS <= e) {
            uint64_t gone = managed_bitmap[w] & free_bitmap[w];
            managed_bitmap[w] &= ~gone;
            free_bitmap[w] &= ~gone;
            nfree -= popcount64(gone);
            ntotal -= popcount64(gone);
            i += BITS;
            continue;
        }
        if (test_bit(managed_bitmap, i) && test_bit(free_bitmap, i)) {
            clear_bit(managed_bitmap, i);
            clear_bit(free_bitmap, i);
            nfree--;
            ntotal--;
        }
        i++;
    }
}

void frame_add_from_map(const struct mica_memrange *map, size_t n, paddr_t hv_start,
                        paddr_t hv_end, bool include_boot_reclaim)
{
    paddr_t start, end;
    /* Allocation starts above the hypervisor image, so that the machine
     * memory from 1 MiB up stays free for dom0's identity-mapped RAM
     * (hv/identity_ram.c) while the hypervisor sets itself up. */
    hint = MIN(ALIGN_UP(hv_end, PAGE_SIZE) >> PAGE_SHIFT, NFRAMES - 1) / BITS;
    for (int withdraw = 0; withdraw < 2; withdraw++) {
        for (size_t i = 0; i < n; i++) {
            bool usable = map[i].type == MICA_MEM_USABLE ||
                          (include_boot_reclaim && map[i].type == MICA_MEM_BOOT_RECLAIM);
            if (usable == (bool)withdraw || !frame_span(&map[i], &start, &end))
                continue;
            if (withdraw)
                withdraw_range(start >> PAGE_SHIFT, end >> PAGE_SHIFT);
            else
                add_range(start >> PAGE_SHIFT, end >> PAGE_SHIFT, hv_start >> PAGE_SHIFT,
                          ALIGN_UP(hv_end, PAGE_SIZE) >> PAGE_SHIFT);
        }
    }
}

paddr_t frame_alloc(void)
{
    if (!nfree)
        return 0;
    for (uint64_t n = 0, w = hint; n <= ARRAY_SIZE(free_bitmap); n++, w++) {
        if (w == ARRAY_SIZE(free_bitmap))
            w = 0;
        if (!free_bitmap[w])
            continue;
        uint64_t i = w * BITS + __builtin_ctzll(free_bitmap[w]);
        clear_bit(free_bitmap, i);
        nfree--;
        hint = w;
        return i << PAGE_SHIFT;
    }
    return 0;
}

paddr_t frame_alloc_or_panic(void)
{
    paddr_t pa = frame_alloc();
    if (!pa)
        panic("out of memory (no free frame) during boot");
    return pa;
}

void frame_free(paddr_t frame)
{
    uint64_t i = frame >> PAGE_SHIFT;
    if ((frame & ~PAGE_MASK) || frame >= FRAME_MAX_PHYS || !test_bit(managed_bitmap, i) ||
        test_bit(free_bitmap, i))
        panic("frame_free: bad or double free of frame 0x%lx", frame);
    set_bit(free_bitmap, i);
    nfree++;
}

uint64_t frame_free_count(void)
{
    return nfree;
}

uint64_t frame_total_count(void)
{
    return ntotal;
}

bool frame_take(paddr_t frame)
{
    uint64_t i = frame >> PAGE_SHIFT;
    if ((frame & ~PAGE_MASK) || frame >= FRAME_MAX_PHYS || !test_bit(free_bitmap, i))
        return false;
    clear_bit(free_bitmap, i);
    nfree--;
    return true;
}

/* The first run of n free frames in frames [from, to), taken; 0 if none. */
static paddr_t take_run(uint64_t from, uint64_t to, uint64_t n)
{
    for (uint64_t i = from, run = 0; i < to; i++) {
        run = test_bit(free_bitmap, i) ? run + 1 : 0;
        if (run < n)
            continue;
        uint64_t first = i + 1 - n;
        for (uint64_t j = first; j <= i; j++)
            frame_take(j << PAGE_SHIFT);
        return first << PAGE_SHIFT;
    }
    return 0;
}

paddr_t frame_alloc_run(uint64_t n)
{
    paddr_t pa = take_run(hint * BITS, NFRAMES, n);
    return pa ? pa : take_run(FRAME_LOW_RESERVED >> PAGE_SHIFT, NFRAMES, n);
}
