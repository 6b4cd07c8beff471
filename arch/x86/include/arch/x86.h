/*
 * Every privileged x86 instruction the hypervisor uses, each wrapped exactly
 * once as a one-line static inline function. No inline assembly elsewhere
 * (the VMX instructions live in arch/vmx_insn.h for the same reason).
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{ uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(uint16_t port, uint8_t v)
{ __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port)
{ uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v)
{ __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port)
{ uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v)
{ __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint64_t rdmsr(uint32_t msr)
{ uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v)
{ __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory"); }

static inline uint64_t rdtsc(void)
{ uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{ __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub)); }

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
/* Debug registers the VMCS does not hold (DR7 it does): switched with the vCPU. */
static inline uint64_t read_dr0(void) { uint64_t v; __asm__ volatile("mov %%db0, %0" : "=r"(v)); return v; }
static inline uint64_t read_dr1(void) { uint64_t v; __asm__ volatile("mov %%db1, %0" : "=r"(v)); return v; }
static inline uint64_t read_dr2(void) { uint64_t v; __asm__ volatile("mov %%db2, %0" : "=r"(v)); return v; }
static inline uint64_t read_dr3(void) { uint64_t v; __asm__ volatile("mov %%db3, %0" : "=r"(v)); return v; }
static inline uint64_t read_dr6(void) { uint64_t v; __asm__ volatile("mov %%db6, %0" : "=r"(v)); return v; }
static inline void write_dr0(uint64_t v) { __asm__ volatile("mov %0, %%db0" : : "r"(v)); }
static inline void write_dr1(uint64_t v) { __asm__ volatile("mov %0, %%db1" : : "r"(v)); }
static inline void write_dr2(uint64_t v) { __asm__ volatile("mov %0, %%db2" : : "r"(v)); }
static inline void write_dr3(uint64_t v) { __asm__ volatile("mov %0, %%db3" : : "r"(v)); }
static inline void write_dr6(uint64_t v) { __asm__ volatile("mov %0, %%db6" : : "r"(v)); }

static inline uint64_t read_rflags(void) { uint64_t v; __asm__ volatile("pushfq; popq %0" : "=r"(v)); return v; }
static inline uint64_t read_rbp(void) { uint64_t v; __asm__ volatile("mov %%rbp, %0" : "=r"(v)); return v; }
static inline uint64_t read_rsp(void) { uint64_t v; __asm__ volatile("mov %%rsp, %0" : "=r"(v)); return v; }

struct __attribute__((packed)) descriptor_table_ptr {
    uint16_t limit;
    uint64_t base;
};
static inline void lgdt(const struct descriptor_table_ptr *p) { __asm__ volatile("lgdt %0" : : "m"(*p)); }
static inline void lidt(const struct descriptor_table_ptr *p) { __asm__ volatile("lidt %0" : : "m"(*p)); }
static inline void sgdt(struct descriptor_table_ptr *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static inline void sidt(struct descriptor_table_ptr *p) { __asm__ volatile("sidt %0" : "=m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "rm"(sel)); }
static inline uint16_t read_cs(void) { uint16_t v; __asm__ volatile("mov %%cs, %0" : "=r"(v)); return v; }
static inline uint16_t read_ds(void) { uint16_t v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
static inline uint16_t read_ss(void) { uint16_t v; __asm__ volatile("mov %%ss, %0" : "=r"(v)); return v; }
static inline uint16_t read_tr(void) { uint16_t v; __asm__ volatile("str %0" : "=r"(v)); return v; }

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }
/* sti takes effect after the next instruction, so an interrupt cannot slip in before hlt. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt; cli" : : : "memory"); }
static inline void pause(void) { __asm__ volatile("pause"); }
static inline void int3(void) { __asm__ volatile("int3"); }
static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* Segment registers reloaded after installing a new GDT. */
void arch_load_segments(uint16_t code_sel, uint16_t data_sel);



/* FPU/SSE state: 512-byte, 16-byte aligned FXSAVE area. */
static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }
static inline void clear_page(void *page)
{ void *d = page; uint64_t n = 512; __asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ull) : "memory"); }
/* Let a pending external interrupt reach the host IDT (after an interrupt exit). */
static inline void interrupt_window(void) { __asm__ volatile("sti; nop; cli" : : : "memory"); }
#endif
