/*
 * test=insn-fuzz: port I/O (in, out, ins, outs) and loads and stores where
 * no memory is: past our page tables, and past our RAM.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib.h"
#include "test_insn_gen.h"

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

/* ins/outs (maybe rep, 1-4 elements) on the operand area, DF clear. */
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

/*
 * docs/abi.md: string I/O follows the plain-I/O rule with the REP
 * semantics: it completes, RDI (INS) or RSI (OUTS) steps by the operand
 * size per element, and a REP counts RCX down to 0.
 */
static bool string_io_allowed(const struct insn_fuzz *f, const struct insn *in,
                              const struct insn_outcome *o)
{
    bool rep = in->code[0] == 0xF3, word = in->code[rep] == 0x66;
    uint8_t op = in->code[in->len - 1];
    uint64_t size = !(op & 1) ? 1 : word ? 2 : 4, n = rep ? in->regs[RCX] : 1;
    unsigned int ptr = (op & 0xFE) == 0x6E ? RSI : RDI;

    (void)f;
    return ok(o) && o->regs[ptr] == in->regs[ptr] + n * size &&
           o->regs[RCX] == (rep ? 0 : in->regs[RCX]);
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

/*
 * Guest-physical memory past RAM, below 4 GiB (identity mapped): nothing is
 * there, so a load reads all-ones and a store is dropped (docs/abi.md,
 * "Unbacked guest-physical memory"). One of the forms the hypervisor
 * completes, through [rsi] into or from RAX; the check knows what each
 * leaves in RAX.
 */
static const struct unbacked_form {
    uint8_t bytes[8], n;
    uint64_t keep;              /* bits of the old RAX a load keeps (stores: all) */
    uint64_t loaded;            /* what a load puts in the others */
} unbacked_forms[] = {
    { { 0x48, 0x8B, 0x06 }, 3, 0, ~0ull },                          /* mov rax, [rsi] */
    { { 0x8B, 0x06 }, 2, 0, 0xffffffffull },                        /* mov eax, [rsi] */
    { { 0x66, 0x8B, 0x06 }, 3, ~0xffffull, 0xffff },                /* mov ax, [rsi] */
    { { 0x8A, 0x06 }, 2, ~0xffull, 0xff },                          /* mov al, [rsi] */
    { { 0x8A, 0x26 }, 2, ~0xff00ull, 0xff00 },                      /* mov ah, [rsi] */
    { { 0x0F, 0xB6, 0x06 }, 3, 0, 0xff },                           /* movzx eax, byte [rsi] */
    { { 0x48, 0x0F, 0xB7, 0x06 }, 4, 0, 0xffff },                   /* movzx rax, word [rsi] */
    { { 0x48, 0x0F, 0xBE, 0x06 }, 4, 0, ~0ull },                    /* movsx rax, byte [rsi] */
    { { 0x66, 0x0F, 0xBF, 0x06 }, 4, ~0xffffull, 0xffff },          /* movsx ax, word [rsi] */
    { { 0x48, 0x89, 0x06 }, 3, ~0ull, 0 },                          /* mov [rsi], rax */
    { { 0x88, 0x26 }, 2, ~0ull, 0 },                                /* mov [rsi], ah */
    { { 0xC7, 0x06, 1, 2, 3, 4 }, 6, ~0ull, 0 },                    /* mov dword [rsi], imm32 */
    { { 0x48, 0xC7, 0x46, 0x7f, 1, 2, 3, 4 }, 8, ~0ull, 0 },        /* mov qword [rsi+127], imm32 */
    { { 0xC6, 0x06, 0x5a }, 3, ~0ull, 0 },                          /* mov byte [rsi], imm8 */
};

#define APIC_PAGE 0xFEE00000ull

static void gen_unbacked(struct insn_fuzz *f, struct insn *in)
{
    const struct unbacked_form *u = &unbacked_forms[insn_below(f, ARRAY_LEN(unbacked_forms))];

    uint64_t at = f->ram_end + insn_below(f, FOUR_GIB - 256 - f->ram_end);
    /* Not the local APIC's page (docs/abi.md, "Local APIC"): that is no hole. */
    if (at + 256 > APIC_PAGE && at < APIC_PAGE + 4096)
        at = APIC_PAGE - 4096;
    in->regs[RSI] = at;
    for (unsigned int i = 0; i < u->n; i++)
        emit(in, u->bytes[i]);
}

/* The form an instruction of this class was generated from: its bytes say. */
static const struct unbacked_form *unbacked_form_of(const struct insn *in)
{
    for (unsigned int i = 0; i < ARRAY_LEN(unbacked_forms); i++)
        if (in->len == unbacked_forms[i].n &&
            memcmp(in->code, unbacked_forms[i].bytes, unbacked_forms[i].n) == 0)
            return &unbacked_forms[i];
    return NULL;
}

static bool unbacked_allowed(const struct insn_fuzz *f, const struct insn *in,
                             const struct insn_outcome *o)
{
    const struct unbacked_form *u = unbacked_form_of(in);

    (void)f;
    return u && ok(o) && o->regs[RAX] == ((in->regs[RAX] & u->keep) | u->loaded);
}

/* Name, weight, generator, check. */
const struct insn_class insn_in = { "in", 6, gen_in, in_allowed };
const struct insn_class insn_out = { "out", 6, gen_out, out_allowed };
const struct insn_class insn_string_io = { "string-io", 4, gen_string_io, string_io_allowed };
const struct insn_class insn_pf = { "pf", 3, gen_pf, pf_allowed };
const struct insn_class insn_unbacked = { "unbacked", 3, gen_unbacked, unbacked_allowed };
