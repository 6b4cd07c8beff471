/*
 * The start state VCPUOP_initialise gives a vCPU (Xen's vcpu_hvm_context,
 * public/hvm/hvm_vcpu.h): 32-bit protected mode with the segments given
 * here, or 64-bit mode with flat segments the hypervisor chooses. All IN.
 * docs/abi.md lists what is checked.
 */
#ifndef MICA_PUBLIC_HVM_VCPU_H
#define MICA_PUBLIC_HVM_VCPU_H

#include <stdint.h>

/*
 * Segment attributes (*_ar), the descriptor's attribute bits packed into 12:
 * bits 3:0 type, 4 S (code/data), 6:5 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G;
 * bits 15:12 must be 0. An *_ar of 0 is a null segment (DS and ES only).
 * Limits are byte limits (0xffffffff for a flat 4 GiB segment with G set).
 */
struct vcpu_hvm_x86_32 {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t eip;
    uint32_t eflags;
    uint32_t cr0, cr3, cr4;
    uint32_t pad1;              /* must be 0 */
    uint64_t efer;
    uint32_t cs_base, ds_base, ss_base, es_base, tr_base;
    uint32_t cs_limit, ds_limit, ss_limit, es_limit, tr_limit;
    uint16_t cs_ar, ds_ar, ss_ar, es_ar, tr_ar;
    uint16_t pad2[3];           /* must be 0 */
};
_Static_assert(sizeof(struct vcpu_hvm_x86_32) == 120, "vcpu_hvm_x86_32 size");
_Static_assert(__builtin_offsetof(struct vcpu_hvm_x86_32, efer) == 56, "efer offset");
_Static_assert(__builtin_offsetof(struct vcpu_hvm_x86_32, cs_ar) == 104, "cs_ar offset");

/* 64-bit mode: CS is a flat 64-bit code segment, DS/ES/SS flat data, TR a
 * busy 64-bit TSS (base 0, limit 0x67); every selector is 0. */
struct vcpu_hvm_x86_64 {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t rip;
    uint64_t rflags;
    uint64_t cr0, cr3, cr4;
    uint64_t efer;
};
_Static_assert(sizeof(struct vcpu_hvm_x86_64) == 112, "vcpu_hvm_x86_64 size");

#define VCPU_HVM_MODE_32B 0     /* cpu_regs.x86_32 */
#define VCPU_HVM_MODE_64B 1     /* cpu_regs.x86_64 */

struct vcpu_hvm_context {
    uint32_t mode;              /* VCPU_HVM_MODE_* */
    uint32_t pad;               /* must be 0 */
    union {
        struct vcpu_hvm_x86_32 x86_32;
        struct vcpu_hvm_x86_64 x86_64;
    } cpu_regs;
};
_Static_assert(sizeof(struct vcpu_hvm_context) == 128, "vcpu_hvm_context size");
_Static_assert(__builtin_offsetof(struct vcpu_hvm_context, cpu_regs) == 8, "cpu_regs offset");

#endif
