/*
 * Mica's UEFI loader (BOOTX64.EFI). Boot flow (DESIGN.md section 2):
 * configuration, hypervisor, domain images, ACPI, boot info, memory map,
 * ExitBootServices, jump. Every failure is reported with the file (and config
 * line) at fault and control returns to the firmware; the loader never hangs.
 */
#include "loader.h"

static void copy_cstr(char *dst, const char *src, UINTN size)
{
    UINTN i;

    for (i = 0; i + 1 < size && src[i]; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

static EFI_STATUS new_bootinfo(const struct bootcfg *cfg, const struct hv_loaded *hv,
                               EFI_SYSTEM_TABLE *st, struct mica_bootinfo **out)
{
    EFI_PHYSICAL_ADDRESS pa;
    struct mica_bootinfo *bi;
    EFI_STATUS status;

    status = alloc_pages_any(sizeof *bi, &pa);      /* zeroed */
    if (EFI_ERROR(status)) {
        Print(L"cannot allocate the boot info: %r\n", status);
        return status;
    }
    bi = (struct mica_bootinfo *)(UINTN)pa;
    bi->magic = MICA_BOOTINFO_MAGIC;
    bi->version = MICA_BOOTINFO_VERSION;
    bi->size = sizeof *bi;
    bi->rsdp_paddr = acpi_find_rsdp(st);
    bi->hv_file_paddr = hv->file.paddr;
    bi->hv_file_size = hv->file.size;
    copy_cstr(bi->config_file, CONFIG_FILE, sizeof bi->config_file);
    copy_cstr(bi->hv_options, cfg->hv_options, sizeof bi->hv_options);
    if (!bi->rsdp_paddr)
        Print(L"warning: no ACPI RSDP in the firmware tables\n");
    *out = bi;
    return EFI_SUCCESS;
}

static EFI_STATUS boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    static struct bootcfg cfg;          /* ~6 KiB: keep it off the firmware stack */
    struct mica_bootinfo *bi;
    struct hv_loaded hv;
    EFI_FILE_HANDLE root;
    EFI_STATUS status;

    status = file_open_root(image, &root);
    if (EFI_ERROR(status)) {
        Print(L"cannot open the boot volume: %r\n", status);
        return status;
    }
    /* The hypervisor claims its fixed address before anything else can land there. */
    status = config_load(root, &cfg);
    if (!EFI_ERROR(status))
        status = hv_load(root, &hv);
    if (!EFI_ERROR(status))
        status = new_bootinfo(&cfg, &hv, st, &bi);
    if (!EFI_ERROR(status))
        status = cpus_prepare(bi);
    if (!EFI_ERROR(status))
        status = domains_load(root, &cfg, bi);
    if (!EFI_ERROR(status))
        status = modules_load(root, &cfg, bi);
    root->Close(root);
    if (EFI_ERROR(status))
        return status;
    return handoff(image, hv.entry, bi);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    EFI_STATUS status;

    InitializeLib(image, st);
    /* The firmware's 5-minute watchdog would reset a slow emulator mid-load. */
    BS->SetWatchdogTimer(0, 0, 0, NULL);
    Print(L"\nMica loader (boot info v%d)\n", MICA_BOOTINFO_VERSION);

    status = boot(image, st);
    /* Only reached on failure: undo our allocations, hand control back. */
    alloc_release_all();
    CHAR16 text[64];

    Print(L"boot failed (%s): returning to the firmware\n", status_text(status, text, 64));
    return status;
}
