/*
 * test=insn-fuzz: what the instruction classes share (test_insn_gen.c has
 * the table): vectors and register bits, the byte emitters, the checks'
 * building blocks, and one struct insn_class per class, each defined in
 * the file of its family: test_insn_msr.c (MSRs), test_insn_cr.c (control
 * and debug registers), test_insn_io.c (port I/O, memory accesses),
 * test_insn_sys.c (CPUID and the other system instructions, descriptor
 * tables, VMX, traps).
 */
#ifndef GUEST_TEST_INSN_GEN_H
#define GUEST_TEST_INSN_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "test_fuzz.h"
#include "test_insn.h"

#define VEC_DE 0
#define VEC_DB 1
#define VEC_BP 3
#define VEC_UD 6
#define VEC_NM 7
#define VEC_GP 13
#define VEC_PF 14
#define UPCALL_VECTOR 0xF3              /* idt.h: reaches the upcall, not a trap stub */

#define CR0_PE (1ull << 0)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_VMXE (1ull << 13)
#define CR4_OSXSAVE (1ull << 18)
/* An element of array a, drawn from the instruction fuzzer's stream. */
#define IPICK(f, a) ((a)[insn_below((f), ARRAY_LEN(a))])
#define FOUR_GIB 0x100000000ull
#define CANONICAL_TOP (1ull << 47)

static inline bool one_in(struct insn_fuzz *f, uint64_t n)
{
    return insn_below(f, n) == 0;
}

static inline void emit(struct insn *in, uint8_t b)
{
    in->code[in->len++] = b;
}

/* A general register other than RSP. */
static inline unsigned int gpr(struct insn_fuzz *f)
{
    unsigned int r = (unsigned int)insn_below(f, 15);

    return r >= RSP_UNUSED ? r + 1 : r;
}

/* REX (when needed: an extended reg or rm field), then the opcode bytes. */
static inline void emit_op(struct insn *in, unsigned int reg, unsigned int rm, const uint8_t *op,
                           unsigned int n)
{
    if (reg >= 8 || rm >= 8)
        emit(in, (uint8_t)(0x40 | (reg >= 8) << 2 | (rm >= 8)));
    for (unsigned int i = 0; i < n; i++)
        emit(in, op[i]);
}

static inline void emit_modrm_reg(struct insn *in, unsigned int reg, unsigned int rm)
{
    emit(in, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

#define EMIT(in, ...)                                                                        \
    do {                                                                                     \
        static const uint8_t bytes_[] = { __VA_ARGS__ };                                     \
        for (unsigned int i_ = 0; i_ < sizeof bytes_; i_++)                                  \
            emit((in), bytes_[i_]);                                                          \
    } while (0)

static inline bool ok(const struct insn_outcome *o)
{
    return !o->faulted;
}

static inline bool raised(const struct insn_outcome *o, unsigned int vector)
{
    return o->faulted && o->vector == vector;
}

/* The ModRM reg and rm fields of `[REX] 0F op ModRM`, REX.R and REX.B included. */
static inline unsigned int cr_of(const struct insn *in)
{
    bool rex = (in->code[0] & 0xF0) == 0x40;

    return ((in->code[2 + rex] >> 3) & 7) | (rex && (in->code[0] & 4) ? 8 : 0);
}

static inline unsigned int rm_of(const struct insn *in)
{
    bool rex = (in->code[0] & 0xF0) == 0x40;

    return (in->code[2 + rex] & 7) | (rex && (in->code[0] & 1) ? 8 : 0);
}

/* A boundary value a third of the time, else random of a random width. */
uint64_t insn_value(struct insn_fuzz *f);

/* Checks more than one class uses (test_insn_gen.c). */
bool anything(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o);
bool only_ok(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o);
bool ok_or_gp(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o);
bool ok_or_ud(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o);
bool ud_only(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o);

/* The classes, in the order of insn_classes[]. */
extern const struct insn_class
    insn_rdmsr,
    insn_wrmsr,
    insn_in,
    insn_out,
    insn_string_io,
    insn_cr_read,
    insn_cr0_write,
    insn_cr3_write,
    insn_cr4_write,
    insn_cr8_write,
    insn_dr_read,
    insn_dr_write,
    insn_cpuid,
    insn_invd_wbinvd,
    insn_hlt,
    insn_xsetbv,
    insn_rdpmc,
    insn_rdtscp,
    insn_desc,
    insn_vmx,
    insn_vmcall,
    insn_trap,
    insn_pf,
    insn_unbacked;

#endif
