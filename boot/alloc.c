/*
 * Page allocations for what the hypervisor receives. All are EfiLoaderData
 * (reported to the hypervisor as MICA_MEM_LOADER) and zeroed, so no stale
 * firmware data shows through the tails of files or between segments.
 * Each one is recorded so that a failed boot gives the memory back before
 * control returns to the firmware.
 */
#include "loader.h"

/* hypervisor image + its file + boot info + memory map + domains + modules + slack */
#define MAX_ALLOCS (BOOTCFG_MAX_DOMAINS + MICA_MAX_MODULES + 16)

static struct {
    EFI_PHYSICAL_ADDRESS base;
    UINTN pages;
} allocs[MAX_ALLOCS];
static UINTN nallocs;

static EFI_STATUS alloc(EFI_ALLOCATE_TYPE how, EFI_PHYSICAL_ADDRESS *base, UINTN pages)
{
    EFI_STATUS status;

    if (nallocs == MAX_ALLOCS)
        return EFI_OUT_OF_RESOURCES;
    status = BS->AllocatePages(how, EfiLoaderData, pages, base);
    if (EFI_ERROR(status))
        return status;
    BS->SetMem((void *)(UINTN)*base, pages * PAGE_SIZE, 0);
    allocs[nallocs].base = *base;
    allocs[nallocs].pages = pages;
    nallocs++;
    return EFI_SUCCESS;
}

EFI_STATUS alloc_pages_any(UINT64 bytes, EFI_PHYSICAL_ADDRESS *out)
{
    /* An empty file still gets a page, so every image has an address. */
    UINTN pages = bytes ? pages_for(bytes) : 1;

    *out = 0;
    return alloc(AllocateAnyPages, out, pages);
}

EFI_STATUS alloc_pages_at(EFI_PHYSICAL_ADDRESS base, UINTN pages)
{
    return alloc(AllocateAddress, &base, pages);
}

/* `pages` pages ending at or below `limit` (the highest usable address). */
EFI_STATUS alloc_pages_below(EFI_PHYSICAL_ADDRESS limit, UINTN pages, EFI_PHYSICAL_ADDRESS *out)
{
    *out = limit;
    return alloc(AllocateMaxAddress, out, pages);
}

void alloc_free(EFI_PHYSICAL_ADDRESS base)
{
    UINTN i;

    for (i = 0; i < nallocs; i++) {
        if (allocs[i].base == base) {
            BS->FreePages(base, allocs[i].pages);
            allocs[i] = allocs[--nallocs];
            return;
        }
    }
}

void alloc_release_all(void)
{
    while (nallocs) {
        nallocs--;
        BS->FreePages(allocs[nallocs].base, allocs[nallocs].pages);
    }
}
