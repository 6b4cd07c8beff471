/*
 * Placement and listing of dom0's boot modules (hv/include/hv/module_layout.h).
 * The top of the largest run: dom0's kernel loads low (at 1 MiB), so the
 * top end of its RAM is where it has most room, and the modules stay out
 * of the way of a kernel that grows its own allocations upwards.
 */
#include <stddef.h>
#include <stdint.h>
#include "hv/module_layout.h"
#include "hv/start_info.h"
#include "hv/string.h"
#include "hv/types.h"

/* Bytes the modules take, each rounded up to whole pages. */
static uint64_t span_of(const struct module_slot *slot, uint32_t n)
{
    uint64_t total = 0;

    for (uint32_t i = 0; i < n; i++) {
        uint64_t pages = ALIGN_UP(slot[i].size, PAGE_SIZE);
        if (pages < slot[i].size || total + pages < total)
            return UINT64_MAX;          /* wrapped: cannot fit anywhere */
        total += pages;
    }
    return total;
}

/*
 * The highest page-aligned base for `span` bytes in [start, end) that
 * touches no avoid[] range, or UINT64_MAX. Each avoided range met lowers
 * the top below it, so the search ends after at most navoid steps.
 */
static uint64_t highest_fit(uint64_t start, uint64_t end, uint64_t span,
                            const struct module_avoid *avoid, uint32_t navoid)
{
    uint64_t top = ALIGN_DOWN(end, PAGE_SIZE);

    start = ALIGN_UP(start, PAGE_SIZE);
    for (;;) {
        if (top < start || top - start < span)
            return UINT64_MAX;
        uint64_t base = top - span;
        bool clash = false;
        for (uint32_t i = 0; i < navoid; i++) {
            uint64_t a = ALIGN_DOWN(avoid[i].start, PAGE_SIZE);
            uint64_t b = ALIGN_UP(avoid[i].end, PAGE_SIZE);
            if (avoid[i].end > avoid[i].start && a < top && b > base) {
                top = a;        /* strictly lower: a < top */
                clash = true;
                break;
            }
        }
        if (!clash)
            return base;
    }
}

int module_place(const struct hvm_memmap_table_entry *map, uint32_t nmap,
                 const struct module_avoid *avoid, uint32_t navoid,
                 struct module_slot *slot, uint32_t n, const char **why)
{
    uint64_t span = span_of(slot, n), best_base = UINT64_MAX, best_size = 0;

    if (n == 0)
        return 0;
    for (uint32_t i = 0; i < nmap; i++) {
        const struct hvm_memmap_table_entry *r = &map[i];
        if (r->type != HVM_MEMMAP_TYPE_RAM || r->addr + r->size < r->addr ||
            r->size <= best_size)
            continue;
        uint64_t base = highest_fit(r->addr, r->addr + r->size, span, avoid, navoid);
        if (base != UINT64_MAX) {
            best_base = base;
            best_size = r->size;
        }
    }
    if (best_base == UINT64_MAX) {
        *why = "its boot modules do not fit in its memory beside the kernel";
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        slot[i].gpa = best_base;
        best_base += ALIGN_UP(slot[i].size, PAGE_SIZE);
    }
    return 0;
}

int module_list_build(void *page, uint64_t page_gpa, const struct module_slot *slot,
                      uint32_t n, const char **why)
{
    uint8_t *base = page;
    size_t list_end = START_INFO_MODLIST_OFFSET + (size_t)n * sizeof(struct hvm_modlist_entry);
    size_t at = list_end;

    if (n == 0)
        return 0;
    /* Decode: measure every name first, so a failure leaves the page alone. */
    if (n > (START_INFO_SIZE - START_INFO_MODLIST_OFFSET) / sizeof(struct hvm_modlist_entry))
        goto too_big;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strnlen(slot[i].name, START_INFO_SIZE - at);
        if (len == START_INFO_SIZE - at)
            goto too_big;       /* no room for this name and its NUL */
        at += len + 1;
    }

    struct hvm_start_info *si = page;
    struct hvm_modlist_entry *list = (void *)(base + START_INFO_MODLIST_OFFSET);
    at = list_end;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(slot[i].name);
        memcpy(base + at, slot[i].name, len + 1);
        list[i] = (struct hvm_modlist_entry){
            .paddr = slot[i].gpa, .size = slot[i].size, .cmdline_paddr = page_gpa + at,
        };
        at += len + 1;
    }
    si->nr_modules = n;
    si->modlist_paddr = page_gpa + START_INFO_MODLIST_OFFSET;
    return 0;

too_big:
    *why = "its boot modules' list and names do not fit in the start-info page";
    return -1;
}
