/* Descriptor tables, traps and the register frame an exception leaves. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS  0x18       /* 16-byte system descriptor: slots 3 and 4 */

/* Vectors the hypervisor uses for its own interrupts. */
#define VECTOR_LAPIC_TIMER  0x20
#define VECTOR_KICK         0xf0    /* another CPU wants this one to look again */
#define VECTOR_SPURIOUS     0xff

/* Set by the CPU that halts or powers off the machine; the NMI it sends then
 * stops every other CPU quietly. */
extern volatile bool machine_halting;
void halt_this_cpu(void) __attribute__((noreturn));

/* Pushed by arch/x86/trap_entry.asm; arch/x86/asm-offsets.c asserts the layout. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  /* pushed by the CPU */
};

void gdt_init(uint32_t cpu);
void idt_init(void);            /* build the IDT and load it (boot CPU) */
void idt_load(void);            /* load the same IDT (other CPUs) */
/* Map (or unmap) one low page at its own address: where APs enable paging. */
void arch_identity_map_page(uint64_t pa, bool present);
/* Called from traps.asm for every exception and interrupt. */
void trap_dispatch(struct trap_frame *f);

/* This CPU's TSS and GDT, for the VMCS host-state area. */
uint64_t tss_base(uint32_t cpu);
uint64_t gdt_base(uint32_t cpu);

#endif
