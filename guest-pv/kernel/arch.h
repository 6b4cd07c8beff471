/*
 * Every special x86 instruction guest-pv uses from C, each wrapped once.
 * (vmcall and the hypercall-page call live in hypercall.h.)
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

struct __attribute__((packed)) idt_pointer {
    uint16_t limit;
    uint64_t base;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr0(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline void write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* The faulting linear address of the last #PF. */
static inline uint64_t read_cr2(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr3(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

/* Reloading CR3 flushes the TLB's non-global entries: after a page-table change. */
static inline void write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/* The pointer stored at GS:0: each vCPU's GS base points at its own data. */
static inline void *gs_pointer_at_0(void)
{
    void *p;

    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* In a spin-wait loop: let a sibling hyperthread (or the hypervisor) have the core. */
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" : : : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void lidt(const struct idt_pointer *p)
{
    __asm__ volatile("lidt %0" : : "m"(*p) : "memory");
}

/* Orders the compiler only: x86 keeps stores in order and loads in order. */
static inline void barrier(void)
{
    __asm__ volatile("" : : : "memory");
}

/*
 * Orders everything, stores before later loads included (x86 may otherwise
 * let a load pass an earlier store): for memory shared with another domain.
 */
static inline void mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void cli(void)
{
    __asm__ volatile("cli" : : : "memory");
}

/* Let upcalls in from the next instruction on (e.g. around a hypercall). */
static inline void sti(void)
{
    __asm__ volatile("sti" : : : "memory");
}

/*
 * Idle until an event: sti's one-instruction interrupt shadow covers hlt, so
 * an upcall that became pending before the pair wakes the hlt instead of
 * being taken just before it (and the hlt then sleeping forever).
 */
static inline void sti_hlt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}

/* Let a pending upcall in (it is taken after the nop), then close again. */
static inline void sti_nop_cli(void)
{
    __asm__ volatile("sti; nop; cli" : : : "memory");
}

/* Halt with interrupts off: only the hypervisor can end this. */
static inline void cli_hlt(void)
{
    __asm__ volatile("cli; hlt" : : : "memory");
}

static inline void ud2(void)
{
    __asm__ volatile("ud2");
}

/* DR6 and DR7: the trap path resets them (idt.c); tests read them back. */
static inline uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static inline void write_dr6(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline uint64_t read_dr7(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr7, %0" : "=r"(v));
    return v;
}

static inline void write_dr7(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr7" : : "r"(v));
}

/* Port I/O: dom0 reaches its devices' ports directly (docs/devices.md). */
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* rep insw / rep outsw: n 16-bit words between a port and memory (ATA PIO data). */
static inline void insw(uint16_t port, void *buf, uint32_t n)
{
    __asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline void outsw(uint16_t port, const void *buf, uint32_t n)
{
    __asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

#endif
