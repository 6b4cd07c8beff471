/*
 * Entry and exit of the guest kernel, and what it hands the image it is
 * linked into. The kernel (this folder) is the same in every image; each
 * image adds its own image_main(): guest-pv/dom0/, guest-pv/domu/, or the
 * test actions in tests/guest/ (the test images only).
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

#include <public/hvm_start_info.h>
#include <public/sched_op.h>

/* entry.asm identity-maps [0, 4 GiB); addresses past it are unmapped for us. */
#define IDENTITY_MAP_END 0x100000000ull

/* The TSC read by the kernel's first instruction (entry.asm). */
extern uint64_t guest_entry_tsc;

/* Called by entry.asm in long mode, identity mapped, with the PVH start info. */
void guest_main(const struct hvm_start_info *si) __attribute__((noreturn));

/* sched_op(SCHEDOP_SHUTDOWN, reason: SHUTDOWN_*); halts forever if the call returns. */
void guest_exit(uint32_t reason) __attribute__((noreturn));

/* What the kernel knows once its Xen interfaces are up. */
struct guest_env {
    const struct hvm_start_info *si;
    const char *name;           /* the domain's name= from the command line */
    const char *cmdline;        /* the whole command line, NULL if none */
};

/*
 * The image's own work, run on vCPU 0 after the kernel has set up the
 * hypercall page, shared info, events, the timer and the console. Each
 * image defines it exactly once; returning powers the domain off.
 */
void image_main(const struct guest_env *env);

#endif
