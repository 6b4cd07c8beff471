/* A fake physical memory and frame allocator for host unit tests (see shim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shim.h"
#include "hv/arch.h"
#include "hv/frame.h"

struct shim_frame_stats shim_frames;
static uint8_t *arena;
static bool live[SHIM_FRAMES];
static long fail_after = -1;

static uint8_t *arena_base(void)
{
    if (!arena) {
        arena = aligned_alloc(4096, SHIM_FRAMES * 4096);
        if (!arena)
            abort();
        memset(arena, 0x5a, SHIM_FRAMES * 4096);
    }
    return arena;
}

static bool in_arena(uint64_t pa)
{
    return pa >= SHIM_PHYS_BASE && pa - SHIM_PHYS_BASE < SHIM_FRAMES * 4096ull;
}

void *phys_to_virt(paddr_t pa)
{
    if (!in_arena(pa)) {
        fprintf(stderr, "shim: phys_to_virt(0x%llx) outside the arena\n", (unsigned long long)pa);
        abort();
    }
    return arena_base() + (pa - SHIM_PHYS_BASE);
}

paddr_t virt_to_phys(const void *va)
{
    const uint8_t *p = va, *a = arena_base();
    if (p < a || p >= a + SHIM_FRAMES * 4096) {
        fprintf(stderr, "shim: virt_to_phys(%p) outside the arena\n", va);
        abort();
    }
    return SHIM_PHYS_BASE + (uint64_t)(p - a);
}

void shim_frames_fail_after(long n)
{
    fail_after = n;
}

void shim_frames_reset(void)
{
    memset(live, 0, sizeof live);
    memset(&shim_frames, 0, sizeof shim_frames);
    fail_after = -1;
}

paddr_t frame_alloc(void)
{
    if (fail_after == 0) {
        shim_frames.failed_allocs++;
        return 0;
    }
    for (unsigned i = 0; i < SHIM_FRAMES; i++) {
        if (live[i])
            continue;
        live[i] = true;
        if (fail_after > 0)
            fail_after--;
        shim_frames.allocs++;
        paddr_t pa = SHIM_PHYS_BASE + i * 4096ull;
        memset(phys_to_virt(pa), 0xa5, 4096);     /* contents are undefined */
        return pa;
    }
    shim_frames.failed_allocs++;
    return 0;
}

void frame_free(paddr_t pa)
{
    if (!in_arena(pa) || (pa & 0xfff) || !live[(pa - SHIM_PHYS_BASE) >> 12]) {
        shim_frames.bad_frees++;
        return;
    }
    live[(pa - SHIM_PHYS_BASE) >> 12] = false;
    shim_frames.frees++;
}

uint64_t shim_frames_live(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < SHIM_FRAMES; i++)
        n += live[i];
    return n;
}

bool shim_frame_is_live(uint64_t pa)
{
    return in_arena(pa) && !(pa & 0xfff) && live[(pa - SHIM_PHYS_BASE) >> 12];
}
