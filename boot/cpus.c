/*
 * What the hypervisor needs to start the other CPUs: their local APIC IDs
 * as the firmware's MP services protocol knows them (UEFI PI specification,
 * volume 2, EFI_MP_SERVICES_PROTOCOL), and one page below 1 MiB, where a
 * Startup IPI can point an application processor. The hypervisor prefers
 * the ACPI MADT; this list is its second source (OVMF under Bochs publishes
 * no ACPI tables but does find the CPUs).
 */
#include "loader.h"

#define TRAMPOLINE_LIMIT 0x9ffffull     /* below the EBDA and legacy video memory */

/* The protocol's GUID and layout, from the PI specification (gnu-efi lacks it). */
#define MP_SERVICES_GUID \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }
#define PROCESSOR_AS_BSP_BIT  0x1
#define PROCESSOR_ENABLED_BIT 0x2

struct mp_processor_info {
    UINT64 processor_id;                /* the local APIC ID */
    UINT32 status_flag;
    UINT32 location[3];                 /* package, core, thread */
    UINT32 extended[6];                 /* PI 1.7 may append this; room for it */
};

struct mp_services {
    EFI_STATUS (EFIAPI *get_number_of_processors)(struct mp_services *self, UINTN *all,
                                                   UINTN *enabled);
    EFI_STATUS (EFIAPI *get_processor_info)(struct mp_services *self, UINTN n,
                                             struct mp_processor_info *info);
    /* StartupAllAPs, StartupThisAP, SwitchBSP, EnableDisableAP and WhoAmI
     * follow; the loader needs none of them. */
};

static void list_firmware_cpus(struct mica_bootinfo *bi)
{
    static EFI_GUID guid = MP_SERVICES_GUID;
    struct mp_services *mp;
    UINTN all, enabled;

    if (EFI_ERROR(BS->LocateProtocol(&guid, NULL, (void **)&mp)) ||
        EFI_ERROR(mp->get_number_of_processors(mp, &all, &enabled))) {
        Print(L"no MP services protocol: the firmware lists no CPUs\n");
        return;
    }
    for (UINTN n = 0; n < all; n++) {
        struct mp_processor_info info;

        if (EFI_ERROR(mp->get_processor_info(mp, n, &info)) ||
            !(info.status_flag & PROCESSOR_ENABLED_BIT))
            continue;
        if (bi->fw_cpu_count == MICA_MAX_CPUS) {
            Print(L"the firmware lists %d CPUs; Mica uses the first %d\n", all, MICA_MAX_CPUS);
            break;
        }
        UINT32 slot = bi->fw_cpu_count++;
        if (info.status_flag & PROCESSOR_AS_BSP_BIT) {     /* the boot CPU goes first */
            bi->fw_cpu_apic_id[slot] = bi->fw_cpu_apic_id[0];
            slot = 0;
        }
        bi->fw_cpu_apic_id[slot] = (UINT32)info.processor_id;
    }
    Print(L"firmware MP services: %d CPUs, %d enabled\n", all, enabled);
}

EFI_STATUS cpus_prepare(struct mica_bootinfo *bi)
{
    EFI_STATUS status = alloc_pages_below(TRAMPOLINE_LIMIT, 1, &bi->ap_trampoline_paddr);

    if (EFI_ERROR(status)) {
        Print(L"no free page below 640 KiB for starting the other CPUs: %r\n", status);
        return status;
    }
    list_firmware_cpus(bi);
    return EFI_SUCCESS;
}
