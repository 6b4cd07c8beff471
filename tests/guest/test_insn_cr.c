/*
 * test=insn-fuzz: moves to and from the control and debug registers.
 */
#include <stdbool.h>
#include <stdint.h>

#include "test_insn_gen.h"

/* ---- control and debug registers ------------------------------------------- */

static bool cr_exists(unsigned int n)
{
    return n == 0 || n == 2 || n == 3 || n == 4 || n == 8;
}

static unsigned int cr_number(struct insn_fuzz *f)
{
    static const uint8_t valid[] = { 0, 2, 3, 4, 8 };

    return one_in(f, 6) ? (unsigned int)insn_below(f, 16) : IPICK(f, valid);
}

/* mov reg, crN */
static void gen_cr_read(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t op[] = { 0x0F, 0x20 };
    unsigned int n = cr_number(f), r = gpr(f);

    emit_op(in, n, r, op, 2);
    emit_modrm_reg(in, n, r);
}

/* docs/abi.md: CR4 reads VMXE and OSXSAVE as 0; the CPU: other numbers #UD. */
static bool cr_read_allowed(const struct insn_fuzz *f, const struct insn *in,
                            const struct insn_outcome *o)
{
    unsigned int n = cr_of(in);

    (void)f;
    if (!cr_exists(n))
        return raised(o, VEC_UD);
    if (!ok(o))
        return false;
    return n != 4 || !(o->regs[rm_of(in)] & (CR4_VMXE | CR4_OSXSAVE));
}

/* mov crN, reg with `v` in a random register. */
static void emit_cr_write(struct insn_fuzz *f, struct insn *in, unsigned int n, uint64_t v)
{
    static const uint8_t op[] = { 0x0F, 0x22 };
    unsigned int r = gpr(f);

    in->regs[r] = v;
    emit_op(in, n, r, op, 2);
    emit_modrm_reg(in, n, r);
}

static uint64_t written(const struct insn *in)
{
    return in->regs[rm_of(in)];
}

/* One to three bits of `bits` (a list) flipped in `v`. */
static uint64_t flip(struct insn_fuzz *f, uint64_t v, const uint8_t *bits, unsigned int n)
{
    unsigned int k = 1 + (unsigned int)insn_below(f, 3);

    while (k--)
        v ^= 1ull << bits[insn_below(f, n)];
    return v;
}

/* CR0 with bits flipped (PE MP EM TS ET NE WP AM NW CD PG, 32, 63), or
 * random; half the time followed by fnop, which #NM's under TS or EM. */
static void gen_cr0_write(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t bits[] = { 0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31, 32, 63 };
    uint64_t v = one_in(f, 8) ? insn_next(f) : flip(f, f->cr0, bits, sizeof bits);

    emit_cr_write(f, in, 0, v);
    if (one_in(f, 2))
        EMIT(in, 0xD9, 0xD0);
    in->restore = RESTORE_CR0;
}

/*
 * docs/abi.md: CR0 writes behave as on hardware: #GP(0) for PG without PE,
 * NW without CD, bits 63:32 set, and (SDM, MOV to CR0) clearing PG in
 * IA-32e mode, where we run. Anything else completes; a following fnop
 * then raises #NM if TS or EM is set.
 */
static bool cr0_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    uint64_t v = written(in);
    bool fnop = in->len > 3 && in->code[in->len - 2] == 0xD9;

    (void)f;
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)) ||
        !(v & CR0_PG))
        return raised(o, VEC_GP);
    if (fnop && (v & (CR0_TS | CR0_EM)))
        return raised(o, VEC_NM);
    return ok(o);
}

/* Our page tables, their copy, either with PWT/PCD or ignored low bits;
 * or a reserved bit (63, or at or above the physical-address width). */
static void gen_cr3_write(struct insn_fuzz *f, struct insn *in)
{
    uint64_t base = one_in(f, 2) ? f->cr3 : f->cr3_alias, v;

    switch (insn_below(f, 4)) {
    case 0:
        v = base;
        break;
    case 1:
        v = base | (insn_next(f) & 0xFFF);
        break;
    case 2:
        v = base | 1ull << 63;
        break;
    default:
        v = base | 1ull << (f->phys_bits + insn_below(f, 63 - f->phys_bits));
        break;
    }
    emit_cr_write(f, in, 3, v);
    in->restore = RESTORE_CR3;
}

static bool cr3_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    return written(in) >> f->phys_bits ? raised(o, VEC_GP) : ok(o);
}

/* CR4 with bits flipped (0-25, 32, 63), or random. */
static void gen_cr4_write(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t bits[] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                    14, 16, 17, 18, 20, 21, 22, 23, 24, 25, 32, 63 };
    uint64_t v = one_in(f, 8) ? insn_next(f) : flip(f, f->cr4, bits, sizeof bits);

    emit_cr_write(f, in, 4, v);
    in->restore = RESTORE_CR4;
}

/* docs/abi.md: VMXE or OSXSAVE set: #GP(0). Otherwise as the CPU decides. */
static bool cr4_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    (void)f;
    if (written(in) & (CR4_VMXE | CR4_OSXSAVE))
        return raised(o, VEC_GP);
    return ok(o) || raised(o, VEC_GP);
}

/* CR8 (the vCPU's own task priority): a priority, or anything. */
static void gen_cr8_write(struct insn_fuzz *f, struct insn *in)
{
    uint64_t v = one_in(f, 4) ? insn_value(f) : insn_below(f, 16);

    emit_cr_write(f, in, 8, v);
    in->restore = RESTORE_CR8;
}

/* docs/abi.md: a value with bits 63:4 set raises #GP(0). */
static bool cr8_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    (void)f;
    return written(in) > 15 ? raised(o, VEC_GP) : ok(o);
}

/* DR0-7, and now and then one of DR8-15, which do not exist. */
static unsigned int dr_number(struct insn_fuzz *f)
{
    unsigned int high = one_in(f, 8) ? 8 : 0;

    return high + (unsigned int)insn_below(f, 8);
}

/* mov reg, drN */
static void gen_dr_read(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t op[] = { 0x0F, 0x21 };
    unsigned int n = dr_number(f);
    unsigned int r = gpr(f);

    emit_op(in, n, r, op, 2);
    emit_modrm_reg(in, n, r);
}

static bool dr_read_allowed(const struct insn_fuzz *f, const struct insn *in,
                            const struct insn_outcome *o)
{
    (void)f;
    return cr_of(in) >= 8 ? raised(o, VEC_UD) : ok(o);
}

/* mov drN, reg: DR0-3 any address; DR4-7 mostly 32-bit values. */
static void gen_dr_write(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t op[] = { 0x0F, 0x23 };
    unsigned int n = dr_number(f);
    unsigned int r = gpr(f);
    uint64_t v = insn_value(f);

    if (n >= 4 && !one_in(f, 4))
        v = (uint32_t)v;
    in->regs[r] = v;
    emit_op(in, n, r, op, 2);
    emit_modrm_reg(in, n, r);
    in->restore = RESTORE_DR;
}

/* The SDM: DR8-15 #UD; DR4-7 (4, 5 alias 6, 7: CR4.DE is clear) #GP with bits 63:32 set. */
static bool dr_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                             const struct insn_outcome *o)
{
    unsigned int n = cr_of(in);

    (void)f;
    if (n >= 8)
        return raised(o, VEC_UD);
    if (n >= 4 && (written(in) >> 32))
        return raised(o, VEC_GP);
    return ok(o);
}

/* Name, weight, generator, check. */
const struct insn_class insn_cr_read = { "cr-read", 4, gen_cr_read, cr_read_allowed };
const struct insn_class insn_cr0_write = { "cr0-write", 4, gen_cr0_write, cr0_write_allowed };
const struct insn_class insn_cr3_write = { "cr3-write", 3, gen_cr3_write, cr3_write_allowed };
const struct insn_class insn_cr4_write = { "cr4-write", 4, gen_cr4_write, cr4_write_allowed };
const struct insn_class insn_cr8_write = { "cr8-write", 2, gen_cr8_write, cr8_write_allowed };
const struct insn_class insn_dr_read = { "dr-read", 3, gen_dr_read, dr_read_allowed };
const struct insn_class insn_dr_write = { "dr-write", 4, gen_dr_write, dr_write_allowed };
