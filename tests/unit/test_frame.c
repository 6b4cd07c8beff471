/*
 * Host unit test for hv/frame.c. The allocator keeps static state, so each
 * scenario runs in a forked child with a fresh allocator; its PASS/FAIL lines
 * go to the shared stdout and the parent checks that it ran to completion.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "shim.h"
#include "hv/frame.h"

CHECK_SUITE("frame");

#define R(base, pages, type) { (base), (pages), (type), 0 }

/* What a scenario fed the allocator, to judge every frame it hands out. */
struct layout {
    const struct mica_memrange *map;
    size_t n;
    paddr_t hv_start, hv_end;
    bool reclaim;
};

static bool usable_type(const struct layout *l, uint32_t type)
{
    return type == MICA_MEM_USABLE || (l->reclaim && type == MICA_MEM_BOOT_RECLAIM);
}

/* A frame may be handed out only if it lies wholly inside an allowed range. */
static bool frame_ok(const struct layout *l, paddr_t pa)
{
    if (!pa || (pa & 0xfff) || pa < FRAME_LOW_RESERVED || pa >= FRAME_MAX_PHYS)
        return false;
    if (pa < l->hv_end && pa + PAGE_SIZE > l->hv_start)
        return false;
    bool inside = false;
    for (size_t i = 0; i < l->n; i++) {
        const struct mica_memrange *r = &l->map[i];
        if (r->pages > (UINT64_MAX - r->base) >> PAGE_SHIFT)
            continue;
        uint64_t end = r->base + (r->pages << PAGE_SHIFT);
        bool overlaps = pa < end && pa + PAGE_SIZE > r->base;
        if (overlaps && !usable_type(l, r->type))
            return false;
        if (usable_type(l, r->type) && pa >= r->base && pa + PAGE_SIZE <= end)
            inside = true;
    }
    return inside;
}

/* One byte per frame below FRAME_MAX_PHYS: handed out and not yet freed. */
static uint8_t *seen;

struct drain {
    uint64_t count;
    bool all_ok, unique;
};

/* Allocate until frame_alloc() returns 0, judging every frame. */
static struct drain drain(const struct layout *l)
{
    struct drain d = { 0, true, true };
    paddr_t pa;
    while ((pa = frame_alloc()) != 0) {
        if (++d.count > (FRAME_MAX_PHYS >> PAGE_SHIFT))
            break;                      /* cannot happen: a frame came back twice */
        if (!frame_ok(l, pa)) {
            if (d.all_ok)
                printf("  first bad frame: 0x%llx\n", (unsigned long long)pa);
            d.all_ok = false;
            continue;
        }
        if (seen[pa >> PAGE_SHIFT])
            d.unique = false;
        seen[pa >> PAGE_SHIFT] = 1;
    }
    return d;
}

static void do_free(uint64_t pa) { frame_free(pa); }
static void do_alloc_or_panic(uint64_t unused) { (void)frame_alloc_or_panic(); }

/* ---- scenario: a firmware-like memory map -------------------------------- */

#define HV_START 0x200000ull
#define HV_END   0x300000ull

static const struct mica_memrange fw_map[] = {
    R(0x0, 0x9f, MICA_MEM_USABLE),                  /* below 1 MiB: never */
    R(0x9f000, 0x61, MICA_MEM_RESERVED),
    R(0x100000, 0x700, MICA_MEM_USABLE),            /* 1792 pages, 256 of them hv */
    R(0x800000, 0x100, MICA_MEM_ACPI_RECLAIM),
    R(0x900000, 0x100, MICA_MEM_ACPI_NVS),
    R(0xa00000, 0x100, MICA_MEM_MMIO),
    R(0xb00000, 0x100, MICA_MEM_RESERVED),
    R(0xc00000, 0x100, MICA_MEM_RUNTIME),
    R(0xd00000, 0x100, MICA_MEM_LOADER),
    R(0xe00000, 0x100, MICA_MEM_BOOT_RECLAIM),
    R(0xf00000, 0x100, 0),                          /* not a valid type */
    R(0x1000000, 0x100, 99),                        /* unknown type */
    R(0xfee00000, 1, MICA_MEM_MMIO),
    R(GiB(4), 0x400, MICA_MEM_USABLE),              /* 1024 pages above 4 GiB */
};
#define FW_USABLE  (0x700 - 0x100 + 0x400)
#define FW_RECLAIM 0x100

static void scenario_firmware(void)
{
    const struct layout l = { fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, false };

    CHECK("fresh allocator is empty", frame_total_count() == 0 && frame_free_count() == 0 &&
                                          frame_alloc() == 0);
    frame_add_from_map(fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, false);
    CHECK("total counts only usable frames outside the hv image",
          frame_total_count() == FW_USABLE);
    CHECK("all of them start free", frame_free_count() == FW_USABLE);

    struct drain d = drain(&l);
    CHECK("hands out exactly the usable frames", d.count == FW_USABLE);
    CHECK("every frame is usable RAM, >= 1 MiB, outside the hv image", d.all_ok);
    CHECK("no frame handed out twice", d.unique);
    CHECK("frame just below the hv image is used", seen[(HV_START >> PAGE_SHIFT) - 1]);
    CHECK("frame at hv_end is used", seen[HV_END >> PAGE_SHIFT]);
    CHECK("first frame at 1 MiB is used", seen[FRAME_LOW_RESERVED >> PAGE_SHIFT]);
    CHECK("last frame above 4 GiB is used", seen[(GiB(4) >> PAGE_SHIFT) + 0x3ff]);
    CHECK("exhausted: alloc returns 0", frame_alloc() == 0 && frame_alloc() == 0);
    CHECK("exhausted: free count 0, total unchanged",
          frame_free_count() == 0 && frame_total_count() == FW_USABLE);
    CHECK("exhausted: frame_alloc_or_panic panics", shim_panics(do_alloc_or_panic, 0));

    frame_free(0x123000);
    CHECK("free one: free count 1", frame_free_count() == 1);
    CHECK("realloc returns the freed frame", frame_alloc() == 0x123000);
    CHECK("then exhausted again", frame_alloc() == 0 && frame_free_count() == 0);

    /* Free a few far apart (the allocator's hint is somewhere else). */
    const paddr_t some[] = { 0x100000, GiB(4) + 0x3ff000, 0x7ff000, HV_END };
    for (size_t i = 0; i < ARRAY_SIZE(some); i++)
        frame_free(some[i]);
    CHECK("free four: free count 4", frame_free_count() == ARRAY_SIZE(some));
    bool got[ARRAY_SIZE(some)] = { false };
    bool stray = false;
    for (size_t n = 0; n < ARRAY_SIZE(some); n++) {
        paddr_t pa = frame_alloc();
        size_t i = 0;
        while (i < ARRAY_SIZE(some) && some[i] != pa)
            i++;
        if (i == ARRAY_SIZE(some) || got[i])
            stray = true;
        else
            got[i] = true;
    }
    CHECK("realloc returns exactly the four freed frames", !stray);
    CHECK("and nothing more", frame_alloc() == 0);

    frame_free(0x123000);
    CHECK("double free panics", shim_panics(do_free, 0x123000));
    CHECK("double free does not change the free count", frame_free_count() == 1);
    CHECK("frame_alloc_or_panic returns the last frame",
          !shim_panics(do_alloc_or_panic, 0) && frame_free_count() == 0);

    static const struct { const char *name; paddr_t pa; } bad[] = {
        { "free of a hv image frame panics", HV_START },
        { "free of the last hv image frame panics", HV_END - PAGE_SIZE },
        { "free of an MMIO frame panics", 0xa00000 },
        { "free of an ACPI frame panics", 0x800000 },
        { "free of a LOADER frame panics", 0xd00000 },
        { "free of a BOOT_RECLAIM frame not added panics", 0xe00000 },
        { "free of a frame below 1 MiB panics", 0x9e000 },
        { "free of frame 0 panics", 0 },
        { "free of an unaligned address panics", 0x123001 },
        { "free of FRAME_MAX_PHYS panics", FRAME_MAX_PHYS },
        { "free of the top page of the address space panics", UINT64_MAX & PAGE_MASK },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        CHECK(bad[i].name, shim_panics(do_free, bad[i].pa));
    CHECK("bad frees leave the counts alone",
          frame_free_count() == 0 && frame_total_count() == FW_USABLE);
}

/* ---- scenario: boot-services memory added later --------------------------- */

static void scenario_reclaim(void)
{
    const struct layout l = { fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, true };

    frame_add_from_map(fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, false);
    CHECK("without reclaim: usable only", frame_total_count() == FW_USABLE);
    paddr_t taken = frame_alloc();
    frame_add_from_map(fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, true);
    CHECK("second pass adds only the BOOT_RECLAIM frames",
          frame_total_count() == FW_USABLE + FW_RECLAIM);
    CHECK("second pass does not free the frame in use",
          frame_free_count() == FW_USABLE + FW_RECLAIM - 1);
    frame_add_from_map(fw_map, ARRAY_SIZE(fw_map), HV_START, HV_END, true);
    CHECK("third pass adds nothing", frame_total_count() == FW_USABLE + FW_RECLAIM &&
                                         frame_free_count() == FW_USABLE + FW_RECLAIM - 1);

    if (taken)
        seen[taken >> PAGE_SHIFT] = 1;
    struct drain d = drain(&l);
    CHECK("hands out every remaining frame", d.count == FW_USABLE + FW_RECLAIM - 1);
    CHECK("every frame is usable or boot-reclaim RAM", d.all_ok);
    CHECK("no frame handed out twice (incl. the one taken before)", d.unique);
    bool all_reclaim = true;
    for (paddr_t pa = 0xe00000; pa < 0xf00000; pa += PAGE_SIZE)
        all_reclaim &= seen[pa >> PAGE_SHIFT];
    CHECK("all BOOT_RECLAIM frames were handed out", all_reclaim);
}

/* ---- scenario: unaligned, clipped and bogus ranges ------------------------ */

static const struct mica_memrange edge_map[] = {
    R(0xff000, 2, MICA_MEM_USABLE),                 /* straddles 1 MiB: 1 frame */
    R(0x200800, 4, MICA_MEM_USABLE),                /* unaligned: 3 whole frames */
    R(0x300fff, 1, MICA_MEM_USABLE),                /* no whole frame */
    R(0x400000, 0x10, MICA_MEM_USABLE),             /* 16, minus the hv image */
    R(FRAME_MAX_PHYS - 0x2000, 4, MICA_MEM_USABLE), /* straddles the limit: 2 */
    R(FRAME_MAX_PHYS, 0x100, MICA_MEM_USABLE),      /* above the limit: none */
    /* pages << 12 wraps to 1 MiB: would add [5 MiB, 6 MiB) if not skipped */
    R(0x500000, (1ull << 52) + 0x100, MICA_MEM_USABLE),
    R(UINT64_MAX & PAGE_MASK, 1, MICA_MEM_USABLE),  /* ends exactly at 2^64 */
    R(0x600000, 0, MICA_MEM_USABLE),                /* empty */
};
/* hv image with an unaligned end: [0x404000, 0x406001) covers 3 frames */
#define EDGE_HV_START 0x404000ull
#define EDGE_HV_END   0x406001ull
#define EDGE_FRAMES   (1 + 3 + 0 + (16 - 3) + 2)

static void scenario_edges(void)
{
    /* For judging, the overflowing range must not count as allowed. */
    const struct layout l = { edge_map, ARRAY_SIZE(edge_map), EDGE_HV_START, EDGE_HV_END, false };

    frame_add_from_map(edge_map, ARRAY_SIZE(edge_map), EDGE_HV_START, EDGE_HV_END, false);
    CHECK("edge ranges: exact total", frame_total_count() == EDGE_FRAMES);
    struct drain d = drain(&l);
    CHECK("edge ranges: hands out exactly that many", d.count == EDGE_FRAMES);
    CHECK("edge ranges: only whole usable frames in bounds", d.all_ok);
    CHECK("edge ranges: no frame twice", d.unique);
    CHECK("frame at 1 MiB from a range straddling it", seen[0x100]);
    CHECK("unaligned range: its first whole frame", seen[0x201] && seen[0x203]);
    CHECK("frame holding the unaligned hv_end is not used", !seen[0x406]);
    CHECK("frame after the unaligned hv_end is used", seen[0x407]);
    CHECK("last frame below FRAME_MAX_PHYS is used", seen[(FRAME_MAX_PHYS >> PAGE_SHIFT) - 1]);
    CHECK("overflowing range skipped (nothing in [5 MiB, 6 MiB))", !seen[0x500] && !seen[0x5ff]);
}

/* ---- scenario: overlapping and duplicate ranges --------------------------- */

static const struct mica_memrange overlap_map[] = {
    R(0x100000, 0x100, MICA_MEM_USABLE),
    R(0x100000, 0x100, MICA_MEM_USABLE),            /* duplicate */
    R(0x180000, 0x100, MICA_MEM_USABLE),            /* overlaps the tail */
    R(0x140000, 0x10, MICA_MEM_USABLE),             /* inside */
};
#define OVERLAP_FRAMES 0x180

static void scenario_overlap(void)
{
    const struct layout l = { overlap_map, ARRAY_SIZE(overlap_map), 0, 0, false };

    frame_add_from_map(overlap_map, ARRAY_SIZE(overlap_map), 0, 0, false);
    CHECK("overlaps counted once (total)", frame_total_count() == OVERLAP_FRAMES);
    CHECK("overlaps counted once (free)", frame_free_count() == OVERLAP_FRAMES);
    struct drain d = drain(&l);
    CHECK("overlaps: hands out each frame once", d.count == OVERLAP_FRAMES && d.unique);
    CHECK("overlaps: frames in range", d.all_ok);
}

/* ---- scenario: nothing usable ---------------------------------------------- */

static const struct mica_memrange unusable_map[] = {
    R(0x100000, 0x100, MICA_MEM_BOOT_RECLAIM),
    R(0x200000, 0x100, MICA_MEM_LOADER),
    R(0x300000, 0x100, MICA_MEM_RESERVED),
};

static void scenario_empty(void)
{
    frame_add_from_map(NULL, 0, 0, 0, false);
    frame_add_from_map(unusable_map, ARRAY_SIZE(unusable_map), 0, 0, false);
    CHECK("no usable memory: total 0", frame_total_count() == 0 && frame_free_count() == 0);
    CHECK("no usable memory: alloc returns 0", frame_alloc() == 0);
    CHECK("no usable memory: frame_alloc_or_panic panics", shim_panics(do_alloc_or_panic, 0));
    CHECK("free of a never-managed frame panics", shim_panics(do_free, 0x100000));
}

/*
 * ---- scenario: a bogus range at the very top of the address space ---------
 * Regression: ALIGN_UP(start) once wrapped to 0 for an unaligned base in the
 * last page, so every frame in [1 MiB, 64 GiB) was added, including the MMIO
 * range below. Expected: nothing added.
 */
static const struct mica_memrange top_map[] = {
    R(0xa00000, 0x100, MICA_MEM_MMIO),
    R(UINT64_MAX - 0xffe, 0, MICA_MEM_USABLE),      /* base 0xffff...f001, no pages */
};

static void scenario_top(void)
{
    frame_add_from_map(top_map, ARRAY_SIZE(top_map), 0, 0, false);
    CHECK("unaligned empty range in the top page adds nothing",
          frame_total_count() == 0);
    if (frame_total_count())
        printf("  (it added %llu frames)\n", (unsigned long long)frame_total_count());
}

/*
 * ---- scenario: entries that disagree ---------------------------------------
 * One entry says usable, another says reserved: the cautious reading wins,
 * whatever the order of the entries.
 */
static const struct mica_memrange conflict_map[] = {
    R(0x1000000, 0x1000, MICA_MEM_USABLE),          /* 16 MiB .. 32 MiB */
    R(0x1400000, 0x100, MICA_MEM_RESERVED),         /* 20 MiB .. 21 MiB inside it */
    R(0x2100000, 0x10, MICA_MEM_ACPI_NVS),          /* listed before its usable twin */
    R(0x2100000, 0x20, MICA_MEM_USABLE),
};

static void scenario_conflict(void)
{
    frame_add_from_map(conflict_map, ARRAY_SIZE(conflict_map), 0, 0, false);
    CHECK("conflicting entries: reserved frames withdrawn",
          frame_total_count() == 0x1000 - 0x100 + 0x20 - 0x10);
    bool clean = true;
    for (paddr_t pa; (pa = frame_alloc()) != 0;)
        if ((pa >= 0x1400000 && pa < 0x1500000) || (pa >= 0x2100000 && pa < 0x2110000))
            clean = false;
    CHECK("conflicting entries: no reserved frame handed out", clean);
}

/* ---------------------------------------------------------------------------- */

static void scenario(const char *name, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(check_failures ? 3 : 0);
    }
    int status = 0;
    bool waited = pid > 0 && waitpid(pid, &status, 0) == pid;
    int code = waited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    CHECK(name, code == 0 || code == 3);   /* ran to completion (no crash) */
    if (code == 3)
        check_failures++;
}

int main(void)
{
    seen = calloc(FRAME_MAX_PHYS >> PAGE_SHIFT, 1);
    if (!seen)
        return 2;
    scenario("scenario firmware map completed", scenario_firmware);
    scenario("scenario boot reclaim completed", scenario_reclaim);
    scenario("scenario edge ranges completed", scenario_edges);
    scenario("scenario overlaps completed", scenario_overlap);
    scenario("scenario nothing usable completed", scenario_empty);
    scenario("scenario top of address space completed", scenario_top);
    scenario("scenario conflicting entries completed", scenario_conflict);
    free(seen);
    CHECK_DONE();
}
