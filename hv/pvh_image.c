/*
 * PVH kernel image loader: ELF header, program headers, the Xen
 * PHYS32_ENTRY note, then the copy. The image is hostile input: every field
 * is read byte-wise (no alignment or endianness assumptions about the
 * buffer), and every offset/size is checked in a form that cannot overflow
 * before it is used. Parsing works on a local struct and commits it to the
 * caller only when the whole image has been accepted.
 */
#include <stddef.h>
#include <stdint.h>
#include "mica/elf.h"
#include "hv/pvh_image.h"
#include "hv/start_info.h"
#include "public/elfnote.h"

/* Header sizes and field offsets come from mica/elf.h; fields are read byte-wise. */
#define E_TYPE          offsetof(Elf64_Ehdr, e_type)    /* same in both classes */
#define E_MACHINE       offsetof(Elf64_Ehdr, e_machine)
#define NOTE_HDR_SIZE   sizeof(Elf_Note)                 /* same in both classes */

/* The fields of one program header, widened to 64 bits. */
struct phdr {
    uint32_t type;
    uint64_t offset;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

/* Field offsets that differ between the classes. */
struct elf_layout {
    uint64_t ehdr_size, phdr_size;
    unsigned int word;                      /* 4 or 8: size of addr/off fields */
    unsigned int e_phoff, e_phentsize, e_phnum;
    unsigned int p_offset, p_paddr, p_filesz, p_memsz, p_align;
};

#define LAYOUT(E, P, w) {                                                       \
    .ehdr_size = sizeof(E), .phdr_size = sizeof(P), .word = (w),               \
    .e_phoff = offsetof(E, e_phoff), .e_phentsize = offsetof(E, e_phentsize),  \
    .e_phnum = offsetof(E, e_phnum), .p_offset = offsetof(P, p_offset),        \
    .p_paddr = offsetof(P, p_paddr), .p_filesz = offsetof(P, p_filesz),        \
    .p_memsz = offsetof(P, p_memsz), .p_align = offsetof(P, p_align) }

static const struct elf_layout layout32 = LAYOUT(Elf32_Ehdr, Elf32_Phdr, 4);
static const struct elf_layout layout64 = LAYOUT(Elf64_Ehdr, Elf64_Phdr, 8);

static uint64_t rd_le(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    while (n--)
        v = (v << 8) | p[n];
    return v;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)rd_le(p, 2); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd_le(p, 4); }

/* True when [off, off + len) lies within [0, size). */
static int within(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Round v up to a (a power of two); callers pass v < 2^34: no overflow. */
static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void read_phdr(const struct elf_layout *l, const uint8_t *p, struct phdr *ph)
{
    ph->type = rd32(p);
    ph->offset = rd_le(p + l->p_offset, l->word);
    ph->paddr = rd_le(p + l->p_paddr, l->word);
    ph->filesz = rd_le(p + l->p_filesz, l->word);
    ph->memsz = rd_le(p + l->p_memsz, l->word);
    ph->align = rd_le(p + l->p_align, l->word);
}

static const char *check_load(const struct phdr *ph, uint64_t size,
                              uint64_t ram_bytes, struct pvh_image *img)
{
    uint64_t end;

    if (!within(ph->offset, ph->filesz, size))
        return "segment data outside the file";
    if (ph->filesz > ph->memsz)
        return "segment file size exceeds its memory size";
    if (ph->memsz == 0)
        return NULL;            /* loads nothing: not recorded */
    if (ph->paddr + ph->memsz < ph->paddr)
        return "segment wraps around the address space";
    end = ph->paddr + ph->memsz;
    if (end > ram_bytes)
        return "segment beyond guest RAM";
    if (ph->paddr < GUEST_HOLE_END && end > GUEST_HOLE_START)
        return "segment overlaps the start-info area";
    for (uint32_t i = 0; i < img->nsegments; i++) {
        const struct pvh_segment *s = &img->seg[i];
        if (ph->paddr < s->gpa + s->memsz && end > s->gpa)
            return "PT_LOAD segments overlap";
    }
    if (img->nsegments == PVH_MAX_SEGMENTS)
        return "too many PT_LOAD segments";

    img->seg[img->nsegments++] = (struct pvh_segment){
        .gpa = ph->paddr, .file_offset = ph->offset,
        .filesz = ph->filesz, .memsz = ph->memsz,
    };
    return NULL;
}

/*
 * Walk the notes of one PT_NOTE segment. Notes are aligned to 4 bytes, or to
 * 8 in segments with p_align 8 (as .note.gnu.property uses); the header is
 * 12 bytes in both ELF classes. PHYS32_ENTRY goes to *entry,
 * with *entry_found set.
 */
static const char *scan_notes(const uint8_t *image, uint64_t size, const struct phdr *ph,
                              int *entry_found, uint32_t *entry)
{
    uint64_t a = ph->align == 8 ? 8 : 4;
    uint64_t pos = 0;
    const uint8_t *seg;

    /* Check before forming the pointer: even computing it out of range is UB. */
    if (!within(ph->offset, ph->filesz, size))
        return "note segment outside the file";
    seg = image + ph->offset;

    while (pos < ph->filesz) {
        const uint8_t *n = seg + pos;
        uint64_t left = ph->filesz - pos;
        uint32_t namesz, descsz, type;
        uint64_t desc_off, next;

        if (left < NOTE_HDR_SIZE)
            return "truncated note header";
        namesz = rd32(n);
        descsz = rd32(n + 4);
        type = rd32(n + 8);
        desc_off = align_up(NOTE_HDR_SIZE + (uint64_t)namesz, a);
        if (desc_off > left || descsz > left - desc_off)
            return "note runs past its segment";
        next = align_up(desc_off + descsz, a);

        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
            n[12] == 'X' && n[13] == 'e' && n[14] == 'n' && n[15] == 0) {
            uint64_t v;

            if (descsz != 4 && descsz != 8)
                return "PVH entry note has a bad descriptor size";
            v = rd_le(n + desc_off, descsz);
            if (v > UINT32_MAX)
                return "PVH entry point above 4 GiB";
            if (*entry_found && *entry != v)
                return "conflicting PVH entry notes";
            *entry_found = 1;
            *entry = (uint32_t)v;
        }
        pos += next < left ? next : left;
    }
    return NULL;
}

int pvh_image_parse(const void *image, uint64_t size, uint64_t ram_bytes,
                    struct pvh_image *out, const char **why)
{
    const uint8_t *p = image;
    const struct elf_layout *l;
    struct pvh_image img = { 0 };
    const char *err = NULL;
    uint64_t phoff;
    uint16_t phnum;
    int entry_found = 0;
    int entry_inside = 0;

    if (size < EI_NIDENT)
        err = "truncated ELF header";
    else if (p[0] != ELFMAG0 || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
        err = "not an ELF file";
    else if (p[EI_DATA] != ELFDATA2LSB)
        err = "not little-endian ELF";
    if (err)
        goto refuse;

    if (p[EI_CLASS] == ELFCLASS64)
        l = &layout64;
    else if (p[EI_CLASS] == ELFCLASS32)
        l = &layout32;
    else {
        err = "bad ELF class";
        goto refuse;
    }
    if (size < l->ehdr_size) {
        err = "truncated ELF header";
        goto refuse;
    }
    /* ELFCLASS32 with EM_X86_64 is the container the Xen Test Framework
     * links its 64-bit PVH kernels in, and Xen's domain builder loads it:
     * a PVH image is loaded by physical address, so the class only says
     * how wide the headers are. */
    uint16_t machine = rd16(p + E_MACHINE);
    if (l == &layout64 ? machine != EM_X86_64 : machine != EM_386 && machine != EM_X86_64)
        err = "not a 64-bit x86-64 or 32-bit i386 or x86-64 ELF file";
    else if (rd16(p + E_TYPE) != ET_EXEC)
        err = "not an executable (ET_EXEC) ELF file";
    else if (rd16(p + l->e_phentsize) != l->phdr_size)
        err = "bad program header entry size";
    if (err)
        goto refuse;

    phoff = rd_le(p + l->e_phoff, l->word);
    phnum = rd16(p + l->e_phnum);
    if (phnum == PN_XNUM) {
        err = "extended program header count not supported";
        goto refuse;
    }
    /* phnum < 2^16 and phdr_size <= 56: the product cannot overflow. */
    if (!within(phoff, phnum * l->phdr_size, size)) {
        err = "program header table outside the file";
        goto refuse;
    }

    for (uint16_t i = 0; i < phnum && !err; i++) {
        struct phdr ph;

        read_phdr(l, p + phoff + i * l->phdr_size, &ph);
        if (ph.type == PT_LOAD)
            err = check_load(&ph, size, ram_bytes, &img);
        else if (ph.type == PT_NOTE)
            err = scan_notes(p, size, &ph, &entry_found, &img.entry);
    }
    if (err)
        goto refuse;

    if (img.nsegments == 0) {
        err = "no PT_LOAD segment";
        goto refuse;
    }
    if (!entry_found) {
        err = "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)";
        goto refuse;
    }
    /* The entry must be code the image supplies, not zero fill. */
    for (uint32_t i = 0; i < img.nsegments; i++) {
        const struct pvh_segment *s = &img.seg[i];
        if (img.entry >= s->gpa && img.entry - s->gpa < s->filesz)
            entry_inside = 1;
    }
    if (!entry_inside) {
        err = "PVH entry point outside the loaded segments";
        goto refuse;
    }

    *out = img;
    return 0;

refuse:
    *why = err;
    return -1;
}

int pvh_image_load(const void *image, const struct pvh_image *img,
                   guest_phys_writer write, void *ctx)
{
    const uint8_t *p = image;
    int rc;

    for (uint32_t i = 0; i < img->nsegments && i < PVH_MAX_SEGMENTS; i++) {
        const struct pvh_segment *s = &img->seg[i];

        if (s->filesz) {
            rc = write(ctx, s->gpa, p + s->file_offset, s->filesz);
            if (rc)
                return rc;
        }
        if (s->memsz > s->filesz) {
            rc = write(ctx, s->gpa + s->filesz, NULL, s->memsz - s->filesz);
            if (rc)
                return rc;
        }
    }
    return 0;
}
