/*
 * Internal interfaces of the UEFI loader (the C files in boot/). Each file does one
 * step of the boot flow; main.c calls them in order. A step that fails
 * prints its own message (naming the file and, for domains, the config line)
 * and returns an EFI error, which main.c hands back to the firmware.
 */
#ifndef MICA_BOOT_LOADER_H
#define MICA_BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include "mica/bootinfo.h"

#define CONFIG_FILE     "mica.cfg"      /* on the ESP root */
#define HV_FILE         "mica.elf"      /* the hypervisor, on the ESP root */
#define PAGE_SIZE       4096ull
#define PAGE_MASK       (PAGE_SIZE - 1)

static inline UINTN pages_for(UINT64 bytes)
{
    return (UINTN)((bytes + PAGE_MASK) / PAGE_SIZE);
}

/* alloc.c: page allocations (EfiLoaderData, zeroed), undone on failure. */
EFI_STATUS alloc_pages_any(UINT64 bytes, EFI_PHYSICAL_ADDRESS *out);
EFI_STATUS alloc_pages_at(EFI_PHYSICAL_ADDRESS base, UINTN pages);
EFI_STATUS alloc_pages_below(EFI_PHYSICAL_ADDRESS limit, UINTN pages, EFI_PHYSICAL_ADDRESS *out);
void alloc_free(EFI_PHYSICAL_ADDRESS base);
void alloc_release_all(void);

/* file.c: whole files from the volume the loader was started from. */
struct boot_file {
    EFI_PHYSICAL_ADDRESS paddr;         /* page-aligned copy of the file */
    UINT64 size;                        /* bytes; the rest of the last page is 0 */
};
EFI_STATUS file_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root);
EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *name, struct boot_file *out);
/* The pieces of file_read, for files found by listing a directory: open a
 * name relative to the root for reading; read an open file whole (not a
 * directory); its size and whether it is a directory. */
EFI_STATUS file_open(EFI_FILE_HANDLE root, const char *name, EFI_FILE_HANDLE *fh);
EFI_STATUS file_read_open(EFI_FILE_HANDLE fh, struct boot_file *out);
EFI_STATUS file_info(EFI_FILE_HANDLE fh, UINT64 *size, BOOLEAN *is_dir);
/* file_read's status when the name is a directory: no EFI status says so. */
#define FILE_IS_DIRECTORY EFIERR_OEM(1)
/* A status for a message: "is a directory" for FILE_IS_DIRECTORY, otherwise
 * the firmware's name for it (written into buf, at least 64 characters). */
const CHAR16 *status_text(EFI_STATUS status, CHAR16 *buf, UINTN len);

/* config.c: read and parse the boot configuration. */
EFI_STATUS config_load(EFI_FILE_HANDLE root, struct bootcfg *cfg);

/* elf_load.c: validate the hypervisor ELF and place it at its link address. */
struct hv_loaded {
    struct boot_file file;              /* the whole ELF, kept for its symbols */
    UINT64 entry;
};
EFI_STATUS hv_load(EFI_FILE_HANDLE root, struct hv_loaded *out);

/* domains.c: domain kernels, read verbatim (the hypervisor validates them). */
EFI_STATUS domains_load(EFI_FILE_HANDLE root, const struct bootcfg *cfg,
                        struct mica_bootinfo *bi);

/* modules.c: the files of the folder one domain's modules= names (dom0's
 * boot modules), sorted by name, into bi->modules. */
EFI_STATUS modules_load(EFI_FILE_HANDLE root, const struct bootcfg *cfg,
                        struct mica_bootinfo *bi);

/* acpi.c: the RSDP from the firmware's configuration tables, or 0. */
UINT64 acpi_find_rsdp(EFI_SYSTEM_TABLE *st);

/* cpus.c: the CPU list from the firmware's MP services, and the page below
 * 1 MiB where application processors start. */
EFI_STATUS cpus_prepare(struct mica_bootinfo *bi);

/* memmap.c: UEFI memory map -> sorted, merged struct mica_memrange array. */
UINT32 memmap_convert(const void *map, UINTN map_size, UINTN desc_size,
                      struct mica_memrange *out, UINT32 capacity);

/* handoff.c: final memory map, ExitBootServices, jump. Returns only on failure. */
EFI_STATUS handoff(EFI_HANDLE image, UINT64 entry, struct mica_bootinfo *bi);

#endif
