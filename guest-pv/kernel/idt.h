/* The long-mode IDT: fatal exception reports and the event-channel upcall. */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

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

/* Called by traps.asm for every vector but the upcall: reports and crashes. */
void trap_fatal(uint64_t vector, uint64_t error_code, uint64_t rip) __attribute__((noreturn));

#endif
