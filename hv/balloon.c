/*
 * A domain gives RAM back (XENMEM_decrease_reservation): the balloon
 * driver's half of ballooning, populate_physmap being the other. Only RAM
 * of its memory map that it owns can go: never a page of its reserved hole
 * (start-of-day page, console and store rings), nor the shared-info page,
 * a grant-table frame or a foreign grant mapping placed there. A freed
 * frame another domain still maps through a grant lives on until that
 * mapping goes (hv/frame_release.c), so nobody is left with a dangling page.
 */
#include "hv/arch.h"
#include "hv/balloon.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "public/hvm_start_info.h"

#define BALLOON_GPFN_LIMIT (1ull << 36)     /* guest-physical addresses have 48 bits */

static bool in_ram_map(const struct domain *d, gpaddr_t gpa)
{
    for (uint32_t i = 0; i < d->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *e = &d->memmap[i];
        if (e->type == HVM_MEMMAP_TYPE_RAM && gpa >= e->addr && gpa - e->addr < e->size)
            return true;
    }
    return false;
}

int balloon_release(struct domain *d, uint64_t gpfn, uint32_t order)
{
    uint64_t pages = 1ull << order;
    /* Bounded first, so the shifts below cannot wrap into its RAM. */
    if ((gpfn & (pages - 1)) || gpfn >= BALLOON_GPFN_LIMIT)
        return -1;
    /* All of the extent or none of it (Xen may stop half-way through one). */
    for (uint64_t i = 0; i < pages; i++) {
        gpaddr_t gpa = (gpfn + i) << PAGE_SHIFT;
        if (!in_ram_map(d, gpa) || !arch_domain_owned_frame(d, gpa))
            return -1;
    }
    for (uint64_t i = 0; i < pages; i++) {
        paddr_t released = 0;
        /* Unmapping allocates no table, so it cannot fail. */
        arch_domain_set_page(d, (gpfn + i) << PAGE_SHIFT, 0, 0, &released);
        if (released) {
            domain_release_frame(released);
            d->frames_owned--;
        }
    }
    return 0;
}
