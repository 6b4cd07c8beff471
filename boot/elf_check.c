/*
 * Validation of the hypervisor ELF before a single byte of it is placed.
 * The file is untrusted input read from disk: every offset and size is
 * checked against the file and against wrap-around before it is used.
 * Freestanding (no firmware calls), like bootcfg.c, so it could be tested
 * on the host.
 */
#include <stddef.h>
#include "elf_check.h"

#define ELF_PAGE_SIZE 4096ull
#define ELF_PAGE_MASK (ELF_PAGE_SIZE - 1)

static void copy_bytes(void *dst, const void *src, size_t n)
{
    volatile uint8_t *d = dst;  /* volatile: keep the compiler from calling memcpy */
    const uint8_t *s = src;

    while (n--)
        *d++ = *s++;
}

void elf_phdr(const void *file, unsigned i, Elf64_Phdr *ph)
{
    Elf64_Ehdr eh;

    copy_bytes(&eh, file, sizeof eh);
    copy_bytes(ph, (const uint8_t *)file + eh.e_phoff + (uint64_t)i * sizeof *ph, sizeof *ph);
}

static const char *check_header(const Elf64_Ehdr *eh, uint64_t size)
{
    const uint8_t *id = eh->e_ident;

    if (id[0] != ELFMAG0 || id[1] != ELFMAG1 || id[2] != ELFMAG2 || id[3] != ELFMAG3)
        return "not an ELF file (bad magic)";
    if (id[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF file";
    if (id[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF file";
    if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return "unknown ELF version";
    if (eh->e_machine != EM_X86_64)
        return "not an x86-64 ELF file";
    if (eh->e_type != ET_EXEC)
        return "not an executable ELF file (e_type is not ET_EXEC)";
    if (eh->e_ehsize < sizeof *eh)
        return "ELF header size (e_ehsize) too small";
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return "unexpected program header size (e_phentsize)";
    if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
        return "no program headers";
    /* phnum * 56 cannot overflow: phnum is 16 bits. */
    if (eh->e_phoff > size ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
        return "program header table lies outside the file";
    return NULL;
}

/* One PT_LOAD segment on its own: inside the file, no wrap-around. */
static const char *check_segment(const Elf64_Phdr *ph, uint64_t size)
{
    if (ph->p_filesz > ph->p_memsz)
        return "segment file size exceeds its memory size";
    if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
        return "segment data lies outside the file";
    /* Leave room to round the end up to a page without wrapping. */
    /* First bound memsz, so that the subtractions below cannot wrap. */
    if (ph->p_memsz > UINT64_MAX - ELF_PAGE_MASK ||
        ph->p_paddr > UINT64_MAX - ELF_PAGE_MASK - ph->p_memsz ||
        ph->p_vaddr > UINT64_MAX - ELF_PAGE_MASK - ph->p_memsz)
        return "segment runs past the end of the address space";
    return NULL;
}

const char *elf_check(const void *file, uint64_t size, struct elf_image *out, int *bad_phdr)
{
    Elf64_Ehdr eh;
    uint64_t lo = UINT64_MAX, hi = 0;
    int entry_found = 0;
    const char *why;
    unsigned i, j;

    *bad_phdr = -1;
    out->entry = out->span_base = out->span_pages = 0;
    if (size < sizeof eh)
        return "file too small for an ELF header";
    copy_bytes(&eh, file, sizeof eh);
    why = check_header(&eh, size);
    if (why)
        return why;

    for (i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        elf_phdr(file, i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        *bad_phdr = (int)i;
        why = check_segment(&ph, size);
        if (why)
            return why;
        if (ph.p_memsz == 0)
            continue;
        /* Overlapping segments would overwrite each other while loading. */
        for (j = 0; j < i; j++) {
            Elf64_Phdr o;

            elf_phdr(file, j, &o);
            if (o.p_type == PT_LOAD && o.p_memsz &&
                ph.p_paddr < o.p_paddr + o.p_memsz && o.p_paddr < ph.p_paddr + ph.p_memsz)
                return "segment overlaps an earlier segment";
        }
        /*
         * The loader jumps to e_entry on the firmware's identity page tables,
         * so the segment holding it must be linked where it is loaded.
         */
        if (ph.p_vaddr == ph.p_paddr && eh.e_entry >= ph.p_vaddr &&
            eh.e_entry - ph.p_vaddr < ph.p_memsz) {
            if (!(ph.p_flags & PF_X))
                return "entry point lies in a non-executable segment";
            entry_found = 1;
        }
        if (ph.p_paddr < lo)
            lo = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > hi)
            hi = ph.p_paddr + ph.p_memsz;
    }
    *bad_phdr = -1;
    if (lo > hi)
        return "no loadable segment";
    if (!entry_found)
        return "entry point not inside an identity-linked (p_vaddr == p_paddr) segment";

    out->entry = eh.e_entry;
    out->span_base = lo & ~ELF_PAGE_MASK;
    out->span_pages = ((hi + ELF_PAGE_MASK) & ~ELF_PAGE_MASK) / ELF_PAGE_SIZE -
                      out->span_base / ELF_PAGE_SIZE;
    return NULL;
}
