/*
 * Host unit test for the UEFI loader's hypervisor-ELF validation
 * (boot/elf_check.c). Images are built byte by byte in memory (not through
 * the structs in elf_check.h), then checked from an exactly-sized heap copy so
 * that AddressSanitizer catches any read past the end of the file. Each
 * rejection must give its own message, the offending program header index
 * (or -1) and a zeroed struct elf_image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../boot/elf_check.h"

CHECK_SUITE("elf_check");

#define IMG_MAX     0x4000
#define EH_SIZE     64
#define PH_SIZE     56

/* The good image: text at 64 MiB, then data + bss, then two non-load headers. */
#define TEXT_OFF    0x1000ull
#define TEXT_PA     0x4000000ull
#define TEXT_SZ     0x1800ull
#define DATA_OFF    0x3000ull
#define DATA_PA     0x4002000ull
#define DATA_FILE   0x100ull
#define DATA_MEM    0x4800ull           /* .bss: memsz > filesz, end not page-aligned */
#define GOOD_SIZE   (DATA_OFF + DATA_FILE)
#define ENTRY       (TEXT_PA + 0x100)
#define SPAN_BASE   TEXT_PA
#define SPAN_PAGES  7ull                /* 0x4000000 .. round_up(0x4006800) */
#define NSEG        4

#define PT_NULL      0u
#define PT_GNU_STACK 0x6474e551u
#define PF_W 2u
#define PF_R 4u

/* The module's messages: each rejection is told apart by its text. */
#define E_SMALL     "file too small for an ELF header"
#define E_MAGIC     "not an ELF file (bad magic)"
#define E_CLASS     "not a 64-bit ELF file"
#define E_DATA      "not a little-endian ELF file"
#define E_VERSION   "unknown ELF version"
#define E_MACHINE   "not an x86-64 ELF file"
#define E_TYPE      "not an executable ELF file (e_type is not ET_EXEC)"
#define E_EHSIZE    "ELF header size (e_ehsize) too small"
#define E_PHENTSIZE "unexpected program header size (e_phentsize)"
#define E_PHNUM     "no program headers"
#define E_PHTAB     "program header table lies outside the file"
#define E_FILESZ    "segment file size exceeds its memory size"
#define E_SEGDATA   "segment data lies outside the file"
#define E_ADDR      "segment runs past the end of the address space"
#define E_OVERLAP   "segment overlaps an earlier segment"
#define E_ENTRY_NX  "entry point lies in a non-executable segment"
#define E_NOLOAD    "no loadable segment"
#define E_ENTRY     "entry point not inside an identity-linked (p_vaddr == p_paddr) segment"

struct seg {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct spec {
    uint8_t ident[EI_NIDENT];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff;
    uint16_t ehsize, phentsize, phnum;
    struct seg seg[NSEG];
};

static uint8_t img[IMG_MAX];
static struct spec s;

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Write s into img: file contents, ELF header, program header table. */
static void emit(void)
{
    memset(img, 0, sizeof img);
    for (uint64_t i = 0; i < TEXT_SZ; i++)
        img[TEXT_OFF + i] = (uint8_t)(i * 7 + 1);
    for (uint64_t i = 0; i < DATA_FILE; i++)
        img[DATA_OFF + i] = (uint8_t)(0xd0 + i);

    memcpy(img, s.ident, EI_NIDENT);
    put(img + 16, s.type, 2);
    put(img + 18, s.machine, 2);
    put(img + 20, s.version, 4);
    put(img + 24, s.entry, 8);
    put(img + 32, s.phoff, 8);
    put(img + 40, 0, 8);                        /* e_shoff */
    put(img + 48, 0, 4);                        /* e_flags */
    put(img + 52, s.ehsize, 2);
    put(img + 54, s.phentsize, 2);
    put(img + 56, s.phnum, 2);

    /* Headers past seg[] or outside img (the overflow cases) are not written. */
    for (uint64_t i = 0; i < s.phnum && i < NSEG && s.phoff <= IMG_MAX &&
                         (i + 1) * PH_SIZE <= IMG_MAX - s.phoff; i++) {
        uint8_t *p = img + s.phoff + i * PH_SIZE;
        const struct seg *g = &s.seg[i];

        put(p, g->type, 4);
        put(p + 4, g->flags, 4);
        put(p + 8, g->offset, 8);
        put(p + 16, g->vaddr, 8);
        put(p + 24, g->paddr, 8);
        put(p + 32, g->filesz, 8);
        put(p + 40, g->memsz, 8);
        put(p + 48, 0x1000, 8);                 /* p_align */
    }
}

static void make_good(void)
{
    static const uint8_t ident[EI_NIDENT] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };

    memset(&s, 0, sizeof s);
    memcpy(s.ident, ident, sizeof ident);
    s.type = 2;
    s.machine = 62;
    s.version = 1;
    s.entry = ENTRY;
    s.phoff = EH_SIZE;
    s.ehsize = EH_SIZE;
    s.phentsize = PH_SIZE;
    s.phnum = NSEG;
    s.seg[0] = (struct seg){ PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_PA, TEXT_PA,
                             TEXT_SZ, TEXT_SZ };
    s.seg[1] = (struct seg){ PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_PA, DATA_PA,
                             DATA_FILE, DATA_MEM };
    /* Not PT_LOAD: nonsense that must be ignored (outside the file, filesz > memsz). */
    s.seg[2] = (struct seg){ PT_GNU_STACK, PF_R | PF_W, UINT64_MAX - 0x10, UINT64_MAX,
                             UINT64_MAX, 0x100000, 0 };
    s.seg[3] = (struct seg){ PT_NOTE, PF_R, 0x2000, TEXT_PA - 0x1000, TEXT_PA - 0x1000,
                             0x20, 0x20 };
    emit();
}

/* Check img[0, size) from an exactly-sized heap copy starting `misalign` bytes in. */
static const char *run(uint64_t size, unsigned misalign, struct elf_image *out, int *bad)
{
    uint8_t *buf = malloc(size + misalign ? size + misalign : 1);
    uint8_t *copy = buf + misalign;     /* ends exactly where the allocation does */
    const char *why;

    memcpy(copy, img, size);
    memset(out, 0xa5, sizeof *out);
    *bad = 0x5a5a;
    why = elf_check(copy, size, out, bad);
    free(buf);
    return why;
}

static void expect_ok_at(const char *name, uint64_t size, unsigned misalign, uint64_t entry,
                         uint64_t base, uint64_t pages)
{
    struct elf_image out;
    int bad;
    const char *why = run(size, misalign, &out, &bad);
    int ok = why == NULL && bad == -1 && out.entry == entry && out.span_base == base &&
             out.span_pages == pages;

    CHECK(name, ok);
    if (!ok)
        printf("  note: \"%s\" bad_phdr %d entry 0x%llx base 0x%llx pages 0x%llx\n",
               why ? why : "(accepted)", bad, (unsigned long long)out.entry,
               (unsigned long long)out.span_base, (unsigned long long)out.span_pages);
}

static void expect_ok(const char *name, uint64_t size, uint64_t entry, uint64_t base,
                      uint64_t pages)
{
    expect_ok_at(name, size, 0, entry, base, pages);
}

/* Refused with exactly `reason`, blaming header `bad_want`, and nothing reported. */
static void expect_refused(const char *name, uint64_t size, const char *reason, int bad_want)
{
    struct elf_image out;
    int bad;
    const char *why = run(size, 0, &out, &bad);
    int ok = why != NULL && strcmp(why, reason) == 0 && bad == bad_want && out.entry == 0 &&
             out.span_base == 0 && out.span_pages == 0;

    CHECK(name, ok);
    if (!ok)
        printf("  note: \"%s\" bad_phdr %d (wanted \"%s\", %d) entry 0x%llx base 0x%llx "
               "pages 0x%llx\n", why ? why : "(accepted)", bad, reason, bad_want,
               (unsigned long long)out.entry, (unsigned long long)out.span_base,
               (unsigned long long)out.span_pages);
}

/* ---- accepted images ------------------------------------------------------ */

static void test_good(void)
{
    Elf64_Phdr ph;
    char name[64];

    make_good();
    expect_ok("good", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);
    for (unsigned m = 1; m < 8; m += 3) {
        snprintf(name, sizeof name, "good misaligned by %u", m);
        expect_ok_at(name, GOOD_SIZE, m, ENTRY, SPAN_BASE, SPAN_PAGES);
    }
    /* Trailing bytes after the last segment are fine. */
    expect_ok("good with trailing bytes", GOOD_SIZE + 0x123, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* elf_phdr() reads header i from an unaligned file. */
    {
        uint8_t *copy = malloc(GOOD_SIZE + 3);

        memcpy(copy + 3, img, GOOD_SIZE);
        memset(&ph, 0xa5, sizeof ph);
        elf_phdr(copy + 3, 1, &ph);
        CHECK("elf_phdr reads header 1", ph.p_type == PT_LOAD &&
              ph.p_flags == (PF_R | PF_W) && ph.p_offset == DATA_OFF &&
              ph.p_vaddr == DATA_PA && ph.p_paddr == DATA_PA && ph.p_filesz == DATA_FILE &&
              ph.p_memsz == DATA_MEM && ph.p_align == 0x1000);
        elf_phdr(copy + 3, 3, &ph);
        CHECK("elf_phdr reads header 3", ph.p_type == PT_NOTE && ph.p_offset == 0x2000 &&
              ph.p_filesz == 0x20);
        free(copy);
    }

    /* Segments listed high to low: the span still runs from the lowest to the highest. */
    make_good();
    {
        struct seg t = s.seg[0];
        s.seg[0] = s.seg[1];
        s.seg[1] = t;
    }
    emit();
    expect_ok("segments in descending order", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* Unaligned lowest segment: span_base rounds down, the page count follows. */
    make_good();
    s.seg[0].vaddr = s.seg[0].paddr = TEXT_PA + 0x234;
    s.entry = TEXT_PA + 0x234;                  /* first byte: entry >= p_vaddr */
    emit();
    expect_ok("unaligned start rounds down", GOOD_SIZE, TEXT_PA + 0x234, TEXT_PA, SPAN_PAGES);

    /* Last byte of the executable segment is a valid entry. */
    make_good();
    s.entry = TEXT_PA + TEXT_SZ - 1;
    emit();
    expect_ok("entry at last text byte", GOOD_SIZE, TEXT_PA + TEXT_SZ - 1, SPAN_BASE,
              SPAN_PAGES);

    /* Data ends exactly on a page: no extra page. */
    make_good();
    s.seg[1].memsz = 0x5000;
    emit();
    expect_ok("page-aligned end", GOOD_SIZE, ENTRY, SPAN_BASE, 7);
    s.seg[1].memsz = 0x5001;
    emit();
    expect_ok("one byte past a page", GOOD_SIZE, ENTRY, SPAN_BASE, 8);

    /* Segments that touch do not overlap. */
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = TEXT_PA + TEXT_SZ;
    emit();
    expect_ok("adjacent segments", GOOD_SIZE, ENTRY, SPAN_BASE,
              (TEXT_SZ + DATA_MEM + 0xfff) / 0x1000);

    /* A segment raising the end by less than a page still moves it. */
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = TEXT_PA + TEXT_SZ;
    s.seg[1].memsz = 0x900;
    emit();
    expect_ok("small segment after text", GOOD_SIZE, ENTRY, SPAN_BASE, 3);

    /* A non-load header covering a later segment's addresses is no overlap. */
    make_good();
    s.seg[3] = s.seg[0];
    s.seg[0] = (struct seg){ PT_NOTE, PF_R, 0x2000, TEXT_PA, TEXT_PA, 0x20, 0x10000 };
    emit();
    expect_ok("non-load header over a segment", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* A data segment linked elsewhere (vaddr != paddr) is loaded by paddr. */
    make_good();
    s.seg[1].vaddr = 0xffffffff80002000ull;
    emit();
    expect_ok("data with vaddr != paddr", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* An empty PT_LOAD (memsz 0) neither counts towards the span nor overlaps. */
    make_good();
    s.seg[3] = (struct seg){ PT_LOAD, PF_R, GOOD_SIZE, TEXT_PA + 0x10, 0x10000000,
                             0, 0 };
    emit();
    expect_ok("empty PT_LOAD ignored", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);
    /* ... also when it comes first and lies inside a later segment. */
    make_good();
    s.seg[3] = s.seg[0];
    s.seg[0] = (struct seg){ PT_LOAD, PF_R, 0, 0x10000000, TEXT_PA + 0x10, 0, 0 };
    emit();
    expect_ok("empty PT_LOAD inside a later one", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* A zero-size segment at offset == file size is inside the file. */
    make_good();
    s.seg[1].offset = GOOD_SIZE;
    s.seg[1].filesz = 0;
    emit();
    expect_ok("filesz 0 at end of file", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* Program header table at the very end of the file. */
    make_good();
    s.phoff = GOOD_SIZE;
    emit();
    expect_ok("phdr table ends at EOF", GOOD_SIZE + NSEG * PH_SIZE, ENTRY, SPAN_BASE,
              SPAN_PAGES);

    /* A larger e_ehsize is fine; e_phoff need not be aligned. */
    make_good();
    s.ehsize = 128;
    s.phoff = 0x81;
    emit();
    expect_ok("big ehsize, odd phoff", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);

    /* Highest place a segment may end: one page below the top of the address space. */
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = UINT64_MAX - 0xfff - DATA_MEM;
    emit();
    expect_ok("segment ending at top - 4 KiB", GOOD_SIZE, ENTRY, SPAN_BASE,
              (UINT64_MAX - 0xfff) / 0x1000 - TEXT_PA / 0x1000);
    make_good();
    s.seg[1].vaddr = UINT64_MAX - 0xfff - DATA_MEM;
    emit();
    expect_ok("vaddr ending at top - 4 KiB", GOOD_SIZE, ENTRY, SPAN_BASE, SPAN_PAGES);
}

/* ---- the ELF header ------------------------------------------------------- */

static void test_header(void)
{
    static const uint8_t bad_ident[][2] = {
        { 0, 0x7e }, { 1, 'e' }, { 2, 'l' }, { 3, 'f' }, { 0, 0 },
    };
    char name[64];

    for (unsigned i = 0; i < sizeof bad_ident / sizeof bad_ident[0]; i++) {
        make_good();
        s.ident[bad_ident[i][0]] = bad_ident[i][1];
        emit();
        snprintf(name, sizeof name, "bad magic byte %u = 0x%02x", bad_ident[i][0],
                 bad_ident[i][1]);
        expect_refused(name, GOOD_SIZE, E_MAGIC, -1);
    }

    make_good();
    s.ident[EI_CLASS] = 1;                  /* ELFCLASS32 */
    emit();
    expect_refused("class ELF32", GOOD_SIZE, E_CLASS, -1);
    s.ident[EI_CLASS] = 0;
    emit();
    expect_refused("class none", GOOD_SIZE, E_CLASS, -1);

    make_good();
    s.ident[EI_DATA] = 2;                   /* big-endian */
    emit();
    expect_refused("big-endian", GOOD_SIZE, E_DATA, -1);

    make_good();
    s.ident[EI_VERSION] = 0;
    emit();
    expect_refused("e_ident version 0", GOOD_SIZE, E_VERSION, -1);
    make_good();
    s.version = 2;
    emit();
    expect_refused("e_version 2", GOOD_SIZE, E_VERSION, -1);

    make_good();
    s.machine = 3;                              /* EM_386 */
    emit();
    expect_refused("machine EM_386", GOOD_SIZE, E_MACHINE, -1);
    s.machine = 183;                            /* EM_AARCH64 */
    emit();
    expect_refused("machine EM_AARCH64", GOOD_SIZE, E_MACHINE, -1);
    s.machine = 62 | 0x100;                     /* only the low byte right */
    emit();
    expect_refused("machine 0x13e", GOOD_SIZE, E_MACHINE, -1);

    make_good();
    s.type = 3;                                 /* ET_DYN */
    emit();
    expect_refused("type ET_DYN", GOOD_SIZE, E_TYPE, -1);
    s.type = 1;                                 /* ET_REL */
    emit();
    expect_refused("type ET_REL", GOOD_SIZE, E_TYPE, -1);
    s.type = 4;                                 /* ET_CORE */
    emit();
    expect_refused("type ET_CORE", GOOD_SIZE, E_TYPE, -1);

    make_good();
    s.ehsize = 52;                              /* the ELF32 header size */
    emit();
    expect_refused("ehsize 52", GOOD_SIZE, E_EHSIZE, -1);
    s.ehsize = 63;
    emit();
    expect_refused("ehsize 63", GOOD_SIZE, E_EHSIZE, -1);

    for (unsigned i = 0; i < 4; i++) {
        static const uint16_t sizes[] = { 32, 55, 57, 0 };

        make_good();
        s.phentsize = sizes[i];
        emit();
        snprintf(name, sizeof name, "phentsize %u", sizes[i]);
        expect_refused(name, GOOD_SIZE, E_PHENTSIZE, -1);
    }

    make_good();
    s.phnum = 0;
    emit();
    expect_refused("phnum 0", GOOD_SIZE, E_PHNUM, -1);
    s.phnum = PN_XNUM;
    emit();
    expect_refused("phnum PN_XNUM", GOOD_SIZE, E_PHNUM, -1);
}

/* ---- the program header table --------------------------------------------- */

static void test_phdr_table(void)
{
    make_good();
    s.phoff = GOOD_SIZE;
    emit();
    expect_refused("phdr table 1 byte past EOF", GOOD_SIZE + NSEG * PH_SIZE - 1, E_PHTAB, -1);
    expect_refused("phdr table starts at EOF", GOOD_SIZE, E_PHTAB, -1);
    s.phoff = GOOD_SIZE + 1;
    emit();
    expect_refused("phoff past EOF", GOOD_SIZE, E_PHTAB, -1);

    /* phoff + table size wraps to a small number. */
    make_good();
    s.phoff = (uint64_t)0 - PH_SIZE;
    s.phnum = 1;
    emit();
    expect_refused("phoff + table wraps to 0", GOOD_SIZE, E_PHTAB, -1);
    s.phoff = UINT64_MAX;
    emit();
    expect_refused("phoff UINT64_MAX", GOOD_SIZE, E_PHTAB, -1);

    /* Many headers: the table runs past the end of the file. */
    make_good();
    s.phnum = 0xfffe;
    emit();
    expect_refused("phnum 0xfffe", GOOD_SIZE, E_PHTAB, -1);
    s.phnum = (GOOD_SIZE - EH_SIZE) / PH_SIZE + 1;
    emit();
    expect_refused("phnum one too many", GOOD_SIZE, E_PHTAB, -1);
}

/* ---- PT_LOAD segments ------------------------------------------------------ */

static void test_segments(void)
{
    make_good();
    s.seg[1].memsz = DATA_FILE - 1;
    emit();
    expect_refused("memsz < filesz", GOOD_SIZE, E_FILESZ, 1);
    make_good();
    s.seg[0].memsz = 0;
    emit();
    expect_refused("memsz 0 < filesz", GOOD_SIZE, E_FILESZ, 0);

    /* Data outside the file; bad_phdr is the header index, not a PT_LOAD count. */
    make_good();
    s.seg[1].filesz = DATA_FILE + 1;
    emit();
    expect_refused("segment 1 byte past EOF", GOOD_SIZE, E_SEGDATA, 1);
    make_good();
    s.seg[1].offset = GOOD_SIZE + 1;
    s.seg[1].filesz = 0;
    emit();
    expect_refused("segment offset past EOF", GOOD_SIZE, E_SEGDATA, 1);
    make_good();
    s.seg[3] = (struct seg){ PT_LOAD, PF_R, GOOD_SIZE, 0x5000000, 0x5000000, 1, 1 };
    emit();
    expect_refused("header 3 at EOF", GOOD_SIZE, E_SEGDATA, 3);
    make_good();
    s.seg[0].offset = UINT64_MAX - 0x10;
    emit();
    expect_refused("offset near 2^64", GOOD_SIZE, E_SEGDATA, 0);
    make_good();
    /* offset + filesz wraps to 0x8: inside the file if added naively. */
    s.seg[1].offset = 0x10;
    s.seg[1].filesz = (uint64_t)0 - 0x8;
    s.seg[1].memsz = (uint64_t)0 - 0x8;
    emit();
    expect_refused("offset + filesz wraps", GOOD_SIZE, E_SEGDATA, 1);

    /* Address overflow, paddr and vaddr each on their own. */
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = UINT64_MAX - 0xfff - DATA_MEM + 1;
    emit();
    expect_refused("paddr end 1 past top - 4 KiB", GOOD_SIZE, E_ADDR, 1);
    make_good();
    s.seg[1].paddr = UINT64_MAX - 0xfff - DATA_MEM + 1;
    emit();
    expect_refused("paddr only past top", GOOD_SIZE, E_ADDR, 1);
    make_good();
    s.seg[1].vaddr = UINT64_MAX - 0xfff - DATA_MEM + 1;
    emit();
    expect_refused("vaddr only past top", GOOD_SIZE, E_ADDR, 1);
    make_good();
    s.seg[0].paddr = UINT64_MAX;
    emit();
    expect_refused("paddr UINT64_MAX", GOOD_SIZE, E_ADDR, 0);
    make_good();
    s.seg[1].memsz = UINT64_MAX - 0xfff;
    emit();
    expect_refused("memsz 2^64 - 4 KiB", GOOD_SIZE, E_ADDR, 1);
    /*
     * Regression: UINT64_MAX - ELF_PAGE_MASK - p_memsz once wrapped for
     * p_memsz > UINT64_MAX - 0xfff, so such a segment was accepted with a
     * span that did not cover it.
     */
    make_good();
    s.seg[1].memsz = UINT64_MAX - 0xfff + 1;
    emit();
    expect_refused("memsz 2^64 - 4095 cannot wrap the address check", GOOD_SIZE, E_ADDR, 1);
    s.seg[1].memsz = UINT64_MAX;
    emit();
    expect_refused("memsz UINT64_MAX cannot wrap the address check", GOOD_SIZE, E_ADDR, 1);

    /* Overlap, with the later segment above and below the earlier one. */
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = TEXT_PA + TEXT_SZ - 1;
    emit();
    expect_refused("overlap by one byte", GOOD_SIZE, E_OVERLAP, 1);
    make_good();
    s.seg[1].vaddr = s.seg[1].paddr = TEXT_PA - DATA_MEM + 1;
    emit();
    expect_refused("overlap from below", GOOD_SIZE, E_OVERLAP, 1);
    make_good();
    s.seg[3] = (struct seg){ PT_LOAD, PF_R, 0, 0x3000000, TEXT_PA + 0x1000, 0, 1 };
    emit();
    expect_refused("bss byte inside text", GOOD_SIZE, E_OVERLAP, 3);

    /* No PT_LOAD at all, or only empty ones. */
    make_good();
    s.seg[0].type = PT_NULL;
    s.seg[1].type = PT_NOTE;
    emit();
    expect_refused("no PT_LOAD", GOOD_SIZE, E_NOLOAD, -1);
    make_good();
    s.seg[0].filesz = s.seg[0].memsz = 0;
    s.seg[1].filesz = s.seg[1].memsz = 0;
    emit();
    expect_refused("only empty PT_LOADs", GOOD_SIZE, E_NOLOAD, -1);
}

/* ---- the entry point ------------------------------------------------------ */

static void test_entry(void)
{
    make_good();
    s.entry = TEXT_PA - 1;
    emit();
    expect_refused("entry below text", GOOD_SIZE, E_ENTRY, -1);
    s.entry = TEXT_PA + TEXT_SZ;
    emit();
    expect_refused("entry just past text", GOOD_SIZE, E_ENTRY, -1);
    s.entry = 0;
    emit();
    expect_refused("entry 0", GOOD_SIZE, E_ENTRY, -1);
    s.entry = DATA_PA + DATA_MEM;
    emit();
    expect_refused("entry past the span", GOOD_SIZE, E_ENTRY, -1);

    make_good();
    s.entry = DATA_PA + 0x10;
    emit();
    expect_refused("entry in data", GOOD_SIZE, E_ENTRY_NX, 1);
    s.entry = DATA_PA + DATA_MEM - 1;
    emit();
    expect_refused("entry in bss", GOOD_SIZE, E_ENTRY_NX, 1);

    /* Text linked at a different virtual address: not reachable on identity maps. */
    make_good();
    s.seg[0].vaddr = 0xffffffff80000000ull;
    emit();
    expect_refused("text vaddr != paddr", GOOD_SIZE, E_ENTRY, -1);
    s.entry = 0xffffffff80000100ull;
    emit();
    expect_refused("entry by vaddr, vaddr != paddr", GOOD_SIZE, E_ENTRY, -1);

    /* An identity-linked non-load header around the entry does not count. */
    make_good();
    s.seg[0].type = PT_NOTE;
    s.seg[3] = (struct seg){ PT_LOAD, PF_R | PF_X, 0x2000, 0x5000000, 0x5000000,
                             0x20, 0x20 };
    emit();
    expect_refused("entry only in a non-load header", GOOD_SIZE, E_ENTRY, -1);
}

/* ---- truncated files ------------------------------------------------------ */

static void test_truncated(void)
{
    static const uint64_t tiny[] = { 0, 1, 4, 16, 24, 52, 63 };
    char name[64];

    make_good();
    for (unsigned i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
        snprintf(name, sizeof name, "truncated to %llu", (unsigned long long)tiny[i]);
        expect_refused(name, tiny[i], E_SMALL, -1);
    }
    expect_refused("truncated to 64 (header only)", EH_SIZE, E_PHTAB, -1);
    expect_refused("truncated in header 0", EH_SIZE + PH_SIZE - 1, E_PHTAB, -1);
    expect_refused("truncated in header 3", EH_SIZE + NSEG * PH_SIZE - 1, E_PHTAB, -1);
    expect_refused("truncated after the headers", EH_SIZE + NSEG * PH_SIZE, E_SEGDATA, 0);
    expect_refused("truncated at text start", TEXT_OFF, E_SEGDATA, 0);
    expect_refused("truncated 1 byte into text", TEXT_OFF + 1, E_SEGDATA, 0);
    expect_refused("truncated 1 byte before text end", TEXT_OFF + TEXT_SZ - 1, E_SEGDATA, 0);
    expect_refused("truncated at data start", DATA_OFF, E_SEGDATA, 1);
    expect_refused("truncated 1 byte before EOF", GOOD_SIZE - 1, E_SEGDATA, 1);
}

int main(void)
{
    test_good();
    test_header();
    test_phdr_table();
    test_segments();
    test_entry();
    test_truncated();
    CHECK_DONE();
}
