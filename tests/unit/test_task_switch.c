/*
 * Host unit test for arch/x86/tss32.c, the pure parts of a hardware task
 * switch: descriptors decoded into VMCS base/limit/access rights (byte and
 * page granularity, accessed bit), virtual-8086 and null segments, each
 * row of SDM 3A table 8-2 for LDTR, CS, SS and the data segments (#TS,
 * #NP, #SS and which privilege rule applies), and the outgoing task's
 * TSS image (only the dynamic fields change).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "arch/tss32.h"

CHECK_SUITE("task_switch");

#define TS 10
#define NP 11
#define SS 12

/* A legacy descriptor: type (4 bits), S, DPL, P, D/B, G. */
static uint64_t desc(uint32_t base, uint32_t limit, unsigned type, bool s, unsigned dpl, bool p,
                     bool db, bool g)
{
    uint64_t d = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16);
    d |= (uint64_t)type << 40 | (uint64_t)s << 44 | (uint64_t)dpl << 45 | (uint64_t)p << 47;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)db << 54 | (uint64_t)g << 55;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

#define CODE(dpl)  desc(0, 0xfffff, 0xa, true, dpl, true, true, true)  /* execute/read */
#define DATA(dpl)  desc(0, 0xfffff, 0x2, true, dpl, true, true, true)  /* read/write */

static void test_decode(void)
{
    uint64_t d = desc(0x12345678, 0xabcde, 0x3, true, 3, true, true, false);
    CHECK("base from bits 39:16 and 63:56", desc_base(d) == 0x12345678);
    CHECK("byte-granular limit", desc_limit(d) == 0xabcde);
    CHECK("AR: type, S, DPL, P in 7:0, D/B in 14", desc_ar(d) == 0x40f3);
    CHECK("type", desc_type(d) == 3);
    CHECK("DPL", desc_dpl(d) == 3);
    CHECK("present", desc_present(d));
    d = desc(0, 0xfffff, 0xb, true, 0, true, true, true);
    CHECK("page-granular limit: 4 GiB - 1", desc_limit(d) == 0xffffffffu);
    CHECK("AR: G in 15", desc_ar(d) == 0xc09b);
    CHECK("not present", !desc_present(desc(0, 0, 2, true, 0, false, false, false)));
    uint64_t tss = desc(0x1000, 0x67, 0x9, false, 0, true, false, false);
    CHECK("TSS: AR 0x89, busy 0x8b",
          desc_ar(tss) == 0x89 && desc_ar(tss | DESC_BUSY) == 0x8b);

    struct task_segment s;
    task_vm86_segment(0x1234, &s);
    CHECK("vm86: base selector << 4, 64 KiB, AR 0xf3",
          s.sel == 0x1234 && s.base == 0x12340 && s.limit == 0xffff && s.ar == 0xf3);
    task_null_segment(0x3, &s);
    CHECK("null: unusable, selector kept", s.sel == 3 && s.ar == (1u << 16) && !s.base);
}

static unsigned check(enum task_seg seg, uint16_t sel, uint64_t d, unsigned cpl)
{
    struct task_segment s = { 0 };
    return task_check_segment(seg, sel, d, cpl, &s);
}

static void test_segments(void)
{
    struct task_segment s;
    /* CS (SDM 3A table 8-2). */
    CHECK("CS: code at DPL = CPL", check(TSEG_CS, 0x08, CODE(0), 0) == 0);
    CHECK("CS: non-conforming DPL 0 at CPL 3 is #TS", check(TSEG_CS, 0x1b, CODE(0), 3) == TS);
    CHECK("CS: conforming DPL 0 at CPL 3", check(TSEG_CS, 0x1b,
          desc(0, 0xfffff, 0xe, true, 0, true, true, true), 3) == 0);
    CHECK("CS: conforming DPL 3 at CPL 0 is #TS", check(TSEG_CS, 0x08,
          desc(0, 0xfffff, 0xe, true, 3, true, true, true), 0) == TS);
    CHECK("CS: data is #TS", check(TSEG_CS, 0x10, DATA(0), 0) == TS);
    CHECK("CS: a TSS is #TS", check(TSEG_CS, 0x10, desc(0, 0x67, 9, false, 0, true, 0, 0), 0) == TS);
    CHECK("CS: not present is #NP",
          check(TSEG_CS, 0x08, desc(0, 0xfffff, 0xa, true, 0, false, true, true), 0) == NP);
    CHECK("CS: accessed set, flat 32-bit",
          task_check_segment(TSEG_CS, 0x08, CODE(0), 0, &s) == 0 && s.ar == 0xc09b &&
          s.base == 0 && s.limit == 0xffffffffu && s.sel == 0x08);
    /* SS. */
    CHECK("SS: writable data at DPL = RPL = CPL", check(TSEG_SS, 0x10, DATA(0), 0) == 0);
    CHECK("SS: read-only data is #TS",
          check(TSEG_SS, 0x10, desc(0, 0xfffff, 0x0, true, 0, true, true, true), 0) == TS);
    CHECK("SS: code is #TS", check(TSEG_SS, 0x10, CODE(0), 0) == TS);
    CHECK("SS: DPL 3 at CPL 0 is #TS", check(TSEG_SS, 0x10, DATA(3), 0) == TS);
    CHECK("SS: RPL 3 at CPL 0 is #TS", check(TSEG_SS, 0x13, DATA(0), 0) == TS);
    CHECK("SS: not present is #SS",
          check(TSEG_SS, 0x10, desc(0, 0xfffff, 0x2, true, 0, false, true, true), 0) == SS);
    /* Data segments. */
    CHECK("DS: DPL 3 data at CPL 0", check(TSEG_DS, 0x23, DATA(3), 0) == 0);
    CHECK("DS: DPL 0 data at CPL 3 is #TS", check(TSEG_DS, 0x10, DATA(0), 3) == TS);
    CHECK("DS: DPL 0 data with RPL 3 is #TS", check(TSEG_DS, 0x13, DATA(0), 0) == TS);
    CHECK("ES: readable code", check(TSEG_ES, 0x08, CODE(0), 0) == 0);
    CHECK("FS: execute-only code is #TS",
          check(TSEG_FS, 0x08, desc(0, 0xfffff, 0x8, true, 0, true, true, true), 0) == TS);
    CHECK("GS: conforming readable code below CPL",
          check(TSEG_GS, 0x0b, desc(0, 0xfffff, 0xe, true, 0, true, true, true), 3) == 0);
    CHECK("GS: a system descriptor is #TS",
          check(TSEG_GS, 0x30, desc(0, 0xff, 2, false, 0, true, 0, 0), 0) == TS);
    CHECK("DS: not present is #NP",
          check(TSEG_DS, 0x10, desc(0, 0xfffff, 0x2, true, 0, false, true, true), 0) == NP);
    CHECK("DS: accessed set in the AR",
          task_check_segment(TSEG_DS, 0x10, DATA(0), 0, &s) == 0 && s.ar == 0xc093);
    /* LDTR. */
    uint64_t ldt = desc(0x8000, 0xff, DESC_TYPE_LDT, false, 0, true, false, false);
    CHECK("LDTR: an LDT descriptor", task_check_segment(TSEG_LDTR, 0x30, ldt, 0, &s) == 0 &&
          s.base == 0x8000 && s.limit == 0xff && s.ar == 0x82);
    CHECK("LDTR: data is #TS", check(TSEG_LDTR, 0x30, DATA(0), 0) == TS);
    CHECK("LDTR: not present is #TS",
          check(TSEG_LDTR, 0x30, desc(0x8000, 0xff, 2, false, 0, false, 0, 0), 0) == TS);
}

static void test_tss_image(void)
{
    struct tss32 t, before;
    memset(&t, 0x5a, sizeof t);
    before = t;
    const uint32_t gpr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    const uint16_t sel[6] = { 0x23, 0x1b, 0x23, 0x2b, 0x33, 0x3b };
    tss32_save(&t, 0x1000, 0x202, gpr, sel);
    const uint8_t *p = (const uint8_t *)&t, *q = (const uint8_t *)&before;
    CHECK("EIP at 0x20, EFLAGS at 0x24", t.eip == 0x1000 && t.eflags == 0x202);
    CHECK("EAX..EDI at 0x28..0x44", t.gpr[0] == 1 && t.gpr[4] == 5 && t.gpr[7] == 8);
    CHECK("ES..GS selectors at 0x48..0x5c", t.seg[TSEG_ES].sel == 0x23 &&
          t.seg[TSEG_CS].sel == 0x1b && t.seg[TSEG_GS].sel == 0x3b);
    CHECK("selectors' reserved halves kept", t.seg[TSEG_SS].rsvd == 0x5a5a);
    CHECK("link, stacks and CR3 (0x00..0x1f) kept", memcmp(p, q, TSS32_DYNAMIC_START) == 0);
    CHECK("LDT, T and I/O map (0x60..0x67) kept",
          memcmp(p + TSS32_DYNAMIC_END, q + TSS32_DYNAMIC_END,
                 sizeof t - TSS32_DYNAMIC_END) == 0);
}

int main(void)
{
    test_decode();
    test_segments();
    test_tss_image();
    CHECK_DONE();
}
