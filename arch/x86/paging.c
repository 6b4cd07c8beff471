/*
 * The hypervisor's page tables: PML4[0] identity-maps the hypervisor image
 * (its link address), PML4[256..] holds the direct map of all physical memory
 * at DIRECTMAP_BASE. Nothing else is mapped: page 0 and the rest of the low
 * half fault, which catches NULL and stray physical-address dereferences.
 */
#include "arch/cpu.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/string.h"

#define DIRECTMAP_BASE ((uint64_t)0xffff800000000000)
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define LARGE_PAGE (2ull << 20)
#define ENTRIES 512

/* Memory from 3 GiB to 4 GiB is the PCI/MMIO hole (LAPIC, IOAPIC, BARs): map it uncached. */
#define MMIO_HOLE_START GiB(3)
#define MMIO_HOLE_END   GiB(4)

static bool paging_on;

void *phys_to_virt(paddr_t pa)
{
    /* Before our tables are live the firmware's identity map is in force. */
    return (void *)(paging_on ? pa + DIRECTMAP_BASE : pa);
}

paddr_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= DIRECTMAP_BASE ? v - DIRECTMAP_BASE : v;
}

/* Early table allocation: zeroed frame, reached through the identity map. */
static uint64_t *table_alloc(void)
{
    paddr_t pa = frame_alloc();
    if (!pa)
        panic("out of memory for page tables");
    memset((void *)pa, 0, PAGE_SIZE);
    return (uint64_t *)pa;
}

static uint64_t *next_table(uint64_t *table, unsigned idx)
{
    if (!(table[idx] & PTE_P))
        table[idx] = (uint64_t)table_alloc() | PTE_P | PTE_W;
    return (uint64_t *)(table[idx] & PTE_ADDR);
}

static void map_2m(uint64_t *pml4, uint64_t va, paddr_t pa, uint64_t flags)
{
    uint64_t *pdpt = next_table(pml4, (va >> 39) & 511);
    uint64_t *pd = next_table(pdpt, (va >> 30) & 511);
    pd[(va >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS | flags;
}

/* The next-level table under entry `idx`, allocated (zeroed) if absent; after paging is on. */
static uint64_t *live_table(uint64_t *table, unsigned idx)
{
    if (!(table[idx] & PTE_P)) {
        paddr_t pa = frame_alloc();
        if (!pa)
            panic("out of memory for page tables");
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
        table[idx] = pa | PTE_P | PTE_W;
    }
    if (table[idx] & PTE_PS)
        panic("identity page at a large-page mapping");
    return phys_to_virt(table[idx] & PTE_ADDR);
}

void arch_identity_map_page(paddr_t pa, bool present)
{
    uint64_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
    uint64_t *pdpt = live_table(pml4, (pa >> 39) & 511);
    uint64_t *pd = live_table(pdpt, (pa >> 30) & 511);
    uint64_t *pt = live_table(pd, (pa >> 21) & 511);
    pt[(pa >> 12) & 511] = present ? pa | PTE_P | PTE_W : 0;
    invlpg((void *)pa);
}

void arch_paging_init(paddr_t top)
{
    extern char __hv_start[], __hv_end[];
    uint64_t *pml4 = table_alloc();

    top = MAX(ALIGN_UP(top, LARGE_PAGE), MMIO_HOLE_END);
    for (paddr_t pa = 0; pa < top; pa += LARGE_PAGE) {
        bool mmio = pa >= MMIO_HOLE_START && pa < MMIO_HOLE_END;
        map_2m(pml4, DIRECTMAP_BASE + pa, pa, mmio ? PTE_PCD | PTE_PWT : 0);
    }
    for (uint64_t va = ALIGN_DOWN((uint64_t)__hv_start, LARGE_PAGE);
         va < (uint64_t)__hv_end; va += LARGE_PAGE)
        map_2m(pml4, va, va, 0);

    write_cr4(read_cr4() | CR4_PGE);
    write_cr3((uint64_t)pml4);
    paging_on = true;
    printk("paging: direct map of %lu MiB at 0x%lx, image at %p-%p\n", top >> 20,
           DIRECTMAP_BASE, (void *)__hv_start, (void *)__hv_end);
}
