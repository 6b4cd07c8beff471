/* Symbol lookup for backtraces, from the hypervisor's own ELF symbol table. */
#ifndef HV_SYMBOLS_H
#define HV_SYMBOLS_H

#include "hv/types.h"

/* `file` is the hypervisor ELF as loaded from disk (the loader keeps it). */
void symbols_init(const void *file, uint64_t size);
/* Name of the function containing `addr`, and the offset into it; NULL if unknown. */
const char *symbols_lookup(uint64_t addr, uint64_t *offset);
/* Print "  #n 0x... name+0x.." for each frame of an RBP chain. */
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif
