/* Guest general registers not held in the VMCS, saved by vmenter.asm. */
#ifndef ARCH_VMX_REGS_H
#define ARCH_VMX_REGS_H

#include <stdint.h>

struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t cr2;               /* the VMCS does not hold CR2 */
};

#endif
