/*
 * UEFI memory map -> the hypervisor's struct mica_memrange array: sorted by
 * base, adjacent ranges of the same type merged. Runs after
 * ExitBootServices, so it calls nothing and cannot fail: the caller sizes
 * `out` for at least as many entries as the map has descriptors.
 */
#include "loader.h"

/* Every UEFI type we know; anything else (unusable, PAL, future) is reserved. */
static const UINT32 type_map[EfiMaxMemoryType] = {
    [EfiReservedMemoryType]      = MICA_MEM_RESERVED,
    [EfiLoaderCode]              = MICA_MEM_LOADER,
    [EfiLoaderData]              = MICA_MEM_LOADER,
    [EfiBootServicesCode]        = MICA_MEM_BOOT_RECLAIM,
    [EfiBootServicesData]        = MICA_MEM_BOOT_RECLAIM,
    [EfiRuntimeServicesCode]     = MICA_MEM_RUNTIME,
    [EfiRuntimeServicesData]     = MICA_MEM_RUNTIME,
    [EfiConventionalMemory]      = MICA_MEM_USABLE,
    [EfiUnusableMemory]          = MICA_MEM_RESERVED,
    [EfiACPIReclaimMemory]       = MICA_MEM_ACPI_RECLAIM,
    [EfiACPIMemoryNVS]           = MICA_MEM_ACPI_NVS,
    [EfiMemoryMappedIO]          = MICA_MEM_MMIO,
    [EfiMemoryMappedIOPortSpace] = MICA_MEM_MMIO,
    [EfiPalCode]                 = MICA_MEM_RESERVED,
};

static UINT32 mica_type(UINT32 efi_type)
{
    return efi_type < EfiMaxMemoryType ? type_map[efi_type] : MICA_MEM_RESERVED;
}

/* Insertion sort: a few hundred entries at most, and usually nearly sorted. */
static void sort_by_base(struct mica_memrange *r, UINT32 n)
{
    UINT32 i, j;

    for (i = 1; i < n; i++) {
        struct mica_memrange key = r[i];

        for (j = i; j > 0 && r[j - 1].base > key.base; j--)
            r[j] = r[j - 1];
        r[j] = key;
    }
}

static UINT32 merge_adjacent(struct mica_memrange *r, UINT32 n)
{
    UINT32 i, out = 0;

    for (i = 0; i < n; i++) {
        struct mica_memrange *last = out ? &r[out - 1] : NULL;

        if (last && last->type == r[i].type &&
            last->base + last->pages * PAGE_SIZE == r[i].base)
            last->pages += r[i].pages;
        else
            r[out++] = r[i];
    }
    return out;
}

UINT32 memmap_convert(const void *map, UINTN map_size, UINTN desc_size,
                      struct mica_memrange *out, UINT32 capacity)
{
    UINT32 n = 0;
    UINTN off;

    /* desc_size, not sizeof: firmware may append fields to each descriptor. */
    for (off = 0; off + desc_size <= map_size && n < capacity; off += desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const void *)((const UINT8 *)map + off);

        if (d->NumberOfPages == 0)
            continue;
        out[n].base = d->PhysicalStart;
        out[n].pages = d->NumberOfPages;
        out[n].type = mica_type(d->Type);
        out[n].reserved = 0;
        n++;
    }
    sort_by_base(out, n);
    return merge_adjacent(out, n);
}
