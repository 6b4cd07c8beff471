/*
 * test=insn-fuzz: CPUID, INVD/WBINVD, HLT, XSETBV, RDPMC, RDTSCP, the
 * descriptor-table instructions, VMX, bad vmcalls and traps on purpose.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/cpuid.h>
#include <public/errno.h>
#include <public/hypercall.h>

#include "lib.h"
#include "test_insn_gen.h"

/* ---- CPUID and friends ------------------------------------------------------- */

static void gen_cpuid(struct insn_fuzz *f, struct insn *in)
{
    static const uint32_t bases[] = { 0, 0x80000000, 0x40000000, 0x40000100, 0x4FFFFF00 };
    uint64_t r = insn_below(f, 8);

    in->regs[RAX] = r < 6 ? IPICK(f, bases) + insn_below(f, 0x20) : (uint32_t)insn_value(f);
    in->regs[RCX] = one_in(f, 2) ? insn_below(f, 4) : insn_value(f);
    EMIT(in, 0x0F, 0xA2);
}

/* docs/abi.md's CPUID policy: leaf 1's and leaf 7's masked and offered bits, Mica's and
 * the empty hypervisor leaves, leaves 0xD and 0x14 all zeros. */
static bool cpuid_allowed(const struct insn_fuzz *f, const struct insn *in,
                          const struct insn_outcome *o)
{
    uint32_t leaf = (uint32_t)in->regs[RAX];
    const uint64_t *r = o->regs;
    bool zero;

    (void)f;
    if (!ok(o))
        return false;
    zero = (uint32_t)r[RAX] == 0 && (uint32_t)r[RBX] == 0 && (uint32_t)r[RCX] == 0 &&
           (uint32_t)r[RDX] == 0;
    /* Leaf 1 also offers the emulated local APIC: EDX.APIC (the fuzzer never
     * disables it), ECX.x2APIC and ECX.TSC-deadline. */
    if (leaf == 1)
        return !(r[RCX] & (1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 12 | 1u << 15 |
                           1u << 26 | 1u << 27 | 1u << 28 | 1u << 29)) &&
               (r[RCX] & (1u << 21 | 1u << 24 | 1u << 31)) == (1u << 21 | 1u << 24 | 1u << 31) &&
               (r[RDX] & 1u << 9) && !(r[RDX] & 1u << 21) && (uint32_t)r[RBX] >> 24 == 0;
    if (leaf == 7 && (uint32_t)in->regs[RCX] == 0)
        return !(r[RBX] & (1u << 5 | 1u << 14 | 1u << 16 | 1u << 25 | 1u << 31)) &&
               !(r[RCX] & (1u << 3 | 1u << 4)) && !(r[RDX] & (1u << 22 | 1u << 24));
    if (leaf == 0xD || leaf == 0x14)
        return zero;
    if (leaf == MICA_CPUID_BASE)
        return r[RAX] == MICA_CPUID_BASE && r[RBX] == MICA_CPUID_SIGNATURE &&
               r[RCX] == MICA_CPUID_SIGNATURE && r[RDX] == MICA_CPUID_SIGNATURE;
    if (leaf > MICA_CPUID_BASE && leaf <= 0x4FFFFFFF &&
        !(leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + XEN_CPUID_LEAF_COUNT))
        return zero;
    return true;
}

static void gen_cache(struct insn_fuzz *f, struct insn *in)
{
    if (one_in(f, 2))
        EMIT(in, 0x0F, 0x08);           /* invd */
    else
        EMIT(in, 0x0F, 0x09);           /* wbinvd */
}

/* sti; hlt; cli, after an event on our own IPI port: hlt must return. */
static void gen_hlt(struct insn_fuzz *f, struct insn *in)
{
    (void)f;
    in->send_event = true;
    EMIT(in, 0xFB, 0xF4, 0xFA);
}

static void gen_xsetbv(struct insn_fuzz *f, struct insn *in)
{
    in->regs[RCX] = one_in(f, 2) ? insn_below(f, 2) : insn_value(f);
    in->regs[RAX] = insn_value(f);
    in->regs[RDX] = insn_value(f);
    EMIT(in, 0x0F, 0x01, 0xD1);
}

/*
 * docs/abi.md: XSETBV raises #UD. The guest's CR4.OSXSAVE is always clear,
 * and that #UD has priority over the VM exit (SDM 3C 26.1.1), so the
 * hypervisor never sees the instruction.
 */
static bool xsetbv_allowed(const struct insn_fuzz *f, const struct insn *in,
                           const struct insn_outcome *o)
{
    (void)f, (void)in;
    return raised(o, VEC_UD);
}

static void gen_rdpmc(struct insn_fuzz *f, struct insn *in)
{
    uint64_t r = insn_below(f, 3);

    if (r == 0)
        in->regs[RCX] = insn_below(f, 8);                       /* general counters */
    else if (r == 1)
        in->regs[RCX] = 1ull << 30 | insn_below(f, 4);          /* fixed counters */
    else
        in->regs[RCX] = insn_value(f);
    EMIT(in, 0x0F, 0x33);
}

static void gen_rdtscp(struct insn_fuzz *f, struct insn *in)
{
    (void)f;
    EMIT(in, 0x0F, 0x01, 0xF9);
}

/* ---- descriptor tables ----------------------------------------------------------- */

static uint64_t table_base(struct insn_fuzz *f, uint64_t ours)
{
    switch (insn_below(f, 4)) {
    case 0:
        return ours;
    case 1:
        return insn_next(f) & (CANONICAL_TOP - 1);              /* canonical, low half */
    case 2:
        return CANONICAL_TOP | insn_next(f);                    /* mostly non-canonical */
    default:
        return insn_value(f);
    }
}

static uint16_t selector(struct insn_fuzz *f)
{
    static const uint16_t sels[] = { 0, 1, 3, 4, 8, 0x10, 0x18, 0x1B, 0x20, 0x28, 0xFFF8 };

    return one_in(f, 2) ? IPICK(f, sels) : (uint16_t)insn_next(f);
}

/* lgdt/lidt from the operand area (restored at once), sgdt/sidt into it,
 * lldt/ltr of a random selector (we have no LDT or TSS descriptor: only a
 * null LDT selector can load), sldt/str. */
static void gen_desc(struct insn_fuzz *f, struct insn *in)
{
    unsigned int r = gpr(f), op = (unsigned int)insn_below(f, 8);
    static const uint8_t group7[] = { 0x0F, 0x01 }, group6[] = { 0x0F, 0x00 };
    uint16_t ours = op == 0 ? f->gdt_limit : f->idt_limit;
    uint16_t limit = one_in(f, 2) ? (uint16_t)insn_next(f) : ours;
    uint64_t base;

    in->regs[RSI] = f->operand_area;
    switch (op) {
    case 0:                             /* lgdt [rsi] */
    case 1:                             /* lidt [rsi] */
        base = table_base(f, op == 0 ? f->gdt_base : f->idt_base);
        memcpy(in->operand, &limit, 2);
        memcpy(in->operand + 2, &base, 8);
        emit_op(in, 0, 0, group7, 2);
        emit(in, op == 0 ? 0x16 : 0x1E);
        in->restore = op == 0 ? RESTORE_GDT : RESTORE_IDT;
        break;
    case 2:                             /* sgdt [rsi] */
    case 3:                             /* sidt [rsi] */
        emit_op(in, 0, 0, group7, 2);
        emit(in, op == 2 ? 0x06 : 0x0E);
        break;
    default:                            /* sldt, str, lldt, ltr reg: /0 /1 /2 /3 */
        in->regs[r] = (in->regs[r] & ~0xFFFFull) | selector(f);
        emit_op(in, 0, r, group6, 2);
        emit_modrm_reg(in, op - 4, r);
        in->restore = op == 6 ? RESTORE_LDT : 0;
        break;
    }
}

static bool desc_allowed(const struct insn_fuzz *f, const struct insn *in,
                         const struct insn_outcome *o)
{
    bool rex = (in->code[0] & 0xF0) == 0x40;
    uint8_t modrm = in->code[2 + rex];
    unsigned int op = (modrm >> 3) & 7;
    uint64_t base;
    uint16_t sel = (uint16_t)in->regs[rm_of(in)];

    (void)f;
    if (in->code[1 + rex] == 0x01) {                /* group 7: sgdt sidt lgdt lidt */
        memcpy(&base, in->operand + 2, 8);
        if (op >= 2 && (base >= CANONICAL_TOP && base < ~(CANONICAL_TOP - 1)))
            return raised(o, VEC_GP);
        return ok(o);
    }
    if (op == 2)                                    /* lldt: only a null selector */
        return (sel & ~3) == 0 ? ok(o) : raised(o, VEC_GP);
    if (op == 3)                                    /* ltr: never */
        return raised(o, VEC_GP);
    return ok(o);
}

/* ---- VMX ------------------------------------------------------------------------ */

/* Every VMX instruction but vmcall, register operands random, memory operands [rsi]. */
static void gen_vmx(struct insn_fuzz *f, struct insn *in)
{
    unsigned int r = gpr(f), r2 = gpr(f);
    static const uint8_t vmread[] = { 0x0F, 0x78 }, vmwrite[] = { 0x0F, 0x79 };

    in->regs[RSI] = f->operand_area;
    memcpy(in->operand, &(uint64_t){ insn_value(f) }, 8);
    switch (insn_below(f, 12)) {
    case 0: EMIT(in, 0xF3, 0x0F, 0xC7, 0x36); break;            /* vmxon [rsi] */
    case 1: EMIT(in, 0x66, 0x0F, 0xC7, 0x36); break;            /* vmclear [rsi] */
    case 2: EMIT(in, 0x0F, 0xC7, 0x36); break;                  /* vmptrld [rsi] */
    case 3: EMIT(in, 0x0F, 0xC7, 0x3E); break;                  /* vmptrst [rsi] */
    case 4: EMIT(in, 0x0F, 0x01, 0xC2); break;                  /* vmlaunch */
    case 5: EMIT(in, 0x0F, 0x01, 0xC3); break;                  /* vmresume */
    case 6: EMIT(in, 0x0F, 0x01, 0xC4); break;                  /* vmxoff */
    case 7: EMIT(in, 0x66, 0x0F, 0x38, 0x80, 0x06); break;      /* invept rax, [rsi] */
    case 8: EMIT(in, 0x66, 0x0F, 0x38, 0x81, 0x06); break;      /* invvpid rax, [rsi] */
    case 9: EMIT(in, 0x0F, 0x01, 0xD4); break;                  /* vmfunc */
    case 10:                                                    /* vmread r2, r */
        emit_op(in, r, r2, vmread, 2);
        emit_modrm_reg(in, r, r2);
        break;
    default:                                                    /* vmwrite r, r2 */
        emit_op(in, r, r2, vmwrite, 2);
        emit_modrm_reg(in, r, r2);
        break;
    }
}

/* vmcall with a number no hypercall has: unassigned below 64, past it, huge. */
static void gen_vmcall(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t used[] = {
        HYPERCALL_MEMORY_OP, HYPERCALL_SET_TIMER_OP, HYPERCALL_XEN_VERSION,
        HYPERCALL_CONSOLE_IO, HYPERCALL_GRANT_TABLE_OP, HYPERCALL_VCPU_OP,
        HYPERCALL_SCHED_OP, HYPERCALL_EVENT_CHANNEL_OP, HYPERCALL_PHYSDEV_OP, HYPERCALL_HVM_OP,
        HYPERCALL_SYSCTL, HYPERCALL_DOMCTL,
    };
    uint64_t nr;
    bool taken;

    do {
        nr = one_in(f, 2) ? insn_below(f, HYPERCALL_COUNT + 64) : insn_value(f);
        taken = false;
        for (unsigned int i = 0; i < sizeof used; i++)
            taken |= nr == used[i];
    } while (taken);
    in->regs[RAX] = nr;
    EMIT(in, 0x0F, 0x01, 0xC1);
}

static bool vmcall_allowed(const struct insn_fuzz *f, const struct insn *in,
                           const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o) && o->regs[RAX] == (uint64_t)-XEN_ENOSYS;
}

/* ---- traps and faults on purpose ------------------------------------------------ */

/* ud2, int3, int n, int1, into (#UD in 64-bit mode), div by a zero register. */
static void gen_trap(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t div[] = { 0xF7 };
    unsigned int r = gpr(f);

    switch (insn_below(f, 6)) {
    case 0: EMIT(in, 0x0F, 0x0B); break;
    case 1: EMIT(in, 0xCC); break;
    case 2: EMIT(in, 0xCD); emit(in, (uint8_t)insn_next(f)); break;
    case 3: EMIT(in, 0xF1); break;
    case 4: EMIT(in, 0xCE); break;
    default:
        in->regs[r] = 0;
        emit(in, (uint8_t)(0x48 | (r >= 8)));                   /* REX.W: div r64 */
        emit_op(in, 0, 0, div, 1);
        emit_modrm_reg(in, 6, r);
        break;
    }
}

static bool trap_allowed(const struct insn_fuzz *f, const struct insn *in,
                         const struct insn_outcome *o)
{
    (void)f;
    switch (in->code[0]) {
    case 0x0F: return raised(o, VEC_UD);
    case 0xCC: return raised(o, VEC_BP);
    case 0xCD: return in->code[1] == UPCALL_VECTOR ? ok(o) : raised(o, in->code[1]);
    case 0xF1: return raised(o, VEC_DB);
    case 0xCE: return raised(o, VEC_UD);
    default:   return raised(o, VEC_DE);
    }
}

/* Name, weight, generator, check. */
const struct insn_class insn_cpuid = { "cpuid", 6, gen_cpuid, cpuid_allowed };
const struct insn_class insn_invd_wbinvd = { "invd-wbinvd", 2, gen_cache, only_ok };
const struct insn_class insn_hlt = { "hlt", 1, gen_hlt, only_ok };
const struct insn_class insn_xsetbv = { "xsetbv", 2, gen_xsetbv, xsetbv_allowed };
const struct insn_class insn_rdpmc = { "rdpmc", 2, gen_rdpmc, ok_or_gp };
const struct insn_class insn_rdtscp = { "rdtscp", 2, gen_rdtscp, ok_or_ud };
const struct insn_class insn_desc = { "desc", 4, gen_desc, desc_allowed };
const struct insn_class insn_vmx = { "vmx", 5, gen_vmx, ud_only };
const struct insn_class insn_vmcall = { "vmcall", 3, gen_vmcall, vmcall_allowed };
const struct insn_class insn_trap = { "trap", 4, gen_trap, trap_allowed };
