/*
 * CPUID as a guest sees it: the host's values, minus what Mica does not
 * virtualise (VMX, XSAVE and everything whose state lives in XSAVE areas
 * (AVX, AVX2, AVX-512, FMA, F16C, MPX, PKU, AMX), MONITOR, the debug store
 * and processor trace), plus the emulated local APIC's bits and IDs and the
 * hypervisor-present bit, Mica's own leaf at 0x40000000 and the
 * Xen-compatible leaves at 0x40000100 (public/cpuid.h, docs/abi.md). A
 * hidden feature hides what depends on it, so a guest that believes CPUID
 * never enables state it cannot have.
 */
#include "vcpu.h"
#include "vmx_caps.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "arch/x86.h"
#include "public/cpuid.h"
#include "public/xen_version.h"

#define LEAF1_ECX_DTES64   (1u << 2)
#define LEAF1_ECX_MONITOR  (1u << 3)
#define LEAF1_ECX_DS_CPL   (1u << 4)
#define LEAF1_ECX_VMX      (1u << 5)
#define LEAF1_ECX_FMA      (1u << 12)
#define LEAF1_ECX_PDCM     (1u << 15)
#define LEAF1_ECX_X2APIC   (1u << 21)
#define LEAF1_ECX_TSC_DEADLINE (1u << 24)
#define LEAF1_ECX_XSAVE    (1u << 26)
#define LEAF1_ECX_OSXSAVE  (1u << 27)
#define LEAF1_ECX_AVX      (1u << 28)
#define LEAF1_ECX_F16C     (1u << 29)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
#define LEAF1_EDX_APIC     (1u << 9)
#define LEAF1_EDX_DS       (1u << 21)
#define LEAF1_ECX_HIDDEN (LEAF1_ECX_DTES64 | LEAF1_ECX_MONITOR | LEAF1_ECX_DS_CPL | \
                          LEAF1_ECX_VMX | LEAF1_ECX_FMA | LEAF1_ECX_PDCM | \
                          LEAF1_ECX_XSAVE | LEAF1_ECX_OSXSAVE | LEAF1_ECX_AVX | LEAF1_ECX_F16C)
#define LEAF1_EDX_HIDDEN LEAF1_EDX_DS
/* The emulated local APIC (hv/vlapic.h): x2APIC and the TSC-deadline timer
 * always, EDX.APIC while IA32_APIC_BASE has it enabled (SDM 3A 12.4.3). */
#define LEAF1_ECX_VLAPIC (LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DEADLINE)
/* Leaf 7 sub-leaf 0 (SDM 2A, CPUID): AVX2 5, MPX 14, AVX-512 16/17/21/26/27/28/30/31,
 * PT 25 in EBX; AVX-512 1/6/11/12/14, PKU 3, OSPKE 4 in ECX; AVX-512 2/3/8/23, AMX 22/24/25 in EDX. */
#define LEAF7_EBX_HIDDEN ((1u << 5) | (1u << 14) | (1u << 16) | (1u << 17) | (1u << 21) | \
                          (1u << 25) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | \
                          (1u << 31))
#define LEAF7_ECX_HIDDEN ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 11) | \
                          (1u << 12) | (1u << 14))
#define LEAF7_EDX_HIDDEN ((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | \
                          (1u << 24) | (1u << 25))
/* Instructions that raise #UD in the guest unless their secondary control is on. */
#define LEAF7_EBX_INVPCID  (1u << 10)
#define LEAF_EXT_FEATURES  0x80000001u
#define EXT_EDX_RDTSCP     (1u << 27)
#define LEAF_FEATURES7     0x07
#define LEAF_TOPOLOGY      0x0b     /* and 0x1f: EDX is the x2APIC ID */
#define LEAF_TOPOLOGY2     0x1f
#define LEAF_XSAVE         0x0d
#define LEAF_PT            0x14
#define LEAF_HYPERVISOR_END 0x4fffffffu
#define XEN_TIME_SUBLEAF_GUEST 0
#define XEN_TIME_SUBLEAF_HOST  2

struct cpuid_regs { uint32_t a, b, c, d; };

static struct cpuid_regs xen_leaf(struct vcpu *v, uint32_t n, uint32_t sub)
{
    uint32_t tsc_khz = (uint32_t)(arch_tsc_hz() / 1000);
    switch (n) {
    case 0:
        return (struct cpuid_regs){ XEN_CPUID_BASE + XEN_CPUID_LEAF_COUNT - 1,
                                    XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX,
                                    XEN_CPUID_SIGNATURE_EDX };
    case 1:
        return (struct cpuid_regs){ MICA_XEN_VERSION_MAJOR << 16 | MICA_XEN_VERSION_MINOR, 0, 0, 0 };
    case 2:
        return (struct cpuid_regs){ 1, XEN_HYPERCALL_PAGE_MSR, 0, 0 };
    case 3:     /* time: the guest's TSC runs at the host's rate, never emulated */
        if (sub == XEN_TIME_SUBLEAF_GUEST)
            return (struct cpuid_regs){ 0, 0, tsc_khz, 0 };
        if (sub == XEN_TIME_SUBLEAF_HOST)
            return (struct cpuid_regs){ tsc_khz, 0, 0, 0 };
        return (struct cpuid_regs){ 0, 0, 0, 0 };
    case 4:
        return (struct cpuid_regs){ XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT,
                                    v->id, v->domain->id, 0 };
    default:
        return (struct cpuid_regs){ 0, 0, 0, 0 };
    }
}

static struct cpuid_regs guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r = { 0 };
    if (leaf == MICA_CPUID_BASE)
        return (struct cpuid_regs){ MICA_CPUID_BASE, MICA_CPUID_SIGNATURE,
                                    MICA_CPUID_SIGNATURE, MICA_CPUID_SIGNATURE };
    if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + XEN_CPUID_LEAF_COUNT)
        return xen_leaf(v, leaf - XEN_CPUID_BASE, sub);
    if ((leaf > MICA_CPUID_BASE && leaf <= LEAF_HYPERVISOR_END) || leaf == LEAF_XSAVE ||
        leaf == LEAF_PT)
        return r;
    cpuid(leaf, sub, &r.a, &r.b, &r.c, &r.d);
    if (leaf == 1) {
        r.c &= ~LEAF1_ECX_HIDDEN;
        r.c |= LEAF1_ECX_HYPERVISOR | LEAF1_ECX_VLAPIC;
        r.d &= ~(LEAF1_EDX_HIDDEN | LEAF1_EDX_APIC);
        if (vlapic_mode(v) != VLAPIC_DISABLED)
            r.d |= LEAF1_EDX_APIC;
        r.b = (r.b & 0x00ffffffu) | (v->id << 24);    /* initial APIC id = vCPU id */
    }
    if (leaf == LEAF_TOPOLOGY || leaf == LEAF_TOPOLOGY2)
        r.d = v->id;
    if (leaf == LEAF_FEATURES7 && sub == 0) {
        r.b &= ~LEAF7_EBX_HIDDEN;
        r.c &= ~LEAF7_ECX_HIDDEN;
        r.d &= ~LEAF7_EDX_HIDDEN;
        if (!(vmx_config.cpu2 & CPU2_ENABLE_INVPCID))
            r.b &= ~LEAF7_EBX_INVPCID;
    }
    if (leaf == LEAF_EXT_FEATURES && !(vmx_config.cpu2 & CPU2_ENABLE_RDTSCP))
        r.d &= ~EXT_EDX_RDTSCP;
    return r;
}

void vmx_handle_cpuid(struct vcpu *v)
{
    struct guest_regs *g = &v->arch->regs;
    struct cpuid_regs r = guest_cpuid(v, (uint32_t)g->rax, (uint32_t)g->rcx);
    g->rax = r.a;
    g->rbx = r.b;
    g->rcx = r.c;
    g->rdx = r.d;
    vmx_advance_rip();
}
