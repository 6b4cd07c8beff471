/*
 * The long-mode IDT. Every vector gets a gate: the exceptions so that a
 * fault is reported by vector and RIP instead of escalating to a triple
 * fault, and all the others so that a stray interrupt is named too. A vCPU
 * with a trap catch armed (idt.h) resumes at its catcher instead.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "console.h"
#include "guest.h"
#include "idt.h"
#include "percpu.h"

#define IDT_VECTORS 256
#define NR_EXCEPTIONS 32
#define SEL_DATA 0x10                   /* entry.asm's GDT */
#define SEL_CODE64 0x18
#define GATE_PRESENT_INTERRUPT 0x8E     /* P=1, DPL=0, 64-bit interrupt gate: clears IF */

/* SDM 6.14.1: a 64-bit IDT gate descriptor. */
struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate size");

/* What traps.asm hands trap_dispatch: its two pushes, then the CPU's (SDM 6.14.2). */
struct trap_frame {
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* tests/guest/insn_exec.asm writes struct trap_resume at these offsets. */
_Static_assert(offsetof(struct trap_catch, resume) == 0, "resume first");
_Static_assert(offsetof(struct trap_resume, rip) == 0 && offsetof(struct trap_resume, rsp) == 8 &&
               offsetof(struct trap_resume, rflags) == 16, "trap_resume layout");

extern const uint64_t trap_stub_table[IDT_VECTORS];
extern char upcall_entry[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static void (*vector_handlers[IDT_VECTORS])(unsigned int vector);

static void set_gate(unsigned int vector, uint64_t handler)
{
    idt[vector] = (struct idt_gate){
        .offset_lo = (uint16_t)handler,
        .selector = SEL_CODE64,
        .type_attr = GATE_PRESENT_INTERRUPT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (unsigned int v = 0; v < IDT_VECTORS; v++)
        set_gate(v, trap_stub_table[v]);
    set_gate(EVTCHN_UPCALL_VECTOR, (uintptr_t)upcall_entry);
    idt_load();
}

void idt_load(void)
{
    struct idt_pointer p = { .limit = sizeof(idt) - 1, .base = (uintptr_t)idt };

    lidt(&p);
}

void idt_set_upcall_entry(const void *entry)
{
    set_gate(EVTCHN_UPCALL_VECTOR, (uintptr_t)(entry ? entry : upcall_entry));
}

void idt_set_vector_handler(unsigned int vector, void (*fn)(unsigned int vector))
{
    if (vector >= NR_EXCEPTIONS && vector < IDT_VECTORS && vector != EVTCHN_UPCALL_VECTOR)
        vector_handlers[vector] = fn;
}

void trap_fatal(uint64_t vector, uint64_t error_code, uint64_t rip)
{
    /* The ring may be what broke: report through the hypercall. */
    console_use_hypercall();
    if (vector < NR_EXCEPTIONS) {
        printk("guest exception %lu at rip 0x%lx\n", (unsigned long)vector, (unsigned long)rip);
        printk("guest exception error code 0x%lx\n", (unsigned long)error_code);
    } else {
        printk("guest unexpected interrupt %lu at rip 0x%lx\n", (unsigned long)vector,
               (unsigned long)rip);
    }
    guest_exit(SHUTDOWN_CRASH);
}

void trap_catch_arm(struct trap_catch *c)
{
    this_cpu()->trap_catch = c;
    barrier();
}

void trap_catch_disarm(void)
{
    barrier();
    this_cpu()->trap_catch = NULL;
}

/*
 * A software INT n on a vector for which the CPU pushes an error code
 * pushes none, so the frame sits 8 bytes lower than struct trap_frame says.
 * Rewriting all five words of the iret frame (the last one lands in the
 * interrupted code's stack, below the catcher's RSP) makes iretq go to the
 * catcher either way; only the recorded error code and RIP are then off.
 */
#define VECTOR_DEBUG 1
#define RFLAGS_TF (1ull << 8)
#define DR6_RESET 0xffff0ff0ull
#define DR7_RESET 0x400ull

void trap_absorb_debug_traps(bool on)
{
    this_cpu()->absorb_debug_traps = on;
}

/* The CPU cleared DR7.GD on delivering the #DB, so these moves do not trap again. */
static void absorb_debug_trap(struct cpu *cpu, struct trap_frame *f)
{
    write_dr7(DR7_RESET);
    write_dr6(DR6_RESET);
    f->rflags &= ~RFLAGS_TF;
    cpu->debug_traps_absorbed++;
}

void trap_dispatch(struct trap_frame *f)
{
    /* The GS base, checked before use: before percpu_init, or with the GS
     * base changed under us, every exception is fatal as it always was. */
    uintptr_t gs = (uintptr_t)rdmsr(MSR_GS_BASE), first = (uintptr_t)cpus;
    struct cpu *cpu = (struct cpu *)gs;
    struct trap_catch *c;

    if (f->vector >= NR_EXCEPTIONS && f->vector < IDT_VECTORS && vector_handlers[f->vector]) {
        vector_handlers[f->vector]((unsigned int)f->vector);
        return;
    }
    bool cpu_ok = gs >= first && gs < first + sizeof cpus && (gs - first) % sizeof cpus[0] == 0;
    if (cpu_ok && !cpu->trap_catch && f->vector == VECTOR_DEBUG && cpu->absorb_debug_traps) {
        absorb_debug_trap(cpu, f);
        return;
    }
    if (!cpu_ok || !(c = cpu->trap_catch))
        trap_fatal(f->vector, f->error_code, f->rip);
    cpu->trap_catch = NULL;
    c->vector = f->vector;
    c->error_code = f->error_code;
    c->rip = f->rip;
    c->cr2 = read_cr2();
    f->rip = c->resume.rip;
    f->cs = SEL_CODE64;
    f->rflags = c->resume.rflags;
    f->rsp = c->resume.rsp;
    f->ss = SEL_DATA;
}
