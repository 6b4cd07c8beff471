/*
 * Extended page tables (SDM 3C 29.3): building, translating and tearing down
 * one domain's guest-physical address space. Only 4 KiB leaves are used.
 * Pure table manipulation through phys_to_virt(), so the host unit tests
 * compile this file unchanged.
 */
#ifndef ARCH_EPT_H
#define ARCH_EPT_H

#include <stdbool.h>
#include <stdint.h>

#define EPT_READ   (1ull << 0)
#define EPT_WRITE  (1ull << 1)
#define EPT_EXEC   (1ull << 2)
#define EPT_RWX    (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_UC (0ull << 3)
#define EPT_MEMTYPE_WB (6ull << 3)
#define EPT_IGNORE_PAT (1ull << 6)
/* Software bit (ignored by the CPU): the leaf maps a frame the domain owns. */
#define EPT_SW_OWNED (1ull << 52)
/* Software bit: the leaf maps device memory, memory type UC (kept in the leaf). */
#define EPT_SW_UNCACHED (1ull << 53)
#define EPT_ADDR_MASK 0x000ffffffffff000ull

/* Guest-physical addresses above this are refused (4-level EPT, 48 bits). */
#define EPT_GPA_LIMIT (1ull << 48)

struct ept {
    uint64_t root;              /* physical address of the PML4 */
    uint64_t table_frames;      /* paging-structure frames in use */
    uint64_t table_limit;       /* most it may grow to; 0: no limit */
};

/* 0, or -1 if no frame for the root. No table_limit until the caller sets one. */
int ept_init(struct ept *ept);
/* Table frames (the root included) that map [0, bytes) with 4 KiB leaves. */
uint64_t ept_tables_for(uint64_t bytes);
/* Map 4 KiB at gpa -> hpa with `perm` (EPT_* bits, may include EPT_SW_OWNED).
 * 0; -1 if a table frame could not be allocated (or table_limit is reached)
 * or gpa is out of range;
 * -2 if gpa is already mapped. */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t perm);
/* Replace whatever is mapped at gpa (4 KiB) with hpa/perm; *old gets the
 * previous leaf (0 if none). 0, or -1 if a table frame could not be allocated
 * (or table_limit is reached) or gpa is out of range. The caller flushes
 * (INVEPT) if the EPT is live. */
int ept_replace(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t perm, uint64_t *old);
/* Leaf entry for gpa (0 if not present). */
uint64_t ept_lookup(const struct ept *ept, uint64_t gpa);
/* Host-physical address of guest-physical `gpa` (page offset kept) if the EPT
 * allows reading it (and writing, if `write`); 0 if not. */
uint64_t ept_translate(const struct ept *ept, uint64_t gpa, bool write);
/* Free every table frame; call `release(hpa)` for each owned leaf frame. */
void ept_destroy(struct ept *ept, void (*release)(uint64_t hpa));
/* The EPTP value for the VMCS: WB, 4-level walk. */
uint64_t ept_pointer(const struct ept *ept);

#endif
