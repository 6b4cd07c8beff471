/*
 * vCPUs on VMX, from creation to destruction: one VMCS each, made current on
 * a CPU by arch_vcpu_load and put back in memory by arch_vcpu_unload with the
 * state the VMCS does not switch (FPU/SSE, syscall MSRs, DR0-DR3 and DR6;
 * docs/architecture.md has the whole list); the VMCS of a vCPU
 * that is not running edited between vcpu_vmcs_begin and vcpu_vmcs_end.
 * The run loop is vcpu_run.c; the domain's EPT, domain_ept.c.
 */
#include "start_state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/printk.h"

void *vmx_alloc_zeroed_frame(paddr_t *pa)
{
    *pa = frame_alloc();
    if (!*pa)
        return NULL;
    void *p = phys_to_virt(*pa);
    clear_page(p);
    return p;
}

static void load_vmcs(struct vcpu *v)
{
    enum vmx_status st = vmptrld(v->arch->vmcs);
    if (st != VMX_OK)
        panic("VMPTRLD of vCPU %u of domain %u failed", v->id, v->domain->id);
}

uint64_t arch_vcpu_frames_needed(void)
{
    return 2;                   /* struct arch_vcpu, the VMCS */
}

int arch_vcpu_create(struct vcpu *v, uint32_t entry, uint32_t start_info_gpa)
{
    paddr_t pa, vmcs;
    struct arch_vcpu *av = vmx_alloc_zeroed_frame(&pa);
    if (!av)
        return -1;
    uint32_t *region = vmx_alloc_zeroed_frame(&vmcs);
    if (!region) {
        frame_free(pa);
        return -1;
    }
    *region = vmx_config.revision;
    av->vmcs = vmcs;
    av->host_cpu = UINT32_MAX;
    vmx_fpu_reset(av->fpu);
    vmx_debug_regs_reset(&av->dr);
    v->arch = av;

    if (vmclear(vmcs) != VMX_OK)
        panic("VMCLEAR of a new VMCS failed");
    load_vmcs(v);
    vmcs_setup(v, entry, start_info_gpa);
    /* Flush it to memory, and give the loaded vCPU its VMCS back as the current one. */
    vmclear(vmcs);
    if (this_cpu()->loaded_vcpu)
        load_vmcs(this_cpu()->loaded_vcpu);
    return 0;
}

void vcpu_vmcs_begin(struct vcpu *target)
{
    if (target == this_cpu()->loaded_vcpu)
        panic("vcpu_vmcs_begin on the running vCPU %u of domain %u", target->id,
              target->domain->id);
    load_vmcs(target);
}

void vcpu_vmcs_end(struct vcpu *target)
{
    vmclear(target->arch->vmcs);
    target->arch->launched = false;
    if (this_cpu()->loaded_vcpu)
        load_vmcs(this_cpu()->loaded_vcpu);
}

void arch_vcpu_destroy(struct vcpu *v)
{
    struct arch_vcpu *av = v->arch;
    if (!av)
        return;
    vmclear(av->vmcs);
    if (this_cpu()->loaded_vcpu == v)
        this_cpu()->loaded_vcpu = NULL;
    frame_free(av->vmcs);
    frame_free(virt_to_phys(av));
    v->arch = NULL;
}

static void save_syscall_msrs(struct syscall_msrs *m)
{
    m->star = rdmsr(MSR_IA32_STAR);
    m->lstar = rdmsr(MSR_IA32_LSTAR);
    m->cstar = rdmsr(MSR_IA32_CSTAR);
    m->fmask = rdmsr(MSR_IA32_FMASK);
    m->kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
}

static void load_syscall_msrs(const struct syscall_msrs *m)
{
    wrmsr(MSR_IA32_STAR, m->star);
    wrmsr(MSR_IA32_LSTAR, m->lstar);
    wrmsr(MSR_IA32_CSTAR, m->cstar);
    wrmsr(MSR_IA32_FMASK, m->fmask);
    wrmsr(MSR_IA32_KERNEL_GS_BASE, m->kernel_gs_base);
}

/*
 * DR0-DR3 and DR6 hold guest values between a VM exit and the next entry:
 * harmless to the hypervisor, since a VM exit sets DR7 to 0x400 (SDM 3C
 * 28.5.1: every breakpoint disabled) and the guest's DR7 returns only with
 * the next VM entry (load debug controls). Five moves each way: cheaper than
 * MOV-DR exiting and tracking which vCPU touched them.
 */
static void save_debug_regs(struct debug_regs *dr)
{
    dr->dr0 = read_dr0();
    dr->dr1 = read_dr1();
    dr->dr2 = read_dr2();
    dr->dr3 = read_dr3();
    dr->dr6 = read_dr6();
}

static void load_debug_regs(const struct debug_regs *dr)
{
    write_dr0(dr->dr0);
    write_dr1(dr->dr1);
    write_dr2(dr->dr2);
    write_dr3(dr->dr3);
    write_dr6(dr->dr6);
}

/*
 * The loaded vCPU's state goes back to memory and its VMCS is cleared, so it
 * can run next on any CPU (a VMCS may be active on one CPU only: SDM 3C 25.1).
 */
void arch_vcpu_unload(void)
{
    struct percpu *pc = this_cpu();
    struct vcpu *v = pc->loaded_vcpu;
    if (!v)
        return;
    fxsave(v->arch->fpu);
    save_syscall_msrs(&v->arch->msrs);
    save_debug_regs(&v->arch->dr);
    if (vmclear(v->arch->vmcs) != VMX_OK)
        panic("VMCLEAR of vCPU %u of domain %u failed", v->id, v->domain->id);
    v->arch->launched = false;
    pc->loaded_vcpu = NULL;
}

/* Make `v` the vCPU whose state is in this CPU; no other guest's state stays visible. */
void arch_vcpu_load(struct vcpu *v)
{
    struct percpu *pc = this_cpu();
    if (pc->loaded_vcpu == v)
        return;
    arch_vcpu_unload();
    fxrstor(v->arch->fpu);
    load_syscall_msrs(&v->arch->msrs);
    load_debug_regs(&v->arch->dr);
    load_vmcs(v);
    if (v->arch->host_cpu != pc->index) {
        vmcs_write_host_cpu(pc->index);
        v->arch->host_cpu = pc->index;
    }
    pc->loaded_vcpu = v;
}

void vcpu_paging_state(struct vcpu *v, struct guest_paging *p)
{
    (void)v;        /* its VMCS is the current one while its exits are handled */
    p->cr0 = vmcs_readnat(GUEST_CR0);
    p->cr3 = vmcs_readnat(GUEST_CR3);
    p->cr4 = vmcs_readnat(GUEST_CR4);
    p->efer = vmcs_read64(GUEST_IA32_EFER);
}
