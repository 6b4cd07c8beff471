/*
 * VMX bring-up on one CPU: check every capability Mica needs (from the TRUE
 * control MSRs when the CPU has them), compute the control values, enable
 * VMX in CR4 and IA32_FEATURE_CONTROL, and VMXON.
 */
#include "vmx_caps.h"
#include "vmcs.h"
#include "vcpu.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/string.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_BASIC_REVISION_MASK 0x7fffffffu
#define VMX_MISC_PREEMPTION_SHIFT_MASK 0x1f

struct vmx_config vmx_config;

/*
 * A control MSR holds allowed-0 settings in its low half (bits that must be 1)
 * and allowed-1 settings in its high half (bits that may be 1). Returns false
 * if a required bit cannot be set; optional bits are dropped when unsupported.
 */
static bool adjust_controls(uint32_t msr, uint32_t required, uint32_t optional,
                            uint32_t *out, const char *what, char *missing, size_t len)
{
    uint64_t v = rdmsr(msr);
    uint32_t must = (uint32_t)v, may = (uint32_t)(v >> 32);
    if ((required & may) != required) {
        snprintf(missing, len, "%s control bits 0x%x", what, required & ~may);
        return false;
    }
    *out = (required | (optional & may) | must);
    return true;
}

static int refuse(const char *what)
{
    printk("VMX unusable: %s missing. Mica needs VMX with EPT (4-level, write-back), "
           "unrestricted guest and the preemption timer.\n", what);
    return -1;
}

static int probe(void)
{
    uint32_t a, b, c, d;
    char missing[96];

    cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & CPUID_1_ECX_VMX))
        return refuse("VMX (CPUID.1:ECX.VMX[bit 5] = 0)");

    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
        return refuse("VMXON outside SMX (disabled and locked by firmware in IA32_FEATURE_CONTROL)");

    uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
    bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
    vmx_config.revision = basic & VMX_BASIC_REVISION_MASK;

    if (!adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
                         PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
                         0, &vmx_config.pin, "pin-based", missing, sizeof missing) ||
        !adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
                         CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING | CPU_USE_MSR_BITMAPS |
                             CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING |
                             CPU_SECONDARY_CONTROLS,
                         0, &vmx_config.cpu, "processor-based", missing, sizeof missing) ||
        !adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2,
                         CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
                         CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID, &vmx_config.cpu2,
                         "secondary (EPT, unrestricted guest)", missing, sizeof missing) ||
        !adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
                         EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
                             EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | EXIT_SAVE_DEBUG_CONTROLS,
                         EXIT_SAVE_PREEMPTION_TIMER, &vmx_config.exit, "VM-exit", missing,
                         sizeof missing) ||
        !adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
                         ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_DEBUG_CONTROLS, 0,
                         &vmx_config.entry,
                         "VM-entry", missing, sizeof missing))
        return refuse(missing);


    uint64_t ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    if (!(ept & EPT_CAP_WALK_LENGTH_4))
        return refuse("EPT 4-level page walk");
    if (!(ept & EPT_CAP_MEMTYPE_WB))
        return refuse("EPT write-back memory type");
    if (!(ept & EPT_CAP_INVEPT) || !(ept & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
        return refuse("INVEPT");
    vmx_config.invept_single = ept & EPT_CAP_INVEPT_SINGLE;

    vmx_config.preemption_timer_shift = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_SHIFT_MASK;
    vmx_config.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    vmx_config.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    vmx_config.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    vmx_config.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    return 0;
}

/* VMX operation on this CPU (each CPU, after probe() on the boot CPU). */
int vmx_cpu_on(void)
{
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);

    /* SDM 3C 24.8: CR0 and CR4 must satisfy the fixed bits in VMX operation. */
    write_cr0((read_cr0() | vmx_config.cr0_fixed0) & vmx_config.cr0_fixed1);
    write_cr4((read_cr4() | vmx_config.cr4_fixed0 | CR4_VMXE) & vmx_config.cr4_fixed1);

    paddr_t region = frame_alloc();
    if (!region)
        panic("no frame for the VMXON region");
    memset(phys_to_virt(region), 0, PAGE_SIZE);
    *(uint32_t *)phys_to_virt(region) = vmx_config.revision;
    enum vmx_status st = vmxon(region);
    if (st != VMX_OK) {
        printk("VMXON failed (%s)\n", st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
        frame_free(region);
        return -1;
    }
    return 0;
}

int arch_virt_init(void)
{
    if (probe())
        return -1;
    if (vmx_cpu_on())
        panic("VMXON failed on the boot CPU");
    vmx_msr_bitmap_init();
    printk("vmx: on (revision 0x%x), controls pin 0x%x cpu 0x%x cpu2 0x%x exit 0x%x "
           "entry 0x%x, preemption timer TSC>>%u\n",
           vmx_config.revision, vmx_config.pin, vmx_config.cpu, vmx_config.cpu2,
           vmx_config.exit, vmx_config.entry, vmx_config.preemption_timer_shift);
    return 0;
}
