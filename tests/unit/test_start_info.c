/* Host unit test for hv/start_info.c: the PVH start-of-day page. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "hv/start_info.h"

CHECK_SUITE("start_info");

#define MiB(x) ((uint64_t)(x) << 20)

static _Alignas(4096) uint8_t page[START_INFO_SIZE];

static const struct hvm_memmap_table_entry *memmap_in(const uint8_t *pg)
{
    return (const struct hvm_memmap_table_entry *)(pg + START_INFO_MEMMAP_OFFSET);
}

static int page_is(const uint8_t *pg, size_t from, size_t to, uint8_t v)
{
    for (size_t i = from; i < to; i++)
        if (pg[i] != v)
            return 0;
    return 1;
}

static void test_fields(void)
{
    const struct hvm_start_info *si = (const void *)page;
    const struct hvm_memmap_table_entry *m = memmap_in(page);
    const char *why = NULL;
    int rc;

    memset(page, 0xA5, sizeof page);
    rc = start_info_build(page, MiB(16), "console=hvc0 debug", 0, &why);
    CHECK("build ok", rc == 0);
    CHECK("magic", si->magic == HVM_START_MAGIC);
    CHECK("version 1", si->version == 1);
    CHECK("unprivileged flags 0", si->flags == 0);
    CHECK("no modules", si->nr_modules == 0 && si->modlist_paddr == 0);
    CHECK("no rsdp", si->rsdp_paddr == 0);
    CHECK("cmdline paddr", si->cmdline_paddr == START_INFO_GPA + 512);
    CHECK("memmap paddr", si->memmap_paddr == START_INFO_GPA + 64);
    CHECK("memmap entries", si->memmap_entries == 3);
    CHECK("reserved zero", si->reserved == 0);
    CHECK("start info at 0x9F000", START_INFO_GPA == 0x9F000);

    CHECK("map0 low RAM", m[0].addr == 0 && m[0].size == 0x9F000 && m[0].type == 1);
    CHECK("map1 hole reserved",
          m[1].addr == 0x9F000 && m[1].size == 0x61000 && m[1].type == 2);
    CHECK("map2 high RAM",
          m[2].addr == 0x100000 && m[2].size == MiB(16) - 0x100000 && m[2].type == 1);
    CHECK("map entry reserved fields zero",
          m[0].reserved == 0 && m[1].reserved == 0 && m[2].reserved == 0);

    CHECK("cmdline text", strcmp((const char *)page + 512, "console=hvc0 debug") == 0);
    /* Everything else was zeroed: the 0xA5 fill must be gone. */
    CHECK("gap after start info zero", page_is(page, sizeof(*si), 64, 0));
    CHECK("gap after memmap zero", page_is(page, 64 + 3 * 24, 512, 0));
    CHECK("tail after cmdline zero",
          page_is(page, 512 + sizeof "console=hvc0 debug" - 1, sizeof page, 0));
}

static void test_privileged(void)
{
    const struct hvm_start_info *si = (const void *)page;
    const char *why = NULL;

    CHECK("privileged build ok", start_info_build(page, MiB(32), "", 1, &why) == 0);
    CHECK("SIF_PRIVILEGED set", si->flags == SIF_PRIVILEGED);
    CHECK("empty cmdline still has an address",
          si->cmdline_paddr == START_INFO_GPA + 512 && page[512] == 0);
    CHECK("32 MiB high RAM",
          memmap_in(page)[2].size == MiB(32) - 0x100000);

    CHECK("NULL cmdline ok", start_info_build(page, MiB(2), NULL, 0, &why) == 0);
    CHECK("NULL cmdline paddr 0", si->cmdline_paddr == 0);
    CHECK("2 MiB high RAM", memmap_in(page)[2].size == MiB(1));
}

static void test_cmdline_limits(void)
{
    char line[START_INFO_CMDLINE_MAX + 1];
    const char *why = NULL;

    /* 255 characters + NUL is the longest that fits. */
    memset(line, 'x', sizeof line);
    line[255] = 0;
    CHECK("255-char cmdline ok", start_info_build(page, MiB(4), line, 0, &why) == 0);
    CHECK("255-char cmdline copied",
          strlen((const char *)page + 512) == 255 && page[512 + 255] == 0);

    line[255] = 'x';
    line[256] = 0;
    memset(page, 0xA5, sizeof page);
    why = NULL;
    CHECK("256-char cmdline refused", start_info_build(page, MiB(4), line, 0, &why) == -1);
    CHECK("256-char reason", why && strcmp(why, "command line longer than 255 bytes") == 0);
    CHECK("refusal leaves page untouched", page_is(page, 0, sizeof page, 0xA5));
}

static void test_bad_ram(void)
{
    struct hvm_memmap_table_entry m[START_INFO_MEMMAP_ENTRIES];
    const char *why = NULL;

    CHECK("1 MiB refused", start_info_build(page, MiB(1), NULL, 0, &why) == -1);
    CHECK("1 MiB reason", why && strcmp(why, "domain memory below 2 MiB") == 0);
    why = NULL;
    CHECK("unaligned refused", start_info_build(page, MiB(4) + 100, NULL, 0, &why) == -1);
    CHECK("unaligned reason", why && strcmp(why, "domain memory not a multiple of 4 KiB") == 0);
    CHECK("memmap helper count", start_info_memmap(MiB(8), m, &why) == 3);
    CHECK("memmap helper high RAM", m[2].addr == 0x100000 && m[2].size == MiB(7));
}

int main(void)
{
    test_fields();
    test_privileged();
    test_cmdline_limits();
    test_bad_ram();
    CHECK_DONE();
}
