/*
 * The guest state a vCPU starts from, as VM entry loads it (arch-private):
 * the PVH entry of the boot vCPU (vmcs_setup.c) and the contexts of
 * VCPUOP_initialise (vcpu_context.c) are both written by one function.
 */
#ifndef VMX_START_STATE_H
#define VMX_START_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* VMCS segment access rights (SDM 3C 24.4.1): the descriptor's bits 47:40
 * and 55:52 at bits 7:0 and 15:12, bit 16 for an unusable segment. */
#define AR_TYPE(ar)    ((ar) & 0xfu)
#define AR_TYPE_ACCESSED (1u << 0)  /* code or data */
#define AR_TYPE_WRITABLE (1u << 1)  /* data: writable; code: readable */
#define AR_TYPE_BUSY   (1u << 1)    /* TSS */
#define AR_TYPE_CODE   (1u << 3)
#define AR_S           (1u << 4)    /* code or data, not a system segment */
#define AR_DPL(ar)     (((ar) >> 5) & 3u)
#define AR_P           (1u << 7)
#define AR_L           (1u << 13)
#define AR_DB          (1u << 14)
#define AR_G           (1u << 15)
#define AR_UNUSABLE    (1u << 16)
#define AR_TSS_BUSY    0xbu         /* type of a busy 32-bit (or 64-bit) TSS */

#define AR_CODE32      0xc09bu      /* G, D/B, P, S, execute/read accessed */
#define AR_CODE64      0xa09bu      /* G, L, P, S, execute/read accessed */
#define AR_DATA        0xc093u      /* G, D/B, P, S, read/write accessed */
#define AR_TSS         0x008bu      /* P, busy TSS */
#define FLAT_LIMIT     0xffffffffu
#define TSS_LIMIT      0x67u

struct vmx_segment {
    uint16_t sel;
    uint64_t base;
    uint32_t limit;
    uint32_t ar;
};

/* Control registers as the guest sees them: CR0.NE and CR4.VMXE are added
 * underneath. efer.LMA selects the IA-32e mode guest entry control. */
struct vmx_start_state {
    uint64_t cr0, cr3, cr4, efer;
    uint64_t rip, rsp, rflags;
    struct vmx_segment cs, ss, ds, es, fs, gs, tr;
};

/*
 * Write `s` into the current VMCS, with an unusable LDTR, empty GDTR and IDTR,
 * and the reset values of everything else VM entry loads (PAT, DEBUGCTL, DR7,
 * SYSENTER MSRs, activity, interruptibility, no event to inject).
 */
void vmx_write_start_state(const struct vmx_start_state *s);

/*
 * Give a vCPU that is not running (and has never run: its VMCS is current
 * nowhere) the start state `s` and registers `regs`, and reset what the
 * VMCS does not hold (syscall MSRs, debug registers, CR8 = the local APIC's TPR, FPU). Cannot fail.
 */
struct vcpu;
struct guest_regs;
void vmx_vcpu_restart(struct vcpu *v, const struct vmx_start_state *s,
                      const struct guest_regs *regs);

/* FPU/SSE image (FXSAVE format) in its FNINIT state. */
void vmx_fpu_reset(uint8_t fpu[512]);

#endif
