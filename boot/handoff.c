/*
 * The last step: take the final memory map, leave boot services, convert
 * the map for the hypervisor and jump to it.
 *
 * Every allocation happens before the final GetMemoryMap, since allocating
 * changes the map (and its key). Between GetMemoryMap and ExitBootServices
 * something in the firmware (an event, a timer) may still change the map;
 * ExitBootServices then refuses the stale key and both calls are repeated.
 * UEFI 2.x, ExitBootServices(): after the first call only GetMemoryMap may
 * be used, so no allocation, no printing past that point.
 */
#include "loader.h"

/* Room for the map to grow: our own allocations below, and firmware activity. */
#define MAP_SPARE_DESCS 32
/* Stale-key retries; one is normally enough. */
#define EXIT_TRIES      4

/*
 * The hypervisor's entry contract (bootinfo.h): SysV ABI, RDI = &bootinfo,
 * never returns. GCC drops `noreturn` on pointer types with a warning, so
 * the call below is followed by __builtin_unreachable() instead.
 */
typedef void (__attribute__((sysv_abi)) *hv_entry_fn)(UINT64 bootinfo_paddr);

static inline void interrupts_off(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* Buffers for the final map, sized before the map is taken for the last time. */
struct final_map {
    void *efi;                          /* UEFI descriptors: firmware pool, not handed on */
    UINTN efi_capacity;                 /* bytes */
    UINTN desc_size;
    EFI_PHYSICAL_ADDRESS ranges;        /* struct mica_memrange[], handed on */
    UINT32 ranges_capacity;
};

static EFI_STATUS prepare_map(struct final_map *m)
{
    UINTN size = 0, key;
    UINT32 version;
    EFI_STATUS status;

    status = BS->GetMemoryMap(&size, NULL, &key, &m->desc_size, &version);
    if (status != EFI_BUFFER_TOO_SMALL)
        return EFI_ERROR(status) ? status : EFI_DEVICE_ERROR;
    m->efi_capacity = size + MAP_SPARE_DESCS * m->desc_size;
    status = BS->AllocatePool(EfiBootServicesData, m->efi_capacity, &m->efi);
    if (EFI_ERROR(status))
        return status;
    /* Merging only shrinks: one range per descriptor is always enough. */
    m->ranges_capacity = (UINT32)(m->efi_capacity / m->desc_size);
    status = alloc_pages_any(m->ranges_capacity * sizeof(struct mica_memrange), &m->ranges);
    if (EFI_ERROR(status))
        BS->FreePool(m->efi);
    return status;
}

EFI_STATUS handoff(EFI_HANDLE image, UINT64 entry, struct mica_bootinfo *bi)
{
    struct final_map m;
    EFI_STATUS status;
    UINTN size, key;
    UINT32 version, n;
    int tries;

    status = prepare_map(&m);
    if (EFI_ERROR(status)) {
        Print(L"cannot get the memory map: %r\n", status);
        return status;
    }
    Print(L"starting the hypervisor at 0x%lx, boot info at 0x%lx\n", entry, (UINT64)(UINTN)bi);

    for (tries = 0; tries < EXIT_TRIES; tries++) {
        size = m.efi_capacity;
        status = BS->GetMemoryMap(&size, m.efi, &key, &m.desc_size, &version);
        if (EFI_ERROR(status)) {
            if (tries == 0) {
                /* Boot services are still whole: say so and give up cleanly. */
                Print(L"cannot get the memory map: %r\n", status);
                BS->FreePool(m.efi);
            }
            return status;
        }
        status = BS->ExitBootServices(image, key);
        if (status != EFI_INVALID_PARAMETER)
            break;                      /* success, or a failure a retry cannot fix */
    }
    /*
     * A failed ExitBootServices may leave the firmware half shut down; the
     * caller's report is a best effort (EDK2 keeps its services after
     * refusing a key). Nothing else is attempted.
     */
    if (EFI_ERROR(status))
        return status;

    n = memmap_convert(m.efi, size, m.desc_size,
                       (struct mica_memrange *)(UINTN)m.ranges, m.ranges_capacity);
    bi->memmap_paddr = m.ranges;
    bi->memmap_entries = n;

    interrupts_off();
    ((hv_entry_fn)(UINTN)entry)((UINT64)(UINTN)bi);
    __builtin_unreachable();
}
