/* Decoding memory-access instructions (arch/insn_mem.h): lengths and operands only. */
#include "arch/insn_mem.h"

#define REX_W 0x8
#define REX_R 0x4
#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m)  ((m) & 7)

struct cursor {
    const uint8_t *bytes;
    size_t avail, at;
};

static bool take(struct cursor *c, uint8_t *b)
{
    if (c->at >= c->avail || c->at >= INSN_MAX_LEN)
        return false;
    *b = c->bytes[c->at++];
    return true;
}

static bool skip(struct cursor *c, size_t n)
{
    if (c->at + n > c->avail || c->at + n > INSN_MAX_LEN)
        return false;
    c->at += n;
    return true;
}

/* Bytes of SIB and displacement after a ModRM byte (SDM 2A, 2.1.5). */
static int modrm_tail(uint8_t modrm, unsigned addr_bits, const uint8_t *sib_byte)
{
    unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
    if (addr_bits == 16) {
        if (mod == 0)
            return rm == 6 ? 2 : 0;
        return mod == 1 ? 1 : 2;
    }
    int n = 0;
    if (rm == 4) {
        n = 1;                                  /* SIB */
        if (mod == 0 && sib_byte && (*sib_byte & 7) == 5)
            return n + 4;                       /* no base: disp32 */
    }
    if (mod == 0)
        return n + (rm == 5 ? 4 : 0);           /* disp32 (RIP-relative in 64-bit mode) */
    return n + (mod == 1 ? 1 : 4);
}

static int fail(const char **why, const char *reason)
{
    *why = reason;
    return -1;
}

int insn_mem_decode(const uint8_t *bytes, size_t avail, unsigned mode_bits,
                    struct insn_mem *out, const char **why)
{
    struct cursor c = { bytes, avail, 0 };
    bool opsize = false, addrsize = false;
    uint8_t rex = 0, b;

    *out = (struct insn_mem){ 0 };
    for (;;) {
        if (!take(&c, &b))
            return fail(why, "instruction runs past the bytes readable (or 15)");
        if (b == 0x66) {
            opsize = true;
        } else if (b == 0x67) {
            addrsize = true;
        } else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
                   b == 0xf2 || b == 0xf3) {
            /* segment: the EPT violation gave the address; REP: no effect on MOV */
        } else if (b == 0xf0) {
            return fail(why, "LOCK prefix");
        } else if (mode_bits == 64 && (b & 0xf0) == 0x40) {
            rex = b;
            if (!take(&c, &b))
                return fail(why, "instruction runs past the bytes readable (or 15)");
            if (b == 0x66 || b == 0x67 || (b & 0xf0) == 0x40 || b == 0xf0 || b == 0xf2 ||
                b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
                b == 0x65)
                return fail(why, "REX prefix not right before the opcode");
            break;
        } else {
            break;
        }
    }
    unsigned op_bits = mode_bits == 16 ? (opsize ? 32 : 16) : (opsize ? 16 : 32);
    if (rex & REX_W)
        op_bits = 64;
    unsigned addr_bits = mode_bits == 64 ? (addrsize ? 32 : 64)
                         : mode_bits == 32 ? (addrsize ? 16 : 32) : (addrsize ? 32 : 16);
    bool two_byte = b == 0x0f;
    if (two_byte && !take(&c, &b))
        return fail(why, "instruction runs past the bytes readable (or 15)");

    /* moffs forms: no ModRM, an address-sized offset. */
    if (!two_byte && b >= 0xa0 && b <= 0xa3) {
        if (!skip(&c, addr_bits / 8))
            return fail(why, "instruction runs past the bytes readable (or 15)");
        out->store = b >= 0xa2;
        out->width = (b & 1) ? (uint8_t)(op_bits / 8) : 1;
        out->reg = 0;
        out->reg_width = out->width;
        out->length = (uint8_t)c.at;
        return 0;
    }

    enum { NONE, STORE_REG, LOAD, STORE_IMM8, STORE_IMMZ, LOAD_ZX8, LOAD_ZX16, BT_REG, BT_IMM8 } kind =
        NONE;
    if (!two_byte) {
        kind = b == 0x88 || b == 0x89 ? STORE_REG : b == 0x8a || b == 0x8b ? LOAD
               : b == 0xc6 ? STORE_IMM8 : b == 0xc7 ? STORE_IMMZ : NONE;
    } else {
        kind = b == 0xb6 || b == 0xbe ? LOAD_ZX8 : b == 0xb7 || b == 0xbf ? LOAD_ZX16
               : b == 0xa3 ? BT_REG : b == 0xba ? BT_IMM8 : NONE;
    }
    if (kind == NONE)
        return fail(why, "not a MOV, MOVZX, MOVSX or BT with a memory operand");
    uint8_t modrm, sib = 0;
    if (!take(&c, &modrm))
        return fail(why, "instruction runs past the bytes readable (or 15)");
    if (MODRM_MOD(modrm) == 3)
        return fail(why, "register operand: not a memory access");
    if ((kind == STORE_IMM8 || kind == STORE_IMMZ) && MODRM_REG(modrm) != 0)
        return fail(why, "C6/C7 with a reg field other than 0");
    if (kind == BT_IMM8 && MODRM_REG(modrm) != 4)
        return fail(why, "BTS, BTR or BTC: a read-modify-write");
    bool has_sib = addr_bits != 16 && MODRM_RM(modrm) == 4;
    if (has_sib && !take(&c, &sib))
        return fail(why, "instruction runs past the bytes readable (or 15)");
    int tail = modrm_tail(modrm, addr_bits, has_sib ? &sib : NULL) - (has_sib ? 1 : 0);
    if (!skip(&c, (size_t)tail))
        return fail(why, "instruction runs past the bytes readable (or 15)");

    bool byte_op = !two_byte && !(b & 1);
    uint8_t opw = byte_op ? 1 : (uint8_t)(op_bits / 8);
    out->reg = (uint8_t)(MODRM_REG(modrm) | ((rex & REX_R) ? 8 : 0));
    switch (kind) {
    case STORE_REG:
        out->store = true;
        out->width = opw;
        out->high_byte = byte_op && !rex && out->reg >= 4;     /* AH-BH, as for loads */
        if (out->high_byte)
            out->reg -= 4;
        break;
    case STORE_IMM8:
    case STORE_IMMZ: {
        out->store = true;
        out->width = opw;
        /* imm8, or imm16/imm32 (sign-extended for a 64-bit store) */
        size_t at = c.at, n = kind == STORE_IMM8 ? 1 : op_bits == 16 ? 2 : 4;
        if (!skip(&c, n))
            return fail(why, "instruction runs past the bytes readable (or 15)");
        uint64_t imm = 0;
        for (size_t i = 0; i < n; i++)
            imm |= (uint64_t)bytes[at + i] << (8 * i);
        if (n == 4 && (imm >> 31))
            imm |= 0xffffffff00000000ull;
        out->has_imm = true;
        out->imm = imm;
        break;
    }
    case LOAD:
        out->width = opw;
        out->reg_width = opw;
        /* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
        out->high_byte = byte_op && !rex && out->reg >= 4;
        if (out->high_byte)
            out->reg -= 4;
        break;
    case BT_REG:
    case BT_IMM8:
        /* Only CF changes; with a register offset the CPU has already added
         * it to the address the EPT violation names. */
        out->bit_test = true;
        out->width = opw;
        if (kind == BT_IMM8 && !skip(&c, 1))
            return fail(why, "instruction runs past the bytes readable (or 15)");
        break;
    default:    /* MOVZX, MOVSX */
        out->width = kind == LOAD_ZX8 ? 1 : 2;
        out->reg_width = (uint8_t)(op_bits / 8);
        out->sign_extend = b == 0xbe || b == 0xbf;
        break;
    }
    out->length = (uint8_t)c.at;
    return 0;
}

uint64_t insn_mem_load(const struct insn_mem *m, uint64_t old, uint64_t value)
{
    /* The value read, widened to the register's size. */
    unsigned bits = m->width * 8u;
    if (bits < 64) {
        value &= (1ull << bits) - 1;
        if (m->sign_extend && (value >> (bits - 1)))
            value |= ~0ull << bits;
    }
    if (m->high_byte)
        return (old & ~0xff00ull) | ((value & 0xff) << 8);
    switch (m->reg_width) {
    case 8:
        return value;
    case 4:
        return value & 0xffffffffull;           /* a 32-bit write clears bits 63:32 */
    case 2:
        return (old & ~0xffffull) | (value & 0xffff);
    default:
        return (old & ~0xffull) | (value & 0xff);
    }
}

uint64_t insn_mem_load_all_ones(const struct insn_mem *m, uint64_t old)
{
    return insn_mem_load(m, old, ~0ull);
}

uint64_t insn_mem_store_value(const struct insn_mem *m, uint64_t reg_value)
{
    uint64_t value = m->has_imm ? m->imm : m->high_byte ? reg_value >> 8 : reg_value;
    return m->width == 8 ? value : value & ((1ull << (m->width * 8)) - 1);
}
