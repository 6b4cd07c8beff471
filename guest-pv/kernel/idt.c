/*
 * The long-mode IDT. Every vector gets a gate: the exceptions so that a
 * fault is reported by vector and RIP instead of escalating to a triple
 * fault, and all the others so that a stray interrupt is named too.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "console.h"
#include "guest.h"
#include "idt.h"

#define IDT_VECTORS 256
#define NR_EXCEPTIONS 32
#define SEL_CODE64 0x18                 /* entry.asm's GDT */
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

extern const uint64_t trap_stub_table[IDT_VECTORS];
extern char upcall_entry[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

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
