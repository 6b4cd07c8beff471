/*
 * Bad guest pointers, one kind per way a pointer can fail (docs/abi.md,
 * "Calling convention"): not mapped by our page tables, non-canonical, in
 * the canonical high half, half in a page and half in the next one that is
 * unmapped (by our page tables, or by the EPT past the end of our RAM), an
 * MMIO-like address and the hypervisor's own physical address (neither is
 * RAM of ours), and for outputs memory we may read but not write: read-only
 * in our page tables (with CR0.WP set, as the ABI requires for the check)
 * and a read-only grant mapping of our own page (read-only in the EPT).
 *
 * entry.asm identity-maps [0, 4 GiB) writable with 2 MiB pages. The kinds
 * that need 4 KiB pages get a branch of their own, at PML4 slot 1 (512 GiB),
 * that nothing else uses:
 *   ALIAS_RW: a writable page, then ALIAS_RW + 4 KiB: not present;
 *   ALIAS_RO: a read-only page.
 */
#include <stdint.h>

#include "abi.h"
#include "arch.h"
#include "console.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"

#define F "hypercall"

#define PTE_P        (1ull << 0)
#define PTE_W        (1ull << 1)
#define PTE_ADDR     0x000ffffffffff000ull
#define CR0_WP       (1ull << 16)
#define ALIAS_BASE   0x0000008000000000ull         /* PML4 entry 1 */
#define ALIAS_RW     ALIAS_BASE
#define ALIAS_RO     (ALIAS_BASE + 2 * PAGE_SIZE)
#define HIGH_HALF    0xffff800000000000ull         /* canonical, PML4 entry 256: empty */
#define MMIO_ADDR    0xfee00000ull                 /* where a local APIC usually is */
#define HV_PHYS      0x4000000ull                  /* linker.ld: the hypervisor's load address */
#define TABLE_ENTRIES 512

static uint64_t alias_pdpt[TABLE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t alias_pd[TABLE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t alias_pt[TABLE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint8_t alias_rw[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t alias_ro[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t granted_ro[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

uint64_t abi_edge_page(void **backing)
{
    *backing = alias_rw;
    return ALIAS_RW;
}

uint64_t abi_readonly_page(void **backing)
{
    *backing = alias_ro;
    return ALIAS_RO;
}

static uint64_t phys(const void *p)
{
    return (uintptr_t)p;        /* identity mapped */
}

/* Where each kind puts a `size`-byte argument, its readable part holding `init`. */
static uint64_t place_fixed(uint64_t addr, const void *init, size_t size)
{
    (void)init, (void)size;
    return addr;
}

static size_t first_half(size_t size)
{
    return size > 1 ? size / 2 : 1;
}

static uint64_t place_straddle_pt(const void *init, size_t size)
{
    size_t half = first_half(size);

    if (init)
        memcpy(alias_rw + PAGE_SIZE - half, init, half);
    return ALIAS_RW + PAGE_SIZE - half;
}

static uint64_t place_straddle_ept(const void *init, size_t size)
{
    size_t half = first_half(size);

    if (init)
        memcpy((void *)(uintptr_t)(abi.ram_end - half), init, half);
    return abi.ram_end - half;
}

static uint64_t place_readonly_pt(const void *init, size_t size)
{
    if (init)
        memcpy(alias_ro, init, size);
    return ALIAS_RO;
}

static uint64_t place_readonly_ept(const void *init, size_t size)
{
    if (init)
        memcpy(granted_ro, init, size);
    return abi_map_addr(0);
}

static const struct kind {
    const char *name;
    uint64_t addr;              /* for the fixed kinds */
    uint64_t (*place)(const void *init, size_t size);     /* the others */
    bool output_only;           /* readable: only an output can fail */
} kinds[] = {
    { "unmapped", ABI_UNMAPPED, NULL, false },
    { "noncanonical", ABI_NONCANONICAL, NULL, false },
    { "high-half", HIGH_HALF, NULL, false },
    { "straddle-pt", 0, place_straddle_pt, false },
    { "straddle-ept", 0, place_straddle_ept, false },
    { "mmio", MMIO_ADDR, NULL, false },
    { "hv-phys", HV_PHYS, NULL, false },
    { "readonly-pt", 0, place_readonly_pt, true },
    { "readonly-ept", 0, place_readonly_ept, true },
};

void abi_badptr_cases(const char *family, const char *name, bool output, const void *init,
                      size_t size, abi_call_fn call, void *ctx, long want)
{
    char full[64];
    size_t n = strlen(name);

    /* "<name>-badptr"; abi_expect_sfx adds "-<kind>". */
    if (n + sizeof("-badptr") > sizeof full)
        n = sizeof full - sizeof("-badptr");
    memcpy(full, name, n);
    memcpy(full + n, "-badptr", sizeof("-badptr"));
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        uint64_t addr;

        if (k->output_only && !output)
            continue;
        addr = k->place ? k->place(init, size) : place_fixed(k->addr, init, size);
        abi_expect_sfx(family, full, k->name, call(addr, ctx), want);
    }
}

/* Our private branch: PML4[1] -> PDPT -> PD -> PT. */
static void build_aliases(void)
{
    uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);

    alias_pt[0] = phys(alias_rw) | PTE_P | PTE_W;
    alias_pt[1] = 0;                                    /* the page after: not present */
    alias_pt[2] = phys(alias_ro) | PTE_P;               /* read-only */
    alias_pd[0] = phys(alias_pt) | PTE_P | PTE_W;
    alias_pdpt[0] = phys(alias_pd) | PTE_P | PTE_W;
    pml4[ALIAS_BASE >> 39] = phys(alias_pdpt) | PTE_P | PTE_W;
    /* Supervisor writes honour R/W only with CR0.WP (and so does the ABI). */
    write_cr0(read_cr0() | CR0_WP);
    write_cr3(read_cr3());
}

bool abi_badptr_init(void)
{
    grant_handle_t handle;
    int st;

    build_aliases();
    alias_ro[0] = 0x5A;
    if (!abi_check(F, "alias-readonly-reads", READ_ONCE(*(volatile uint8_t *)ALIAS_RO) == 0x5A,
                   "byte", *(volatile uint8_t *)ALIAS_RO))
        return false;
    if (!abi_check(F, "alias-hv-phys-not-ram", abi.ram_end <= HV_PHYS,
                   "our RAM reaches the hypervisor's address; end", (long)abi.ram_end))
        return false;

    /* A read-only grant mapping of a page of our own: read-only in the EPT. */
    if (!grant_access(ABI_REF_BADPTR_RO, abi.self, phys(granted_ro) / PAGE_SIZE, true))
        return false;
    st = grant_map(DOMID_SELF, ABI_REF_BADPTR_RO, abi_map_addr(0), true, &handle);
    granted_ro[1] = 0xA5;
    return abi_check(F, "alias-readonly-grant",
                     st == GNTST_okay &&
                         READ_ONCE(*(volatile uint8_t *)(uintptr_t)(abi_map_addr(0) + 1)) == 0xA5,
                     "map status", st);
}
