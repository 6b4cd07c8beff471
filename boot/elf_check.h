/*
 * Checking the hypervisor ELF before the loader places it. The ELF
 * definitions are shared with the hypervisor (mica/elf.h).
 */
#ifndef MICA_BOOT_ELF_CHECK_H
#define MICA_BOOT_ELF_CHECK_H

#include <stdint.h>
#include "mica/elf.h"

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
void elf_phdr(const void *file, unsigned i, Elf64_Phdr *ph);

#endif
