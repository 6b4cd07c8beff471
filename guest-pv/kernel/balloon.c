/* The balloon (balloon.h): the top of the highest RAM range, given back page by page. */
#include <stdint.h>

#include <public/memory_op.h>

#include "balloon.h"
#include "hypercall.h"

#define BATCH 512                   /* frame numbers per call */
#define GFN(addr) ((addr) / PAGE_SIZE)

extern char __image_end[];

static uint64_t end_gfn;            /* one past the highest RAM range's last page */
static uint64_t floor_gfn;          /* the balloon never reaches below this page */
static uint64_t low_gfn;            /* the balloon is [low_gfn, end_gfn) */

void balloon_init(const struct hvm_start_info *si)
{
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    uint64_t start = 0;
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (map[i].type == HVM_MEMMAP_TYPE_RAM && GFN(map[i].addr + map[i].size) > end_gfn) {
            start = map[i].addr;
            end_gfn = GFN(map[i].addr + map[i].size);
        }
    uint64_t keep = GFN((uint64_t)(uintptr_t)__image_end + PAGE_SIZE - 1 + BALLOON_KEEP_BYTES);
    floor_gfn = keep > GFN(start) ? keep : GFN(start);
    if (floor_gfn > end_gfn)
        floor_gfn = end_gfn;        /* RAM too small to give anything back */
    low_gfn = end_gfn;
}

uint64_t balloon_pages(void)
{
    return end_gfn - low_gfn;
}

/* One call for `n` pages from `first` on, going `step` (+1 or -1) each;
 * the number done (they are the first listed), or -errno. */
static long move(unsigned cmd, uint64_t first, int step, uint64_t n)
{
    static uint64_t gfns[BATCH];
    for (uint64_t i = 0; i < n; i++)
        gfns[i] = first + (uint64_t)((int64_t)step * (int64_t)i);
    struct xen_memory_reservation r = {
        .extent_start = (uint64_t)(uintptr_t)gfns, .nr_extents = n, .domid = DOMID_SELF,
    };
    return hyp_memory_op(cmd, (unsigned long)&r);
}

static long owned(void)
{
    domid_t self = DOMID_SELF;
    return hyp_memory_op(XENMEM_CURRENT_RESERVATION, (unsigned long)&self);
}

static uint64_t at_most(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t m = a < b ? a : b;
    return m < c ? m : c;
}

long balloon_set_target(uint64_t pages)
{
    long have = owned();
    while (have > 0 && (uint64_t)have > pages && low_gfn > floor_gfn) {
        /* Down: the pages just below the balloon, highest first, so that
         * those given back are always the top of RAM. */
        uint64_t n = at_most((uint64_t)have - pages, BATCH, low_gfn - floor_gfn);
        long done = move(XENMEM_DECREASE_RESERVATION, low_gfn - 1, -1, n);
        if (done <= 0)
            return done < 0 ? done : owned();
        low_gfn -= (uint64_t)done;
        have -= done;
    }
    while (have > 0 && (uint64_t)have < pages && low_gfn < end_gfn) {
        /* Up: the balloon's lowest pages first, so it stays one range. */
        uint64_t n = at_most(pages - (uint64_t)have, BATCH, end_gfn - low_gfn);
        long done = move(XENMEM_POPULATE_PHYSMAP, low_gfn, 1, n);
        if (done <= 0)
            return done < 0 ? done : owned();   /* max_mem, or the host is out of memory */
        low_gfn += (uint64_t)done;
        have += done;
    }
    return have < 0 ? have : owned();
}
