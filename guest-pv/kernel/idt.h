/*
 * The long-mode IDT: exception reports (fatal unless caught) and the
 * event-channel upcall.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdbool.h>
#include <stdint.h>

/* The vector the hypervisor injects for event-channel upcalls. */
#define EVTCHN_UPCALL_VECTOR 0xF3

/* Fill all 256 gates and load the IDT. */
void idt_init(void);
/* Load the (one, shared) IDT on the calling vCPU: each secondary does. */
void idt_load(void);

/*
 * Point the upcall vector's gate at `entry` (NULL: back to the normal
 * upcall_entry), which must end by jumping to upcall_entry: a probe that
 * stamps the first instruction of a wake-up, say. Takes effect at once.
 */
void idt_set_upcall_entry(const void *entry);

/*
 * Run `fn(vector)` for each interrupt on `vector` (32-255, not the upcall's;
 * NULL: back to a stray interrupt's report), on any vCPU, before a trap
 * catch is looked at; returning resumes the interrupted code. For test
 * actions that take local APIC interrupts (test=vlapic).
 */
void idt_set_vector_handler(unsigned int vector, void (*fn)(unsigned int vector));

/* Reports an exception (or a stray interrupt) and crashes the domain. */
void trap_fatal(uint64_t vector, uint64_t error_code, uint64_t rip) __attribute__((noreturn));

/*
 * A trap catch: lets code that provokes exceptions on purpose (the
 * instruction fuzzer, test=insn-fuzz) survive them. While a vCPU has one
 * armed, the next exception or software interrupt on it (any vector that
 * reaches traps.asm, i.e. all but the upcall's) is not fatal: the catch is
 * disarmed, what happened is recorded in it, and the vCPU resumes at
 * `resume` (RIP, RSP, RFLAGS as given; CS and SS our flat 64-bit ones)
 * with every other register clobbered. The catch is one-shot: a second
 * exception before it is armed again is fatal as usual.
 *
 * The handler finds the catch through the GS base (this_cpu()), so code
 * that changes it (wrmsr) must put it back before it can fault again (with
 * a GS base that is not one of cpus[], exceptions are fatal). An exception
 * taken while the IDT, the GDT or the page tables are broken cannot be
 * delivered at all (a triple fault), catch or not.
 *
 * `resume` is filled by its (assembly) user: its offsets are asserted in
 * idt.c, and its owner must not move them.
 */
struct trap_resume {
    uint64_t rip, rsp, rflags;
};

struct trap_catch {
    struct trap_resume resume;          /* first: written by assembly */
    uint64_t vector;                    /* what was caught */
    uint64_t error_code;                /* as pushed; 0 where the CPU pushes none */
    uint64_t rip;                       /* where it was raised (for faults, the instruction) */
    uint64_t cr2;                       /* for #PF */
};

/* Arm `c` on the calling vCPU (c->resume must be filled before anything can
 * fault), and disarm it (harmless when it has already fired). */
void trap_catch_arm(struct trap_catch *c);
void trap_catch_disarm(void);

/*
 * For code that writes random debug-register values (the instruction
 * fuzzer): with this on, a #DB taken while no catch is armed (a breakpoint
 * the last fuzzed DR7 left on the code that restores it, a single step
 * from a fuzzed POPF) is absorbed instead of being fatal: DR7 and DR6 are
 * reset, RFLAGS.TF cleared, the count in this_cpu() bumped, and the
 * interrupted code goes on.
 */
void trap_absorb_debug_traps(bool on);

/* Called by traps.asm for every vector but the upcall (frame layout: idt.c). */
struct trap_frame;
void trap_dispatch(struct trap_frame *f);

#endif
