/*
 * VM-exit dispatch. One table indexed by basic exit reason; every reason has
 * an entry, and those Mica does not expect point at handle_unexpected, which
 * crashes the domain with a report. Handlers return nothing: they update the
 * guest (registers, RIP, injected event) or the vCPU/domain state, and the
 * run loop in vcpu_run.c decides whether to re-enter.
 */
#include "exit_reasons.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/cpu.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/pirq.h"
#include "hv/domain.h"
#include "hv/hypercall.h"
#include "hv/printk.h"
#include "hv/watchdog.h"
#include "public/cpuid.h"
#include "public/stats.h"

#define VECTOR_UD 6
#define VECTOR_GP 13
#define CS_AR_L (1u << 13)

/* Exit qualification fields. */
#define CR_QUAL_NUMBER(q)  ((q) & 0xf)
#define CR_QUAL_TYPE(q)    (((q) >> 4) & 3)
#define CR_QUAL_GPR(q)     (((q) >> 8) & 0xf)
#define CR_ACCESS_MOV_TO   0
#define CR_ACCESS_MOV_FROM 1
#define GPR_RSP            4
#define EPT_QUAL_READ      (1u << 0)
#define EPT_QUAL_WRITE     (1u << 1)
#define EPT_QUAL_FETCH     (1u << 2)
#define EPT_QUAL_LINEAR_VALID (1u << 7)

void vmx_inject_exception(unsigned vector, bool has_error, uint32_t error)
{
    uint32_t info = vector | INTR_TYPE_HW_EXCEPTION | INTR_INFO_VALID;
    if (has_error) {
        info |= INTR_INFO_ERROR_VALID;
        vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
    }
    vmcs_write32(VM_ENTRY_INTR_INFO, info);
}

/* The instruction is done: step over it (SDM: STI/MOV SS blocking ends).
 * Inline into both callers: vmx_advance_rip is on every hypercall's path. */
static inline void skip_instruction(uint32_t length)
{
    vmcs_writenat(GUEST_RIP, vmcs_readnat(GUEST_RIP) + length);
    uint32_t intr = vmcs_read32(GUEST_INTERRUPTIBILITY);
    if (intr & INTERRUPTIBILITY_STI_MOVSS)
        vmcs_write32(GUEST_INTERRUPTIBILITY, intr & ~INTERRUPTIBILITY_STI_MOVSS);
}

void vmx_advance_rip(void)
{
    skip_instruction(vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

void vmx_skip_instruction(uint32_t length)
{
    skip_instruction(length);
}

bool vmx_guest_in_64bit_mode(void)
{
    return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read32(GUEST_CS_AR) & CS_AR_L);
}

bool arch_vcpu_compat(const struct vcpu *v)
{
    (void)v;                    /* it is the loaded one: its VMCS is current */
    return !vmx_guest_in_64bit_mode();
}

uint64_t *vmx_gpr(struct vcpu *v, unsigned n)
{
    struct guest_regs *r = &v->arch->regs;
    uint64_t *const regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp,
                                 &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
                                 &r->r12, &r->r13, &r->r14, &r->r15 };
    return regs[n & 15];
}

/* General register n as MOV CR names it; RSP lives in the VMCS. */
static uint64_t read_gpr(struct vcpu *v, unsigned n)
{
    return n == GPR_RSP ? vmcs_readnat(GUEST_RSP) : *vmx_gpr(v, n);
}

static void write_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
    if (n == GPR_RSP)
        vmcs_writenat(GUEST_RSP, val);
    else
        *vmx_gpr(v, n) = val;
}

/* What the guest reads from CR0/CR4: its own bits, the shadow for host-owned ones. */
static uint64_t guest_visible_cr(vmcs_fieldnat cr, vmcs_fieldnat mask, vmcs_fieldnat shadow)
{
    uint64_t m = vmcs_readnat(mask);
    return (vmcs_readnat(cr) & ~m) | (vmcs_readnat(shadow) & m);
}

void vmx_crash_with_state(struct vcpu *v, const char *what)
{
    domain_crash(v->domain, "%s at RIP 0x%lx (CR0 0x%lx CR3 0x%lx CR4 0x%lx EFER 0x%lx RSP 0x%lx)",
                 what, vmcs_readnat(GUEST_RIP),
                 guest_visible_cr(GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW),
                 vmcs_readnat(GUEST_CR3),
                 guest_visible_cr(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW),
                 vmcs_read64(GUEST_IA32_EFER), vmcs_readnat(GUEST_RSP));
}

static void handle_unexpected(struct vcpu *v)
{
    unsigned reason = EXIT_REASON_BASIC(vmcs_read32(VM_EXIT_REASON));
    char what[96];
    snprintf(what, sizeof what, "unhandled VM exit %u (%s), qualification 0x%lx", reason,
             vmx_exit_reason_name(reason), vmcs_readnat(EXIT_QUALIFICATION));
    vmx_crash_with_state(v, what);
}

static void handle_exception_nmi(struct vcpu *v)
{
    uint32_t info = vmcs_read32(VM_EXIT_INTR_INFO);
    if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
        if (machine_halting)
            halt_this_cpu();    /* another CPU is stopping the machine (power.c) */
        if (watchdog_nmi((uint64_t)__builtin_return_address(0),
                         *(uint64_t *)__builtin_frame_address(0)))
            return;             /* its backtrace: where this exit is handled */
        printk("NMI while running domain %u: ignored\n", v->domain->id);
        return;
    }
    handle_unexpected(v);       /* the exception bitmap is empty: should not happen */
}

/* The interrupt is taken in the window; a device's becomes its event here. */
static void handle_external_interrupt(struct vcpu *v)
{
    (void)v;
    interrupt_window();
    pirq_deliver_pending();
}

static void handle_triple_fault(struct vcpu *v)
{
    vmx_crash_with_state(v, "triple fault");
}

/* HLT blocks until an event, unless one is already waiting to be injected,
 * or another CPU took the vCPU down (VCPUOP_DOWN, its domain ended) while
 * this exit waited for the hypervisor lock: it stays down. */
static void handle_hlt(struct vcpu *v)
{
    vmx_advance_rip();
    if (!v->upcall_needed && !vmx_interrupt_ready(v) && v->state == VCPU_RUNNABLE)
        v->state = VCPU_BLOCKED;
}

/* The guest takes NMIs again (virtual NMIs: its IRET ended the blocking):
 * the run loop injects the one its local APIC holds. */
static void handle_nmi_window(struct vcpu *v)
{
    (void)v;
    vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
                 vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_NMI_WINDOW_EXITING);
}

/* The guest can take an interrupt again: the run loop injects the upcall. */
static void handle_interrupt_window(struct vcpu *v)
{
    (void)v;
    vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
                 vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_INTERRUPT_WINDOW_EXITING);
}

/*
 * Back onto the vmcall that vmx_advance_rip stepped over. Out of line and off
 * the hot path: RIP is read again only for a restart, and the instruction
 * length still describes this exit (no VM entry since; same VMCS current).
 */
static void __attribute__((noinline, cold)) restart_vmcall(void)
{
    vmcs_writenat(GUEST_RIP, vmcs_readnat(GUEST_RIP) - vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

static void handle_vmcall(struct vcpu *v)
{
    struct guest_regs *r = &v->arch->regs;
    bool wide = vmx_guest_in_64bit_mode();
    uint64_t args[HYPERCALL_ARGS];
    if (wide) {
        uint64_t a[HYPERCALL_ARGS] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
        for (unsigned i = 0; i < HYPERCALL_ARGS; i++)
            args[i] = a[i];
    } else {
        /* 32-bit callers use Xen's 32-bit convention: EBX, ECX, EDX, ESI, EDI. */
        uint64_t a[HYPERCALL_ARGS] = { r->rbx, r->rcx, r->rdx, r->rsi, r->rdi };
        for (unsigned i = 0; i < HYPERCALL_ARGS; i++)
            args[i] = (uint32_t)a[i];
    }
    uint64_t nr = wide ? r->rax : (uint32_t)r->rax;
    vmx_advance_rip();
    long ret = hypercall_dispatch(v, nr, args);
    if (__builtin_expect(ret == HYPERCALL_RESTART, 0)) {
        restart_vmcall();               /* the guest makes the call again */
        return;
    }
    r->rax = wide ? (uint64_t)ret : (uint32_t)ret;
}

/*
 * CR8 is the vCPU's own task priority (CR8-load and CR8-store exiting): bits
 * 7:4 of its emulated local APIC's TPR (SDM 3A 12.8.6.5; a write clears bits
 * 3:0), never written to the physical LAPIC, whose TPR stays the
 * hypervisor's: a guest raising it would otherwise mask the timer and kick
 * IPIs of the physical CPU. The CPU has made the checks that precede the
 * exit (#UD outside 64-bit mode, #GP at CPL > 0); a write with bits 63:4
 * set is #GP (SDM 3A 12.8.6.1), checked here. As in Xen, the value does not
 * hold back upcalls: the callback vector is not subject to the TPR.
 */
static void handle_cr8(struct vcpu *v, uint64_t q)
{
    unsigned n = CR_QUAL_GPR(q);
    if (CR_QUAL_TYPE(q) == CR_ACCESS_MOV_FROM) {
        write_gpr(v, n, v->vlapic.tpr >> 4);
    } else {
        uint64_t val = read_gpr(v, n);
        if (val >> 4) {
            vmx_inject_exception(VECTOR_GP, true, 0);
            return;
        }
        v->vlapic.tpr = (uint32_t)val << 4;
    }
    vmx_advance_rip();
}

/* CR8 accesses exit; of CR0/CR4 only writes that touch a host-owned bit
 * (CR0.NE, CR4.VMXE/OSXSAVE) do. */
static void handle_cr_access(struct vcpu *v)
{
    uint64_t q = vmcs_readnat(EXIT_QUALIFICATION);
    if (CR_QUAL_NUMBER(q) == 8) {
        handle_cr8(v, q);
        return;
    }
    if (CR_QUAL_TYPE(q) != CR_ACCESS_MOV_TO) {
        handle_unexpected(v);
        return;
    }
    uint64_t val = read_gpr(v, CR_QUAL_GPR(q));
    if (CR_QUAL_NUMBER(q) == 4) {
        vmx_inject_exception(VECTOR_GP, true, 0);   /* neither VMX nor XSAVE is offered */
        return;
    }
    if (CR_QUAL_NUMBER(q) != 0) {
        handle_unexpected(v);
        return;
    }
    uint64_t old = vmcs_readnat(GUEST_CR0);
    uint64_t cr0 = val | CR0_NE;
    uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
    /* SDM 3A 2.5: PG without PE, NW without CD, or bits above 31 fault; so does
     * clearing PG in 64-bit mode (IA-32e mode is left from compatibility mode). */
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)) ||
        (!(val & CR0_PG) && vmx_guest_in_64bit_mode())) {
        vmx_inject_exception(VECTOR_GP, true, 0);
        return;
    }
    /* Turning paging on or off switches IA-32e mode when EFER.LME is set (SDM 3A 10.8.5). */
    if ((cr0 ^ old) & CR0_PG && (efer & EFER_LME)) {
        uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);
        if (cr0 & CR0_PG) {
            efer |= EFER_LMA;
            entry |= ENTRY_IA32E_MODE_GUEST;
        } else {
            efer &= ~EFER_LMA;
            entry &= ~ENTRY_IA32E_MODE_GUEST;
        }
        vmcs_write64(GUEST_IA32_EFER, efer);
        vmcs_write32(VM_ENTRY_CONTROLS, entry);
    }
    vmcs_writenat(GUEST_CR0, cr0);
    vmcs_writenat(CR0_READ_SHADOW, val);
    vmx_advance_rip();
}

/*
 * Intercepted MSRs: the local APIC's (vlapic_msr.c); the hypercall-page MSR
 * is write-only; IA32_DEBUGCTL reads 0 and takes only 0, as Xen's HVM
 * guests without LBR/BTS see it (the VMCS keeps the guest's at 0);
 * PLATFORM_INFO (read-only) says only that CPUID faulting is there and
 * MISC_FEATURES_ENABLES switches it, as Xen offers every HVM guest (the
 * CPUID exit does the faulting); all others #GP.
 */
/* The MSRs emulated here besides the APIC's: 0 with *value, or -1 (#GP). */
static int platform_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
    switch (msr) {
    case MSR_IA32_DEBUGCTL:
        *value = 0;
        return 0;
    case MSR_PLATFORM_INFO:
        *value = PLATFORM_INFO_CPUID_FAULTING;
        return 0;
    case MSR_MISC_FEATURES_ENABLES:
        *value = v->arch->cpuid_faulting ? MISC_FEATURES_CPUID_FAULTING : 0;
        return 0;
    default:
        return -1;
    }
}

static int platform_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value)
{
    switch (msr) {
    case XEN_HYPERCALL_PAGE_MSR:
        return vmx_fill_hypercall_page(v, value) == 0 ? 0 : -1;
    case MSR_IA32_DEBUGCTL:
        return value == 0 ? 0 : -1;
    case MSR_MISC_FEATURES_ENABLES:
        if (value & ~MISC_FEATURES_CPUID_FAULTING)
            return -1;
        v->arch->cpuid_faulting = value != 0;
        return 0;
    default:
        return -1;
    }
}

static void handle_rdmsr(struct vcpu *v)
{
    struct guest_regs *r = &v->arch->regs;
    uint32_t msr = (uint32_t)r->rcx;
    uint64_t value = 0;
    int rc = vmx_vlapic_rdmsr(v, msr, &value);
    if (rc > 0)
        rc = platform_rdmsr(v, msr, &value);        /* not the APIC's */
    if (rc) {
        vmx_inject_exception(VECTOR_GP, true, 0);
        return;
    }
    r->rax = (uint32_t)value;
    r->rdx = value >> 32;
    vmx_advance_rip();
}

static void handle_wrmsr(struct vcpu *v)
{
    struct guest_regs *r = &v->arch->regs;
    uint32_t msr = (uint32_t)r->rcx;
    uint64_t value = (r->rdx << 32) | (uint32_t)r->rax;
    int rc = vmx_vlapic_wrmsr(v, msr, value);
    if (rc > 0)
        rc = platform_wrmsr(v, msr, value);         /* not the APIC's */
    if (rc) {
        vmx_inject_exception(VECTOR_GP, true, 0);
        return;
    }
    vmx_advance_rip();
}

/* The vCPU's privilege level: SS.DPL (SDM 3C 27.3.1.5), 3 in virtual-8086 mode. */
static unsigned guest_cpl(void)
{
    if (vmcs_readnat(GUEST_RFLAGS) & RFLAGS_VM)
        return 3;
    return (vmcs_read32(GUEST_SS_AR) >> 5) & 3u;
}

/* With CPUID faulting on (MISC_FEATURES_ENABLES), CPUID outside ring 0 is #GP(0). */
static void handle_cpuid(struct vcpu *v)
{
    if (v->arch->cpuid_faulting && guest_cpl() > 0)
        vmx_inject_exception(VECTOR_GP, true, 0);
    else
        vmx_handle_cpuid(v);
}

static void handle_entry_failure(struct vcpu *v)
{
    vmx_report_entry_failure(v, false);
}

static void handle_ept_violation(struct vcpu *v)
{
    uint64_t q = vmcs_readnat(EXIT_QUALIFICATION);
    uint64_t gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
    char refusal[96] = "";
    if (vmx_vlapic_mmio(v, gpa, q & EPT_QUAL_WRITE, q & EPT_QUAL_FETCH) ||
        vmx_unbacked_access(v, gpa, q & EPT_QUAL_WRITE, q & EPT_QUAL_FETCH, refusal,
                            sizeof refusal))
        return;
    const char *access = q & EPT_QUAL_WRITE ? "write" : q & EPT_QUAL_FETCH ? "execute" : "read";
    char linear[40] = "";
    if (q & EPT_QUAL_LINEAR_VALID)
        snprintf(linear, sizeof linear, " (linear 0x%lx)", vmcs_readnat(GUEST_LINEAR_ADDRESS));
    char what[200];
    snprintf(what, sizeof what, "EPT violation: %s of GPA 0x%lx%s%s%s", access, gpa, linear,
             *refusal ? ": " : "", refusal);
    vmx_crash_with_state(v, what);
}

static void handle_ept_misconfig(struct vcpu *v)
{
    char what[96];
    snprintf(what, sizeof what, "EPT misconfiguration at GPA 0x%lx (hypervisor bug)",
             vmcs_read64(GUEST_PHYSICAL_ADDRESS));
    vmx_crash_with_state(v, what);
}

static void handle_preemption_timer(struct vcpu *v)
{
    v->need_resched = true;
}

/* Cache flushes need nothing from us: guests share no caches they could abuse this way. */
static void handle_skip(struct vcpu *v)
{
    (void)v;
    vmx_advance_rip();
}

static void handle_undefined(struct vcpu *v)
{
    (void)v;
    vmx_inject_exception(VECTOR_UD, false, 0);      /* nested VMX is not offered */
}

static void handle_xsetbv(struct vcpu *v)
{
    (void)v;
    vmx_inject_exception(VECTOR_GP, true, 0);       /* XSAVE is not offered (CPUID hides it) */
}

typedef void (*exit_handler)(struct vcpu *v);

static const exit_handler exit_handlers[EXIT_REASON_COUNT] = {
    [EXIT_EXCEPTION_NMI] = handle_exception_nmi,
    [EXIT_EXTERNAL_INTERRUPT] = handle_external_interrupt,
    [EXIT_TRIPLE_FAULT] = handle_triple_fault,
    [EXIT_CPUID] = handle_cpuid,
    [EXIT_INTERRUPT_WINDOW] = handle_interrupt_window,
    [EXIT_NMI_WINDOW] = handle_nmi_window,
    [EXIT_HLT] = handle_hlt,
    [EXIT_INVD] = handle_skip,
    [EXIT_VMCALL] = handle_vmcall,
    [EXIT_TASK_SWITCH] = vmx_handle_task_switch,
    [EXIT_VMCLEAR] = handle_undefined,
    [EXIT_VMLAUNCH] = handle_undefined,
    [EXIT_VMPTRLD] = handle_undefined,
    [EXIT_VMPTRST] = handle_undefined,
    [EXIT_VMREAD] = handle_undefined,
    [EXIT_VMRESUME] = handle_undefined,
    [EXIT_VMWRITE] = handle_undefined,
    [EXIT_VMXOFF] = handle_undefined,
    [EXIT_VMXON] = handle_undefined,
    [EXIT_CR_ACCESS] = handle_cr_access,
    [EXIT_IO_INSTRUCTION] = vmx_handle_io,
    [EXIT_RDMSR] = handle_rdmsr,
    [EXIT_WRMSR] = handle_wrmsr,
    [EXIT_INVALID_GUEST_STATE] = handle_entry_failure,
    [EXIT_MSR_LOADING] = handle_entry_failure,
    [EXIT_EPT_VIOLATION] = handle_ept_violation,
    [EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
    [EXIT_INVEPT] = handle_undefined,
    [EXIT_PREEMPTION_TIMER] = handle_preemption_timer,
    [EXIT_INVVPID] = handle_undefined,
    [EXIT_WBINVD] = handle_skip,
    [EXIT_XSETBV] = handle_xsetbv,
    [EXIT_VMFUNC] = handle_undefined,
};

/* What each exit counts as (public/stats.h); 0, MICA_STATS_EXIT_OTHER, for the rest. */
static const uint8_t exit_stat[EXIT_REASON_COUNT] = {
    [EXIT_EXCEPTION_NMI] = MICA_STATS_EXIT_EXCEPTION_NMI,
    [EXIT_EXTERNAL_INTERRUPT] = MICA_STATS_EXIT_EXTERNAL_INTERRUPT,
    [EXIT_INTERRUPT_WINDOW] = MICA_STATS_EXIT_INTERRUPT_WINDOW,
    [EXIT_CPUID] = MICA_STATS_EXIT_CPUID,
    [EXIT_HLT] = MICA_STATS_EXIT_HLT,
    [EXIT_VMCALL] = MICA_STATS_EXIT_HYPERCALL,
    [EXIT_CR_ACCESS] = MICA_STATS_EXIT_CR_ACCESS,
    [EXIT_IO_INSTRUCTION] = MICA_STATS_EXIT_IO,
    [EXIT_RDMSR] = MICA_STATS_EXIT_MSR_READ,
    [EXIT_WRMSR] = MICA_STATS_EXIT_MSR_WRITE,
    [EXIT_EPT_VIOLATION] = MICA_STATS_EXIT_EPT,
    [EXIT_EPT_MISCONFIG] = MICA_STATS_EXIT_EPT,
    [EXIT_PREEMPTION_TIMER] = MICA_STATS_EXIT_PREEMPTION_TIMER,
};

/* A reason beyond the tables: counted as other, and the domain crashed. */
static void __attribute__((noinline, cold)) handle_beyond(struct vcpu *v)
{
    v->stats.exits[MICA_STATS_EXIT_OTHER]++;
    handle_unexpected(v);
}

void vmx_handle_exit(struct vcpu *v)
{
    size_t reason = EXIT_REASON_BASIC(vmcs_read32(VM_EXIT_REASON));
    if (reason >= EXIT_REASON_COUNT) {
        handle_beyond(v);
        return;
    }
    v->stats.exits[exit_stat[reason]]++;
    exit_handler h = exit_handlers[reason];
    (h ? h : handle_unexpected)(v);
}
