/*
 * Software walk of a guest's own page tables (SDM 3A chapter 4): 32-bit,
 * PAE and 4-level paging, or none. Table entries are read through a callback
 * that resolves guest-physical addresses (through the EPT in the hypervisor,
 * through a fake memory in the unit tests).
 */
#ifndef ARCH_GUEST_WALK_H
#define ARCH_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* Read `size` (4 or 8) bytes at guest-physical `gpa`; 0 or -1 if unreadable. */
typedef int (*gpa_reader)(void *ctx, uint64_t gpa, uint64_t *value, unsigned size);

/*
 * Translate guest-linear `va` for a supervisor access (a write if `write`).
 * Returns 0 and *gpa, or -1 when the access would fault in the guest
 * (not present, not writable with CR0.WP, non-canonical, unsupported mode).
 */
int guest_walk(const struct guest_paging *p, uint64_t va, bool write, gpa_reader read,
               void *ctx, uint64_t *gpa);

#endif
