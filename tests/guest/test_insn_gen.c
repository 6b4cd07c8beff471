/*
 * test=insn-fuzz: the instruction classes. Each has a generator, which
 * writes the machine code of one instruction (rarely a short fixed
 * sequence around one) with random operands into a struct insn, and a
 * check of the outcome against what docs/abi.md ("Everything else a guest
 * can do") promises for it; where the instruction runs directly on the CPU
 * (no VM exit), the check is the SDM's rule. Classes with a nonzero option
 * run only when enable= names it (docs/security.md).
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/cpuid.h>
#include <public/errno.h>
#include <public/hypercall.h>

#include "lib.h"
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
#define CR0_NE (1ull << 5)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_VMXE (1ull << 13)
#define CR4_OSXSAVE (1ull << 18)
#define DR7_RESET 0x400
/* An element of array a, drawn from the instruction fuzzer's stream. */
#define IPICK(f, a) ((a)[insn_below((f), ARRAY_LEN(a))])
#define FOUR_GIB 0x100000000ull
#define CANONICAL_TOP (1ull << 47)

static bool one_in(struct insn_fuzz *f, uint64_t n)
{
    return insn_below(f, n) == 0;
}

/* A boundary value a third of the time, else random of a random width. */
static uint64_t value(struct insn_fuzz *f)
{
    unsigned int bits;

    if (one_in(f, 3))
        return IPICK(f, fuzz_edges);
    bits = 1 + (unsigned int)insn_below(f, 64);
    return bits == 64 ? insn_next(f) : insn_next(f) & ((1ull << bits) - 1);
}

static void emit(struct insn *in, uint8_t b)
{
    in->code[in->len++] = b;
}

/* A general register other than RSP. */
static unsigned int gpr(struct insn_fuzz *f)
{
    unsigned int r = (unsigned int)insn_below(f, 15);

    return r >= RSP_UNUSED ? r + 1 : r;
}

/* REX (when needed: an extended reg or rm field), then the opcode bytes. */
static void emit_op(struct insn *in, unsigned int reg, unsigned int rm, const uint8_t *op,
                    unsigned int n)
{
    if (reg >= 8 || rm >= 8)
        emit(in, (uint8_t)(0x40 | (reg >= 8) << 2 | (rm >= 8)));
    for (unsigned int i = 0; i < n; i++)
        emit(in, op[i]);
}

static void emit_modrm_reg(struct insn *in, unsigned int reg, unsigned int rm)
{
    emit(in, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

#define EMIT(in, ...)                                                                        \
    do {                                                                                     \
        static const uint8_t bytes_[] = { __VA_ARGS__ };                                     \
        for (unsigned int i_ = 0; i_ < sizeof bytes_; i_++)                                  \
            emit((in), bytes_[i_]);                                                          \
    } while (0)

static bool ok(const struct insn_outcome *o)
{
    return !o->faulted;
}

static bool raised(const struct insn_outcome *o, unsigned int vector)
{
    return o->faulted && o->vector == vector;
}

static bool anything(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in, (void)o;
    return true;
}

/* ---- MSRs ------------------------------------------------------------------- */

static const uint32_t direct_msrs[] = {
    0x174, 0x175, 0x176, 0x277,                         /* SYSENTER_CS/ESP/EIP, PAT */
    0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083,     /* EFER, STAR, LSTAR, CSTAR */
    0xC0000084, 0xC0000100, 0xC0000101, 0xC0000102,     /* FMASK, FS/GS/KERNEL_GS_BASE */
};

static const uint32_t known_msrs[] = {
    0x10, 0x1B, 0x3A, 0x48, 0x49, 0x8B, 0x9B, 0xE7, 0xE8, 0xFE, 0x174, 0x175, 0x176, 0x179,
    0x17A, 0x1A0, 0x1D9, 0x200, 0x201, 0x250, 0x277, 0x2FF, 0x480, 0x481, 0x48B, 0x48C,
    0x491, 0x6E0, 0x802, 0x803, 0x808, 0x80B, 0x80F, 0x830, 0x832, 0x838, 0x83F, 0xDA0,
    0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101,
    0xC0000102, 0xC0000103, 0x40000000, 0x40000001, 0x40000200, 0x4B564D00, 0xC0010114,
    0xC0010117,
};

bool insn_msr_is_direct(uint32_t msr)
{
    for (unsigned int i = 0; i < ARRAY_LEN(direct_msrs); i++)
        if (direct_msrs[i] == msr)
            return true;
    return false;
}

/* Known MSRs, the two ranges the MSR bitmap covers, the x2APIC range, the
 * hypervisor range, anything; the upper half of RCX is ignored (random). */
static uint64_t msr_number(struct insn_fuzz *f)
{
    uint64_t r = insn_below(f, 100), msr, upper = one_in(f, 8) ? insn_next(f) << 32 : 0;

    if (r < 30)
        msr = IPICK(f, known_msrs);
    else if (r < 55)
        msr = insn_below(f, 0x2000);
    else if (r < 75)
        msr = 0xC0000000 + insn_below(f, 0x2000);
    else if (r < 85)
        msr = 0x800 + insn_below(f, 0x100);
    else if (r < 90)
        msr = 0x40000000 + insn_below(f, 0x200);
    else
        msr = (uint32_t)insn_next(f);
    return upper | msr;
}

static void gen_rdmsr(struct insn_fuzz *f, struct insn *in)
{
    in->regs[RCX] = msr_number(f);
    EMIT(in, 0x0F, 0x32);
}

/* The hypercall-page MSR fills the page it names: only our spare page, or
 * values it must refuse (unaligned, past RAM). */
static uint64_t hypercall_page_value(struct insn_fuzz *f)
{
    uint64_t v;

    switch (insn_below(f, 4)) {
    case 0:
        return f->msr_page;
    case 1:
        return f->msr_page | (1 + insn_below(f, 4095));
    case 2:
        return (f->ram_end + insn_below(f, 1 << 20)) & ~4095ull;
    default:
        v = IPICK(f, fuzz_edges);
        return v < f->ram_end && !(v & 4095) ? v + f->ram_end : v;
    }
}

/* docs/abi.md: a page-aligned address of our RAM is taken, anything else #GP(0). */
static bool hypercall_page_taken(const struct insn_fuzz *f, uint64_t v)
{
    return !(v & 4095) && v < f->ram_end;
}

static void gen_wrmsr(struct insn_fuzz *f, struct insn *in)
{
    uint64_t msr = msr_number(f), v = value(f);

    if ((uint32_t)msr == XEN_HYPERCALL_PAGE_MSR)
        v = hypercall_page_value(f);
    if (insn_msr_is_direct((uint32_t)msr))
        in->msr = (uint32_t)msr;
    in->regs[RCX] = msr;
    in->regs[RAX] = (uint32_t)v;
    in->regs[RDX] = v >> 32;
    EMIT(in, 0x0F, 0x30);
}

/* docs/abi.md: the direct MSRs read as on hardware; every other one #GP(0). */
static bool rdmsr_allowed(const struct insn_fuzz *f, const struct insn *in,
                          const struct insn_outcome *o)
{
    (void)f;
    return insn_msr_is_direct((uint32_t)in->regs[RCX]) ? ok(o) : raised(o, VEC_GP);
}

static bool wrmsr_allowed(const struct insn_fuzz *f, const struct insn *in,
                          const struct insn_outcome *o)
{
    uint32_t msr = (uint32_t)in->regs[RCX];
    uint64_t v = in->regs[RDX] << 32 | (uint32_t)in->regs[RAX];

    if (insn_msr_is_direct(msr))
        return ok(o) || raised(o, VEC_GP);
    if (msr == XEN_HYPERCALL_PAGE_MSR && hypercall_page_taken(f, v))
        return ok(o);
    return raised(o, VEC_GP);
}

/* ---- port I/O ------------------------------------------------------------- */

/* Ports of real devices (PIC, PIT, keyboard controller and its reset, CMOS,
 * fast reset, PCI configuration and reset, serial, Bochs's 0xE9 and
 * shutdown ports, ACPI PM, fw_cfg, IDE, VGA), low ports, anything. */
static const uint16_t known_ports[] = {
    0x20, 0x21, 0x40, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71, 0x80, 0x92, 0xA0, 0xA1, 0xCF8,
    0xCF9, 0xCFC, 0xCFE, 0x3F8, 0x3FD, 0x2F8, 0xE9, 0x402, 0x510, 0x511, 0x8900, 0xB000,
    0xB004, 0x1F0, 0x1F7, 0x3C0, 0x3D4, 0x4D0, 0xFFFF,
};
#define BOCHS_SHUTDOWN_PORT 0x8900

static uint16_t port_number(struct insn_fuzz *f)
{
    uint64_t r = insn_below(f, 10);

    if (r < 4)
        return IPICK(f, known_ports);
    if (r < 7)
        return (uint16_t)insn_below(f, 0x400);
    return (uint16_t)insn_next(f);
}

/* Operand size: 0 byte, 1 word (0x66), 2 dword. */
static unsigned int io_size(struct insn_fuzz *f, struct insn *in)
{
    unsigned int s = (unsigned int)insn_below(f, 3);

    if (s == 1)
        emit(in, 0x66);
    return s;
}

/* in al/ax/eax from an imm8 port or from DX. */
static void gen_in(struct insn_fuzz *f, struct insn *in)
{
    uint16_t port = port_number(f);
    bool imm = one_in(f, 2);
    unsigned int s = io_size(f, in);

    if (imm) {
        emit(in, s ? 0xE5 : 0xE4);
        emit(in, (uint8_t)port);
    } else {
        in->regs[RDX] = (in->regs[RDX] & ~0xFFFFull) | port;
        emit(in, s ? 0xED : 0xEC);
    }
}

/*
 * out to an imm8 port or DX. Writes to the Bochs shutdown port spell
 * "Shutdown" in turn, so that one reaching the machine would end the run.
 */
static void gen_out(struct insn_fuzz *f, struct insn *in)
{
    static const char word[] = "Shutdown";
    uint16_t port = port_number(f);
    bool imm = one_in(f, 2) && port != BOCHS_SHUTDOWN_PORT;
    unsigned int s = io_size(f, in);

    if (port == BOCHS_SHUTDOWN_PORT) {
        in->regs[RAX] = (in->regs[RAX] & ~0xFFull) | (uint8_t)word[f->shutdown_next];
        f->shutdown_next = (f->shutdown_next + 1) % (sizeof word - 1);
    }
    if (imm) {
        emit(in, s ? 0xE7 : 0xE6);
        emit(in, (uint8_t)port);
    } else {
        in->regs[RDX] = (in->regs[RDX] & ~0xFFFFull) | port;
        emit(in, s ? 0xEF : 0xEE);
    }
}

/* docs/abi.md: IN reads all ones (AL, AX or the whole of EAX, zero-extended). */
static bool in_allowed(const struct insn_fuzz *f, const struct insn *in,
                       const struct insn_outcome *o)
{
    uint64_t before = in->regs[RAX], after;
    bool word = in->code[0] == 0x66, byte = !word && (in->code[0] & 1) == 0;

    (void)f;
    if (!ok(o))
        return false;
    after = o->regs[RAX];
    if (byte)
        return after == ((before & ~0xFFull) | 0xFF);
    if (word)
        return after == ((before & ~0xFFFFull) | 0xFFFF);
    return after == 0xFFFFFFFFull;
}

static bool out_allowed(const struct insn_fuzz *f, const struct insn *in,
                        const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o);
}

/* ins/outs (maybe rep, 1-4 elements) on the operand area. Option stringio. */
static void gen_string_io(struct insn_fuzz *f, struct insn *in)
{
    bool rep = one_in(f, 2), out = one_in(f, 2);
    unsigned int s;

    if (rep)
        emit(in, 0xF3);
    s = io_size(f, in);
    emit(in, (uint8_t)((out ? 0x6E : 0x6C) | (s ? 1 : 0)));
    in->regs[RDX] = port_number(f);
    in->regs[RSI] = in->regs[RDI] = f->operand_area;
    in->regs[RCX] = 1 + insn_below(f, 4);
}

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

static unsigned int cr_of(const struct insn *in)
{
    bool rex = (in->code[0] & 0xF0) == 0x40;

    return ((in->code[2 + rex] >> 3) & 7) | (rex && (in->code[0] & 4) ? 8 : 0);
}

static unsigned int rm_of(const struct insn *in)
{
    bool rex = (in->code[0] & 0xF0) == 0x40;

    return (in->code[2 + rex] & 7) | (rex && (in->code[0] & 1) ? 8 : 0);
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

/* CR8 (the TPR): 0 unless option cr8 allows any value. */
static void gen_cr8_write(struct insn_fuzz *f, struct insn *in)
{
    uint64_t v = 0;

    if (f->options & OPT_CR8) {
        v = one_in(f, 4) ? value(f) : insn_below(f, 16);
        in->restore = RESTORE_CR8;
    }
    emit_cr_write(f, in, 8, v);
}

static bool cr8_write_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    (void)f;
    return written(in) > 15 ? raised(o, VEC_GP) : ok(o);
}

/* mov reg, drN (DR8-15 do not exist). */
static void gen_dr_read(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t op[] = { 0x0F, 0x21 };
    unsigned int n = one_in(f, 8) ? 8 + (unsigned int)insn_below(f, 8) : (unsigned int)insn_below(f, 8);
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
    unsigned int n = one_in(f, 8) ? 8 + (unsigned int)insn_below(f, 8) : (unsigned int)insn_below(f, 8);
    unsigned int r = gpr(f);
    uint64_t v = value(f);

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

/* ---- CPUID and friends ------------------------------------------------------- */

static void gen_cpuid(struct insn_fuzz *f, struct insn *in)
{
    static const uint32_t bases[] = { 0, 0x80000000, 0x40000000, 0x40000100, 0x4FFFFF00 };
    uint64_t r = insn_below(f, 8);

    in->regs[RAX] = r < 6 ? IPICK(f, bases) + insn_below(f, 0x20) : (uint32_t)value(f);
    in->regs[RCX] = one_in(f, 2) ? insn_below(f, 4) : value(f);
    EMIT(in, 0x0F, 0xA2);
}

/* docs/abi.md's CPUID policy: leaf 1's masked bits, Mica's and the empty
 * hypervisor leaves, leaf 0xD all zeros. */
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
    if (leaf == 1)
        return !(r[RCX] & (1u << 3 | 1u << 5 | 1u << 21 | 1u << 26 | 1u << 27)) &&
               (r[RCX] & 1u << 31) && !(r[RDX] & 1u << 9) && (uint32_t)r[RBX] >> 24 == 0;
    if (leaf == 0xD)
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
    in->regs[RCX] = one_in(f, 2) ? insn_below(f, 2) : value(f);
    in->regs[RAX] = value(f);
    in->regs[RDX] = value(f);
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

    in->regs[RCX] = r == 0 ? insn_below(f, 8) : r == 1 ? 1ull << 30 | insn_below(f, 4) : value(f);
    EMIT(in, 0x0F, 0x33);
}

static bool ok_or_gp(const struct insn_fuzz *f, const struct insn *in,
                     const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o) || raised(o, VEC_GP);
}

static void gen_rdtscp(struct insn_fuzz *f, struct insn *in)
{
    (void)f;
    EMIT(in, 0x0F, 0x01, 0xF9);
}

static bool ok_or_ud(const struct insn_fuzz *f, const struct insn *in,
                     const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o) || raised(o, VEC_UD);
}

static bool only_ok(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return ok(o);
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
        return value(f);
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
    uint16_t limit = one_in(f, 2) ? (uint16_t)insn_next(f) : (op == 0 ? f->gdt_limit : f->idt_limit);
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
    memcpy(in->operand, &(uint64_t){ value(f) }, 8);
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

/* docs/abi.md: VMX instructions other than vmcall raise #UD. */
static bool ud_only(const struct insn_fuzz *f, const struct insn *in, const struct insn_outcome *o)
{
    (void)f, (void)in;
    return raised(o, VEC_UD);
}

/* vmcall with a number no hypercall has: unassigned below 64, past it, huge. */
static void gen_vmcall(struct insn_fuzz *f, struct insn *in)
{
    static const uint8_t used[] = {
        HYPERCALL_MEMORY_OP, HYPERCALL_SET_TIMER_OP, HYPERCALL_XEN_VERSION,
        HYPERCALL_CONSOLE_IO, HYPERCALL_GRANT_TABLE_OP, HYPERCALL_VCPU_OP,
        HYPERCALL_SCHED_OP, HYPERCALL_EVENT_CHANNEL_OP, HYPERCALL_HVM_OP,
        HYPERCALL_SYSCTL, HYPERCALL_DOMCTL,
    };
    uint64_t nr;
    bool taken;

    do {
        nr = one_in(f, 2) ? insn_below(f, HYPERCALL_COUNT + 64) : value(f);
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

/* mov rax, [rsi] or mov [rsi], rax at `addr`. */
static void emit_access(struct insn_fuzz *f, struct insn *in, uint64_t addr)
{
    in->regs[RSI] = addr;
    if (one_in(f, 2))
        EMIT(in, 0x48, 0x8B, 0x06);
    else
        EMIT(in, 0x48, 0x89, 0x06);
}

/* Past our page tables' 4 GiB: canonical (#PF) or not (#GP). */
static void gen_pf(struct insn_fuzz *f, struct insn *in)
{
    uint64_t a;

    switch (insn_below(f, 3)) {
    case 0: a = FOUR_GIB + insn_below(f, CANONICAL_TOP - FOUR_GIB); break;
    case 1: a = ~(CANONICAL_TOP - 1) | insn_next(f); break;     /* upper half */
    default: a = CANONICAL_TOP + insn_below(f, ~(CANONICAL_TOP - 1) - CANONICAL_TOP); break;
    }
    emit_access(f, in, a);
}

static bool pf_allowed(const struct insn_fuzz *f, const struct insn *in,
                       const struct insn_outcome *o)
{
    uint64_t a = in->regs[RSI];

    (void)f;
    if (a >= CANONICAL_TOP && a < ~(CANONICAL_TOP - 1))
        return raised(o, VEC_GP);
    return raised(o, VEC_PF) && o->cr2 == a;
}

/* Guest-physical memory past RAM, below 4 GiB (identity mapped). Option unbacked. */
static void gen_unbacked(struct insn_fuzz *f, struct insn *in)
{
    emit_access(f, in, f->ram_end + insn_below(f, FOUR_GIB - 8 - f->ram_end));
}

/* ---- the table ------------------------------------------------------------------ */

const struct insn_class insn_classes[] = {
    { "rdmsr",     10, 0,             gen_rdmsr,     rdmsr_allowed },
    { "wrmsr",     10, 0,             gen_wrmsr,     wrmsr_allowed },
    { "in",         6, 0,             gen_in,        in_allowed },
    { "out",        6, 0,             gen_out,       out_allowed },
    { "string-io",  4, OPT_STRING_IO, gen_string_io, anything },
    { "cr-read",    4, 0,             gen_cr_read,   cr_read_allowed },
    { "cr0-write",  4, 0,             gen_cr0_write, cr0_write_allowed },
    { "cr3-write",  3, 0,             gen_cr3_write, cr3_write_allowed },
    { "cr4-write",  4, 0,             gen_cr4_write, cr4_write_allowed },
    { "cr8-write",  2, 0,             gen_cr8_write, cr8_write_allowed },
    { "dr-read",    3, 0,             gen_dr_read,   dr_read_allowed },
    { "dr-write",   4, 0,             gen_dr_write,  dr_write_allowed },
    { "cpuid",      6, 0,             gen_cpuid,     cpuid_allowed },
    { "invd-wbinvd", 2, 0,            gen_cache,     only_ok },
    { "hlt",        1, 0,             gen_hlt,       only_ok },
    { "xsetbv",     2, 0,             gen_xsetbv,    xsetbv_allowed },
    { "rdpmc",      2, 0,             gen_rdpmc,     ok_or_gp },
    { "rdtscp",     2, 0,             gen_rdtscp,    ok_or_ud },
    { "desc",       4, 0,             gen_desc,      desc_allowed },
    { "vmx",        5, 0,             gen_vmx,       ud_only },
    { "vmcall",     3, 0,             gen_vmcall,    vmcall_allowed },
    { "trap",       4, 0,             gen_trap,      trap_allowed },
    { "pf",         3, 0,             gen_pf,        pf_allowed },
    { "unbacked",   3, OPT_UNBACKED,  gen_unbacked,  anything },
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
    insn_classes[c].generate(f, in);
}
