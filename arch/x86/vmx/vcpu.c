/*
 * The arch side of domains and vCPUs on VMX: EPT per domain, one VMCS per
 * vCPU, the run loop that enters the guest and dispatches its exits, and the
 * state swapped when the CPU changes vCPU (FPU/SSE, syscall MSRs).
 */
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/lock.h"
#include "hv/printk.h"
#include "hv/string.h"

#define FXSAVE_FCW_OFFSET   0
#define FXSAVE_MXCSR_OFFSET 24
#define FCW_INIT   0x037f       /* FNINIT state */
#define MXCSR_INIT 0x1f80

/* Bumped on every EPT change anywhere (under the hypervisor lock), so a
 * domain's generation never repeats, even for a new domain whose EPT root
 * reuses a dead one's frame. */
static uint64_t ept_generation;
_Static_assert(MAX_DOMAINS_TRACKED == MAX_DOMAINS, "percpu.ept_seen covers every domain id");

/*
 * EPT tables for what a guest maps outside its RAM (grants, the shared-info
 * page, grant-table frames) come from the hypervisor's memory and are freed
 * only with the domain: each domain gets this many beyond those its RAM
 * needs, so none can use up the hypervisor's memory by mapping at ever new
 * addresses. 64 tables map at least 21 scattered regions, or 128 MiB in one.
 */
#define EPT_SPARE_TABLES 64

static void *frame_zalloc(paddr_t *pa)
{
    *pa = frame_alloc();
    if (!*pa)
        return NULL;
    void *p = phys_to_virt(*pa);
    clear_page(p);
    return p;
}

int arch_domain_create(struct domain *d)
{
    paddr_t pa;
    struct arch_domain *ad = frame_zalloc(&pa);
    if (!ad)
        return -1;
    if (ept_init(&ad->ept)) {
        frame_free(pa);
        return -1;
    }
    ad->ept.table_limit = ept_tables_for(d->ram_bytes) + EPT_SPARE_TABLES;
    ad->ept_gen = ++ept_generation;
    d->arch = ad;
    return 0;
}

static void release_owned_frame(uint64_t hpa)
{
    domain_release_frame(hpa);  /* hv/: a frame another domain still maps lives on */
}

/* Drop cached translations of this EPT (SDM 3C 29.4.3.1): after a change,
 * and before its frames can be reused for another domain. */
static void ept_flush(const struct ept *ept)
{
    enum vmx_status st = vmx_config.invept_single
                             ? invept(INVEPT_SINGLE_CONTEXT, ept_pointer(ept))
                             : invept(INVEPT_ALL_CONTEXT, 0);
    if (st != VMX_OK)
        panic("INVEPT failed");
}

/*
 * d's EPT changed. Each CPU flushes its cached translations before it next
 * enters d (enter_guest); a CPU in d's guest mode right now is kicked out
 * and waited for, so no vCPU of d keeps using a translation that is gone (a
 * grant unmapped, a page replaced) once the hypercall that removed it returns.
 */
static void ept_changed(struct domain *d)
{
    d->arch->ept_gen = ++ept_generation;
    struct percpu *me = this_cpu();
    for (uint32_t cpu = 0; cpu < cpus_online; cpu++) {
        struct percpu *pc = &percpus[cpu];
        if (pc == me || pc->in_guest != d)
            continue;
        arch_kick_cpu(cpu);
        while (pc->in_guest == d)
            arch_cpu_relax();
    }
}

void arch_domain_destroy(struct domain *d)
{
    struct arch_domain *ad = d->arch;
    if (!ad)
        return;
    ept_flush(&ad->ept);
    ept_destroy(&ad->ept, release_owned_frame);
    frame_free(virt_to_phys(ad));
    d->arch = NULL;
}

int arch_domain_map_ram(struct domain *d, gpaddr_t gpa, paddr_t frame)
{
    return ept_map(&d->arch->ept, gpa, frame, EPT_RWX | EPT_SW_OWNED) ? -1 : 0;
}

int arch_domain_set_page(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags,
                         paddr_t *released)
{
    uint64_t old;
    uint64_t perm = 0;
    if (frame)
        perm = ((flags & ARCH_PAGE_READONLY) ? EPT_READ | EPT_EXEC : EPT_RWX) |
               ((flags & ARCH_PAGE_OWNED) ? EPT_SW_OWNED : 0);
    if (ept_replace(&d->arch->ept, gpa, frame, perm, &old))
        return -1;
    ept_changed(d);
    *released = (old & EPT_SW_OWNED) ? (old & EPT_ADDR_MASK) : 0;
    return 0;
}

paddr_t arch_domain_owned_frame(struct domain *d, gpaddr_t gpa)
{
    uint64_t leaf = ept_lookup(&d->arch->ept, gpa & PAGE_MASK);
    return (leaf & EPT_SW_OWNED) ? leaf & EPT_ADDR_MASK : 0;
}

paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write)
{
    uint64_t leaf = ept_lookup(&d->arch->ept, gpa & PAGE_MASK);
    if (!(leaf & EPT_READ) || (write && !(leaf & EPT_WRITE)))
        return 0;
    return (leaf & EPT_ADDR_MASK) | (gpa & ~PAGE_MASK);
}

static void load_vmcs(struct vcpu *v)
{
    enum vmx_status st = vmptrld(v->arch->vmcs);
    if (st != VMX_OK)
        panic("VMPTRLD of vCPU %u of domain %u failed", v->id, v->domain->id);
}

int arch_vcpu_create(struct vcpu *v, uint32_t entry, uint32_t start_info_gpa)
{
    paddr_t pa, vmcs;
    struct arch_vcpu *av = frame_zalloc(&pa);
    if (!av)
        return -1;
    uint32_t *region = frame_zalloc(&vmcs);
    if (!region) {
        frame_free(pa);
        return -1;
    }
    *region = vmx_config.revision;
    av->vmcs = vmcs;
    av->host_cpu = UINT32_MAX;
    uint16_t fcw = FCW_INIT;
    uint32_t mxcsr = MXCSR_INIT;
    memcpy(&av->fpu[FXSAVE_FCW_OFFSET], &fcw, sizeof fcw);
    memcpy(&av->fpu[FXSAVE_MXCSR_OFFSET], &mxcsr, sizeof mxcsr);
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

/* The preemption timer counts TSC >> shift; it ends the slice without guest help. */
static void arm_preemption_timer(uint64_t slice_end_ns)
{
    uint64_t now = arch_now_ns();
    uint64_t ns = slice_end_ns > now ? slice_end_ns - now : 0;
    uint64_t ticks = (ns * arch_tsc_hz() / 1000000000ull) >> vmx_config.preemption_timer_shift;
    vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks);
}

static bool may_run(struct vcpu *v)
{
    return v->state == VCPU_RUNNABLE && v->domain->state == DOMAIN_RUNNING && !v->need_resched;
}

#define INTR_INFO_VALID   (1u << 31)
#define INTR_TYPE_EXTERNAL (0u << 8)
#define INTERRUPTIBILITY_BLOCKING 0xfu  /* STI, MOV SS, SMI, NMI */

/*
 * Deliver a raised upcall as the guest's callback vector, the way an
 * external interrupt arrives: only with RFLAGS.IF set and no blocking.
 * Otherwise ask for an exit as soon as the guest can take it.
 */
static void deliver_upcall(struct vcpu *v)
{
    uint8_t vector = v->domain->callback_vector;
    if (!v->upcall_needed || !vector)
        return;
    uint32_t cpu = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
    bool ready = (vmcs_readnat(GUEST_RFLAGS) & RFLAGS_IF) &&
                 !(vmcs_read32(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_BLOCKING) &&
                 !(vmcs_read32(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID);
    if (ready) {
        vmcs_write32(VM_ENTRY_INTR_INFO, vector | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
        v->upcall_needed = false;
        cpu &= ~CPU_INTERRUPT_WINDOW_EXITING;
    } else {
        cpu |= CPU_INTERRUPT_WINDOW_EXITING;
    }
    vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, cpu);
}

/*
 * One VM entry, with the hypervisor lock released while the guest runs.
 * Called with the lock held; returns with it held after the exit (or the
 * failed entry): 0, or 1 when VMLAUNCH/VMRESUME itself failed.
 */
static int enter_guest(struct vcpu *v)
{
    struct percpu *pc = this_cpu();
    struct domain *d = v->domain;
    pc->in_guest = d;           /* first: an EPT change from now on kicks us */
    if (pc->ept_seen[d->id] != d->arch->ept_gen) {
        ept_flush(&d->arch->ept);
        pc->ept_seen[d->id] = d->arch->ept_gen;
    }
    hv_unlock();
    int failed = vmx_enter(&v->arch->regs, v->arch->launched);
    pc->in_guest = NULL;
    hv_lock();
    if (!failed)
        v->arch->launched = true;
    return failed;
}

void arch_vcpu_run(struct vcpu *v, uint64_t slice_end_ns)
{
    arch_vcpu_load(v);
    v->need_resched = false;
    uint64_t start = arch_now_ns();

    /* With the timer value saved on exit, the slice keeps counting down
     * across exits: arm it once. Otherwise re-arm before every entry. */
    bool timer_saved = vmx_config.exit & EXIT_SAVE_PREEMPTION_TIMER;
    if (timer_saved)
        arm_preemption_timer(slice_end_ns);
    /* The preemption timer counts guest time only: time spent handling exits
     * (a console line is ~8 ms) ends the slice too, checked after each exit. */
    while (may_run(v) && arch_now_ns() < slice_end_ns) {
        deliver_upcall(v);
        if (!timer_saved)
            arm_preemption_timer(slice_end_ns);
        if (enter_guest(v)) {
            vmx_report_entry_failure(v, true);
            break;
        }
        vmx_handle_exit(v);
    }
    v->runtime_ns += arch_now_ns() - start;
}
