/*
 * Host unit test for arch/x86/guest_walk.c. Real page tables for each paging
 * mode are built in a 16 MiB fake guest memory; the reader refuses anything
 * outside it and any read that crosses a 4 KiB page, as the hypervisor's does.
 * Not-present entries carry a valid-looking address so that ignoring P shows.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "arch/guest_walk.h"
#include "arch/msr.h"

CHECK_SUITE("guest_walk");

#define MEM_SIZE (16ull << 20)
#define P   (1ull << 0)
#define RW  (1ull << 1)
#define PS  (1ull << 7)
#define PAT_LARGE (1ull << 12)          /* PAT bit of a 4 MiB / 2 MiB / 1 GiB entry */
#define NX  (1ull << 63)

#define CR3_PCID 0x123ull         /* a PCID in CR3 bits 11:0 */

static uint8_t *mem;
static unsigned reads, crossing_reads, bad_size_reads;

static int reader(void *ctx, uint64_t gpa, uint64_t *value, unsigned size)
{
    reads++;
    if (ctx != mem)
        return -1;
    if (size != 4 && size != 8) {
        bad_size_reads++;
        return -1;
    }
    if ((gpa & 0xfff) + size > 4096) {
        crossing_reads++;
        return -1;
    }
    if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
        return -1;
    *value = 0;
    memcpy(value, mem + gpa, size);
    return 0;
}

static void put32(uint64_t gpa, uint64_t v) { uint32_t x = (uint32_t)v; memcpy(mem + gpa, &x, 4); }
static void put64(uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }

/* Translate; returns the gpa, or ~0 when the walk fails. */
static uint64_t walk(const struct guest_paging *p, uint64_t va, bool write)
{
    uint64_t gpa = 0x5a5a5a5a5a5a5a5aull;
    if (guest_walk(p, va, write, reader, mem, &gpa))
        return ~0ull;
    return gpa;
}
#define FAIL ~0ull

/* ---- paging off ---------------------------------------------------------- */

static void test_no_paging(void)
{
    struct guest_paging p = { CR0_PE | CR0_WP, 0x1000, 0, 0 };
    CHECK("paging off: identity", walk(&p, 0x12345, false) == 0x12345);
    CHECK("paging off: writes allowed", walk(&p, 0x12345, true) == 0x12345);
    CHECK("paging off: 4 GiB - 1", walk(&p, 0xffffffffull, false) == 0xffffffffull);
    CHECK("paging off: 4 GiB -> fault", walk(&p, 0x100000000ull, false) == FAIL);
    CHECK("paging off: ~0 -> fault", walk(&p, ~0ull, false) == FAIL);
    p.cr4 = CR4_PAE;                    /* PAE without PG does nothing */
    CHECK("paging off, CR4.PAE set: identity", walk(&p, 0x7000, false) == 0x7000);
}

/* ---- 32-bit paging ------------------------------------------------------- */

#define PD32 0x1000ull

static void build_32bit(void)
{
    put32(PD32 + 0 * 4, 0x2000 | P | RW);
    put32(0x2000 + 5 * 4, 0xabc000 | P | RW);
    put32(0x2000 + 6 * 4, 0xabd000 | P);                /* read-only */
    put32(0x2000 + 7 * 4, 0xabc000 | RW);              /* not present */
    put32(0x2000 + 1023 * 4, 0xfffff000u | P | RW);
    put32(PD32 + 1 * 4, 0x3000 | P);                    /* read-only PDE */
    put32(0x3000 + 0 * 4, 0xdef000 | P | RW);
    /* 4 MiB page with the PAT bit set; without CR4.PSE a PT at 0xc01000 */
    put32(PD32 + 2 * 4, 0xc00000 | PAT_LARGE | P | RW | PS);
    put32(0xc01000 + 0x12 * 4, 0x777000 | P | RW);
    put32(PD32 + 3 * 4, 0x400000 | P | PS);             /* read-only 4 MiB page */
    put32(PD32 + 4 * 4, 0x2000 | RW);                  /* not present */
    put32(PD32 + 5 * 4, 0x3000000 | P | RW);            /* PT outside guest memory */
    /* PSE-36: 4 MiB page at 0x1_0040_0000 (bits 39:32 in PDE bits 20:13) */
    put32(PD32 + 6 * 4, 0x400000 | (1u << 13) | P | RW | PS);
    /* 4 MiB page with reserved PDE bit 21 set: must fault, not translate */
    put32(PD32 + 7 * 4, 0x400000 | (1u << 21) | P | RW | PS);
    put32(PD32 + 1023 * 4, 0x4000 | P | RW);
    put32(0x4000 + 1023 * 4, 0xfff000 | P | RW);
}

static void test_32bit(void)
{
    struct guest_paging p = { CR0_PE | CR0_PG | CR0_WP, PD32, 0, 0 };

    CHECK("32-bit: 4 KiB page with offset", walk(&p, 0x5123, false) == 0xabc123);
    CHECK("32-bit: write to writable page", walk(&p, 0x5fff, true) == 0xabcfff);
    CHECK("32-bit: read of read-only page", walk(&p, 0x6010, false) == 0xabd010);
    CHECK("32-bit: write to read-only PTE with WP -> fault", walk(&p, 0x6010, true) == FAIL);
    CHECK("32-bit: PTE not present -> fault", walk(&p, 0x7000, false) == FAIL);
    CHECK("32-bit: last PTE of a table", walk(&p, 0x3fffff, false) == 0xffffffffull);
    CHECK("32-bit: read through read-only PDE", walk(&p, 0x400abc, false) == 0xdefabc);
    CHECK("32-bit: write through read-only PDE with WP -> fault",
          walk(&p, 0x400abc, true) == FAIL);
    CHECK("32-bit: PDE not present -> fault", walk(&p, 0x1005123, false) == FAIL);
    CHECK("32-bit: PT outside guest memory -> fault", walk(&p, 0x1400000, false) == FAIL);
    CHECK("32-bit: last PDE, last PTE (va 4 GiB - 1)", walk(&p, 0xffffffffull, false) == 0xffffff);
    CHECK("32-bit: va >= 4 GiB -> fault", walk(&p, 0x100005123ull, false) == FAIL);
    CHECK("32-bit: PS bit ignored without CR4.PSE", walk(&p, 0x812345, false) == 0x777345);

    p.cr0 &= ~CR0_WP;
    CHECK("32-bit, WP clear: write to read-only PTE", walk(&p, 0x6010, true) == 0xabd010);
    CHECK("32-bit, WP clear: write through read-only PDE", walk(&p, 0x400abc, true) == 0xdefabc);
    CHECK("32-bit, WP clear: not present still faults", walk(&p, 0x7000, true) == FAIL);
    p.cr0 |= CR0_WP;

    p.cr4 = CR4_PSE;
    CHECK("32-bit PSE: 4 MiB page, PAT bit not in the address",
          walk(&p, 0x812345, false) == 0xc12345);
    CHECK("32-bit PSE: 4 MiB page, last byte", walk(&p, 0xbfffff, true) == 0xffffff);
    CHECK("32-bit PSE: read-only 4 MiB page, read", walk(&p, 0xc00001, false) == 0x400001);
    CHECK("32-bit PSE: read-only 4 MiB page, write with WP -> fault",
          walk(&p, 0xc00001, true) == FAIL);
    CHECK("32-bit PSE: 4 KiB pages still work", walk(&p, 0x5123, false) == 0xabc123);
    /* Regression: PSE-36 bits 20:13 (physical 39:32) were once dropped. */
    CHECK("32-bit PSE-36: 4 MiB page above 4 GiB",
          walk(&p, 0x1812345, false) == 0x100412345ull);
    CHECK("32-bit PSE: reserved PDE bit 21 -> fault", walk(&p, 0x1c00000, false) == FAIL);
    p.cr0 &= ~CR0_WP;
    CHECK("32-bit PSE, WP clear: write to read-only 4 MiB page",
          walk(&p, 0xc00001, true) == 0x400001);
    p.cr0 |= CR0_WP;

    p.cr3 = PD32 | 0x18;                /* PWT, PCD */
    CHECK("32-bit: CR3 flag bits ignored", walk(&p, 0x5123, false) == 0xabc123);
    p.cr3 = 0x2000000;
    CHECK("32-bit: CR3 outside guest memory -> fault", walk(&p, 0x5123, false) == FAIL);
}

/* ---- PAE paging ---------------------------------------------------------- */

#define PDPT_PAE 0x5020ull              /* 32-byte aligned, not page aligned */

static void build_pae(void)
{
    put64(PDPT_PAE + 0 * 8, 0x6000 | P);
    put64(PDPT_PAE + 1 * 8, 0x6000);                    /* not present */
    put64(PDPT_PAE + 2 * 8, 0x3000000 | P);             /* PD outside guest memory */
    put64(PDPT_PAE + 3 * 8, 0x7000 | P);
    put64(0x6000 + 0 * 8, 0x8000 | P | RW);
    put64(0x8000 + 1 * 8, 0x999000 | P | RW);
    put64(0x8000 + 2 * 8, 0x123456000ull | P | RW);     /* above 4 GiB */
    put64(0x8000 + 3 * 8, 0x998000 | P);                /* read-only */
    put64(0x8000 + 4 * 8, 0x999000 | RW);               /* not present */
    put64(0x8000 + 5 * 8, NX | 0x997000 | P | RW);
    put64(0x6000 + 1 * 8, 0xe00000 | PAT_LARGE | P | RW | PS);
    put64(0x6000 + 2 * 8, 0xa00000 | P | PS);           /* read-only 2 MiB page */
    put64(0x6000 + 3 * 8, 0x8000 | RW);                 /* not present */
    put64(0x6000 + 4 * 8, 0x9000 | P);                  /* read-only PDE */
    put64(0x9000 + 0 * 8, 0x996000 | P | RW);
    put64(0x7000 + 511 * 8, 0x600000 | P | RW | PS);
}

static void test_pae(void)
{
    struct guest_paging p = { CR0_PE | CR0_PG | CR0_WP, PDPT_PAE, CR4_PAE, 0 };

    CHECK("PAE: 4 KiB page with offset", walk(&p, 0x1abc, false) == 0x999abc);
    CHECK("PAE: write to writable page", walk(&p, 0x1abc, true) == 0x999abc);
    CHECK("PAE: page above 4 GiB", walk(&p, 0x2abc, false) == 0x123456abcull);
    CHECK("PAE: read-only page, read", walk(&p, 0x3abc, false) == 0x998abc);
    CHECK("PAE: read-only PTE, write with WP -> fault", walk(&p, 0x3abc, true) == FAIL);
    CHECK("PAE: PTE not present -> fault", walk(&p, 0x4000, false) == FAIL);
    CHECK("PAE: NX bit not in the address", walk(&p, 0x5abc, false) == 0x997abc);
    CHECK("PAE: 2 MiB page, PAT bit not in the address",
          walk(&p, 0x21aacd, false) == 0xe1aacd);
    CHECK("PAE: 2 MiB page, last byte", walk(&p, 0x3fffff, true) == 0xffffff);
    CHECK("PAE: read-only 2 MiB page, read", walk(&p, 0x400123, false) == 0xa00123);
    CHECK("PAE: read-only 2 MiB page, write with WP -> fault", walk(&p, 0x400123, true) == FAIL);
    CHECK("PAE: PDE not present -> fault", walk(&p, 0x601abc, false) == FAIL);
    CHECK("PAE: read through read-only PDE", walk(&p, 0x800abc, false) == 0x996abc);
    CHECK("PAE: write through read-only PDE with WP -> fault", walk(&p, 0x800abc, true) == FAIL);
    CHECK("PAE: PDPTE not present -> fault", walk(&p, 0x40001abc, false) == FAIL);
    CHECK("PAE: PD outside guest memory -> fault", walk(&p, 0x80000000, false) == FAIL);
    CHECK("PAE: PDPTE 3, last PDE (va 4 GiB - 1)", walk(&p, 0xffffffffull, false) == 0x7fffff);
    CHECK("PAE: va >= 4 GiB -> fault", walk(&p, 0x100001abcull, false) == FAIL);

    p.cr0 &= ~CR0_WP;
    CHECK("PAE, WP clear: write to read-only page", walk(&p, 0x3abc, true) == 0x998abc);
    CHECK("PAE, WP clear: write to read-only 2 MiB page", walk(&p, 0x400123, true) == 0xa00123);
    CHECK("PAE, WP clear: write through read-only PDE", walk(&p, 0x800abc, true) == 0x996abc);
    p.cr0 |= CR0_WP;

    p.cr3 = PDPT_PAE | 0x1f;            /* CR3 bits 4:0 are ignored in PAE mode */
    CHECK("PAE: CR3 bits 4:0 ignored", walk(&p, 0x1abc, false) == 0x999abc);
    p.cr3 = PDPT_PAE & ~0xfffull;       /* the PDPT is not at the page start */
    CHECK("PAE: CR3 bits 11:5 select the PDPT", walk(&p, 0x1abc, false) == FAIL);
    p.cr3 = MEM_SIZE;
    CHECK("PAE: PDPT outside guest memory -> fault", walk(&p, 0x1abc, false) == FAIL);
    put64(MEM_SIZE - 32, 0x6000 | P);
    p.cr3 = MEM_SIZE - 32;
    CHECK("PAE: PDPT in the last 32 bytes of memory", walk(&p, 0x1abc, false) == 0x999abc);
}

/* ---- 4-level paging ------------------------------------------------------ */

#define PML4 0x10000ull
#define LM_VA(pml4, pdpt, pd, pt) \
    (((uint64_t)(pml4) << 39) | ((uint64_t)(pdpt) << 30) | ((uint64_t)(pd) << 21) | \
     ((uint64_t)(pt) << 12))

static void build_4level(void)
{
    put64(PML4 + 0 * 8, 0x11000 | P | RW);
    put64(PML4 + 1 * 8, 0x11000 | RW);                  /* not present */
    put64(PML4 + 2 * 8, 0x14000 | P);                   /* read-only PML4E */
    put64(PML4 + 3 * 8, 0x4000000 | P | RW);            /* PDPT outside guest memory */
    put64(PML4 + 255 * 8, 0x12000 | P | RW);
    put64(PML4 + 256 * 8, 0x13000 | P | RW);

    put64(0x11000 + 0 * 8, 0x15000 | P | RW);
    put64(0x11000 + 1 * 8, 0x40000000 | PAT_LARGE | P | RW | PS);  /* 1 GiB */
    put64(0x11000 + 2 * 8, 0x15000 | RW);               /* not present */
    put64(0x11000 + 3 * 8, 0x80000000 | P | PS);        /* read-only 1 GiB page */
    put64(0x11000 + 4 * 8, 0xffc0000000ull | P | RW | PS);
    put64(0x11000 + 5 * 8, 0x1b000 | P);                /* read-only PDPTE */
    put64(0x1b000 + 0 * 8, 0x1c000 | P | RW);
    put64(0x1c000 + 0 * 8, 0xaaa000 | P | RW);

    put64(0x15000 + 0 * 8, 0x16000 | P | RW);
    put64(0x15000 + 1 * 8, 0xc00000 | PAT_LARGE | P | RW | PS);    /* 2 MiB */
    put64(0x15000 + 2 * 8, 0x16000 | RW);               /* not present */
    put64(0x15000 + 3 * 8, 0xa00000 | P | PS);          /* read-only 2 MiB page */
    put64(0x15000 + 4 * 8, 0x17000 | P);                /* read-only PDE */
    put64(0x15000 + 5 * 8, 0xf000000 | P | RW);         /* PT outside guest memory */

    put64(0x16000 + 1 * 8, 0xabc000 | P | RW);
    put64(0x16000 + 2 * 8, 0xabc000 | RW);              /* not present */
    put64(0x16000 + 3 * 8, 0xabd000 | P);               /* read-only */
    /* top of 52 bits; NX, protection key and ignored bits 62:52 set */
    put64(0x16000 + 4 * 8, NX | (0x7ffull << 52) | 0xffffffffff000ull | P | RW);
    put64(0x17000 + 0 * 8, 0xabe000 | P | RW);

    put64(0x12000 + 511 * 8, 0x18000 | P | RW);
    put64(0x18000 + 511 * 8, 0x19000 | P | RW);
    put64(0x19000 + 511 * 8, 0x123000 | P | RW);

    put64(0x13000 + 0 * 8, 0x1a000 | P | RW);
    put64(0x1a000 + 0 * 8, 0x200000 | P | RW | PS);

    put64(0x14000 + 0 * 8, 0x0 | P | RW | PS);          /* 1 GiB at 0, under a RO PML4E */

    /* Loops: a PML4E pointing back at the PML4 (a recursive map), the same
     * with PS set (reserved in a PML4E), and a 2-cycle PML4 -> 0x1d000 -> PML4. */
    put64(PML4 + 4 * 8, PML4 | P | RW);
    put64(PML4 + 5 * 8, PML4 | P | RW | PS);
    put64(PML4 + 6 * 8, 0x1d000 | P | RW);
    put64(0x1d000 + 6 * 8, PML4 | P | RW);
}

static void test_4level(void)
{
    struct guest_paging p = { CR0_PE | CR0_PG | CR0_WP, PML4, CR4_PAE, EFER_LMA | EFER_LME };

    CHECK("4-level: 4 KiB page with offset", walk(&p, 0x1abc, false) == 0xabcabc);
    CHECK("4-level: write to writable page", walk(&p, 0x1abc, true) == 0xabcabc);
    CHECK("4-level: PTE not present -> fault", walk(&p, 0x2000, false) == FAIL);
    CHECK("4-level: read-only page, read", walk(&p, 0x3abc, false) == 0xabdabc);
    CHECK("4-level: read-only PTE, write with WP -> fault", walk(&p, 0x3abc, true) == FAIL);
    CHECK("4-level: 52-bit address, bits 63:52 not in it", walk(&p, 0x4abc, false) == 0xffffffffffabcull);
    CHECK("4-level: 2 MiB page, PAT bit not in the address",
          walk(&p, LM_VA(0, 0, 1, 0) + 0x1aacde, false) == 0xdaacde);
    CHECK("4-level: PDE not present -> fault", walk(&p, LM_VA(0, 0, 2, 1), false) == FAIL);
    CHECK("4-level: read-only 2 MiB page, read", walk(&p, LM_VA(0, 0, 3, 0) + 0x10, false) == 0xa00010);
    CHECK("4-level: read-only 2 MiB page, write with WP -> fault",
          walk(&p, LM_VA(0, 0, 3, 0) + 0x10, true) == FAIL);
    CHECK("4-level: read through read-only PDE", walk(&p, LM_VA(0, 0, 4, 0), false) == 0xabe000);
    CHECK("4-level: write through read-only PDE with WP -> fault",
          walk(&p, LM_VA(0, 0, 4, 0), true) == FAIL);
    CHECK("4-level: PT outside guest memory -> fault", walk(&p, LM_VA(0, 0, 5, 0), false) == FAIL);
    CHECK("4-level: 1 GiB page, PAT bit not in the address",
          walk(&p, LM_VA(0, 1, 0, 0) + 0x12344678, false) == 0x52344678);
    CHECK("4-level: 1 GiB page, last byte",
          walk(&p, LM_VA(0, 1, 0, 0) + 0x3fffffff, true) == 0x7fffffff);
    CHECK("4-level: PDPTE not present -> fault", walk(&p, LM_VA(0, 2, 0, 1), false) == FAIL);
    CHECK("4-level: read-only 1 GiB page, read", walk(&p, LM_VA(0, 3, 0, 0) + 5, false) == 0x80000005);
    CHECK("4-level: read-only 1 GiB page, write with WP -> fault",
          walk(&p, LM_VA(0, 3, 0, 0) + 5, true) == FAIL);
    CHECK("4-level: 1 GiB page above 4 GiB",
          walk(&p, LM_VA(0, 4, 0, 0) + 0x3fffffff, false) == 0xffffffffffull);
    CHECK("4-level: read through read-only PDPTE", walk(&p, LM_VA(0, 5, 0, 0) + 1, false) == 0xaaa001);
    CHECK("4-level: write through read-only PDPTE with WP -> fault",
          walk(&p, LM_VA(0, 5, 0, 0) + 1, true) == FAIL);
    CHECK("4-level: PML4E not present -> fault", walk(&p, LM_VA(1, 0, 0, 1), false) == FAIL);
    CHECK("4-level: read through read-only PML4E", walk(&p, LM_VA(2, 0, 0, 0) + 0x5000, false) == 0x5000);
    CHECK("4-level: write through read-only PML4E with WP -> fault",
          walk(&p, LM_VA(2, 0, 0, 0) + 0x5000, true) == FAIL);
    CHECK("4-level: PDPT outside guest memory -> fault", walk(&p, LM_VA(3, 0, 0, 0), false) == FAIL);

    CHECK("4-level: highest canonical low address",
          walk(&p, 0x00007fffffffffffull, false) == 0x123fff);
    CHECK("4-level: lowest canonical high address",
          walk(&p, 0xffff800000001234ull, false) == 0x201234);
    CHECK("4-level: non-canonical 0x0000800000000000 -> fault",
          walk(&p, 0x0000800000000000ull, false) == FAIL);
    CHECK("4-level: non-canonical 0xffff7fffffffffff -> fault",
          walk(&p, 0xffff7fffffffffffull, false) == FAIL);
    CHECK("4-level: non-canonical alias of a mapped page -> fault",
          walk(&p, 0x0001000000001abcull, false) == FAIL);
    CHECK("4-level: non-canonical alias via bit 63 -> fault",
          walk(&p, 0x8000000000001abcull, false) == FAIL);

    unsigned before = reads;
    CHECK("4-level: self-loop walked 4 times ends on the PML4",
          walk(&p, LM_VA(4, 4, 4, 4) + 0x28, true) == PML4 + 0x28);
    CHECK("4-level: self-loop reads one entry per level", reads - before == 4);
    CHECK("4-level: self-loop to a not-present entry -> fault",
          walk(&p, LM_VA(4, 4, 4, 1), false) == FAIL);
    CHECK("4-level: self-loop then down the real tables",
          walk(&p, LM_VA(4, 0, 0, 0) + 0x10, false) == 0x16010);
    CHECK("4-level: PS in a PML4E (reserved) -> fault", walk(&p, LM_VA(5, 0, 0, 1), false) == FAIL);
    CHECK("4-level: PS in a looping PML4E -> fault", walk(&p, LM_VA(5, 5, 5, 5), false) == FAIL);
    CHECK("4-level: 2-cycle walked twice ends on the PML4",
          walk(&p, LM_VA(6, 6, 6, 6) + 8, false) == PML4 + 8);
    CHECK("4-level: 2-cycle to a not-present entry -> fault",
          walk(&p, LM_VA(6, 6, 6, 7), false) == FAIL);

    p.cr0 &= ~CR0_WP;
    CHECK("4-level, WP clear: write to read-only page", walk(&p, 0x3abc, true) == 0xabdabc);
    CHECK("4-level, WP clear: write to read-only 1 GiB page",
          walk(&p, LM_VA(0, 3, 0, 0) + 5, true) == 0x80000005);
    CHECK("4-level, WP clear: write through read-only PML4E",
          walk(&p, LM_VA(2, 0, 0, 0) + 0x5000, true) == 0x5000);
    CHECK("4-level, WP clear: not present still faults", walk(&p, 0x2000, true) == FAIL);
    p.cr0 |= CR0_WP;

    p.cr3 = PML4 | CR3_PCID;
    CHECK("4-level: PCID in CR3 bits 11:0 ignored", walk(&p, 0x1abc, false) == 0xabcabc);
    p.cr3 = 0x2000000;
    CHECK("4-level: CR3 outside guest memory -> fault", walk(&p, 0x1abc, false) == FAIL);
    p.cr3 = PML4;

    p.cr4 |= CR4_LA57;
    CHECK("LA57 -> fault (unsupported)", walk(&p, 0x1abc, false) == FAIL);
    CHECK("LA57 -> fault for a high address", walk(&p, 0xffff800000001234ull, false) == FAIL);
}

int main(void)
{
    mem = calloc(1, MEM_SIZE);
    if (!mem)
        return 2;
    build_32bit();
    build_pae();
    build_4level();

    test_no_paging();
    test_32bit();
    test_pae();
    test_4level();
    CHECK("walker read entries", reads > 0);
    CHECK("no table read crossed a 4 KiB page", crossing_reads == 0);
    CHECK("every table read was 4 or 8 bytes", bad_size_reads == 0);

    free(mem);
    CHECK_DONE();
}
