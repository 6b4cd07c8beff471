/* Descriptor tables, traps and the register frame an exception leaves. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS  0x18       /* 16-byte system descriptor: slots 3 and 4 */

/* Vectors the hypervisor uses for its own interrupts. */
#define VECTOR_LAPIC_TIMER  0x20
#define VECTOR_SPURIOUS     0xff

/* Pushed by arch/x86/trap_entry.asm; layout used there through asm-offsets. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  /* pushed by the CPU */
};

void gdt_init(void);
void idt_init(void);
/* Called from traps.asm for every exception and interrupt. */
void trap_dispatch(struct trap_frame *f);

/* Per-CPU state the arch code keeps (one CPU for now). */
uint64_t tss_base(void);

#endif
