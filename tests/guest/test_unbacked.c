/*
 * test=unbacked (a domU with the default unbacked=ones): loads from
 * guest-physical memory that is neither RAM nor a device read all-ones,
 * stores are dropped (docs/abi.md, "Unbacked guest-physical memory").
 * Every instruction form the hypervisor completes, with the register's
 * other bits seen kept or cleared as the CPU would, BT's carry; then an instruction it
 * does not complete (INC on memory), which must crash this domain with a
 * report that names it. One PASS/FAIL line per case (group "unbacked").
 */
#include <stdint.h>

#include <public/memory_op.h>

#include "console.h"
#include "guest.h"
#include "hypercall.h"
#include "tests.h"

#define HPET 0xfed00000ull          /* where an HPET would be: nothing there */
#define OLD  0x1122334455667788ull  /* what the register held before the load */

static void check(const char *name, uint64_t got, uint64_t want)
{
    printk("%s: unbacked/%s (0x%lx)\n", got == want ? "PASS" : "FAIL", name, (unsigned long)got);
}

/* One load: `insn` reads (%rbx) into the register its operand names. */
#define LOAD(insn, reg, addr)                                                          \
    ({                                                                                 \
        uint64_t _v = OLD;                                                             \
        __asm__ volatile(insn : "+" reg(_v) : "b"(addr) : "memory");                  \
        _v;                                                                            \
    })

static void loads(uint64_t at)
{
    check("mov-r32", LOAD("movl (%%rbx), %k0", "a", at), 0xffffffffull);
    check("mov-r64", LOAD("movq (%%rbx), %0", "a", at), ~0ull);
    check("mov-r16", LOAD("movw (%%rbx), %w0", "a", at), 0x112233445566ffffull);
    check("mov-r8", LOAD("movb (%%rbx), %b0", "a", at), 0x11223344556677ffull);
    check("mov-ah", LOAD("movb (%%rbx), %h0", "a", at), 0x112233445566ff88ull);
    check("mov-rsi", LOAD("movl (%%rbx), %k0", "S", at), 0xffffffffull);
    check("movzx-r32-byte", LOAD("movzbl (%%rbx), %k0", "a", at), 0xffull);
    check("movzx-r64-word", LOAD("movzwq (%%rbx), %0", "a", at), 0xffffull);
    check("movsx-r64-byte", LOAD("movsbq (%%rbx), %0", "a", at), ~0ull);
    check("movsx-r32-word", LOAD("movswl (%%rbx), %k0", "a", at), 0xffffffffull);
    uint64_t sib = OLD;
    __asm__ volatile("movl 8(%%rbx,%%rcx,4), %k0" : "+a"(sib) : "b"(at), "c"(0ull) : "memory");
    check("mov-sib-disp8", sib, 0xffffffffull);

    uint64_t r9 = 0;
    __asm__ volatile("movq %1, %%r9; movl (%%rbx), %%r9d; movq %%r9, %0"
                     : "=r"(r9) : "i"(0x55), "b"(at) : "r9", "memory");
    check("mov-r9d (REX.R)", r9, 0xffffffffull);
}

void test_unbacked(const struct guest_env *env)
{
    (void)env;
    loads(HPET);
    uint64_t moffs = OLD;
    __asm__ volatile("movabs 0xfed00000, %%eax" : "+a"(moffs) : : "memory");
    check("mov-eax-moffs64", moffs, 0xffffffffull);

    /* Stores are dropped: the address still reads all-ones. */
    __asm__ volatile("movl $0x12345678, (%0)" : : "b"(HPET) : "memory");
    check("store-imm32-dropped", LOAD("movl (%%rbx), %k0", "a", HPET), 0xffffffffull);
    __asm__ volatile("movq %1, (%0)" : : "b"(HPET), "a"(0ull) : "memory");
    __asm__ volatile("movb $0, (%0)" : : "b"(HPET) : "memory");
    __asm__ volatile("movw %w1, 2(%0)" : : "b"(HPET), "a"(0ull) : "memory");
    __asm__ volatile("movabs %%eax, 0xfed00004" : : "a"(0ull) : "memory");
    check("stores-reg-imm8-moffs-dropped", LOAD("movq (%%rbx), %0", "a", HPET), ~0ull);

    /* BT reads a 1 bit: CF set, whatever it was; no register changes. */
    uint8_t cf = 0;
    __asm__ volatile("clc; btl %k1, (%2); setc %0" : "=r"(cf) : "r"(33u), "b"(HPET) : "memory", "cc");
    check("bt-reg-sets-cf", cf, 1);
    cf = 0;
    __asm__ volatile("clc; btq $63, 8(%1); setc %0" : "=r"(cf) : "b"(HPET) : "memory", "cc");
    check("bt-imm8-sets-cf", cf, 1);

    /* Past its RAM: the same. */
    uint64_t past = (uint64_t)(hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0) + 1) * PAGE_SIZE;
    check("past-its-ram", LOAD("movl (%%rbx), %k0", "a", past), 0xffffffffull);
    printk("unbacked: done; now an INC of unbacked memory, which must crash this domain\n");
    __asm__ volatile("incl (%0)" : : "b"(HPET) : "memory");
    printk("FAIL: unbacked/inc-completed (returned)\n");
}
