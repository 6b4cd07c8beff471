/*
 * dom0's identity-mapped RAM (hv/include/hv/identity_ram.h), as ACRN's
 * Service VM and Jailhouse's root cell are laid out. The hypervisor's own
 * allocations start above its image (hv/frame.c), so the machine memory
 * from 1 MiB up is normally free when dom0 is built: one run from 1 MiB,
 * where PVH kernels load, up to the hypervisor image, then more above it.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/identity_ram.h"
#include "hv/printk.h"
#include "hv/string.h"

/* Add frame pa to the map's last run if it extends it, else open a run. */
static bool add_to_runs(struct domain *d, paddr_t pa)
{
    struct hvm_memmap_table_entry *last =
        d->memmap_entries ? &d->memmap[d->memmap_entries - 1] : NULL;
    if (last && last->addr + last->size == pa) {
        last->size += PAGE_SIZE;
        return true;
    }
    /* One slot stays free for the start-info page's reserved entry. */
    if (d->memmap_entries + 1 >= START_INFO_MEMMAP_MAX)
        return false;
    d->memmap[d->memmap_entries++] = (struct hvm_memmap_table_entry){
        .addr = pa, .size = PAGE_SIZE, .type = HVM_MEMMAP_TYPE_RAM,
    };
    return true;
}

static bool in_one_run(const struct domain *d, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < d->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *r = &d->memmap[i];
        if (r->type == HVM_MEMMAP_TYPE_RAM && start >= r->addr && end <= r->addr + r->size)
            return true;
    }
    return false;
}

/* Free the frames of runs [from_run, ...), in from_run from from_pa on. */
static void give_back(struct domain *d, uint32_t from_run, paddr_t from_pa)
{
    for (uint32_t i = from_run; i < d->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *r = &d->memmap[i];
        for (paddr_t pa = i == from_run ? from_pa : r->addr; pa < r->addr + r->size;
             pa += PAGE_SIZE)
            frame_free(pa);
    }
    d->memmap_entries = from_run;
}

/*
 * All the frames first, then the mappings: the EPT's tables come from the
 * allocator, which would otherwise hand out the very frames the runs grow
 * into, cutting them every 2 MiB (one new table per 2 MiB mapped).
 */
static int take_frames(struct domain *d, const char **why)
{
    uint64_t need = d->ram_bytes >> PAGE_SHIFT;
    for (paddr_t pa = FRAME_LOW_RESERVED; need && pa < FRAME_MAX_PHYS; pa += PAGE_SIZE) {
        if (!frame_take(pa))
            continue;
        if (!add_to_runs(d, pa)) {
            frame_free(pa);
            *why = "the free machine memory is in too many pieces for an identity map";
            give_back(d, 0, d->memmap[0].addr);
            return -1;
        }
        need--;
    }
    if (!need)
        return 0;
    *why = "not enough free machine memory for its identity-mapped RAM";
    if (d->memmap_entries)
        give_back(d, 0, d->memmap[0].addr);
    return -1;
}

/* Zero and map every frame taken; on failure the unmapped ones go back (the
 * mapped ones are the domain's, returned when it is destroyed). */
static int map_frames(struct domain *d, const char **why)
{
    for (uint32_t i = 0; i < d->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *r = &d->memmap[i];
        for (paddr_t pa = r->addr; pa < r->addr + r->size; pa += PAGE_SIZE) {
            domain_scrub_frame(pa);
            if (arch_domain_map_ram(d, pa, pa)) {
                give_back(d, i, pa);
                *why = "out of memory for its page tables";
                return -1;
            }
            d->frames_owned++;
        }
    }
    return 0;
}

int identity_ram_populate(struct domain *d, const struct pvh_image *img, const char **why)
{
    if (take_frames(d, why) || map_frames(d, why))
        return -1;
    const struct hvm_memmap_table_entry *top = &d->memmap[d->memmap_entries - 1];
    d->ram_top = top->addr + top->size;
    /* The start-info page: the last frame of the first run, which starts at
     * 1 MiB unless that was taken, so below 4 GiB for the 32-bit EBX of the
     * PVH entry. It becomes a reserved entry of its own after that run. */
    struct hvm_memmap_table_entry *first = &d->memmap[0];
    d->start_info_gpa = first->addr + first->size - PAGE_SIZE;
    if (d->start_info_gpa >= GiB(4) || first->size == PAGE_SIZE) {
        *why = "no room below 4 GiB for its start-info page";
        return -1;
    }
    first->size -= PAGE_SIZE;
    memmove(&d->memmap[2], &d->memmap[1], (d->memmap_entries - 1) * sizeof d->memmap[0]);
    d->memmap[1] = (struct hvm_memmap_table_entry){
        .addr = d->start_info_gpa, .size = PAGE_SIZE, .type = HVM_MEMMAP_TYPE_RESERVED,
    };
    d->memmap_entries++;
    for (uint32_t i = 0; i < img->nsegments; i++) {
        const struct pvh_segment *s = &img->seg[i];
        if (!in_one_run(d, s->gpa, s->gpa + s->memsz)) {
            *why = "a kernel segment falls where its identity-mapped RAM has a hole";
            return -1;
        }
    }
    char runs[160];
    size_t len = 0;
    for (uint32_t i = 0; i < d->memmap_entries && len < sizeof runs - 1; i++)
        if (d->memmap[i].type == HVM_MEMMAP_TYPE_RAM)
            len += (size_t)snprintf(runs + len, sizeof runs - len, " [0x%lx, 0x%lx)",
                                    d->memmap[i].addr, d->memmap[i].addr + d->memmap[i].size);
    printk("domain '%s': RAM at guest-physical = machine-physical:%s, start info 0x%lx\n",
           d->name, runs, d->start_info_gpa);
    return 0;
}
