/*
 * The VMX controls Mica runs every vCPU with: what it requires and what it
 * takes when offered. Kept apart from the bring-up in vmx.c so that
 * tests/unit/test_cpu_state.c can check these very values against the
 * CPU-state table of docs/architecture.md: a control that lets a guest
 * reach state without an exit needs a row saying how that state is kept.
 */
#include "vmx_caps.h"
#include "arch/msr.h"

const struct vmx_control_request vmx_control_requests[VMX_CTL_COUNT] = {
    [VMX_CTL_PIN] = {
        "pin-based", MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
        PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
        PIN_VIRTUAL_NMIS,       /* NMIs for guests' local APICs (vcpu_run.c) */
    },
    /* CR8 accesses exit so that the LAPIC's TPR is never the guest's (exit.c);
     * the I/O bitmaps (io_bitmap.c) choose which ports exit. */
    [VMX_CTL_CPU] = {
        "processor-based", MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
        CPU_HLT_EXITING | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
            CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING | CPU_SECONDARY_CONTROLS,
        0,
    },
    [VMX_CTL_CPU2] = {
        "secondary (EPT, unrestricted guest)", MSR_IA32_VMX_PROCBASED_CTLS2,
        MSR_IA32_VMX_PROCBASED_CTLS2,
        CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST, CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID,
    },
    /* PAT, EFER, DR7 and IA32_DEBUGCTL are switched by the VMCS. */
    [VMX_CTL_EXIT] = {
        "VM-exit", MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
        EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
            EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | EXIT_SAVE_DEBUG_CONTROLS,
        EXIT_SAVE_PREEMPTION_TIMER,
    },
    [VMX_CTL_ENTRY] = {
        "VM-entry", MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS,
        ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_DEBUG_CONTROLS, 0,
    },
};

/*
 * A capability MSR holds allowed-0 settings in its low half (bits that must
 * be 1) and allowed-1 settings in its high half (bits that may be 1). False
 * if a required bit cannot be set; optional bits are dropped when unsupported.
 */
bool vmx_adjust_controls(const struct vmx_control_request *r, uint64_t cap, uint32_t *out)
{
    uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
    if ((r->required & may) != r->required)
        return false;
    *out = r->required | (r->optional & may) | must;
    return true;
}
