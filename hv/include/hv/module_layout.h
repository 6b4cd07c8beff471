/*
 * Where dom0's boot modules go and how the start-info page lists them
 * (docs/abi.md, "Boot modules"). Pure functions of their arguments, so the
 * host unit tests run them as they are (tests/unit/test_module_layout.c);
 * hv/boot_modules.c does the copying.
 */
#ifndef HV_MODULE_LAYOUT_H
#define HV_MODULE_LAYOUT_H

#include <stdint.h>
#include "public/hvm_start_info.h"

struct module_slot {
    uint64_t size;              /* IN: bytes, may be 0 */
    const char *name;           /* IN: NUL-terminated, becomes the module's cmdline */
    uint64_t gpa;               /* OUT of module_place: page aligned */
};

/* A guest-physical range [start, end) the modules must not touch. */
struct module_avoid {
    uint64_t start;
    uint64_t end;
};

/*
 * Place n modules one after the other, each on its own pages, as high as
 * they fit in the largest RAM run of map[0..nmap) that can hold them
 * without touching any avoid[] range (each widened to whole pages). Fills
 * slot[i].gpa and returns 0, or returns -1 with *why set when no run can
 * hold them (slots unchanged). n = 0 always succeeds.
 */
int module_place(const struct hvm_memmap_table_entry *map, uint32_t nmap,
                 const struct module_avoid *avoid, uint32_t navoid,
                 struct module_slot *slot, uint32_t n, const char **why);

/*
 * List the placed modules in the start-info page (START_INFO_SIZE bytes, at
 * guest-physical page_gpa, already built by start_info_build_map): an array
 * of struct hvm_modlist_entry at START_INFO_MODLIST_OFFSET, then each name
 * NUL-terminated, cmdline_paddr pointing at it; nr_modules and
 * modlist_paddr set. Returns 0, or -1 with *why set and the page unchanged
 * when they do not fit in the page. n = 0 leaves the page as it is.
 */
int module_list_build(void *page, uint64_t page_gpa, const struct module_slot *slot,
                      uint32_t n, const char **why);

#endif
