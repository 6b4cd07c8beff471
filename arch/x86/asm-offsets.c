/*
 * Structure offsets and constants for the nasm sources. The Makefile compiles
 * this file to assembly and turns every "->NAME value" marker into
 * "%define NAME value" (build/asm-offsets.inc). Never type a structure offset,
 * a VMCS encoding or an MSR number by hand in .asm.
 */
#include <stddef.h>
#include "vmx/vmcs_fields.h"
#include "arch/ap_trampoline.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "arch/vmx_regs.h"

/* Widened first: a 32-bit value with bit 31 set (an MSR number) would print negative. */
#define DEFINE(sym, val) \
    __asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"((unsigned long)(val)))
#define OFFSET(sym, type, member) DEFINE(sym, offsetof(type, member))

/* trap_entry.asm builds a trap_frame with pushes: after the CPU's frame and
 * the error code, the vector, then rax first and r15 last (lowest). */
#define PUSHED(member, slot) \
    _Static_assert(offsetof(struct trap_frame, member) == (slot) * 8, \
                   "trap_entry.asm pushes " #member " into slot " #slot)
PUSHED(r15, 0); PUSHED(r14, 1); PUSHED(r13, 2); PUSHED(r12, 3); PUSHED(r11, 4);
PUSHED(r10, 5); PUSHED(r9, 6); PUSHED(r8, 7); PUSHED(rbp, 8); PUSHED(rdi, 9);
PUSHED(rsi, 10); PUSHED(rdx, 11); PUSHED(rcx, 12); PUSHED(rbx, 13); PUSHED(rax, 14);
PUSHED(vector, 15); PUSHED(error_code, 16); PUSHED(rip, 17);

/* ap_trampoline.asm places the parameter block at an 8-byte boundary. */
_Static_assert(_Alignof(struct trampoline_params) <= 8, "trampoline_params alignment");

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(TRAP_FRAME_SIZE, sizeof(struct trap_frame));
    OFFSET(TF_VECTOR, struct trap_frame, vector);
    OFFSET(TF_RIP, struct trap_frame, rip);

    OFFSET(GR_RAX, struct guest_regs, rax);
    OFFSET(GR_RBX, struct guest_regs, rbx);
    OFFSET(GR_RCX, struct guest_regs, rcx);
    OFFSET(GR_RDX, struct guest_regs, rdx);
    OFFSET(GR_RSI, struct guest_regs, rsi);
    OFFSET(GR_RDI, struct guest_regs, rdi);
    OFFSET(GR_RBP, struct guest_regs, rbp);
    OFFSET(GR_R8, struct guest_regs, r8);
    OFFSET(GR_R9, struct guest_regs, r9);
    OFFSET(GR_R10, struct guest_regs, r10);
    OFFSET(GR_R11, struct guest_regs, r11);
    OFFSET(GR_R12, struct guest_regs, r12);
    OFFSET(GR_R13, struct guest_regs, r13);
    OFFSET(GR_R14, struct guest_regs, r14);
    OFFSET(GR_R15, struct guest_regs, r15);
    OFFSET(GR_CR2, struct guest_regs, cr2);

    DEFINE(VMCS_HOST_RSP, HOST_RSP.enc);

    DEFINE(TP_SIZE, sizeof(struct trampoline_params));
    OFFSET(TP_CR3, struct trampoline_params, cr3);
    OFFSET(TP_CR4, struct trampoline_params, cr4);
    OFFSET(TP_CR0, struct trampoline_params, cr0);
    OFFSET(TP_EFER, struct trampoline_params, efer);
    OFFSET(TP_STACK, struct trampoline_params, stack);
    OFFSET(TP_ENTRY, struct trampoline_params, entry);
    OFFSET(TP_CPU, struct trampoline_params, cpu);
    DEFINE(MSR_IA32_EFER, MSR_IA32_EFER);
}
