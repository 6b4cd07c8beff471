/*
 * The local APIC's MSRs (docs/abi.md, "Local APIC"): IA32_APIC_BASE, the
 * x2APIC registers 0x800-0x8ff (only in x2APIC mode, #GP otherwise, SDM 3A
 * 12.12.1.2) and IA32_TSC_DEADLINE, which CPUID leaf 1 offers. The model
 * (hv/vlapic.h) decides what each access does; a base above MAXPHYADDR is
 * refused here, the only check that needs the CPU.
 */
#include "vcpu.h"
#include "arch/msr.h"
#include "hv/domain.h"
#include "hv/vlapic.h"

#define NOT_MINE 1

static bool x2apic_msr(uint32_t msr)
{
    return msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST;
}

int vmx_vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
    if (msr == MSR_IA32_APIC_BASE) {
        *value = vlapic_base_read(v);
        return 0;
    }
    if (msr == MSR_IA32_TSC_DEADLINE) {
        *value = vlapic_tsc_deadline_read(v);
        return 0;
    }
    if (!x2apic_msr(msr))
        return NOT_MINE;
    if (vlapic_mode(v) != VLAPIC_X2APIC)
        return -1;
    return vlapic_read(v, msr - MSR_X2APIC_FIRST, value);
}

int vmx_vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value)
{
    if (msr == MSR_IA32_APIC_BASE) {
        if (value >> vmx_phys_addr_bits())
            return -1;
        return vlapic_base_write(v, value);
    }
    if (msr == MSR_IA32_TSC_DEADLINE) {
        vlapic_tsc_deadline_write(v, value);
        return 0;
    }
    if (!x2apic_msr(msr))
        return NOT_MINE;
    if (vlapic_mode(v) != VLAPIC_X2APIC)
        return -1;
    return vlapic_write(v, msr - MSR_X2APIC_FIRST, value);
}
