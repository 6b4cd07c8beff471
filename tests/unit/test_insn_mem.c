/*
 * Host unit test for arch/x86/insn_mem.c: every form of arch/insn_mem.h in
 * 64-, 32- and 16-bit code with each addressing shape (SIB, disp8/32,
 * RIP-relative, no base, 16-bit addressing), REX, 66 and 67; refusals
 * (register operands, LOCK, other opcodes, misplaced REX, truncated and
 * over-long instructions); BT (CF only) and its read-modify-write kin
 * refused; the register after an all-ones load or a load of a value, and
 * the value a store writes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include "check.h"
#include "arch/insn_mem.h"

CHECK_SUITE("insn_mem");

static const char *named(const char *fmt, const char *what)
{
    static char buf[160];
    snprintf(buf, sizeof buf, fmt, what);
    return buf;
}

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define O8 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00   /* a 64-bit offset */
#define O4 0x00, 0x00, 0xd0, 0xfe

enum { LD = 0, ST = 1 };
static const struct good {
    const char *name;
    const uint8_t *bytes;
    size_t n;
    unsigned mode;
    uint8_t length, store, width, reg, reg_width, high, sign;
} good[] = {
    { "mov eax,[rbx]", B(0x8b, 0x03), 64, 2, LD, 4, 0, 4, 0, 0 },
    { "mov rax,[rbx]", B(0x48, 0x8b, 0x03), 64, 3, LD, 8, 0, 8, 0, 0 },
    { "mov r8d,[rax]", B(0x44, 0x8b, 0x00), 64, 3, LD, 4, 8, 4, 0, 0 },
    { "mov r15,[r9] (REX.WRB)", B(0x4d, 0x8b, 0x39), 64, 3, LD, 8, 15, 8, 0, 0 },
    { "mov eax,[rsp] (SIB)", B(0x8b, 0x04, 0x24), 64, 3, LD, 4, 0, 4, 0, 0 },
    { "mov edx,[rip+disp32]", B(0x8b, 0x15, 1, 2, 3, 4), 64, 6, LD, 4, 2, 4, 0, 0 },
    { "mov eax,[rsp+8] (SIB disp8)", B(0x8b, 0x44, 0x24, 0x08), 64, 4, LD, 4, 0, 4, 0, 0 },
    { "mov eax,[rsp+disp32] (SIB disp32)", B(0x8b, 0x84, 0x24, 0, 1, 0, 0), 64, 7, LD, 4, 0, 4, 0, 0 },
    { "mov eax,[disp32] (SIB, no base)", B(0x8b, 0x04, 0x25, O4), 64, 7, LD, 4, 0, 4, 0, 0 },
    { "mov eax,[rbp+rcx*4] (SIB base 5, mod 1)", B(0x8b, 0x44, 0x8d, 0x00), 64, 4, LD, 4, 0, 4, 0, 0 },
    { "mov eax,[rax+disp32]", B(0x8b, 0x80, O4), 64, 6, LD, 4, 0, 4, 0, 0 },
    { "mov ax,[rbx]", B(0x66, 0x8b, 0x03), 64, 3, LD, 2, 0, 2, 0, 0 },
    { "mov al,[rbx]", B(0x8a, 0x03), 64, 2, LD, 1, 0, 1, 0, 0 },
    { "mov ah,[rbx]", B(0x8a, 0x23), 64, 2, LD, 1, 0, 1, 1, 0 },
    { "mov bh,[rbx]", B(0x8a, 0x3b), 64, 2, LD, 1, 3, 1, 1, 0 },
    { "mov spl,[rbx] (REX: not AH..BH)", B(0x40, 0x8a, 0x23), 64, 3, LD, 1, 4, 1, 0, 0 },
    { "mov [rbx],eax", B(0x89, 0x03), 64, 2, ST, 4, 0, 0, 0, 0 },
    { "mov [rbx],al", B(0x88, 0x03), 64, 2, ST, 1, 0, 0, 0, 0 },
    { "mov [rbx],rax", B(0x48, 0x89, 0x03), 64, 3, ST, 8, 0, 0, 0, 0 },
    { "mov [rbx],ax", B(0x66, 0x89, 0x03), 64, 3, ST, 2, 0, 0, 0, 0 },
    { "mov dword [rax],imm32", B(0xc7, 0x00, 1, 2, 3, 4), 64, 6, ST, 4, 0, 0, 0, 0 },
    { "mov word [rax],imm16", B(0x66, 0xc7, 0x00, 1, 2), 64, 5, ST, 2, 0, 0, 0, 0 },
    { "mov qword [rax],imm32", B(0x48, 0xc7, 0x00, 1, 2, 3, 4), 64, 7, ST, 8, 0, 0, 0, 0 },
    { "mov byte [rax],imm8", B(0xc6, 0x00, 0xff), 64, 3, ST, 1, 0, 0, 0, 0 },
    { "mov byte [rax+8],imm8", B(0xc6, 0x40, 0x08, 0xff), 64, 4, ST, 1, 0, 0, 0, 0 },
    { "mov dword [rip+d],imm32", B(0xc7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8), 64, 10, ST, 4, 0, 0, 0, 0 },
    { "mov eax,moffs64", B(0xa1, O8), 64, 9, LD, 4, 0, 4, 0, 0 },
    { "mov rax,moffs64", B(0x48, 0xa1, O8), 64, 10, LD, 8, 0, 8, 0, 0 },
    { "mov al,moffs64", B(0xa0, O8), 64, 9, LD, 1, 0, 1, 0, 0 },
    { "mov eax,moffs32 (67)", B(0x67, 0xa1, O4), 64, 6, LD, 4, 0, 4, 0, 0 },
    { "mov moffs64,eax", B(0xa3, O8), 64, 9, ST, 4, 0, 0, 0, 0 },
    { "mov moffs64,al", B(0xa2, O8), 64, 9, ST, 1, 0, 0, 0, 0 },
    { "movzx eax,byte [rbx]", B(0x0f, 0xb6, 0x03), 64, 3, LD, 1, 0, 4, 0, 0 },
    { "movzx eax,word [rbx]", B(0x0f, 0xb7, 0x03), 64, 3, LD, 2, 0, 4, 0, 0 },
    { "movzx r9,word [rbx]", B(0x4c, 0x0f, 0xb7, 0x0b), 64, 4, LD, 2, 9, 8, 0, 0 },
    { "movsx rax,byte [rbx]", B(0x48, 0x0f, 0xbe, 0x03), 64, 4, LD, 1, 0, 8, 0, 1 },
    { "movsx ax,byte [rbx]", B(0x66, 0x0f, 0xbe, 0x03), 64, 4, LD, 1, 0, 2, 0, 1 },
    { "movsx ecx,word [rbx]", B(0x0f, 0xbf, 0x0b), 64, 3, LD, 2, 1, 4, 0, 1 },
    { "mov eax,[ebx] (67)", B(0x67, 0x8b, 0x03), 64, 3, LD, 4, 0, 4, 0, 0 },
    { "mov eax,cs:[rbx]", B(0x2e, 0x8b, 0x03), 64, 3, LD, 4, 0, 4, 0, 0 },
    { "rep mov eax,[rbx] (F3 ignored)", B(0xf3, 0x8b, 0x03), 64, 3, LD, 4, 0, 4, 0, 0 },
    { "15 bytes: 13 prefixes, mov eax,[rbx]",
      B(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x8b, 0x03),
      64, 15, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov eax,[ebx]", B(0x8b, 0x03), 32, 2, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov eax,[disp32]", B(0x8b, 0x05, O4), 32, 6, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov eax,moffs32", B(0xa1, O4), 32, 5, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov ax,moffs32", B(0x66, 0xa1, O4), 32, 6, LD, 2, 0, 2, 0, 0 },
    { "32-bit: mov eax,[bx] (67: 16-bit addressing)", B(0x67, 0x8b, 0x07), 32, 3, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov eax,[disp16] (67)", B(0x67, 0x8b, 0x06, 0x34, 0x12), 32, 5, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov eax,[bx+si+disp16] (67)", B(0x67, 0x8b, 0x80, 0x34, 0x12), 32, 5, LD, 4, 0, 4, 0, 0 },
    { "32-bit: mov dword [eax],imm32", B(0xc7, 0x00, 1, 2, 3, 4), 32, 6, ST, 4, 0, 0, 0, 0 },
    { "16-bit: mov ax,[bx]", B(0x8b, 0x07), 16, 2, LD, 2, 0, 2, 0, 0 },
    { "16-bit: mov eax,[bx] (66)", B(0x66, 0x8b, 0x07), 16, 3, LD, 4, 0, 4, 0, 0 },
    { "16-bit: mov ax,moffs16", B(0xa1, 0x00, 0x10), 16, 3, LD, 2, 0, 2, 0, 0 },
    { "16-bit: mov ax,[ebx] (67: 32-bit addressing)", B(0x67, 0x8b, 0x03), 16, 3, LD, 2, 0, 2, 0, 0 },
    { "16-bit: mov word [bx+disp8],imm16", B(0xc7, 0x47, 0x02, 1, 2), 16, 5, ST, 2, 0, 0, 0, 0 },
};

static const struct bad {
    const char *name;
    const uint8_t *bytes;
    size_t n;
    unsigned mode;
} bad[] = {
    { "register operand (mov eax,ebx)", B(0x8b, 0xc3), 64 },
    { "LOCK prefix", B(0xf0, 0x89, 0x03), 64 },
    { "add [rbx],eax (read-modify-write)", B(0x01, 0x03), 64 },
    { "movsb (string move)", B(0xa4), 64 },
    { "stosd", B(0xab), 64 },
    { "C7 with reg field 1", B(0xc7, 0x08, 1, 2, 3, 4), 64 },
    { "REX then a legacy prefix", B(0x48, 0x66, 0x8b, 0x03), 64 },
    { "two REX prefixes", B(0x48, 0x48, 0x8b, 0x03), 64 },
    { "32-bit: 40 is INC, not REX", B(0x40, 0x8b, 0x03), 32 },
    { "0F with another opcode (0F B8)", B(0x0f, 0xb8, 0x03), 64 },
    { "truncated ModRM", B(0x8b), 64 },
    { "truncated displacement", B(0x8b, 0x80, 1, 2), 64 },
    { "truncated SIB", B(0x8b, 0x04), 64 },
    { "truncated immediate", B(0xc7, 0x00, 1, 2, 3), 64 },
    { "truncated moffs", B(0xa1, 1, 2, 3, 4), 64 },
    { "only prefixes", B(0x66, 0x67, 0x2e), 64 },
    { "16 bytes: 14 prefixes, mov eax,[rbx]",
      B(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x8b,
        0x03), 64 },
};

static void test_good(void)
{
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const struct good *g = &good[i];
        struct insn_mem m;
        const char *why = NULL;
        int rc = insn_mem_decode(g->bytes, g->n, g->mode, &m, &why);
        bool ok = rc == 0 && m.length == g->length && m.store == g->store && m.width == g->width;
        if (ok && !g->store)
            ok = m.reg == g->reg && m.reg_width == g->reg_width && m.high_byte == g->high &&
                 m.sign_extend == g->sign;
        CHECK(named("decodes %s", g->name), ok);
    }
}

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct insn_mem m;
        const char *why = NULL;
        CHECK(named("refuses %s, with a reason", bad[i].name),
              insn_mem_decode(bad[i].bytes, bad[i].n, bad[i].mode, &m, &why) == -1 && why && *why);
    }
    /* The bytes past `avail` are never read: the same instruction with one byte
     * fewer readable is refused. */
    struct insn_mem m;
    const char *why;
    const uint8_t insn[] = { 0x8b, 0x80, 1, 2, 3, 4 };
    CHECK("all bytes readable: decoded", insn_mem_decode(insn, 6, 64, &m, &why) == 0);
    CHECK("one byte short: refused", insn_mem_decode(insn, 5, 64, &m, &why) == -1);
}

/* BT reads and sets only CF: no register written, nothing stored. */
static void test_bit_test(void)
{
    struct insn_mem m;
    const char *why;
    const uint8_t bt_reg[] = { 0x48, 0x0f, 0xa3, 0x10 };          /* bt [rax], rdx (xsa-195) */
    CHECK("decodes bt [rax],rdx", insn_mem_decode(bt_reg, sizeof bt_reg, 64, &m, &why) == 0 &&
                                      m.length == 4 && m.bit_test && !m.store && m.width == 8);
    const uint8_t bt_imm[] = { 0x0f, 0xba, 0x63, 0x08, 0x05 };    /* bt dword [rbx+8], 5 */
    CHECK("decodes bt dword [rbx+8],5", insn_mem_decode(bt_imm, sizeof bt_imm, 64, &m, &why) == 0 &&
                                           m.length == 5 && m.bit_test && m.width == 4);
    const uint8_t bt16[] = { 0x0f, 0xa3, 0x07 };                  /* bt [bx], ax (16-bit) */
    CHECK("decodes 16-bit bt [bx],ax", insn_mem_decode(bt16, sizeof bt16, 16, &m, &why) == 0 &&
                                          m.length == 3 && m.bit_test && m.width == 2);
    const uint8_t movl[] = { 0x8b, 0x03 };
    CHECK("a MOV is no bit test", insn_mem_decode(movl, sizeof movl, 64, &m, &why) == 0 &&
                                      !m.bit_test);
    const uint8_t bts_imm[] = { 0x0f, 0xba, 0x2b, 0x05 };         /* bts dword [rbx], 5 */
    CHECK("refuses bts [rbx],5 (read-modify-write)",
          insn_mem_decode(bts_imm, sizeof bts_imm, 64, &m, &why) == -1);
    const uint8_t bts_reg[] = { 0x0f, 0xab, 0x03 };               /* bts [rbx], eax */
    CHECK("refuses bts [rbx],eax", insn_mem_decode(bts_reg, sizeof bts_reg, 64, &m, &why) == -1);
    const uint8_t bt_short[] = { 0x0f, 0xba, 0x23 };              /* no imm8 */
    CHECK("refuses bt [rbx],imm8 without its immediate",
          insn_mem_decode(bt_short, sizeof bt_short, 64, &m, &why) == -1);
    const uint8_t bt_regop[] = { 0x0f, 0xa3, 0xc3 };              /* bt ebx, eax */
    CHECK("refuses bt ebx,eax (register operand)",
          insn_mem_decode(bt_regop, sizeof bt_regop, 64, &m, &why) == -1);
}

static uint64_t load(uint8_t width, uint8_t reg_width, bool high, bool sign, uint64_t old)
{
    struct insn_mem m = { .width = width, .reg_width = reg_width, .high_byte = high,
                          .sign_extend = sign };
    return insn_mem_load_all_ones(&m, old);
}

static void test_all_ones(void)
{
    const uint64_t old = 0x1122334455667788ull;
    CHECK("64-bit load: all ones", load(8, 8, false, false, old) == ~0ull);
    CHECK("32-bit load: clears bits 63:32", load(4, 4, false, false, old) == 0xffffffffull);
    CHECK("16-bit load: keeps bits 63:16", load(2, 2, false, false, old) == 0x112233445566ffffull);
    CHECK("8-bit load: keeps bits 63:8", load(1, 1, false, false, old) == 0x11223344556677ffull);
    CHECK("AH load: bits 15:8 only", load(1, 1, true, false, old) == 0x112233445566ff88ull);
    CHECK("movzx r32, byte: 0xff", load(1, 4, false, false, old) == 0xffull);
    CHECK("movzx r64, word: 0xffff", load(2, 8, false, false, old) == 0xffffull);
    CHECK("movzx r16, byte: 0x00ff, keeps bits 63:16",
          load(1, 2, false, false, old) == 0x11223344556600ffull);
    CHECK("movsx r32, byte: 0xffffffff", load(1, 4, false, true, old) == 0xffffffffull);
    CHECK("movsx r64, word: all ones", load(2, 8, false, true, old) == ~0ull);
    CHECK("movsx r16, byte: 0xffff, keeps bits 63:16",
          load(1, 2, false, true, old) == 0x112233445566ffffull);
}

/* A store's value: its source register (AH-BH, REX.R, rAX for moffs) or its
 * immediate, sign-extended for a 64-bit store; the xAPIC page needs it. */
static bool stores(const uint8_t *bytes, size_t n, uint64_t reg_value, unsigned want_reg,
                   uint64_t want)
{
    struct insn_mem m;
    const char *why;
    if (insn_mem_decode(bytes, n, 64, &m, &why) || !m.store)
        return false;
    return (m.has_imm || m.reg == want_reg) && insn_mem_store_value(&m, reg_value) == want;
}

static void test_store_values(void)
{
    const uint64_t r = 0x1122334455667788ull;
    CHECK("store value: mov [rbx],eax", stores(B(0x89, 0x03), r, 0, 0x55667788));
    CHECK("store value: mov [rbx],rcx", stores(B(0x48, 0x89, 0x0b), r, 1, r));
    CHECK("store value: mov [rbx],r9d (REX.R)", stores(B(0x44, 0x89, 0x0b), r, 9, 0x55667788));
    CHECK("store value: mov [rbx],dx", stores(B(0x66, 0x89, 0x13), r, 2, 0x7788));
    CHECK("store value: mov [rbx],bh", stores(B(0x88, 0x3b), r, 3, 0x77));
    CHECK("store value: mov [rbx],spl (REX)", stores(B(0x40, 0x88, 0x23), r, 4, 0x88));
    CHECK("store value: mov dword [rax],imm32",
          stores(B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), r, 0, 0x12345678));
    CHECK("store value: mov qword [rax],imm32 sign-extends",
          stores(B(0x48, 0xc7, 0x00, 0, 0, 0, 0x80), r, 0, 0xffffffff80000000ull));
    CHECK("store value: mov word [rax],imm16", stores(B(0x66, 0xc7, 0x00, 0x34, 0x12), r, 0, 0x1234));
    CHECK("store value: mov byte [rax],imm8", stores(B(0xc6, 0x00, 0x5a), r, 0, 0x5a));
    CHECK("store value: mov moffs,eax", stores(B(0xa3, O8), r, 0, 0x55667788));

    const uint64_t old = 0x1122334455667788ull;
    struct insn_mem m32 = { .width = 4, .reg_width = 4 }, m8 = { .width = 1, .reg_width = 8,
                                                                 .sign_extend = true };
    CHECK("load value: 32-bit clears bits 63:32", insn_mem_load(&m32, old, 0xabcd) == 0xabcd);
    CHECK("load value: movsx r64, byte 0x80", insn_mem_load(&m8, old, 0x80) == ~0x7full);
    CHECK("load value: movsx r64, byte 0x7f", insn_mem_load(&m8, old, 0x17f) == 0x7f);
}

int main(void)
{
    test_good();
    test_bad();
    test_bit_test();
    test_all_ones();
    test_store_values();
    CHECK_DONE();
}
