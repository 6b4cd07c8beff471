/*
 * The versioned hand-off from the UEFI loader to the hypervisor.
 *
 * The loader calls the hypervisor's ELF entry point (at its link address,
 * still on the firmware's identity-mapped page tables, interrupts off) with
 * RDI = physical address of struct mica_bootinfo. Every address in here is
 * physical. Everything the loader allocated for the hypervisor (its image,
 * this structure, the memory map, the domain images) is in ranges reported
 * as MICA_MEM_LOADER (the boot modules included).
 */
#ifndef MICA_BOOTINFO_H
#define MICA_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>
#include "bootcfg.h"

#define MICA_BOOTINFO_MAGIC   0x544f4f4241434d49ull  /* "IMCABOOT" */
/* 4: bootcfg_domain.deny; 5: bootcfg_domain.modules and the boot modules */
#define MICA_BOOTINFO_VERSION 5
#define MICA_MAX_CPUS         8     /* CPUs the hypervisor drives; more are left halted */

enum mica_mem_type {
    MICA_MEM_USABLE = 1,        /* free RAM */
    MICA_MEM_BOOT_RECLAIM,      /* firmware boot-services memory: free once the
                                   hypervisor runs on its own page tables */
    MICA_MEM_LOADER,            /* hypervisor image, boot info, domain images */
    MICA_MEM_ACPI_RECLAIM,
    MICA_MEM_ACPI_NVS,
    MICA_MEM_RUNTIME,           /* UEFI runtime services code/data */
    MICA_MEM_MMIO,
    MICA_MEM_RESERVED,
};

struct mica_memrange {
    uint64_t base;              /* page aligned */
    uint64_t pages;             /* 4 KiB pages */
    uint32_t type;              /* enum mica_mem_type */
    uint32_t reserved;
};
_Static_assert(sizeof(struct mica_memrange) == 24, "mica_memrange layout");

struct mica_boot_domain {
    struct bootcfg_domain cfg;  /* as parsed from the boot configuration */
    uint64_t image_paddr;       /* the kernel file, loaded verbatim */
    uint64_t image_size;
};

/*
 * The boot modules: every regular file of the folder that one domain's
 * modules= names (docs/boot-config.md), sorted by name (bytewise), each
 * read verbatim. The loader enforces the limits below; the hypervisor
 * checks them again before it trusts the array.
 */
#define MICA_MAX_MODULES        32
#define MICA_MODULE_NAME_MAX    BOOTCFG_KERNEL_MAX      /* including the NUL */
#define MICA_MODULES_MAX_BYTES  (512ull << 20)          /* all modules together */

struct mica_boot_module {
    uint64_t paddr;             /* page aligned; the rest of the last page is 0 */
    uint64_t size;              /* bytes, may be 0 */
    char name[MICA_MODULE_NAME_MAX];    /* file name in the folder, ASCII, NUL-terminated */
};
_Static_assert(sizeof(struct mica_boot_module) == 80, "mica_boot_module layout");

struct mica_bootinfo {
    uint64_t magic;             /* MICA_BOOTINFO_MAGIC */
    uint32_t version;           /* MICA_BOOTINFO_VERSION */
    uint32_t size;              /* sizeof(struct mica_bootinfo) */
    uint64_t rsdp_paddr;        /* ACPI 2.0+ RSDP (1.0 if that is all), or 0 */
    uint64_t memmap_paddr;      /* array of struct mica_memrange, sorted by base */
    uint32_t memmap_entries;
    uint32_t ndomains;
    uint64_t hv_file_paddr;     /* the hypervisor ELF file as read (for symbols) */
    uint64_t hv_file_size;
    char config_file[64];       /* name of the configuration file, for messages */
    char hv_options[BOOTCFG_OPTIONS_MAX];
    struct mica_boot_domain domains[BOOTCFG_MAX_DOMAINS];
    /*
     * The CPUs the firmware's MP services protocol reported (a second source
     * when ACPI has no MADT, as under Bochs with OVMF): enabled CPUs only, the
     * boot CPU first. fw_cpu_count = 0 when the protocol is absent.
     */
    uint32_t fw_cpu_count;
    uint32_t fw_cpu_apic_id[MICA_MAX_CPUS];
    /* One page below 1 MiB for the application processors' real-mode start. */
    uint64_t ap_trampoline_paddr;
    /* The modules of domains[modules_owner] (whose cfg.modules names their
     * folder); nmodules = 0 when no line has modules=. */
    uint32_t nmodules;
    uint32_t modules_owner;
    struct mica_boot_module modules[MICA_MAX_MODULES];
};

#endif
