/*
 * dom0's boot modules (hv/include/hv/boot_modules.h). The loader's array is
 * copied once and checked before anything relies on it; placement and the
 * start-info list are hv/module_layout.c's. The modules take part of dom0's
 * own RAM (memory=), as an initrd does under Xen: no frame is added.
 */
#include "hv/arch.h"
#include "hv/boot_modules.h"
#include "hv/domain.h"
#include "hv/module_layout.h"
#include "hv/printk.h"
#include "hv/start_info.h"
#include "hv/string.h"

/* At the loader's limits the list and every name fit in the start-info page,
 * so module_list_build() can refuse only a corrupt array. */
_Static_assert(MICA_MAX_MODULES * (sizeof(struct hvm_modlist_entry) + MICA_MODULE_NAME_MAX) <=
                   START_INFO_SIZE - START_INFO_MODLIST_OFFSET,
               "the most modules, with the longest names, fit in the start-info page");

static struct mica_boot_module modules[MICA_MAX_MODULES];
static uint32_t nmodules;
static const char *unusable;    /* why the loader's array was refused, or NULL */

static bool in_loader_memory(const struct mica_memrange *map, uint32_t nmap, uint64_t pa,
                             uint64_t size)
{
    if (pa + size < pa)
        return false;
    for (uint32_t i = 0; i < nmap; i++) {
        const struct mica_memrange *r = &map[i];
        if (r->type != MICA_MEM_LOADER || r->pages > (UINT64_MAX - r->base) >> PAGE_SHIFT)
            continue;
        if (pa >= r->base && pa + size <= r->base + (r->pages << PAGE_SHIFT))
            return true;
    }
    return false;
}

static const char *check_module(const struct mica_boot_module *m,
                                const struct mica_memrange *map, uint32_t nmap)
{
    size_t len = strnlen(m->name, sizeof m->name);
    if (len == 0 || len == sizeof m->name)
        return "a boot module's name is empty or unterminated in the boot info";
    if (m->size > MICA_MODULES_MAX_BYTES)
        return "a boot module is larger than the loader allows";
    if ((m->paddr & ~PAGE_MASK) || !in_loader_memory(map, nmap, m->paddr, m->size))
        return "a boot module lies outside the loader's memory";
    return NULL;
}

void boot_modules_init(const struct mica_bootinfo *bi, const struct mica_memrange *map,
                       uint32_t nmap)
{
    uint64_t total = 0;

    if (bi->nmodules == 0)
        return;
    if (bi->nmodules > MICA_MAX_MODULES || bi->modules_owner >= bi->ndomains) {
        unusable = "the boot info's module list is malformed";
        return;
    }
    memcpy(modules, bi->modules, bi->nmodules * sizeof modules[0]);
    for (uint32_t i = 0; i < bi->nmodules; i++) {
        unusable = check_module(&modules[i], map, nmap);
        total += modules[i].size;       /* each <= 512 MiB: no wrap */
        if (!unusable && total > MICA_MODULES_MAX_BYTES)
            unusable = "the boot modules are larger together than the loader allows";
        if (unusable)
            return;
    }
    nmodules = bi->nmodules;
}

/* Copy through d's own mapping, page by page: no assumption that it is identity. */
static int copy_in(struct domain *d, gpaddr_t gpa, const uint8_t *src, uint64_t len)
{
    while (len) {
        uint64_t chunk = MIN(len, PAGE_SIZE - (gpa & ~PAGE_MASK));
        paddr_t hpa = arch_domain_gpa_to_hpa(d, gpa, true);
        if (!hpa)
            return -1;
        memcpy(phys_to_virt(hpa), src, chunk);
        src += chunk;
        gpa += chunk;
        len -= chunk;
    }
    return 0;
}

int boot_modules_give(struct domain *d, const struct bootcfg_domain *cfg,
                      const struct pvh_image *img, void *start_page, const char **why)
{
    static char no_room[96];
    struct module_slot slot[MICA_MAX_MODULES];
    struct module_avoid avoid[PVH_MAX_SEGMENTS + 1];
    uint32_t navoid = 0;
    uint64_t total = 0;

    if (!cfg->modules[0])
        return 0;
    if (unusable) {
        *why = unusable;
        return -1;
    }
    for (uint32_t i = 0; i < img->nsegments && i < PVH_MAX_SEGMENTS; i++)
        avoid[navoid++] = (struct module_avoid){ img->seg[i].gpa,
                                                 img->seg[i].gpa + img->seg[i].memsz };
    avoid[navoid++] = (struct module_avoid){ d->start_info_gpa, d->start_info_gpa + PAGE_SIZE };
    for (uint32_t i = 0; i < nmodules; i++) {
        slot[i] = (struct module_slot){ .size = modules[i].size, .name = modules[i].name };
        total += ALIGN_UP(modules[i].size, PAGE_SIZE);
    }

    if (module_place(d->memmap, d->memmap_entries, avoid, navoid, slot, nmodules, why)) {
        snprintf(no_room, sizeof no_room, "its boot modules (%lu KiB) do not fit in its "
                 "%u MiB beside the kernel", total >> 10, cfg->memory_mib);
        *why = no_room;
        return -1;
    }
    if (module_list_build(start_page, d->start_info_gpa, slot, nmodules, why))
        return -1;
    for (uint32_t i = 0; i < nmodules; i++) {
        if (copy_in(d, slot[i].gpa, phys_to_virt(modules[i].paddr), modules[i].size)) {
            *why = "copying its boot modules into its memory failed";
            return -1;
        }
        printk("domain '%s': module %s, %lu bytes at 0x%lx\n", d->name, modules[i].name,
               modules[i].size, slot[i].gpa);
    }
    if (nmodules == 0)
        printk("domain '%s': no boot modules (folder '%s' is empty)\n", d->name, cfg->modules);
    return 0;
}
