/*
 * test=insn-fuzz: the seeded instruction fuzzer. test_insn.c drives it
 * (setup, running, restoring, counting); the instruction classes (how
 * each one is generated and which outcomes docs/abi.md allows for it) are
 * in test_insn_{msr,cr,io,sys}.c, their table in test_insn_gen.c. What
 * they share is below.
 *
 * An instruction is generated whole before it runs: a few bytes of machine
 * code (one instruction, or a short fixed sequence around one), all fifteen
 * general registers but RSP, and up to 16 bytes of memory operand. It runs
 * from an executable buffer through insn_exec.asm with a trap catch armed
 * (guest-pv/kernel/idt.h), so an exception ends it instead of the domain.
 * Generation never looks at an outcome, so a seed always gives the same
 * sequence (and digest) with the same kernel image.
 */
#ifndef GUEST_TEST_INSN_H
#define GUEST_TEST_INSN_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_CODE  15              /* and a ret after it: 16 */
#define INSN_OPERAND   16               /* bytes of memory operand, at operand[] */
#define INSN_NO_MSR    UINT64_MAX

/* regs[] indices: the x86 register encoding (insn_exec.asm). */
enum { RAX, RCX, RDX, RBX, RSP_UNUSED, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* What a generated instruction may change that the fuzzer puts back after it. */
enum insn_restore {
    RESTORE_CR0 = 1 << 0, RESTORE_CR3 = 1 << 1, RESTORE_CR4 = 1 << 2, RESTORE_CR8 = 1 << 3,
    RESTORE_DR = 1 << 4, RESTORE_GDT = 1 << 5, RESTORE_IDT = 1 << 6, RESTORE_LDT = 1 << 7,
};

struct insn {
    unsigned int cls;                   /* index into insn_classes[] */
    union {                             /* words: the guest's memcpy is a byte loop */
        uint8_t code[INSN_MAX_CODE + 1];
        uint64_t code_word[2];
    };
    uint8_t len;
    uint8_t restore;                    /* enum insn_restore bits */
    bool send_event;                    /* raise an event on our IPI port first (hlt) */
    uint64_t msr;                       /* a directly-run MSR it writes, or INSN_NO_MSR */
    uint64_t regs[16];
    union {                             /* copied to the operand area before it runs */
        uint8_t operand[INSN_OPERAND];
        uint64_t operand_word[INSN_OPERAND / 8];
    };
};

/* What happened: no exception, or what the trap catch recorded (idt.h). */
struct insn_outcome {
    bool faulted;
    uint8_t vector;
    uint64_t error_code, rip, cr2;
    const uint64_t *regs;               /* the registers afterwards (if it did not fault) */
};

struct insn_fuzz {
    uint64_t rng;                       /* splitmix64 state */
    uint64_t digest;                    /* of every instruction generated so far */
    unsigned int total_weight;          /* of all classes */
    uint8_t class_of[128];              /* [0, total_weight): each class `weight` times */
    unsigned int shutdown_next;         /* next letter of "Shutdown" for port 0x8900 */
    /* What the generators aim at, fixed at setup. */
    uint64_t ram_end;
    unsigned int phys_bits;             /* CPUID 0x80000008: physical-address width */
    uint64_t operand_area;              /* guest-linear address of the operand bytes */
    uint64_t msr_page;                  /* a spare page for the hypercall-page MSR */
    uint64_t cr0, cr3, cr3_alias, cr4;  /* as we run; cr3_alias: a copy of our page tables */
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
};

struct insn_class {
    const char *name;
    unsigned int weight;                /* relative frequency */
    void (*generate)(struct insn_fuzz *f, struct insn *in);
    /* Whether docs/abi.md (or the SDM, for what runs directly) allows this outcome. */
    bool (*allowed)(const struct insn_fuzz *f, const struct insn *in,
                    const struct insn_outcome *o);
};

extern const struct insn_class *const insn_classes[];
extern const unsigned int insn_nr_classes;

/* The random stream: splitmix64 (Steele, Lea, Flood), as test=fuzz uses. */
static inline uint64_t insn_next(struct insn_fuzz *f)
{
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform below n (n > 0); the modulo bias is irrelevant here. */
static inline uint64_t insn_below(struct insn_fuzz *f, uint64_t n)
{
    return insn_next(f) % n;
}

/* Fill `in` with the next instruction of a class picked by weight (test_insn_gen.c). */
void insn_generate(struct insn_fuzz *f, struct insn *in);

/* MSRs the guest reads and writes directly (docs/abi.md): saved and put back. */
bool insn_msr_is_direct(uint32_t msr);

#endif
