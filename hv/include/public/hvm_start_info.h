/*
 * PVH start of day: the vCPU starts in 32-bit protected mode, paging off,
 * flat CS/DS/ES/SS, EBX = guest-physical address of struct hvm_start_info.
 * Layouts follow Xen's public PVH ABI.
 */
#ifndef MICA_PUBLIC_HVM_START_INFO_H
#define MICA_PUBLIC_HVM_START_INFO_H

#include <stddef.h>
#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
    uint32_t magic;             /* OUT: HVM_START_MAGIC */
    uint32_t version;           /* OUT: 1 (memmap fields valid) */
    uint32_t flags;             /* OUT: SIF_* */
    uint32_t nr_modules;        /* OUT */
    uint64_t modlist_paddr;     /* OUT: array of struct hvm_modlist_entry */
    uint64_t cmdline_paddr;     /* OUT: NUL-terminated command line, or 0 */
    uint64_t rsdp_paddr;        /* OUT: ACPI RSDP, 0 when the domain has none */
    uint64_t memmap_paddr;      /* OUT: array of struct hvm_memmap_table_entry */
    uint32_t memmap_entries;    /* OUT */
    uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info size");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40, "memmap_paddr");

#define SIF_PRIVILEGED 1u       /* the domain is privileged (dom0) */

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry size");

struct hvm_memmap_table_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* E820 type */
    uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap entry size");

#define HVM_MEMMAP_TYPE_RAM      1
#define HVM_MEMMAP_TYPE_RESERVED 2

#endif
