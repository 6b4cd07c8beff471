/* Guest page-table walker (see arch/guest_walk.h). */
#include "arch/guest_walk.h"
#include "arch/msr.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define ADDR_MASK_64 0x000ffffffffff000ull
#define ADDR_MASK_32 0xfffff000ull
#define PDPTE_MASK   0xffffffe0ull
#define PSE_RESERVED_BIT21 (1ull << 21)

static bool canonical48(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

/* Walk 8-byte-entry tables from `table` through `levels` levels (PAE or 4-level). */
static int walk64(uint64_t table, uint64_t va, int levels, bool check_write, gpa_reader read,
                  void *ctx, uint64_t *gpa)
{
    for (int level = levels - 1; level >= 0; level--) {
        unsigned shift = 12 + 9 * level;
        uint64_t e;
        if (read(ctx, (table & ADDR_MASK_64) + ((va >> shift) & 511) * 8, &e, 8))
            return -1;
        if (!(e & PTE_P) || (check_write && !(e & PTE_RW)))
            return -1;
        /* SDM 3A table 4-15: PS is reserved in a PML4E; the CPU faults (a
         * PML4E pointing back at its own table with PS set would otherwise
         * be followed as a table here, and then as a 1 GiB page). */
        if (levels == 4 && level == 3 && (e & PTE_PS))
            return -1;
        /* 1 GiB (level 2) and 2 MiB (level 1) pages end the walk. */
        if (level > 0 && level < 3 && (e & PTE_PS)) {
            uint64_t page_mask = (1ull << shift) - 1;
            *gpa = (e & ADDR_MASK_64 & ~page_mask) | (va & page_mask);
            return 0;
        }
        table = e;
    }
    *gpa = (table & ADDR_MASK_64) | (va & 0xfff);
    return 0;
}

static int walk32(const struct guest_paging *p, uint64_t va, bool check_write, gpa_reader read,
                  void *ctx, uint64_t *gpa)
{
    uint64_t pde, pte;
    if (read(ctx, (p->cr3 & ADDR_MASK_32) + ((va >> 22) & 1023) * 4, &pde, 4))
        return -1;
    if (!(pde & PTE_P) || (check_write && !(pde & PTE_RW)))
        return -1;
    if ((pde & PTE_PS) && (p->cr4 & CR4_PSE)) {
        /* SDM 3A table 4-4: PDE bits 20:13 are physical bits 39:32 (PSE-36); bit 21 is reserved. */
        if (pde & PSE_RESERVED_BIT21)
            return -1;
        *gpa = (pde & 0xffc00000ull) | (((pde >> 13) & 0xff) << 32) | (va & 0x3fffff);
        return 0;
    }
    if (read(ctx, (pde & ADDR_MASK_32) + ((va >> 12) & 1023) * 4, &pte, 4))
        return -1;
    if (!(pte & PTE_P) || (check_write && !(pte & PTE_RW)))
        return -1;
    *gpa = (pte & ADDR_MASK_32) | (va & 0xfff);
    return 0;
}

int guest_walk(const struct guest_paging *p, uint64_t va, bool write, gpa_reader read,
               void *ctx, uint64_t *gpa)
{
    bool check_write = write && (p->cr0 & CR0_WP);

    if (!(p->cr0 & CR0_PG)) {
        if (va > 0xffffffffull)
            return -1;
        *gpa = va;
        return 0;
    }
    if (p->efer & EFER_LMA) {
        if ((p->cr4 & CR4_LA57) || !canonical48(va))
            return -1;
        return walk64(p->cr3, va, 4, check_write, read, ctx, gpa);
    }
    if (va > 0xffffffffull)
        return -1;
    if (!(p->cr4 & CR4_PAE))
        return walk32(p, va, check_write, read, ctx, gpa);

    /* PAE: the PDPTE (indexed by bits 31:30) has no R/W bit. */
    uint64_t pdpte;
    if (read(ctx, (p->cr3 & PDPTE_MASK) + ((va >> 30) & 3) * 8, &pdpte, 8) || !(pdpte & PTE_P))
        return -1;
    return walk64(pdpte, va, 2, check_write, read, ctx, gpa);
}
