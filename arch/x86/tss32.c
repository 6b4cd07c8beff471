/*
 * Task-switch pieces that touch neither the VMCS nor guest memory (see
 * arch/tss32.h): descriptor decoding and the per-selector checks of
 * SDM 3A 8.3, in the order table 8-2 lists them.
 */
#include "arch/tss32.h"

#define VECTOR_TS 10
#define VECTOR_NP 11
#define VECTOR_SS 12

#define TYPE_CODE       0x8u
#define TYPE_CONFORMING 0x4u    /* code */
#define TYPE_READABLE   0x2u    /* code */
#define TYPE_WRITABLE   0x2u    /* data */
#define DESC_S          (1ull << 44)
#define AR_UNUSABLE     (1u << 16)
#define AR_VM86         0xf3u   /* present, DPL 3, read/write data, accessed */

uint32_t desc_base(uint64_t d)
{
    return (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000));
}

uint32_t desc_limit(uint64_t d)
{
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
    return (d & (1ull << 55)) ? (limit << 12) | 0xfff : limit;     /* G: 4 KiB units */
}

uint32_t desc_ar(uint64_t d)
{
    return (uint32_t)(((d >> 40) & 0xff) | ((d >> 40) & 0xf000));
}

unsigned desc_type(uint64_t d)
{
    return (unsigned)(d >> 40) & 0xf;
}

bool desc_present(uint64_t d)
{
    return d & (1ull << 47);
}

unsigned desc_dpl(uint64_t d)
{
    return (unsigned)(d >> 45) & 3;
}

void task_vm86_segment(uint16_t sel, struct task_segment *s)
{
    *s = (struct task_segment){ .sel = sel, .base = (uint32_t)sel << 4, .limit = 0xffff,
                                .ar = AR_VM86 };
}

void task_null_segment(uint16_t sel, struct task_segment *s)
{
    *s = (struct task_segment){ .sel = sel, .ar = AR_UNUSABLE };
}

/* Whether the descriptor's kind fits the register (#TS if not). */
static bool kind_fits(enum task_seg seg, uint64_t d, unsigned cpl, unsigned rpl)
{
    unsigned type = desc_type(d), dpl = desc_dpl(d);
    bool code_or_data = d & DESC_S;
    bool code = code_or_data && (type & TYPE_CODE);
    switch (seg) {
    case TSEG_LDTR:
        return !code_or_data && type == DESC_TYPE_LDT;
    case TSEG_CS:
        /* Non-conforming: DPL = CPL (the selector's RPL); conforming: DPL <= CPL. */
        return code && ((type & TYPE_CONFORMING) ? dpl <= cpl : dpl == cpl);
    case TSEG_SS:
        return code_or_data && !code && (type & TYPE_WRITABLE) && dpl == cpl && rpl == cpl;
    default:
        /* Data or readable code; unless conforming code, DPL >= CPL and RPL. */
        if (!code_or_data || (code && !(type & TYPE_READABLE)))
            return false;
        return (code && (type & TYPE_CONFORMING)) || (dpl >= cpl && dpl >= rpl);
    }
}

unsigned task_check_segment(enum task_seg seg, uint16_t sel, uint64_t desc, unsigned cpl,
                            struct task_segment *s)
{
    if (!kind_fits(seg, desc, cpl, SEL_RPL(sel)))
        return VECTOR_TS;
    if (!desc_present(desc))
        return seg == TSEG_SS ? VECTOR_SS : seg == TSEG_LDTR ? VECTOR_TS : VECTOR_NP;
    uint64_t d = (desc & DESC_S) ? desc | DESC_ACCESSED : desc;    /* VM entry wants it set */
    *s = (struct task_segment){ .sel = sel, .base = desc_base(d), .limit = desc_limit(d),
                                .ar = desc_ar(d) };
    return 0;
}

void tss32_save(struct tss32 *t, uint32_t eip, uint32_t eflags, const uint32_t gpr[8],
                const uint16_t sel[6])
{
    t->eip = eip;
    t->eflags = eflags;
    for (unsigned i = 0; i < 8; i++)
        t->gpr[i] = gpr[i];
    for (unsigned i = 0; i < 6; i++)
        t->seg[i].sel = sel[i];
}
