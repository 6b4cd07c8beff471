/*
 * The guest-physical layout every PVH domain starts with, and the
 * start-of-day page (struct hvm_start_info) that describes it to the guest.
 * docs/guest-memory.md documents the same layout for guest authors.
 *
 *   [0, 0x9F000)            RAM
 *   [0x9F000, 0x100000)     reserved hole; its first page is the start-info page
 *   [0x100000, ram_bytes)   RAM
 *
 * The hole is backed by the domain's own frames (RAM is mapped at
 * [0, ram_bytes) without gaps) but the memory map marks it reserved, and the
 * kernel image may not load into it.
 */
#ifndef MICA_HV_START_INFO_H
#define MICA_HV_START_INFO_H

#include <stdint.h>
#include "public/hvm_start_info.h"

#define GUEST_RAM_MIN           0x200000ull     /* 2 MiB */
#define GUEST_PAGE_SIZE         0x1000ull

#define GUEST_HOLE_START        0x9F000ull
#define GUEST_HOLE_END          0x100000ull

#define START_INFO_GPA          GUEST_HOLE_START
/* A domU's console ring page (HVM_PARAM_CONSOLE_PFN), also in the reserved hole. */
#define CONSOLE_RING_GPA         0xA0000ull
/* ... and its xenstore ring page (HVM_PARAM_STORE_PFN), the page after it. */
#define XENSTORE_RING_GPA        0xA1000ull
#define START_INFO_SIZE         GUEST_PAGE_SIZE

/* Offsets inside the start-info page. */
#define START_INFO_MEMMAP_OFFSET   64
#define START_INFO_CMDLINE_OFFSET  512
#define START_INFO_CMDLINE_MAX     256          /* including the NUL */
/* dom0's boot modules: the hvm_modlist_entry array, then their names (each
 * module's cmdline), to the end of the page (hv/module_layout.c). */
#define START_INFO_MODLIST_OFFSET  768
#define START_INFO_MEMMAP_ENTRIES  3
/* The most a map may have (dom0's identity-mapped RAM comes in runs). */
#define START_INFO_MEMMAP_MAX      16

_Static_assert(sizeof(struct hvm_start_info) <= START_INFO_MEMMAP_OFFSET,
               "start info overlaps the memory map");
_Static_assert(START_INFO_MEMMAP_OFFSET + START_INFO_MEMMAP_MAX *
               sizeof(struct hvm_memmap_table_entry) <= START_INFO_CMDLINE_OFFSET,
               "memory map overlaps the command line");
_Static_assert(START_INFO_CMDLINE_OFFSET + START_INFO_CMDLINE_MAX <= START_INFO_MODLIST_OFFSET,
               "command line overlaps the module list");
_Static_assert(START_INFO_MODLIST_OFFSET % 8 == 0 && START_INFO_MODLIST_OFFSET < START_INFO_SIZE,
               "module list misplaced");

/*
 * Fill map[0..START_INFO_MEMMAP_ENTRIES) with the memory map of a domain
 * with ram_bytes of RAM (as given to the guest in the start-info page, and
 * for XENMEM_memory_map). Returns the number of entries, or -1 with *why set
 * when ram_bytes is unusable (below GUEST_RAM_MIN or not page aligned).
 */
int start_info_memmap(uint64_t ram_bytes, struct hvm_memmap_table_entry *map,
                      const char **why);

/*
 * Build the start-of-day page in `page` (START_INFO_SIZE bytes, the
 * hypervisor's view of the domain's frame at START_INFO_GPA). cmdline may be
 * NULL (cmdline_paddr is then 0). privileged sets SIF_PRIVILEGED.
 * Returns 0, or -1 with *why set to a static reason string and the page
 * unchanged (command line too long, bad ram_bytes).
 */
int start_info_build(void *page, uint64_t ram_bytes, const char *cmdline,
                     int privileged, const char **why);

/*
 * The same for any layout: the page lives at guest-physical page_gpa and
 * describes map[0..n) (n <= START_INFO_MEMMAP_MAX). Fails only on a command
 * line that is too long.
 */
int start_info_build_map(void *page, uint64_t page_gpa, const struct hvm_memmap_table_entry *map,
                         uint32_t n, const char *cmdline, int privileged, const char **why);

#endif
