/*
 * Host unit test for hv/balloon.c (a domain giving RAM back), in the grant
 * tests' world (grant_fixture.h): the granter G has RAM at gfns
 * RAM_GFN..RAM_GFN+7 and its table frame 0 at TABLE_GFN; its memory map
 * here says RAM for the first six of those pages, reserved for the rest.
 */
#include "check.h"
#include "grant_fixture.h"
#include "hv/balloon.h"
#include "public/hvm_start_info.h"

CHECK_SUITE("balloon");

#define MAP_RAM_PAGES 6

static void balloon_setup(void)
{
    setup();
    g->memmap[0] = (struct hvm_memmap_table_entry){
        .addr = GPA(RAM_GFN), .size = MAP_RAM_PAGES * PAGE_SIZE, .type = HVM_MEMMAP_TYPE_RAM,
    };
    g->memmap[1] = (struct hvm_memmap_table_entry){
        .addr = GPA(RAM_GFN + MAP_RAM_PAGES), .size = (RAM_PAGES - MAP_RAM_PAGES) * PAGE_SIZE,
        .type = HVM_MEMMAP_TYPE_RESERVED,
    };
    g->memmap[2] = (struct hvm_memmap_table_entry){
        .addr = GPA(TABLE_GFN), .size = PAGE_SIZE, .type = HVM_MEMMAP_TYPE_RAM,
    };
    g->memmap_entries = 3;
    g->frames_owned = RAM_PAGES;
}

static bool unchanged(unsigned pages, uint64_t frees)
{
    return shim_ept_count(g) == pages && g->frames_owned == RAM_PAGES &&
           shim_frames.frees == frees;
}

static void test_release(void)
{
    balloon_setup();
    unsigned pages = shim_ept_count(g);
    paddr_t f = ram(g, RAM_GFN + 1);
    uint64_t frees = shim_frames.frees;
    CHECK("one page given back", balloon_release(g, RAM_GFN + 1, 0) == 0);
    CHECK("... leaves its physmap", !ram(g, RAM_GFN + 1) && shim_ept_count(g) == pages - 1);
    CHECK("... its frame is freed once", !shim_frame_is_live(f) &&
          shim_frames.frees == frees + 1 && shim_frames.bad_frees == 0);
    CHECK("... and it owns one page fewer", g->frames_owned == RAM_PAGES - 1);
    CHECK("a page not there any more -> refused", balloon_release(g, RAM_GFN + 1, 0) == -1 &&
          g->frames_owned == RAM_PAGES - 1 && shim_frames.frees == frees + 1);

    balloon_setup();
    pages = shim_ept_count(g);
    frees = shim_frames.frees;
    CHECK("an extent of 4 pages given back", balloon_release(g, RAM_GFN, 2) == 0 &&
          shim_ept_count(g) == pages - 4 && g->frames_owned == RAM_PAGES - 4 &&
          shim_frames.frees == frees + 4 && shim_frames.bad_frees == 0);
    CHECK("the pages after it stay", ram(g, RAM_GFN + 4) && ram(g, RAM_GFN + 5));
}

static void test_refused(void)
{
    balloon_setup();
    unsigned pages = shim_ept_count(g);
    uint64_t frees = shim_frames.frees;
    CHECK("a gfn not a multiple of the extent -> refused",
          balloon_release(g, RAM_GFN + 1, 1) == -1 && unchanged(pages, frees));
    CHECK("an extent running past the RAM of its map -> refused, none of it taken",
          balloon_release(g, RAM_GFN + 4, 2) == -1 && unchanged(pages, frees) &&
          ram(g, RAM_GFN + 4) && ram(g, RAM_GFN + 5));
    CHECK("its own page in a reserved range of its map -> refused",
          balloon_release(g, RAM_GFN + MAP_RAM_PAGES, 0) == -1 && unchanged(pages, frees));
    CHECK("a grant-table frame (not its RAM) in a RAM range -> refused",
          balloon_release(g, TABLE_GFN, 0) == -1 && unchanged(pages, frees));
    CHECK("a hole -> refused", balloon_release(g, HOST_GFN, 0) == -1 && unchanged(pages, frees));
    CHECK("a gfn beyond 48-bit guest-physical addresses -> refused",
          balloon_release(g, 1ull << 36, 0) == -1 && unchanged(pages, frees));
    CHECK("a gfn whose address would wrap into its RAM -> refused",
          balloon_release(g, (1ull << 52) + RAM_GFN, 0) == -1 && unchanged(pages, frees));
}

/* A page given back while another domain maps it: freed at that unmap, once. */
static void test_mapped_elsewhere(void)
{
    balloon_setup();
    paddr_t f = ram(g, RAM_GFN + 2);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 2);
    struct map_result a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("the mapper maps the page", a.status == GNTST_okay);
    uint64_t frees = shim_frames.frees;
    CHECK("the granter gives it back", balloon_release(g, RAM_GFN + 2, 0) == 0 &&
          !ram(g, RAM_GFN + 2) && g->frames_owned == RAM_PAGES - 1);
    CHECK("... but the frame lives for the mapper", shim_frame_is_live(f) &&
          shim_frames.frees == frees);
    CHECK("the mapper unmaps -> okay", unmap(vm, GPA(HOST_GFN), a.handle) == GNTST_okay);
    CHECK("... and the frame is freed exactly once", !shim_frame_is_live(f) &&
          shim_frames.frees == frees + 1 && shim_frames.bad_frees == 0);
}

int main(void)
{
    test_release();
    test_refused();
    test_mapped_elsewhere();
    CHECK_DONE();
}
