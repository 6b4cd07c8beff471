/*
 * The hypervisor's GDT and TSS. The firmware's GDT has no TSS (TR = 0), and
 * VM entry needs a valid host TR, so we always install our own.
 */
#include "arch/cpu.h"
#include "arch/x86.h"
#include "hv/string.h"
#include "mica/bootinfo.h"

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

#define IST_STACK_SIZE 8192
enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2 };

/* One of each per CPU: a TSS is busy while loaded, and each CPU needs its own
 * fault stacks. */
static struct tss64 tss_of[MICA_MAX_CPUS];
static uint8_t ist_stacks[MICA_MAX_CPUS][2][IST_STACK_SIZE] __attribute__((aligned(16)));
/* Flat 64-bit code and data descriptors, then the TSS (filled in at run time). */
static uint64_t gdt_of[MICA_MAX_CPUS][5];

uint64_t tss_base(uint32_t cpu)
{
    return (uint64_t)&tss_of[cpu];
}

uint64_t gdt_base(uint32_t cpu)
{
    return (uint64_t)gdt_of[cpu];
}

void gdt_init(uint32_t cpu)
{
    struct tss64 *tss = &tss_of[cpu];
    uint64_t *gdt = gdt_of[cpu];
    uint64_t base = (uint64_t)tss, limit = sizeof *tss - 1;

    memset(tss, 0, sizeof *tss);
    tss->ist[IST_DOUBLE_FAULT - 1] = (uint64_t)ist_stacks[cpu][0] + IST_STACK_SIZE;
    tss->ist[IST_NMI - 1] = (uint64_t)ist_stacks[cpu][1] + IST_STACK_SIZE;
    tss->iomap_base = sizeof *tss;      /* no I/O bitmap */

    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffull;     /* code: present, DPL0, long mode */
    gdt[2] = 0x00cf93000000ffffull;     /* data: present, DPL0, writable */
    /* SDM 3A 8.2.3: available 64-bit TSS (type 9), present. */
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    struct descriptor_table_ptr p = { sizeof gdt_of[cpu] - 1, (uint64_t)gdt };
    lgdt(&p);
    arch_load_segments(GDT_SEL_CODE, GDT_SEL_DATA);
    ltr(GDT_SEL_TSS);
}
