/*
 * CPUID as a guest sees it: the host's values, minus what Mica does not
 * virtualise (VMX, XSAVE, MONITOR, x2APIC, the local APIC), plus the
 * hypervisor-present bit and Mica's leaf at 0x40000000.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "arch/x86.h"
#include "hv/domain.h"

#define LEAF1_ECX_MONITOR  (1u << 3)
#define LEAF1_ECX_VMX      (1u << 5)
#define LEAF1_ECX_X2APIC   (1u << 21)
#define LEAF1_ECX_XSAVE    (1u << 26)
#define LEAF1_ECX_OSXSAVE  (1u << 27)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
#define LEAF1_EDX_APIC     (1u << 9)
#define LEAF_XSAVE         0x0d
#define LEAF_HYPERVISOR_BASE 0x40000000u
#define LEAF_HYPERVISOR_END  0x4fffffffu

/* "MicaMicaMica" in EBX, ECX, EDX. */
#define MICA_SIGNATURE_EBX 0x6163694d
#define MICA_SIGNATURE_ECX 0x6163694d
#define MICA_SIGNATURE_EDX 0x6163694d

void vmx_handle_cpuid(struct vcpu *v)
{
    struct guest_regs *r = &v->arch->regs;
    uint32_t leaf = (uint32_t)r->rax, sub = (uint32_t)r->rcx;
    uint32_t a = 0, b = 0, c = 0, d = 0;

    if (leaf >= LEAF_HYPERVISOR_BASE && leaf <= LEAF_HYPERVISOR_END) {
        if (leaf == LEAF_HYPERVISOR_BASE) {
            a = LEAF_HYPERVISOR_BASE;   /* highest leaf in the range */
            b = MICA_SIGNATURE_EBX;
            c = MICA_SIGNATURE_ECX;
            d = MICA_SIGNATURE_EDX;
        }
    } else if (leaf != LEAF_XSAVE) {
        cpuid(leaf, sub, &a, &b, &c, &d);
        if (leaf == 1) {
            c &= ~(LEAF1_ECX_MONITOR | LEAF1_ECX_VMX | LEAF1_ECX_X2APIC | LEAF1_ECX_XSAVE |
                   LEAF1_ECX_OSXSAVE);
            c |= LEAF1_ECX_HYPERVISOR;
            d &= ~LEAF1_EDX_APIC;
            b = (b & 0x00ffffffu) | (v->id << 24);  /* initial APIC id = vCPU id */
        }
    }
    r->rax = a;
    r->rbx = b;
    r->rcx = c;
    r->rdx = d;
    vmx_advance_rip();
}
