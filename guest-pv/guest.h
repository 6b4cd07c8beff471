/* Entry and exit of the guest kernel. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

#include <public/hvm_start_info.h>
#include <public/sched_op.h>

/* The TSC read by the kernel's first instruction (entry.asm). */
extern uint64_t guest_entry_tsc;

/* Called by entry.asm in long mode, identity mapped, with the PVH start info. */
void guest_main(const struct hvm_start_info *si) __attribute__((noreturn));

/* sched_op(SCHEDOP_SHUTDOWN, reason: SHUTDOWN_*); halts forever if the call returns. */
void guest_exit(uint32_t reason) __attribute__((noreturn));

#endif
