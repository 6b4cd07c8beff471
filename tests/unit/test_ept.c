/*
 * Host unit test for arch/x86/vmx/ept.c over the fake physical memory of
 * shim_frames.c. Translations are checked both through ept_lookup() and by
 * walking the tables the way the CPU does (SDM 3C 29.3.2), so a builder and
 * a lookup that agree on a wrong format still fail.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "shim.h"
#include "arch/ept.h"
#include "hv/arch.h"

CHECK_SUITE("ept");

#define LEAF_FLAGS_MASK (EPT_RWX | (7ull << 3) | EPT_IGNORE_PAT | EPT_SW_OWNED)

/* The CPU's view: leaf entry for gpa, 0 if a level is absent or malformed. */
static uint64_t hw_walk(uint64_t root, uint64_t gpa, bool *nonleaf_ok)
{
    uint64_t table = root;
    for (int level = 3; level >= 0; level--) {
        if (!shim_frame_is_live(table)) {
            *nonleaf_ok = false;
            return 0;
        }
        const uint64_t *t = phys_to_virt(table);
        uint64_t e = t[(gpa >> (12 + 9 * level)) & 511];
        if (!(e & EPT_RWX))
            return 0;
        if (level == 0)
            return e;
        /* Non-leaf: bits 7:3 are reserved (or "page size" = 0); RWX for all. */
        if ((e & 0xf8) || (e & EPT_RWX) != EPT_RWX || (e >> 52))
            *nonleaf_ok = false;
        table = e & EPT_ADDR_MASK;
    }
    return 0;
}

static uint64_t released[1024];
static unsigned nreleased;

static void release(uint64_t hpa)
{
    if (nreleased < ARRAY_SIZE(released))
        released[nreleased] = hpa;
    nreleased++;
}

static unsigned times_released(uint64_t hpa)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nreleased && i < ARRAY_SIZE(released); i++)
        n += released[i] == hpa;
    return n;
}

static void no_release(uint64_t hpa)
{
    (void)hpa;
    nreleased++;
}

static void test_init_and_pointer(void)
{
    struct ept e;
    uint64_t before = shim_frames.allocs;
    CHECK("init succeeds", ept_init(&e) == 0);
    CHECK("init allocates one root frame", shim_frames.allocs == before + 1 &&
                                               shim_frame_is_live(e.root));
    CHECK("init counts the root in table_frames", e.table_frames == 1);
    const uint64_t *root = phys_to_virt(e.root);
    bool zero = true;
    for (int i = 0; i < 512; i++)
        zero &= root[i] == 0;
    CHECK("root table is zeroed (frames come back dirty)", zero);

    uint64_t eptp = ept_pointer(&e);
    CHECK("EPTP memory type WB (6) in bits 2:0", (eptp & 7) == 6);
    CHECK("EPTP walk length - 1 = 3 in bits 5:3", ((eptp >> 3) & 7) == 3);
    CHECK("EPTP bits 11:6 clear (no A/D, no reserved)", (eptp & 0xfc0) == 0);
    CHECK("EPTP address is the root", (eptp & ~0xfffull) == e.root);

    ept_destroy(&e, release);
    CHECK("destroy of an empty EPT frees the root", !shim_frame_is_live(eptp & ~0xfffull) &&
                                                        e.root == 0 && e.table_frames == 0);
}

static void test_init_failure(void)
{
    struct ept e = { 0, 0, 0 };
    shim_frames_fail_after(0);
    CHECK("init without a free frame returns -1", ept_init(&e) == -1);
    shim_frames_fail_after(-1);
    nreleased = 0;
    uint64_t frees = shim_frames.frees;
    ept_destroy(&e, release);
    CHECK("destroy after failed init does nothing",
          nreleased == 0 && shim_frames.frees == frees && shim_frames.bad_frees == 0);
}

static void test_map_lookup(void)
{
    struct ept e;
    ept_init(&e);
    const uint64_t gpa = 0x12345000, hpa = 0xabcdef000ull;

    CHECK("map read-only", ept_map(&e, gpa, hpa, EPT_READ) == 0);
    uint64_t leaf = ept_lookup(&e, gpa);
    CHECK("lookup: address", (leaf & EPT_ADDR_MASK) == hpa);
    CHECK("lookup: permission is exactly R", (leaf & EPT_RWX) == EPT_READ);
    CHECK("lookup: memory type WB in bits 5:3", ((leaf >> 3) & 7) == 6);
    CHECK("lookup: ignore-PAT set", (leaf & EPT_IGNORE_PAT) != 0);
    CHECK("lookup: not owned", !(leaf & EPT_SW_OWNED));
    CHECK("lookup: nothing else set", (leaf & ~(EPT_ADDR_MASK | LEAF_FLAGS_MASK)) == 0);
    bool ok = true;
    CHECK("hardware walk finds the same leaf", hw_walk(e.root, gpa, &ok) == leaf && ok);
    CHECK("lookup with a page offset finds the page", ept_lookup(&e, gpa + 0xfff) == leaf);
    CHECK("4 levels of tables", e.table_frames == 4);

    CHECK("map RWX owned", ept_map(&e, gpa + 0x1000, hpa + 0x1000, EPT_RWX | EPT_SW_OWNED) == 0);
    leaf = ept_lookup(&e, gpa + 0x1000);
    CHECK("owned leaf: RWX", (leaf & EPT_RWX) == EPT_RWX);
    CHECK("owned leaf: EPT_SW_OWNED kept", (leaf & EPT_SW_OWNED) != 0);
    CHECK("owned leaf: address", (leaf & EPT_ADDR_MASK) == hpa + 0x1000);
    CHECK("neighbour shares the page table", e.table_frames == 4);

    CHECK("map execute-only", ept_map(&e, gpa + 0x3000, hpa + 0x3000, EPT_EXEC) == 0);
    leaf = ept_lookup(&e, gpa + 0x3000);
    CHECK("execute-only leaf: X only, WB", (leaf & EPT_RWX) == EPT_EXEC && ((leaf >> 3) & 7) == 6);

    CHECK("unmapped neighbour -> 0", ept_lookup(&e, gpa + 0x2000) == 0);
    CHECK("unmapped page before -> 0", ept_lookup(&e, gpa - 0x1000) == 0);
    CHECK("unmapped far gpa -> 0", ept_lookup(&e, 1ull << 40) == 0);
    CHECK("gpa 0 unmapped -> 0", ept_lookup(&e, 0) == 0);
    CHECK("gpa at 2^48 -> 0", ept_lookup(&e, EPT_GPA_LIMIT) == 0);
    CHECK("gpa with bit 48 aliasing a mapped page -> 0", ept_lookup(&e, EPT_GPA_LIMIT | gpa) == 0);
    CHECK("gpa ~0 -> 0", ept_lookup(&e, UINT64_MAX) == 0);

    CHECK("double map -> -2", ept_map(&e, gpa, 0x5000, EPT_RWX) == -2);
    leaf = ept_lookup(&e, gpa);
    CHECK("double map keeps the first mapping",
          (leaf & EPT_ADDR_MASK) == hpa && (leaf & EPT_RWX) == EPT_READ);
    CHECK("double map of an owned page -> -2", ept_map(&e, gpa + 0x1000, 0x5000, EPT_READ) == -2);

    uint64_t allocs = shim_frames.allocs, frames = e.table_frames;
    CHECK("gpa = 2^48 -> -1", ept_map(&e, EPT_GPA_LIMIT, 0x5000, EPT_RWX) == -1);
    CHECK("gpa ~0 & page mask -> -1", ept_map(&e, UINT64_MAX & ~0xfffull, 0x5000, EPT_RWX) == -1);
    CHECK("unaligned gpa -> -1", ept_map(&e, 0x7000 + 0x800, 0x5000, EPT_RWX) == -1);
    CHECK("gpa off by one byte -> -1", ept_map(&e, 0x7001, 0x5000, EPT_RWX) == -1);
    CHECK("unaligned hpa -> -1", ept_map(&e, 0x7000, 0x5008, EPT_RWX) == -1);
    CHECK("refused maps allocate nothing",
          shim_frames.allocs == allocs && e.table_frames == frames);
    CHECK("refused maps map nothing", ept_lookup(&e, 0x7000) == 0);

    const uint64_t top = EPT_GPA_LIMIT - 0x1000;
    CHECK("highest gpa (2^48 - 4 KiB) maps", ept_map(&e, top, 0x9000, EPT_READ | EPT_WRITE) == 0);
    ok = true;
    leaf = hw_walk(e.root, top, &ok);
    CHECK("highest gpa: hardware walk", (leaf & EPT_ADDR_MASK) == 0x9000 && ok &&
                                            (leaf & EPT_RWX) == (EPT_READ | EPT_WRITE));
    CHECK("highest gpa: lookup", ept_lookup(&e, top) == leaf);
    CHECK("highest gpa: uses last PML4 slot",
          ((const uint64_t *)phys_to_virt(e.root))[511] != 0);
    CHECK("highest gpa: 3 new tables", e.table_frames == 7);
    CHECK("table_frames matches frames allocated",
          shim_frames_live() == e.table_frames);

    nreleased = 0;
    ept_destroy(&e, release);
    CHECK("destroy releases only the owned leaf",
          nreleased == 1 && times_released(hpa + 0x1000) == 1);
    CHECK("destroy frees every table", shim_frames_live() == 0 && e.table_frames == 0 &&
                                           shim_frames.bad_frees == 0);
}

/* Table sharing and the count of paging-structure frames. */
static void test_table_sharing(void)
{
    struct ept e;
    ept_init(&e);
    const uint64_t base = GiB(3) + MiB(2);       /* 2 MiB aligned */
    bool all = true;
    for (uint64_t i = 0; i < 512; i++)
        all &= ept_map(&e, base + i * 4096, 0x40000000 + i * 4096, EPT_RWX | EPT_SW_OWNED) == 0;
    CHECK("512 consecutive pages map", all);
    CHECK("512 consecutive pages use one PT (root + PDPT + PD + PT)", e.table_frames == 4);
    all = true;
    bool ok = true;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t leaf = hw_walk(e.root, base + i * 4096, &ok);
        all &= (leaf & EPT_ADDR_MASK) == 0x40000000 + i * 4096 && leaf == ept_lookup(&e, base + i * 4096);
    }
    CHECK("each of the 512 translates to its own frame", all && ok);
    CHECK("page before the 2 MiB block unmapped", ept_lookup(&e, base - 4096) == 0);
    CHECK("page after the 2 MiB block unmapped", ept_lookup(&e, base + MiB(2)) == 0);

    CHECK("next 2 MiB block", ept_map(&e, base + MiB(2), 0x100000000ull, EPT_READ) == 0);
    CHECK("next 2 MiB block needs one more PT", e.table_frames == 5);
    CHECK("next 1 GiB", ept_map(&e, base + GiB(1), 0x100001000ull, EPT_READ) == 0);
    CHECK("next 1 GiB needs PD + PT", e.table_frames == 7);
    CHECK("next 512 GiB", ept_map(&e, base + GiB(512), 0x100002000ull, EPT_READ) == 0);
    CHECK("next 512 GiB needs PDPT + PD + PT", e.table_frames == 10);
    CHECK("table_frames matches frames allocated", shim_frames_live() == e.table_frames);
    CHECK("mappings in other tables do not alias",
          (ept_lookup(&e, base + GiB(1)) & EPT_ADDR_MASK) == 0x100001000ull &&
          (ept_lookup(&e, base + GiB(512)) & EPT_ADDR_MASK) == 0x100002000ull &&
          (ept_lookup(&e, base) & EPT_ADDR_MASK) == 0x40000000);

    nreleased = 0;
    ept_destroy(&e, release);
    all = nreleased == 512;
    for (uint64_t i = 0; i < 512; i++)
        all &= times_released(0x40000000 + i * 4096) == 1;
    CHECK("destroy releases each of the 512 owned frames once", all);
    CHECK("destroy does not release the 3 leaves mapped without EPT_SW_OWNED",
          times_released(0x100000000ull) + times_released(0x100001000ull) +
                  times_released(0x100002000ull) == 0);
    CHECK("destroy frees all 10 tables", shim_frames_live() == 0 && e.table_frames == 0 &&
                                             shim_frames.bad_frees == 0);
    CHECK("root cleared", e.root == 0);
    uint64_t frees = shim_frames.frees;
    nreleased = 0;
    ept_destroy(&e, release);
    CHECK("second destroy is a no-op", shim_frames.frees == frees && nreleased == 0 &&
                                           shim_frames.bad_frees == 0);
}

/* Running out of frames in the middle of a walk. */
static void test_alloc_failure(void)
{
    struct ept e;
    ept_init(&e);
    const uint64_t gpa = GiB(5) + 0x3000;
    uint64_t allocs = shim_frames.allocs;

    shim_frames_fail_after(1);                  /* PDPT yes, PD no */
    CHECK("no frame for the PD -> -1", ept_map(&e, gpa, 0x8000, EPT_RWX | EPT_SW_OWNED) == -1);
    CHECK("the PDPT it got is counted", e.table_frames == 2 && shim_frames.allocs == allocs + 1);
    CHECK("nothing mapped after the failure", ept_lookup(&e, gpa) == 0);

    shim_frames_fail_after(1);                  /* PD yes, PT no */
    CHECK("no frame for the PT -> -1", ept_map(&e, gpa, 0x8000, EPT_RWX | EPT_SW_OWNED) == -1);
    CHECK("partial tables are reused, not leaked", e.table_frames == 3 &&
                                                      shim_frames.allocs == allocs + 2);

    shim_frames_fail_after(0);
    CHECK("no frame at all -> -1", ept_map(&e, gpa, 0x8000, EPT_RWX | EPT_SW_OWNED) == -1);
    CHECK("still nothing mapped", ept_lookup(&e, gpa) == 0);

    shim_frames_fail_after(1);                  /* the last table, then nothing */
    CHECK("retry completes the walk", ept_map(&e, gpa, 0x8000, EPT_RWX | EPT_SW_OWNED) == 0);
    CHECK("retry: mapped", (ept_lookup(&e, gpa) & EPT_ADDR_MASK) == 0x8000);
    CHECK("retry: 4 tables", e.table_frames == 4);
    CHECK("neighbour needs no frame", ept_map(&e, gpa + 0x1000, 0x9000, EPT_READ) == 0);
    shim_frames_fail_after(-1);

    nreleased = 0;
    ept_destroy(&e, release);
    CHECK("destroy after failures: allocs == frees",
          shim_frames.allocs == shim_frames.frees && shim_frames_live() == 0 &&
          shim_frames.bad_frees == 0);
    CHECK("destroy after failures: one release", nreleased == 1 && times_released(0x8000) == 1);
}

/* A destroy with nothing owned must not call release at all. */
static void test_destroy_unowned(void)
{
    struct ept e;
    ept_init(&e);
    bool all = true;
    for (uint64_t i = 0; i < 8; i++)     /* one shared MMIO-like page */
        all &= ept_map(&e, i * GiB(1), 0xfee00000, EPT_READ | EPT_WRITE) == 0;
    CHECK("8 mappings of one frame, 1 GiB apart", all);
    CHECK("... use root + PDPT + 8 * (PD + PT)", e.table_frames == 18);
    nreleased = 0;
    ept_destroy(&e, no_release);
    CHECK("no release for mappings without EPT_SW_OWNED", nreleased == 0);
    CHECK("all 18 tables freed", shim_frames_live() == 0 && shim_frames.bad_frees == 0);
}

/* A domain's share of tables: a walk that needs one more than table_limit fails cleanly. */
static void test_table_limit(void)
{
    struct ept e;
    CHECK("tables for 0 bytes: the root", ept_tables_for(0) == 1);
    CHECK("tables for 4 KiB: root + PDPT + PD + PT", ept_tables_for(4096) == 4);
    CHECK("tables for 8 MiB: 4 PTs", ept_tables_for(MiB(8)) == 7);
    CHECK("tables for 2 GiB + 4 KiB: 1025 PTs, 3 PDs",
          ept_tables_for(GiB(2) + 4096) == 1 + 1 + 3 + 1025);
    CHECK("tables for 512 GiB + 1: 2 PDPTs", ept_tables_for(GiB(512) + 1) == 1 + 2 + 513 + 262145);

    ept_init(&e);
    CHECK("init: no limit", e.table_limit == 0);
    e.table_limit = 5;
    CHECK("limit 5: first page (4 tables)", ept_map(&e, 0, 0x8000, EPT_RWX) == 0);
    CHECK("limit 5: next 2 MiB (5th table)", ept_map(&e, MiB(2), 0x9000, EPT_RWX) == 0);
    uint64_t allocs = shim_frames.allocs, old = 1;
    CHECK("limit 5: a 6th table is refused", ept_map(&e, MiB(4), 0xa000, EPT_RWX) == -1);
    CHECK("limit 5: replace that needs a table is refused",
          ept_replace(&e, GiB(3), 0xa000, EPT_RWX, &old) == -1);
    CHECK("limit 5: nothing allocated, nothing mapped",
          shim_frames.allocs == allocs && e.table_frames == 5 && ept_lookup(&e, MiB(4)) == 0 &&
          ept_lookup(&e, GiB(3)) == 0);
    CHECK("limit 5: pages under existing tables still map",
          ept_map(&e, MiB(2) + 0x1000, 0xb000, EPT_RWX) == 0 &&
          ept_replace(&e, 0x1000, 0xc000, EPT_READ, &old) == 0 && old == 0);
    e.table_limit = 0;
    CHECK("limit lifted: the 6th table", ept_map(&e, MiB(4), 0xa000, EPT_RWX) == 0 &&
                                         e.table_frames == 6);
    ept_destroy(&e, no_release);
    CHECK("limit: every table freed", shim_frames_live() == 0 && shim_frames.bad_frees == 0);
}

int main(void)
{
    test_init_and_pointer();
    test_init_failure();
    test_map_lookup();
    test_table_sharing();
    test_alloc_failure();
    test_destroy_unowned();
    test_table_limit();
    CHECK("overall: every allocated frame was freed exactly once",
          shim_frames.allocs == shim_frames.frees && shim_frames.bad_frees == 0);
    CHECK_DONE();
}
