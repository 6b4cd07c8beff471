/* Host unit test for hv/module_layout.c: where dom0's boot modules go, and their list. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "hv/module_layout.h"
#include "hv/start_info.h"

CHECK_SUITE("module_layout");

#define MiB(x) ((uint64_t)(x) << 20)
#define PAGE 4096ull
#define SI_GPA 0x7fff000ull     /* where the start-info page says it lives */

static _Alignas(4096) uint8_t page[START_INFO_SIZE];

static struct hvm_memmap_table_entry ram(uint64_t addr, uint64_t size)
{
    return (struct hvm_memmap_table_entry){ .addr = addr, .size = size, .type = 1 };
}

/* A dom0-like map: a first run from 1 MiB, the start-info page, a second run. */
static struct hvm_memmap_table_entry map[3];

static void dom0_map(uint64_t first_size, uint64_t second_base, uint64_t second_size)
{
    map[0] = ram(MiB(1), first_size);
    map[1] = (struct hvm_memmap_table_entry){ .addr = MiB(1) + first_size, .size = PAGE,
                                              .type = 2 };
    map[2] = ram(second_base, second_size);
}

static void test_place(void)
{
    struct module_slot s[3] = { { 5000, "a", 0 }, { 0, "empty", 0 }, { PAGE, "b", 0 } };
    struct module_avoid kernel = { MiB(1), MiB(1) + 0x5123 };
    const char *why = NULL;

    dom0_map(MiB(30), MiB(64), MiB(2));
    CHECK("place/ok", module_place(map, 3, &kernel, 1, s, 3, &why) == 0);
    /* 2 + 0 + 1 pages, packed in order, ending at the top of the largest run. */
    CHECK("place/top-of-largest-run", s[2].gpa + PAGE == MiB(31));
    CHECK("place/packed-in-order", s[0].gpa == MiB(31) - 3 * PAGE && s[1].gpa == s[0].gpa + 2 * PAGE &&
                                       s[2].gpa == s[1].gpa);
    CHECK("place/page-aligned", (s[0].gpa | s[1].gpa | s[2].gpa) % PAGE == 0);

    /* The second run is the larger one now: the modules go there. */
    dom0_map(MiB(4), MiB(64), MiB(8));
    CHECK("place/largest-run-chosen", module_place(map, 3, &kernel, 1, s, 3, &why) == 0 &&
                                          s[0].gpa == MiB(72) - 3 * PAGE);

    CHECK("place/none-is-fine", module_place(map, 3, &kernel, 1, s, 0, &why) == 0);
}

static void test_avoid(void)
{
    const char *why = NULL;

    /* The kernel's segment at the top of the only run: the modules go below it. */
    dom0_map(MiB(8), 0, 0);
    struct module_avoid seg[2] = { { MiB(1), MiB(1) + PAGE }, { MiB(9) - 0x1800, MiB(9) - 0x10 } };
    struct module_slot s[1] = { { 3 * PAGE, "m", 0 } };
    CHECK("avoid/below-a-high-segment", module_place(map, 3, seg, 2, s, 1, &why) == 0 &&
                                            s[0].gpa == MiB(9) - 2 * PAGE - 3 * PAGE);
    /* An empty avoid range (memsz 0) blocks nothing. */
    struct module_avoid none = { MiB(9) - PAGE, MiB(9) - PAGE };
    CHECK("avoid/empty-range-ignored", module_place(map, 3, &none, 1, s, 1, &why) == 0 &&
                                           s[0].gpa == MiB(9) - 3 * PAGE);
    /* Segments cover the run but for a gap too small: the smaller run is used. */
    dom0_map(MiB(8), MiB(32), MiB(1));
    struct module_avoid most = { MiB(1), MiB(9) - 2 * PAGE };
    CHECK("avoid/falls-back-to-smaller-run", module_place(map, 3, &most, 1, s, 1, &why) == 0 &&
                                                 s[0].gpa == MiB(33) - 3 * PAGE);
}

static void test_no_room(void)
{
    const char *why = NULL;
    struct module_avoid kernel = { MiB(1), MiB(2) };

    dom0_map(MiB(3), MiB(16), MiB(1));
    struct module_slot big[1] = { { MiB(2) + 1, "big", 0x1234 } };
    CHECK("no-room/refused", module_place(map, 3, &kernel, 1, big, 1, &why) == -1 &&
                                 why && strstr(why, "do not fit"));
    CHECK("no-room/slots-unchanged", big[0].gpa == 0x1234);
    struct module_slot exact[1] = { { MiB(2), "exact", 0 } };
    CHECK("no-room/exact-fit", module_place(map, 3, &kernel, 1, exact, 1, &why) == 0 &&
                                   exact[0].gpa == MiB(2));
    /* Sizes that wrap when rounded or summed fit nowhere. */
    struct module_slot wrap[2] = { { UINT64_MAX - 10, "w", 0 }, { PAGE, "x", 0 } };
    CHECK("no-room/wrapping-size", module_place(map, 3, &kernel, 0, wrap, 1, &why) == -1 &&
                                       module_place(map, 3, &kernel, 0, wrap, 2, &why) == -1);
    /* Reserved entries are never used, however big. */
    struct hvm_memmap_table_entry reserved = { MiB(64), MiB(64), 2, 0 };
    CHECK("no-room/reserved-not-ram", module_place(&reserved, 1, NULL, 0, exact, 1, &why) == -1);
}

static void test_list(void)
{
    const struct hvm_start_info *si = (const void *)page;
    const struct hvm_modlist_entry *e = (const void *)(page + START_INFO_MODLIST_OFFSET);
    struct module_slot s[2] = { { 1234, "domu.elf", MiB(20) }, { 6, "hello.txt", MiB(21) } };
    const char *why = NULL;

    memset(page, 0, sizeof page);
    CHECK("list/none-leaves-page", module_list_build(page, SI_GPA, s, 0, &why) == 0 &&
                                       si->nr_modules == 0 && si->modlist_paddr == 0);
    CHECK("list/ok", module_list_build(page, SI_GPA, s, 2, &why) == 0);
    CHECK("list/count", si->nr_modules == 2);
    CHECK("list/at-768", si->modlist_paddr == SI_GPA + 768);
    CHECK("list/entry0", e[0].paddr == MiB(20) && e[0].size == 1234 && e[0].reserved == 0);
    CHECK("list/entry1", e[1].paddr == MiB(21) && e[1].size == 6 && e[1].reserved == 0);
    CHECK("list/names-after-list", e[0].cmdline_paddr == SI_GPA + 768 + 2 * 32 &&
                                       e[1].cmdline_paddr == e[0].cmdline_paddr + 9);
    CHECK("list/name0", strcmp((const char *)page + (e[0].cmdline_paddr - SI_GPA), "domu.elf") == 0);
    CHECK("list/name1", strcmp((const char *)page + (e[1].cmdline_paddr - SI_GPA), "hello.txt") == 0);
    CHECK("list/cmdline-area-untouched", page[START_INFO_CMDLINE_OFFSET] == 0 &&
                                             page[START_INFO_MODLIST_OFFSET - 1] == 0);
}

/* The names must fit in the page, NUL included; a failure changes nothing. */
static void test_list_bounds(void)
{
    static char names[16][200];
    struct module_slot s[16];
    const char *why = NULL;

    /* 16 entries take 512 bytes, leaving 4096 - 768 - 512 = 2816 for names. */
    for (int i = 0; i < 16; i++) {
        memset(names[i], 'a' + i, 175);
        names[i][175] = '\0';   /* 176 bytes with the NUL: 16 of them fill it exactly */
        s[i] = (struct module_slot){ 1, names[i], MiB(1) + (uint64_t)i * PAGE };
    }
    memset(page, 0, sizeof page);
    CHECK("bounds/names-fill-the-page", module_list_build(page, SI_GPA, s, 16, &why) == 0 &&
                                            page[START_INFO_SIZE - 1] == '\0' &&
                                            page[START_INFO_SIZE - 2] == 'p');
    names[15][175] = 'p';
    names[15][176] = '\0';      /* one byte more than fits */
    memset(page, 0, sizeof page);
    why = NULL;
    CHECK("bounds/one-byte-over-refused", module_list_build(page, SI_GPA, s, 16, &why) == -1 &&
                                              why && strstr(why, "start-info page"));
    int untouched = 1;
    for (size_t i = 0; i < sizeof page; i++)
        untouched &= page[i] == 0;
    CHECK("bounds/page-unchanged-on-failure", untouched);

    /* More entries than the page holds at all. */
    static struct module_slot many[200];
    for (int i = 0; i < 200; i++)
        many[i] = (struct module_slot){ 0, "", 0 };
    CHECK("bounds/too-many-entries", module_list_build(page, SI_GPA, many, 200, &why) == -1);
}

int main(void)
{
    test_place();
    test_avoid();
    test_no_room();
    test_list();
    test_list_bounds();
    CHECK_DONE();
}
