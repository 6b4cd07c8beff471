/*
 * Start states of vCPUs. vmx_write_start_state() writes one into the current
 * VMCS: the boot vCPU's PVH entry (vmcs_setup.c) and the contexts of
 * VCPUOP_initialise alike. arch_vcpu_set_context() decodes a guest's
 * vcpu_hvm_context into a start state, checking it against Xen's rules
 * (arch_set_info_hvm_guest) and the guest-state checks of VM entry
 * (SDM 3C 26.3.1) before anything is written: a bad context is -EINVAL,
 * never a failed VM entry.
 */
#include "start_state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/hvm_vcpu.h"

#define FXSAVE_FCW_OFFSET   0
#define FXSAVE_MXCSR_OFFSET 24
#define FCW_INIT     0x037f     /* FNINIT state */
#define MXCSR_INIT   0x1f80
#define DR7_INIT     0x400
#define DR6_INIT     0xffff0ff0ull
#define PAT_POWER_ON 0x0007040600070406ull

#define CTX_AR_RESERVED 0xf000u /* bits 15:12 of a context's *_ar */
#define CPUID_EXT_MAX   0x80000000u
#define CPUID_EXT_FEAT  0x80000001u
#define CPUID_EXT_NX    (1u << 20)  /* EDX of CPUID_EXT_FEAT */
#define CPUID_ADDR_SIZE 0x80000008u

static void write_segment(vmcs_field16 sel, vmcs_fieldnat base, vmcs_field32 limit,
                          vmcs_field32 ar, const struct vmx_segment *s)
{
    vmcs_write16(sel, s->sel);
    vmcs_writenat(base, s->base);
    vmcs_write32(limit, s->limit);
    vmcs_write32(ar, s->ar);
}

void vmx_write_start_state(const struct vmx_start_state *s)
{
    static const struct vmx_segment unusable = { .ar = AR_UNUSABLE };
    uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE_GUEST;

    vmcs_writenat(GUEST_CR0, s->cr0 | CR0_NE);
    vmcs_writenat(CR0_READ_SHADOW, s->cr0);
    vmcs_writenat(GUEST_CR3, s->cr3);
    vmcs_writenat(GUEST_CR4, s->cr4 | CR4_VMXE);
    vmcs_writenat(CR4_READ_SHADOW, s->cr4);
    vmcs_write64(GUEST_IA32_EFER, s->efer);
    vmcs_write32(VM_ENTRY_CONTROLS, s->efer & EFER_LMA ? entry | ENTRY_IA32E_MODE_GUEST : entry);

    write_segment(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR, &s->cs);
    write_segment(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR, &s->ss);
    write_segment(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR, &s->ds);
    write_segment(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR, &s->es);
    write_segment(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR, &s->fs);
    write_segment(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR, &s->gs);
    write_segment(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR, &s->tr);
    write_segment(GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR, &unusable);
    vmcs_writenat(GUEST_GDTR_BASE, 0);
    vmcs_write32(GUEST_GDTR_LIMIT, 0);
    vmcs_writenat(GUEST_IDTR_BASE, 0);
    vmcs_write32(GUEST_IDTR_LIMIT, 0);

    vmcs_writenat(GUEST_RIP, s->rip);
    vmcs_writenat(GUEST_RSP, s->rsp);
    vmcs_writenat(GUEST_RFLAGS, s->rflags);
    vmcs_write64(GUEST_IA32_PAT, PAT_POWER_ON);
    vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
    vmcs_writenat(GUEST_DR7, DR7_INIT);
    vmcs_write32(GUEST_SYSENTER_CS, 0);
    vmcs_writenat(GUEST_SYSENTER_ESP, 0);
    vmcs_writenat(GUEST_SYSENTER_EIP, 0);
    vmcs_write32(GUEST_INTERRUPTIBILITY, 0);
    vmcs_write32(GUEST_ACTIVITY_STATE, 0);
    vmcs_writenat(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    vmcs_write32(VM_ENTRY_INTR_INFO, 0);
}

void vmx_fpu_reset(uint8_t fpu[512])
{
    uint16_t fcw = FCW_INIT;
    uint32_t mxcsr = MXCSR_INIT;
    memset(fpu, 0, 512);
    memcpy(&fpu[FXSAVE_FCW_OFFSET], &fcw, sizeof fcw);
    memcpy(&fpu[FXSAVE_MXCSR_OFFSET], &mxcsr, sizeof mxcsr);
}

void vmx_debug_regs_reset(struct debug_regs *dr)
{
    *dr = (struct debug_regs){ .dr6 = DR6_INIT };
}

/* ---- decoding and checking a vcpu_hvm_context ---------------------------- */

enum seg_role { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_TR };

unsigned vmx_phys_addr_bits(void)
{
    uint32_t a, b, c, d;
    cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
    if (a < CPUID_ADDR_SIZE)
        return 36;
    cpuid(CPUID_ADDR_SIZE, 0, &a, &b, &c, &d);
    return a & 0xff;
}

/* EFER bits a guest may have: those it could also set itself with WRMSR. */
static uint64_t efer_allowed(void)
{
    uint32_t a, b, c, d;
    cpuid(CPUID_EXT_FEAT, 0, &a, &b, &c, &d);
    return EFER_SCE | EFER_LME | EFER_LMA | ((d & CPUID_EXT_NX) ? EFER_NXE : 0);
}

static bool canonical(uint64_t va, unsigned bits)
{
    return (uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits)) == va;
}

/* SDM 3C 26.3.1.2: a usable segment's limit and granularity must agree. */
static bool limit_matches_granularity(uint32_t limit, uint32_t ar)
{
    if ((limit & 0xfff) != 0xfff && (ar & AR_G))
        return false;
    return !(limit >> 20) || (ar & AR_G);
}

/*
 * One segment of a 32-bit context. Xen's check_segment(): bits 15:12 clear;
 * null only for DS and ES; present; TR a busy 32-bit TSS; CS code; SS
 * writable data; DS and ES data or readable code. Code and data come out
 * accessed and the TSS busy, as Xen loads them. L must be clear: 64-bit code
 * is what VCPU_HVM_MODE_64B is for.
 */
static bool decode_segment(enum seg_role role, uint32_t base, uint32_t limit, uint16_t ctx_ar,
                           struct vmx_segment *out)
{
    if (ctx_ar & CTX_AR_RESERVED)
        return false;
    if (ctx_ar == 0) {
        *out = (struct vmx_segment){ .ar = AR_UNUSABLE };
        return role == SEG_DS || role == SEG_ES;
    }
    /* AVL, L, D/B and G move from bits 11:8 to 15:12. */
    uint32_t ar = (ctx_ar & 0xffu) | (uint32_t)(ctx_ar & 0xf00u) << 4;
    ar |= role == SEG_TR ? AR_TYPE_BUSY : AR_TYPE_ACCESSED;
    *out = (struct vmx_segment){ .base = base, .limit = limit, .ar = ar };

    uint32_t type = AR_TYPE(ar);
    bool code = type & AR_TYPE_CODE, rw = type & AR_TYPE_WRITABLE, s = ar & AR_S;
    if (!(ar & AR_P) || (ar & AR_L) || !limit_matches_granularity(limit, ar))
        return false;
    switch (role) {
    case SEG_TR:
        return !s && type == AR_TSS_BUSY;
    case SEG_CS:
        return s && code;
    case SEG_SS:
        return s && !code && rw;
    default:
        return s && (!code || rw);
    }
}

/*
 * CR0, CR3, CR4 and EFER as the CPU and VM entry accept them (SDM 3A 2.5,
 * 3C 26.3.1.1). *ia32e: they describe IA-32e mode (EFER.LME with paging on),
 * in which EFER.LMA is set as the CPU would set it.
 */
static bool control_registers_ok(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
                                 bool *ia32e)
{
    /* Unrestricted guest (Mica requires it) exempts PE and PG; NE is forced underneath. */
    uint64_t fixed0 = vmx_config.cr0_fixed0 & ~(CR0_PE | CR0_PG | CR0_NE);
    if ((cr0 >> 32) || (cr0 & fixed0) != fixed0 || ((cr0 | CR0_NE) & ~vmx_config.cr0_fixed1))
        return false;
    /* Protected or long mode only; NW needs CD. */
    if (!(cr0 & CR0_PE) || ((cr0 & CR0_NW) && !(cr0 & CR0_CD)))
        return false;
    /* VMXE and OSXSAVE belong to the hypervisor (docs/abi.md). */
    uint64_t host_cr4 = cr4 | CR4_VMXE;
    if ((cr4 & (CR4_VMXE | CR4_OSXSAVE)) ||
        (host_cr4 & vmx_config.cr4_fixed0) != vmx_config.cr4_fixed0 ||
        (host_cr4 & ~vmx_config.cr4_fixed1) || ((cr4 & CR4_CET) && !(cr0 & CR0_WP)))
        return false;
    if ((efer & ~efer_allowed()) || (cr3 >> vmx_phys_addr_bits()))
        return false;

    bool paging = cr0 & CR0_PG;
    bool lma = paging && (efer & EFER_LME);
    /* LMA only as the CPU sets it; IA-32e mode needs PAE; PCIDE needs IA-32e mode.
     * PAE paging outside IA-32e mode is not offered: VM entry would load its
     * PDPTEs from VMCS fields Mica does not keep. */
    if (((efer & EFER_LMA) && !lma) || (lma && !(cr4 & CR4_PAE)) ||
        (!lma && (cr4 & CR4_PCIDE)) || (paging && (cr4 & CR4_PAE) && !lma))
        return false;
    *ia32e = lma;
    return true;
}

/* RFLAGS: reserved bits clear, no virtual-8086 mode; bit 1 always reads 1. */
static bool rflags_ok(uint64_t rflags)
{
    return !(rflags & (RFLAGS_RESERVED0 | RFLAGS_VM));
}

static bool decode_32(const struct vcpu_hvm_x86_32 *r, struct vmx_start_state *s,
                      struct guest_regs *g)
{
    bool ia32e;
    if (r->pad1 || r->pad2[0] || r->pad2[1] || r->pad2[2])
        return false;
    if (!decode_segment(SEG_CS, r->cs_base, r->cs_limit, r->cs_ar, &s->cs) ||
        !decode_segment(SEG_SS, r->ss_base, r->ss_limit, r->ss_ar, &s->ss) ||
        !decode_segment(SEG_DS, r->ds_base, r->ds_limit, r->ds_ar, &s->ds) ||
        !decode_segment(SEG_ES, r->es_base, r->es_limit, r->es_ar, &s->es) ||
        !decode_segment(SEG_TR, r->tr_base, r->tr_limit, r->tr_ar, &s->tr))
        return false;
    /* Xen: EIP inside CS; SS at CS's privilege; DS and ES not more privileged than CS. */
    unsigned cpl = AR_DPL(s->cs.ar);
    if (r->eip > s->cs.limit || AR_DPL(s->ss.ar) != cpl ||
        (!(s->ds.ar & AR_UNUSABLE) && AR_DPL(s->ds.ar) > cpl) ||
        (!(s->es.ar & AR_UNUSABLE) && AR_DPL(s->es.ar) > cpl))
        return false;
    if (!control_registers_ok(r->cr0, r->cr3, r->cr4, r->efer, &ia32e) || !rflags_ok(r->eflags))
        return false;

    s->fs = s->gs = s->ds;
    s->cr0 = r->cr0;
    s->cr3 = r->cr3;
    s->cr4 = r->cr4;
    s->efer = ia32e ? r->efer | EFER_LMA : r->efer;
    s->rip = r->eip;
    s->rsp = r->esp;
    s->rflags = r->eflags | RFLAGS_RESERVED1;
    *g = (struct guest_regs){ .rax = r->eax, .rbx = r->ebx, .rcx = r->ecx, .rdx = r->edx,
                              .rsi = r->esi, .rdi = r->edi, .rbp = r->ebp };
    return true;
}

/* Xen: 64-bit mode needs paging, PAE and LME, and a canonical RIP; the
 * segments are flat (CS 64-bit code, TR a busy TSS), every selector 0. */
static bool decode_64(const struct vcpu_hvm_x86_64 *r, struct vmx_start_state *s,
                      struct guest_regs *g)
{
    static const struct vmx_segment code = { 0, 0, FLAT_LIMIT, AR_CODE64 };
    static const struct vmx_segment data = { 0, 0, FLAT_LIMIT, AR_DATA };
    static const struct vmx_segment tss = { 0, 0, TSS_LIMIT, AR_TSS };
    bool ia32e;
    if (!control_registers_ok(r->cr0, r->cr3, r->cr4, r->efer, &ia32e) || !ia32e ||
        !canonical(r->rip, (r->cr4 & CR4_LA57) ? 57 : 48) || !rflags_ok(r->rflags))
        return false;

    s->cs = code;
    s->ss = s->ds = s->es = s->fs = s->gs = data;
    s->tr = tss;
    s->cr0 = r->cr0;
    s->cr3 = r->cr3;
    s->cr4 = r->cr4;
    s->efer = r->efer | EFER_LMA;
    s->rip = r->rip;
    s->rsp = r->rsp;
    s->rflags = r->rflags | RFLAGS_RESERVED1;
    *g = (struct guest_regs){ .rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
                              .rsi = r->rsi, .rdi = r->rdi, .rbp = r->rbp };
    return true;
}

int arch_vcpu_set_context(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
    struct vmx_start_state s;
    struct guest_regs regs;
    memset(&s, 0, sizeof s);
    memset(&regs, 0, sizeof regs);

    bool ok = false;
    if (ctx->pad == 0 && ctx->mode == VCPU_HVM_MODE_32B)
        ok = decode_32(&ctx->cpu_regs.x86_32, &s, &regs);
    else if (ctx->pad == 0 && ctx->mode == VCPU_HVM_MODE_64B)
        ok = decode_64(&ctx->cpu_regs.x86_64, &s, &regs);
    if (!ok)
        return hv_error(-XEN_EINVAL);

    /* Commit: nothing below can fail. */
    vcpu_vmcs_begin(v);
    vmx_write_start_state(&s);
    vcpu_vmcs_end(v);
    v->arch->regs = regs;
    memset(&v->arch->msrs, 0, sizeof v->arch->msrs);
    vmx_debug_regs_reset(&v->arch->dr);
    v->arch->tpr = 0;
    v->arch->cpuid_faulting = false;
    vmx_fpu_reset(v->arch->fpu);
    return 0;
}
