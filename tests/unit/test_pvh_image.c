/*
 * Host unit test for hv/pvh_image.c. ELF images are built in memory (both
 * classes), then parsed from an exactly-sized heap copy so that AddressSanitizer
 * catches any read past the end of the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "hv/pvh_image.h"
#include "hv/start_info.h"
#include "public/elfnote.h"

CHECK_SUITE("pvh_image");

#define RAM        (4ull << 20)
#define IMG_MAX    0x2000
#define TEXT_OFF   0x200
#define TEXT_GPA   0x100000ull
#define TEXT_SIZE  0x100
#define DATA_OFF   0x300
#define DATA_GPA   0x102000ull
#define DATA_FILE  0x80
#define DATA_MEM   0x1000
#define NOTE_OFF   0x400
#define ENTRY      0x100010u

#define PT_NULL 0
#define PT_LOAD 1
#define PT_NOTE 4
#define PT_PHDR 6

struct seg {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz, align;
};

struct spec {
    int cls;                    /* 32 or 64: the layout actually written */
    uint8_t eclass, edata;      /* e_ident bytes as written */
    uint16_t type, machine, phentsize, phnum;
    uint64_t phoff;
    struct seg seg[20];
};

static uint8_t img[IMG_MAX];
static uint64_t img_size;

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Write the ELF header and program header table described by *s. */
static void emit(const struct spec *s)
{
    int w = s->cls == 64 ? 8 : 4;
    int ph = s->cls == 64 ? 56 : 32;

    memset(img, 0, s->cls == 64 ? 64 : 52);
    memcpy(img, "\177ELF", 4);
    img[4] = s->eclass;
    img[5] = s->edata;
    img[6] = 1;
    put(img + 16, s->type, 2);
    put(img + 18, s->machine, 2);
    put(img + 20, 1, 4);
    put(img + 24, 0xdeadbeef, w);               /* e_entry: must be ignored */
    put(img + (w == 8 ? 32 : 28), s->phoff, w);
    put(img + (w == 8 ? 52 : 40), s->cls == 64 ? 64 : 52, 2);
    put(img + (w == 8 ? 54 : 42), s->phentsize, 2);
    put(img + (w == 8 ? 56 : 44), s->phnum, 2);

    /* Tables outside img or past seg[] (the overflow tests) are not written. */
    for (int i = 0; i < s->phnum && i < 20 && s->phoff <= IMG_MAX &&
                    (uint64_t)(i + 1) * ph <= IMG_MAX - s->phoff; i++) {
        uint8_t *p = img + s->phoff + (uint64_t)i * ph;
        const struct seg *g = &s->seg[i];
        /* vaddr differs from paddr: PVH must load by paddr. */
        uint64_t vaddr = g->paddr + (w == 8 ? 0xffffffff80000000ull : 0xc0000000ull);

        memset(p, 0, ph);
        put(p, g->type, 4);
        if (w == 8) {
            put(p + 4, 7, 4);
            put(p + 8, g->offset, 8);
            put(p + 16, vaddr, 8);
            put(p + 24, g->paddr, 8);
            put(p + 32, g->filesz, 8);
            put(p + 40, g->memsz, 8);
            put(p + 48, g->align, 8);
        } else {
            put(p + 4, g->offset, 4);
            put(p + 8, vaddr, 4);
            put(p + 12, g->paddr, 4);
            put(p + 16, g->filesz, 4);
            put(p + 20, g->memsz, 4);
            put(p + 24, 7, 4);
            put(p + 28, g->align, 4);
        }
    }
}

/* One note at img[off], aligned to a relative to an a-aligned segment start. */
static uint64_t put_note(uint64_t off, const char *name, uint32_t namesz, uint32_t type,
                         uint64_t desc, uint32_t descsz, uint64_t a)
{
    uint64_t d = off + align_up(12 + (uint64_t)namesz, a);

    put(img + off, namesz, 4);
    put(img + off + 4, descsz, 4);
    put(img + off + 8, type, 4);
    memcpy(img + off + 12, name, namesz);
    if (descsz <= 8)
        put(img + d, desc, (int)descsz);
    else
        memset(img + d, 0x77, descsz);
    return off + align_up(d - off + descsz, a);
}

static uint8_t text_byte(uint64_t i) { return (uint8_t)(i * 7 + 1); }
static uint8_t data_byte(uint64_t i) { return (uint8_t)(0xD0 + i); }

/*
 * A good image: text at TEXT_GPA, data+bss at DATA_GPA, one PT_NOTE holding
 * the PHYS32_ENTRY note (8-byte descriptor when desc8).
 */
static void make_good(struct spec *s, int cls, int desc8)
{
    uint64_t note_end;

    memset(img, 0, sizeof img);
    for (uint64_t i = 0; i < TEXT_SIZE; i++)
        img[TEXT_OFF + i] = text_byte(i);
    for (uint64_t i = 0; i < DATA_FILE; i++)
        img[DATA_OFF + i] = data_byte(i);
    note_end = put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY,
                        desc8 ? 8 : 4, 4);

    memset(s, 0, sizeof *s);
    s->cls = cls;
    s->eclass = cls == 64 ? 2 : 1;
    s->edata = 1;
    s->type = 2;
    s->machine = cls == 64 ? 62 : 3;
    s->phentsize = cls == 64 ? 56 : 32;
    s->phoff = cls == 64 ? 64 : 52;
    s->phnum = 3;
    s->seg[0] = (struct seg){ PT_LOAD, TEXT_OFF, TEXT_GPA, TEXT_SIZE, TEXT_SIZE, 0x1000 };
    s->seg[1] = (struct seg){ PT_LOAD, DATA_OFF, DATA_GPA, DATA_FILE, DATA_MEM, 0x1000 };
    s->seg[2] = (struct seg){ PT_NOTE, NOTE_OFF, 0, note_end - NOTE_OFF, 0, 4 };
    emit(s);
    img_size = note_end;
}

/* Parse img[0, size) from an exactly-sized heap copy. */
static int parse(uint64_t size, uint64_t ram, struct pvh_image *out, const char **why)
{
    uint8_t *copy = malloc(size ? size : 1);
    int rc;

    memcpy(copy, img, size);
    rc = pvh_image_parse(copy, size, ram, out, why);
    free(copy);
    return rc;
}

static void expect_ok(const char *name, uint64_t size, struct pvh_image *out)
{
    const char *why = NULL;
    int rc = parse(size, RAM, out, &why);

    CHECK(name, rc == 0);
    if (rc)
        printf("  note: refused with \"%s\"\n", why ? why : "(null)");
}

static void expect_refused(const char *name, uint64_t size, const char *reason)
{
    struct pvh_image out, before;
    const char *why = NULL;
    int rc;

    memset(&out, 0x5A, sizeof out);
    before = out;
    rc = parse(size, RAM, &out, &why);
    CHECK(name, rc == -1 && why && strcmp(why, reason) == 0 &&
                memcmp(&out, &before, sizeof out) == 0);
    if (rc != -1 || !why || strcmp(why, reason))
        printf("  note: rc %d, reason \"%s\", wanted \"%s\"\n", rc, why ? why : "(null)",
               reason);
}

/* ---- fake guest memory ---------------------------------------------------- */

struct guest {
    uint8_t *mem;
    uint64_t size;
    int calls;
    int fail_at;                /* fail the n-th call (1-based), 0 = never */
};

static int guest_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
    struct guest *g = ctx;

    if (++g->calls == g->fail_at)
        return -1;
    if (gpa > g->size || len > g->size - gpa)
        return -1;
    if (src)
        memcpy(g->mem + gpa, src, len);
    else
        memset(g->mem + gpa, 0, len);
    return 0;
}

/* Every byte of guest memory is what the good image should leave there. */
static int guest_matches_good(const struct guest *g)
{
    for (uint64_t a = 0; a < g->size; a++) {
        uint8_t want = 0xEE;
        if (a >= TEXT_GPA && a < TEXT_GPA + TEXT_SIZE)
            want = text_byte(a - TEXT_GPA);
        else if (a >= DATA_GPA && a < DATA_GPA + DATA_FILE)
            want = data_byte(a - DATA_GPA);
        else if (a >= DATA_GPA + DATA_FILE && a < DATA_GPA + DATA_MEM)
            want = 0;
        if (g->mem[a] != want)
            return 0;
    }
    return 1;
}

static void check_good_load(const char *tag, const struct pvh_image *pi)
{
    struct guest g = { .mem = malloc(RAM), .size = RAM };
    char name[80];
    int rc;

    memset(g.mem, 0xEE, RAM);
    rc = pvh_image_load(img, pi, guest_write, &g);
    snprintf(name, sizeof name, "%s: load ok", tag);
    CHECK(name, rc == 0);
    snprintf(name, sizeof name, "%s: text, data and zeroed bss at their GPAs", tag);
    CHECK(name, guest_matches_good(&g));
    free(g.mem);
}

static void check_good_fields(const char *tag, const struct pvh_image *pi)
{
    char name[80];

    snprintf(name, sizeof name, "%s: entry from the note", tag);
    CHECK(name, pi->entry == ENTRY);
    snprintf(name, sizeof name, "%s: two segments", tag);
    CHECK(name, pi->nsegments == 2);
    snprintf(name, sizeof name, "%s: text segment by paddr", tag);
    CHECK(name, pi->seg[0].gpa == TEXT_GPA && pi->seg[0].file_offset == TEXT_OFF &&
                pi->seg[0].filesz == TEXT_SIZE && pi->seg[0].memsz == TEXT_SIZE);
    snprintf(name, sizeof name, "%s: data segment with bss", tag);
    CHECK(name, pi->seg[1].gpa == DATA_GPA && pi->seg[1].file_offset == DATA_OFF &&
                pi->seg[1].filesz == DATA_FILE && pi->seg[1].memsz == DATA_MEM);
}

/* ---- good images ---------------------------------------------------------- */

static void test_good(void)
{
    struct spec s;
    struct pvh_image pi;

    make_good(&s, 64, 1);
    memset(&pi, 0, sizeof pi);
    expect_ok("elf64 8-byte note parses", img_size, &pi);
    check_good_fields("elf64", &pi);
    check_good_load("elf64", &pi);

    make_good(&s, 32, 0);
    memset(&pi, 0, sizeof pi);
    expect_ok("elf32 4-byte note parses", img_size, &pi);
    check_good_fields("elf32", &pi);
    check_good_load("elf32", &pi);

    make_good(&s, 64, 0);
    memset(&pi, 0, sizeof pi);
    expect_ok("elf64 4-byte note parses", img_size, &pi);
    CHECK("elf64 4-byte note entry", pi.entry == ENTRY);

    make_good(&s, 32, 1);
    memset(&pi, 0, sizeof pi);
    expect_ok("elf32 8-byte note parses", img_size, &pi);
    CHECK("elf32 8-byte note entry", pi.entry == ENTRY);

    /* XTF's container for its 64-bit PVH kernels. */
    make_good(&s, 32, 0);
    s.machine = 62;
    emit(&s);
    memset(&pi, 0, sizeof pi);
    expect_ok("ELFCLASS32 with EM_X86_64 parses", img_size, &pi);
    check_good_fields("elf32 x86-64", &pi);
    check_good_load("elf32 x86-64", &pi);
}

/* Several notes per segment, PHYS32_ENTRY last; a decoy with the right type. */
static void test_many_notes(void)
{
    struct spec s;
    struct pvh_image pi;
    uint64_t off, mid;

    make_good(&s, 64, 1);
    off = put_note(NOTE_OFF, "GNU", 4, 3, 0, 20, 4);
    off = put_note(off, "Xen", 4, 6, 0, 6, 4);               /* 6-byte desc: padded */
    off = put_note(off, "Xenon", 6, XEN_ELFNOTE_PHYS32_ENTRY, 0x100020, 4, 4);
    off = put_note(off, "Linux", 6, 1, 0, 3, 4);
    off = put_note(off, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 8, 4);
    s.seg[2].filesz = off - NOTE_OFF;
    emit(&s);
    memset(&pi, 0, sizeof pi);
    expect_ok("several notes, entry note last", off, &pi);
    CHECK("several notes: entry from the Xen note, not the decoy", pi.entry == ENTRY);
    check_good_load("several notes", &pi);

    /* Two PT_NOTE segments: the entry note is in the second. */
    make_good(&s, 64, 0);
    off = put_note(NOTE_OFF, "GNU", 4, 3, 0, 8, 4);
    mid = off;
    off = put_note(off, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 4, 4);
    s.seg[2].filesz = mid - NOTE_OFF;
    s.seg[3] = (struct seg){ PT_NOTE, mid, 0, off - mid, 0, 4 };
    s.phnum = 4;
    emit(&s);
    memset(&pi, 0, sizeof pi);
    expect_ok("entry note in the second PT_NOTE", off, &pi);
    CHECK("second PT_NOTE entry", pi.entry == ENTRY);

    /* p_align 8 note segment: notes padded to 8 (GNU property style). */
    make_good(&s, 64, 0);
    off = put_note(NOTE_OFF, "GNU", 4, 5, 0, 12, 8);
    CHECK("8-aligned GNU note is 32 bytes", off - NOTE_OFF == 32);
    off = put_note(off, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 4, 8);
    s.seg[2].filesz = off - NOTE_OFF;
    s.seg[2].align = 8;
    emit(&s);
    memset(&pi, 0, sizeof pi);
    expect_ok("8-aligned note segment", off, &pi);
    CHECK("8-aligned note entry", pi.entry == ENTRY);

    /* Two PHYS32_ENTRY notes: agreeing is fine, disagreeing is refused. */
    make_good(&s, 64, 0);
    off = put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 4, 4);
    off = put_note(off, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 8, 4);
    s.seg[2].filesz = off - NOTE_OFF;
    emit(&s);
    expect_ok("duplicate agreeing entry notes", off, &pi);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY + 4, 4, 4);
    expect_refused("conflicting entry notes", off, "conflicting PVH entry notes");
}

/* ---- ELF header and program header table ---------------------------------- */

static void test_header_refusals(void)
{
    struct spec s;

    make_good(&s, 64, 1);
    expect_refused("truncated: empty file", 0, "truncated ELF header");
    expect_refused("truncated: inside e_ident", 10, "truncated ELF header");
    expect_refused("truncated: inside ELF64 header", 40, "truncated ELF header");
    expect_refused("truncated: inside phdrs", 100, "program header table outside the file");
    expect_refused("truncated: inside last phdr", 64 + 3 * 56 - 1,
                   "program header table outside the file");
    expect_refused("truncated: inside text segment", TEXT_OFF + 0x50,
                   "segment data outside the file");
    expect_refused("truncated: inside note segment", img_size - 4,
                   "note segment outside the file");

    make_good(&s, 32, 0);
    expect_refused("truncated: inside ELF32 header", 50, "truncated ELF header");
    expect_refused("truncated: inside ELF32 phdrs", 52 + 40,
                   "program header table outside the file");
    expect_refused("truncated: inside ELF32 data segment", DATA_OFF + 1,
                   "segment data outside the file");

    make_good(&s, 64, 1);
    img[1] = 'X';
    expect_refused("bad magic", img_size, "not an ELF file");

    make_good(&s, 64, 1);
    s.machine = 3;
    emit(&s);
    expect_refused("ELFCLASS64 with EM_386", img_size,
                   "not a 64-bit x86-64 or 32-bit i386 or x86-64 ELF file");
    make_good(&s, 32, 0);
    s.machine = 40;     /* EM_ARM */
    emit(&s);
    expect_refused("ELFCLASS32 with EM_ARM", img_size,
                   "not a 64-bit x86-64 or 32-bit i386 or x86-64 ELF file");
    make_good(&s, 64, 1);
    s.eclass = 3;
    emit(&s);
    expect_refused("bad class byte", img_size, "bad ELF class");
    make_good(&s, 64, 1);
    s.edata = 2;
    emit(&s);
    expect_refused("big endian", img_size, "not little-endian ELF");

    make_good(&s, 64, 1);
    s.type = 3;                                         /* ET_DYN */
    emit(&s);
    expect_refused("ET_DYN", img_size, "not an executable (ET_EXEC) ELF file");

    make_good(&s, 64, 1);
    s.phentsize = 32;
    emit(&s);
    expect_refused("elf64 phentsize 32", img_size, "bad program header entry size");
    make_good(&s, 32, 0);
    s.phentsize = 56;
    emit(&s);
    expect_refused("elf32 phentsize 56", img_size, "bad program header entry size");

    make_good(&s, 64, 1);
    s.phoff = 0xfffffffffffffff0ull;
    emit(&s);
    expect_refused("phoff overflow", img_size, "program header table outside the file");
    make_good(&s, 64, 1);
    s.phoff = img_size - 8;
    emit(&s);
    expect_refused("phoff near file end", img_size, "program header table outside the file");
    make_good(&s, 64, 1);
    s.phnum = 0xffff;
    emit(&s);
    expect_refused("PN_XNUM", img_size, "extended program header count not supported");
}

/* ---- PT_LOAD checks ------------------------------------------------------- */

static void test_load_refusals(void)
{
    struct spec s;
    struct pvh_image pi;

    make_good(&s, 64, 1);
    s.seg[1].memsz = DATA_FILE - 1;
    emit(&s);
    expect_refused("filesz > memsz", img_size, "segment file size exceeds its memory size");

    make_good(&s, 64, 1);
    s.seg[1].offset = 0xfffffffffffffff0ull;
    emit(&s);
    expect_refused("p_offset + filesz overflow", img_size, "segment data outside the file");

    make_good(&s, 64, 1);
    s.seg[1].paddr = RAM - DATA_MEM + 0x1000 - 8;
    emit(&s);
    expect_refused("segment beyond RAM", img_size, "segment beyond guest RAM");
    make_good(&s, 64, 1);
    s.seg[1].paddr = RAM - DATA_MEM + 1;
    emit(&s);
    expect_refused("segment one byte beyond RAM", img_size, "segment beyond guest RAM");
    make_good(&s, 64, 1);
    s.seg[1].paddr = RAM - DATA_MEM;
    emit(&s);
    expect_ok("segment ending exactly at RAM end", img_size, &pi);
    make_good(&s, 32, 0);
    s.seg[1].paddr = 0xfffff000u;
    emit(&s);
    expect_refused("elf32 segment beyond RAM", img_size, "segment beyond guest RAM");

    make_good(&s, 64, 1);
    s.seg[1].paddr = 0xfffffffffffff000ull;
    s.seg[1].memsz = 0x2000;
    emit(&s);
    expect_refused("segment overflowing 64-bit", img_size,
                   "segment wraps around the address space");
    make_good(&s, 64, 1);
    s.seg[1].paddr = 0xfffffffffffff000ull;             /* ends exactly at 2^64 */
    emit(&s);
    expect_refused("segment ending at 2^64", img_size,
                   "segment wraps around the address space");

    make_good(&s, 64, 1);
    s.seg[1].paddr = START_INFO_GPA;
    emit(&s);
    expect_refused("segment on the start-info page", img_size,
                   "segment overlaps the start-info area");
    make_good(&s, 64, 1);
    s.seg[1].paddr = GUEST_HOLE_START - 0x800;          /* last 0x800 bytes in the hole */
    emit(&s);
    expect_refused("segment running into the hole", img_size,
                   "segment overlaps the start-info area");
    make_good(&s, 64, 1);
    s.seg[1].paddr = GUEST_HOLE_END - 1;
    emit(&s);
    expect_refused("segment starting at the hole's last byte", img_size,
                   "segment overlaps the start-info area");
    make_good(&s, 64, 1);
    s.seg[1].paddr = 0x90000;
    s.seg[1].memsz = 0x80000;                           /* covers the whole hole */
    emit(&s);
    expect_refused("segment spanning the hole", img_size,
                   "segment overlaps the start-info area");
    make_good(&s, 64, 1);
    s.seg[1].paddr = GUEST_HOLE_START - DATA_MEM;       /* ends at the hole */
    emit(&s);
    expect_ok("segment ending exactly at the hole", img_size, &pi);
    make_good(&s, 32, 0);
    s.seg[0].paddr = GUEST_HOLE_END;                    /* starts right after it */
    s.seg[1].paddr = 0x1000;
    emit(&s);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, GUEST_HOLE_END, 4, 4);
    expect_ok("segments just around the hole", img_size, &pi);

    make_good(&s, 64, 1);
    s.seg[1].paddr = TEXT_GPA + TEXT_SIZE - 0x10;
    emit(&s);
    expect_refused("two overlapping segments", img_size, "PT_LOAD segments overlap");
    make_good(&s, 64, 1);
    s.seg[0].paddr = DATA_GPA + 0x200;                  /* data+bss contains text */
    emit(&s);
    expect_refused("segment containing another", img_size, "PT_LOAD segments overlap");
    make_good(&s, 64, 1);
    s.seg[1].paddr = TEXT_GPA + TEXT_SIZE;              /* adjacent is fine */
    emit(&s);
    expect_ok("adjacent segments", img_size, &pi);

    make_good(&s, 64, 1);
    s.seg[0].type = PT_NULL;
    s.seg[1].type = PT_PHDR;
    emit(&s);
    expect_refused("no PT_LOAD", img_size, "no PT_LOAD segment");
    make_good(&s, 64, 1);
    s.seg[0].filesz = s.seg[0].memsz = 0;
    s.seg[1].filesz = s.seg[1].memsz = 0;
    emit(&s);
    expect_refused("only empty PT_LOADs", img_size, "no PT_LOAD segment");
    make_good(&s, 64, 1);
    s.phnum = 0;
    emit(&s);
    expect_refused("no program headers", img_size, "no PT_LOAD segment");
}

/* 16 PT_LOAD segments are accepted, 17 refused. */
static void test_segment_limit(void)
{
    struct spec s;
    struct pvh_image pi;
    uint64_t phoff = 0x800;
    int n;

    make_good(&s, 64, 1);
    s.phoff = phoff;
    s.seg[1] = s.seg[2];                                /* note second */
    n = 2;
    for (int i = 1; i < PVH_MAX_SEGMENTS; i++)          /* bss-only segments */
        s.seg[n++] = (struct seg){ PT_LOAD, 0, 0x200000 + i * 0x1000ull, 0, 0x1000, 0x1000 };
    s.phnum = (uint16_t)n;
    emit(&s);
    memset(&pi, 0, sizeof pi);
    expect_ok("16 PT_LOAD segments", phoff + n * 56ull, &pi);
    CHECK("16 segments recorded", pi.nsegments == PVH_MAX_SEGMENTS);

    s.seg[n++] = (struct seg){ PT_LOAD, 0, 0x300000, 0, 0x1000, 0x1000 };
    s.phnum = (uint16_t)n;
    emit(&s);
    expect_refused("17 PT_LOAD segments", phoff + n * 56ull, "too many PT_LOAD segments");
}

/* ---- notes ---------------------------------------------------------------- */

static void test_note_refusals(void)
{
    struct spec s;
    uint64_t off;

    make_good(&s, 64, 1);
    s.seg[2].type = PT_PHDR;
    emit(&s);
    expect_refused("no PT_NOTE", img_size, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

    /* Each byte of "Xen\0" matters. */
    for (int i = 0; i < 4; i++) {
        char name[40];

        make_good(&s, 64, 1);
        img[NOTE_OFF + 12 + i] ^= 0x20;                 /* "xen", "XEn", "XeN", "Xen " */
        snprintf(name, sizeof name, "note with wrong name (byte %d)", i);
        expect_refused(name, img_size, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    }
    make_good(&s, 64, 1);
    put(img + NOTE_OFF, 3, 4);                          /* namesz 3: "Xen" without NUL */
    expect_refused("note name without NUL", img_size,
                   "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    make_good(&s, 64, 1);
    put(img + NOTE_OFF + 8, XEN_ELFNOTE_PHYS32_ENTRY + 1, 4);
    expect_refused("Xen note of another type", img_size,
                   "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

    make_good(&s, 64, 1);
    off = put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, ENTRY, 2, 4);
    s.seg[2].filesz = off - NOTE_OFF;
    emit(&s);
    expect_refused("desc size 2", off, "PVH entry note has a bad descriptor size");

    make_good(&s, 64, 1);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, 0x100100010ull, 8, 4);
    expect_refused("8-byte desc above 4 GiB", img_size, "PVH entry point above 4 GiB");

    make_good(&s, 64, 1);
    s.seg[2].filesz = 8;                                /* header cut by the segment */
    emit(&s);
    expect_refused("note header past segment end", img_size, "truncated note header");
    make_good(&s, 64, 1);
    s.seg[2].filesz += 4;                               /* trailing partial header */
    img_size += 4;
    emit(&s);
    expect_refused("trailing partial note header", img_size, "truncated note header");
    make_good(&s, 64, 1);
    s.seg[2].filesz -= 4;                               /* desc cut, file still has it */
    emit(&s);
    expect_refused("note desc past segment end", img_size, "note runs past its segment");
    make_good(&s, 64, 1);
    put(img + NOTE_OFF, 0xfffffff0u, 4);                /* huge namesz */
    expect_refused("huge namesz", img_size, "note runs past its segment");
    make_good(&s, 64, 1);
    put(img + NOTE_OFF + 4, 0xffffffffu, 4);            /* huge descsz */
    expect_refused("huge descsz", img_size, "note runs past its segment");
    make_good(&s, 64, 1);
    s.seg[2].offset = 0xfffffffffffffff8ull;
    emit(&s);
    expect_refused("note p_offset overflow", img_size, "note segment outside the file");

    make_good(&s, 64, 1);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, 0x200000, 8, 4);
    expect_refused("entry outside loaded segments", img_size,
                   "PVH entry point outside the loaded segments");
    make_good(&s, 64, 1);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, DATA_GPA + DATA_FILE, 8, 4);
    expect_refused("entry in bss", img_size, "PVH entry point outside the loaded segments");
    make_good(&s, 64, 1);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, TEXT_GPA + TEXT_SIZE, 8, 4);
    expect_refused("entry one past text", img_size,
                   "PVH entry point outside the loaded segments");
    make_good(&s, 32, 0);
    put_note(NOTE_OFF, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, TEXT_GPA - 1, 4, 4);
    expect_refused("elf32 entry one below text", img_size,
                   "PVH entry point outside the loaded segments");
}

/* ---- the copy ------------------------------------------------------------- */

static void test_load_errors(void)
{
    struct spec s;
    struct pvh_image pi;
    struct guest g = { .mem = malloc(RAM), .size = RAM };

    make_good(&s, 64, 1);
    memset(&pi, 0, sizeof pi);
    expect_ok("writer-failure image parses", img_size, &pi);
    g.fail_at = 3;                                      /* the bss zero fill */
    CHECK("writer failure propagates", pvh_image_load(img, &pi, guest_write, &g) == -1);
    CHECK("no write after the failure", g.calls == 3);

    g.calls = 0;
    g.fail_at = 0;
    g.size = DATA_GPA + DATA_FILE;                      /* guest too small for the bss */
    CHECK("out-of-range write refused by writer",
          pvh_image_load(img, &pi, guest_write, &g) == -1);
    CHECK("all three writes attempted", g.calls == 3);
    free(g.mem);
}

int main(void)
{
    test_good();
    test_many_notes();
    test_header_refusals();
    test_load_refusals();
    test_segment_limit();
    test_note_refusals();
    test_load_errors();
    CHECK_DONE();
}
