/*
 * The parameter block at the end of the AP start-up page: arch/x86/smp.c
 * fills it in before each Startup IPI, arch/x86/ap_trampoline.asm reads it
 * through the offsets arch/x86/asm-offsets.c generates (TP_*).
 */
#ifndef ARCH_AP_TRAMPOLINE_H
#define ARCH_AP_TRAMPOLINE_H

#include <stdint.h>

struct trampoline_params {
    uint64_t cr3, cr4, cr0, efer;   /* loaded in this order on the way to long mode */
    uint64_t stack;                 /* top of the AP's stack */
    uint64_t entry;                 /* where it jumps in long mode: ap_entry */
    uint64_t cpu;                   /* its CPU index, in EDI for ap_main */
};

#endif
