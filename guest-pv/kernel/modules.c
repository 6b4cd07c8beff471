/*
 * Boot modules from the start info (modules.h). Everything in it is read
 * once and checked against the identity map (guest.h) before it is
 * followed: a module list or name the kernel cannot reach is no module.
 */
#include <stddef.h>

#include "guest.h"
#include "lib.h"
#include "modules.h"

/* [pa, pa + len) lies inside the identity map (and does not wrap). */
static bool reachable(uint64_t pa, uint64_t len)
{
    return pa != 0 && pa < IDENTITY_MAP_END && len <= IDENTITY_MAP_END - pa;
}

bool modules_get(const struct hvm_start_info *si, uint32_t i, struct boot_module *out)
{
    uint32_t n = READ_ONCE(si->nr_modules);
    uint64_t list = READ_ONCE(si->modlist_paddr);

    if (i >= n || !reachable(list, (uint64_t)n * sizeof(struct hvm_modlist_entry)))
        return false;
    struct hvm_modlist_entry e;
    memcpy(&e, (const void *)(uintptr_t)(list + (uint64_t)i * sizeof e), sizeof e);

    /* The name: up to its NUL or MODULE_NAME_MAX - 1 bytes, never past the map. */
    size_t len = 0;
    if (reachable(e.cmdline_paddr, 1)) {
        const char *s = (const char *)(uintptr_t)e.cmdline_paddr;
        while (len < MODULE_NAME_MAX - 1 && e.cmdline_paddr + len < IDENTITY_MAP_END && s[len])
            len++;
        memcpy(out->name, s, len);
    }
    out->name[len] = '\0';
    out->paddr = e.paddr;
    out->size = e.size;
    out->data = reachable(e.paddr, e.size) ? (const void *)(uintptr_t)e.paddr : NULL;
    return true;
}
