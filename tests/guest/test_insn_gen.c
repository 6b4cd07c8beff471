/*
 * test=insn-fuzz: the instruction classes. Each has a generator, which
 * writes the machine code of one instruction (rarely a short fixed
 * sequence around one) with random operands into a struct insn, and a
 * check of the outcome against what docs/abi.md ("Everything else a guest
 * can do") promises for it; where the instruction runs directly on the CPU
 * (no VM exit), the check is the SDM's rule. The classes live in
 * test_insn_{msr,cr,io,sys}.c; this file has their table.
 */
#include <stdbool.h>
#include <stdint.h>

#include "test_insn_gen.h"

/* A boundary value a third of the time, else random of a random width. */
uint64_t insn_value(struct insn_fuzz *f)
{
    unsigned int bits;

    if (one_in(f, 3))
        return IPICK(f, fuzz_edges);
    bits = 1 + (unsigned int)insn_below(f, 64);
    return bits == 64 ? insn_next(f) : insn_next(f) & ((1ull << bits) - 1);
}

/* For the classes whose outcome docs/abi.md does not promise yet (a crash today). */
bool anything(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in, (void)o;
    return true;
}

bool ok_or_gp(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o) || raised(o, VEC_GP);
}

bool ok_or_ud(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o) || raised(o, VEC_UD);
}

bool only_ok(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o);
}

/* docs/abi.md: VMX instructions other than vmcall raise #UD. */
bool ud_only(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return raised(o, VEC_UD);
}

/* The order is part of what a seed generates: append new classes at the end. */
const struct insn_class *const insn_classes[] = {
    &insn_rdmsr,
    &insn_wrmsr,
    &insn_in,
    &insn_out,
    &insn_string_io,
    &insn_cr_read,
    &insn_cr0_write,
    &insn_cr3_write,
    &insn_cr4_write,
    &insn_cr8_write,
    &insn_dr_read,
    &insn_dr_write,
    &insn_cpuid,
    &insn_invd_wbinvd,
    &insn_hlt,
    &insn_xsetbv,
    &insn_rdpmc,
    &insn_rdtscp,
    &insn_desc,
    &insn_vmx,
    &insn_vmcall,
    &insn_trap,
    &insn_pf,
    &insn_unbacked,
};
const unsigned int insn_nr_classes = ARRAY_LEN(insn_classes);

void insn_generate(struct insn_fuzz *f, struct insn *in)
{
    unsigned int c = f->class_of[insn_below(f, f->total_weight)];
    uint64_t x;

    in->cls = c;
    in->len = 0;
    in->restore = 0;
    in->send_event = false;
    in->msr = INSN_NO_MSR;
    /* Every register random, from one draw: xorshift64 (Marsaglia) steps. */
    x = insn_next(f) | 1;
    for (unsigned int r = 0; r < 16; r++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        in->regs[r] = r == RSP_UNUSED ? 0 : x;
    }
    in->code_word[0] = in->code_word[1] = 0;
    in->operand_word[0] = in->operand_word[1] = 0;
    insn_classes[c]->generate(f, in);
}
