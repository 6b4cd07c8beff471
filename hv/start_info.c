/*
 * The PVH start-of-day page: struct hvm_start_info at offset 0, the memory
 * map at START_INFO_MEMMAP_OFFSET, the command line at
 * START_INFO_CMDLINE_OFFSET. All addresses in it are guest-physical.
 */
#include <stddef.h>
#include <stdint.h>
#include "hv/start_info.h"
#include "hv/string.h"

int start_info_memmap(uint64_t ram_bytes, struct hvm_memmap_table_entry *map,
                      const char **why)
{
    if (ram_bytes < GUEST_RAM_MIN) {
        *why = "domain memory below 2 MiB";
        return -1;
    }
    if (ram_bytes & (GUEST_PAGE_SIZE - 1)) {
        *why = "domain memory not a multiple of 4 KiB";
        return -1;
    }
    map[0] = (struct hvm_memmap_table_entry){
        .addr = 0, .size = GUEST_HOLE_START, .type = HVM_MEMMAP_TYPE_RAM,
    };
    map[1] = (struct hvm_memmap_table_entry){
        .addr = GUEST_HOLE_START, .size = GUEST_HOLE_END - GUEST_HOLE_START,
        .type = HVM_MEMMAP_TYPE_RESERVED,
    };
    map[2] = (struct hvm_memmap_table_entry){
        .addr = GUEST_HOLE_END, .size = ram_bytes - GUEST_HOLE_END,
        .type = HVM_MEMMAP_TYPE_RAM,
    };
    return START_INFO_MEMMAP_ENTRIES;
}

int start_info_build(void *page, uint64_t ram_bytes, const char *cmdline,
                     int privileged, const char **why)
{
    struct hvm_memmap_table_entry map[START_INFO_MEMMAP_ENTRIES];
    int n = start_info_memmap(ram_bytes, map, why);
    if (n < 0)
        return -1;
    return start_info_build_map(page, START_INFO_GPA, map, (uint32_t)n, cmdline, privileged,
                                why);
}

int start_info_build_map(void *page, uint64_t page_gpa, const struct hvm_memmap_table_entry *map,
                         uint32_t n, const char *cmdline, int privileged, const char **why)
{
    uint8_t *base = page;
    struct hvm_start_info *si = page;
    size_t len = 0;

    /* Decode: everything that can fail happens before the page is touched. */
    if (cmdline) {
        len = strnlen(cmdline, START_INFO_CMDLINE_MAX);
        if (len == START_INFO_CMDLINE_MAX) {
            *why = "command line longer than 255 bytes";
            return -1;
        }
    }

    memset(page, 0, START_INFO_SIZE);
    si->magic = HVM_START_MAGIC;
    si->version = 1;
    si->flags = privileged ? SIF_PRIVILEGED : 0;
    si->nr_modules = 0;
    si->modlist_paddr = 0;
    si->rsdp_paddr = 0;
    si->memmap_paddr = page_gpa + START_INFO_MEMMAP_OFFSET;
    si->memmap_entries = n;
    memcpy(base + START_INFO_MEMMAP_OFFSET, map, (size_t)n * sizeof(map[0]));
    if (cmdline) {
        si->cmdline_paddr = page_gpa + START_INFO_CMDLINE_OFFSET;
        memcpy(base + START_INFO_CMDLINE_OFFSET, cmdline, len);   /* NUL from memset */
    }
    return 0;
}
