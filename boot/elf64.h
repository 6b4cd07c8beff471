/*
 * The few ELF64 definitions the loader needs (System V gABI, ELF-64 Object
 * File Format). Kept here rather than borrowed from the host's <elf.h>,
 * which does not belong in a freestanding UEFI build.
 */
#ifndef MICA_BOOT_ELF64_H
#define MICA_BOOT_ELF64_H

#include <stdint.h>

#define ELF_NIDENT      16
#define ELF_MAG0        0x7f            /* e_ident[0..3] = 0x7f 'E' 'L' 'F' */
#define ELF_MAG1        'E'
#define ELF_MAG2        'L'
#define ELF_MAG3        'F'
#define ELF_EI_CLASS    4
#define ELF_EI_DATA     5
#define ELF_EI_VERSION  6
#define ELF_CLASS64     2
#define ELF_DATA2LSB    1
#define ELF_EV_CURRENT  1
#define ELF_ET_EXEC     2
#define ELF_EM_X86_64   62
#define ELF_PN_XNUM     0xffff          /* real count is elsewhere: not for us */
#define ELF_PT_LOAD     1
#define ELF_PF_X        1

struct elf64_ehdr {
    uint8_t  e_ident[ELF_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");

/* What the loader needs to place an executable: elf_check.c fills it. */
struct elf_image {
    uint64_t entry;
    uint64_t span_base;         /* page-aligned start of all PT_LOAD segments */
    uint64_t span_pages;        /* 4 KiB pages from span_base to the end of the last */
};

/*
 * Validate an ELF64 x86-64 executable of `size` bytes at `file` (any
 * alignment) for loading by physical address. Returns NULL and fills `out`,
 * or a message saying what is wrong; *bad_phdr is then the index of the
 * offending program header, or -1.
 */
const char *elf_check(const void *file, uint64_t size, struct elf_image *out, int *bad_phdr);

/* Program header `i` of a file elf_check() accepted (copied: no alignment needed). */
void elf_phdr(const void *file, unsigned i, struct elf64_phdr *ph);

#endif
