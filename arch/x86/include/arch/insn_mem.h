/*
 * Decoding the memory-access instructions a guest may aim at unbacked
 * guest-physical memory (docs/abi.md, "Unbacked guest-physical memory"),
 * so the hypervisor can complete them as Xen does: a load reads all-ones,
 * a store is dropped. Only lengths and operands are decoded; the address
 * is the one the EPT violation reports. The forms (SDM 2B, "MOV", "MOVZX",
 * "MOVSX"; XTF's xsa-195 aims BT at a page it gave back):
 *   88 /r, 89 /r         MOV r/m, r          store
 *   8A /r, 8B /r         MOV r, r/m          load
 *   C6 /0 ib, C7 /0 iz   MOV r/m, imm        store
 *   A0, A1               MOV AL/eAX, moffs   load
 *   A2, A3               MOV moffs, AL/eAX   store
 *   0F B6 /r, 0F B7 /r   MOVZX r, r/m8/16    load, zero-extended
 *   0F BE /r, 0F BF /r   MOVSX r, r/m8/16    load, sign-extended
 *   0F A3 /r, 0F BA /4 ib  BT r/m, r/imm8    load, only CF written (SDM 2A "BT")
 * with the prefixes 66, 67, the segment overrides and REX (64-bit mode),
 * in 16-, 32- and 64-bit code. Anything else (a register operand, LOCK,
 * string moves, read-modify-write instructions) is refused with a reason.
 */
#ifndef ARCH_INSN_MEM_H
#define ARCH_INSN_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LEN 15

struct insn_mem {
    uint8_t length;             /* bytes of the instruction */
    bool store;                 /* writes memory (else reads it) */
    uint8_t width;              /* bytes of the memory access: 1, 2, 4 or 8 */
    /* Loads: the register written (0-15, SDM order: rAX, rCX, ... r15), how
     * many bytes of it (1, 2, 4 or 8; 4 clears bits 63:32 as the CPU does),
     * whether it is AH/CH/DH/BH (bits 15:8), and how the value widens. */
    uint8_t reg;
    uint8_t reg_width;
    bool high_byte;
    bool sign_extend;
    bool bit_test;              /* BT: a read that sets only RFLAGS.CF, no register */
    /* Stores: the value comes from `reg` (rAX for A2/A3; bits 15:8 when
     * high_byte), or from the immediate, sign-extended to 64 bits as the
     * CPU widens it. */
    bool has_imm;
    uint64_t imm;
};

/*
 * Decode the instruction in `bytes` (`avail` of them readable, at most
 * INSN_MAX_LEN used) as code of `mode_bits` (16, 32 or 64). 0 with *out
 * filled, or -1 with *why saying what stopped it.
 */
int insn_mem_decode(const uint8_t *bytes, size_t avail, unsigned mode_bits,
                    struct insn_mem *out, const char **why);

/* A register after a load of `value` (width bytes of it) into it; of
 * all-ones (what unbacked memory reads). */
uint64_t insn_mem_load(const struct insn_mem *m, uint64_t old, uint64_t value);
uint64_t insn_mem_load_all_ones(const struct insn_mem *m, uint64_t old);
/* What a store writes, given its source register's value: width bytes. */
uint64_t insn_mem_store_value(const struct insn_mem *m, uint64_t reg_value);

#endif
