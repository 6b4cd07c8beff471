/*
 * The run loop: enter the guest for the rest of a time slice, deliver
 * upcalls as they become deliverable, and dispatch each exit (exit.c)
 * until the scheduler must choose again.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/lock.h"
#include "hv/vlapic.h"
#include "hv/watchdog.h"

#define VECTOR_NMI 2

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

/* Blocking by STI or MOV SS, or by NMI (SDM 3C 25.4.2). */
#define INTERRUPTIBILITY_NMI (1u << 3)

/* RFLAGS.IF set, no blocking and nothing injected yet: an external
 * interrupt could be taken now. */
static bool interrupt_window_open(void)
{
    return (vmcs_readnat(GUEST_RFLAGS) & RFLAGS_IF) &&
           !(vmcs_read32(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_BLOCKING) &&
           !(vmcs_read32(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

bool vmx_interrupt_ready(struct vcpu *v)
{
    return (v->vlapic.nmi_pending &&
            !(vmcs_read32(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI)) ||
           (vlapic_next_vector(v) >= 0 && (vmcs_readnat(GUEST_RFLAGS) & RFLAGS_IF));
}

/*
 * Events, in Xen's order (hvm_vcpu_has_pending_irq): an NMI the vCPU's
 * local APIC was sent, then a raised upcall as the guest's callback vector
 * (it bypasses the local APIC as in Xen: no IRR or ISR bit, no EOI, not
 * held back by the TPR), then the local APIC's highest deliverable vector
 * (moved to its ISR as it is injected). External interrupts wait for
 * RFLAGS.IF and no blocking, NMIs for no NMI blocking: the interrupt- and
 * NMI-window exits say when.
 */
/*
 * NMIs need virtual NMIs and NMI-window exiting: without them IRET does not end the
 * blocking an injected NMI starts (SDM 3C 26.3, "IRET"), and the guest
 * would never take an interrupt again. A CPU without them drops the NMIs
 * guests send (docs/abi.md, "Local APIC"). Returns true if the NMI window
 * is wanted.
 */
static bool deliver_nmi(struct vcpu *v)
{
    if (!v->vlapic.nmi_pending)
        return false;
    if (!vmx_config.guest_nmis) {
        vlapic_take_nmi(v);
        return false;
    }
    if ((vmcs_read32(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
        (vmcs_read32(GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI_MOVSS | INTERRUPTIBILITY_NMI)))
        return true;
    vlapic_take_nmi(v);
    vmcs_write32(VM_ENTRY_INTR_INFO, VECTOR_NMI | INTR_TYPE_NMI | INTR_INFO_VALID);
    return false;
}

static void __attribute__((noinline)) deliver_events(struct vcpu *v)
{
    bool waiting = false, nmi_waiting = deliver_nmi(v);
    uint8_t vector = v->domain->callback_vector;
    if (v->upcall_needed && vector) {
        if (interrupt_window_open()) {
            vmcs_write32(VM_ENTRY_INTR_INFO, vector | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
            v->upcall_needed = false;
        } else {
            waiting = true;
        }
    }
    int apic = vlapic_next_vector(v);
    if (apic >= 0) {
        if (interrupt_window_open()) {
            vmcs_write32(VM_ENTRY_INTR_INFO, (uint32_t)apic | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
            vlapic_accept(v, (unsigned)apic);
            waiting |= vlapic_next_vector(v) >= 0;
        } else {
            waiting = true;
        }
    }
    uint32_t cpu = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
    cpu = waiting ? cpu | CPU_INTERRUPT_WINDOW_EXITING : cpu & ~CPU_INTERRUPT_WINDOW_EXITING;
    cpu = nmi_waiting ? cpu | CPU_NMI_WINDOW_EXITING : cpu & ~CPU_NMI_WINDOW_EXITING;
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
    pc->in_guest = v->domain;   /* first: an EPT change from now on kicks us */
    vmx_ept_sync(v->domain);
    watchdog_progress(pc->index);
    hv_unlock();
    int failed = vmx_enter(&v->arch->regs, v->arch->launched);
    pc->in_guest = NULL;
    hv_lock();
    if (!failed) {
        v->arch->launched = true;
        pc->vm_exits++;
    }
    return failed;
}

uint64_t arch_cpu_exits(uint32_t cpu)
{
    return cpu < cpus_online ? percpus[cpu].vm_exits : 0;
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
        if (v->upcall_needed || v->vlapic.pending)
            deliver_events(v);
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
