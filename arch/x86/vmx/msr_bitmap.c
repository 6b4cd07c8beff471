/*
 * The MSR bitmap every vCPU shares (SDM 3C 25.6.9): RDMSR and WRMSR exit
 * for every MSR except those whose guest value the VMCS or the vCPU switch
 * keeps per vCPU. Each one passed through has its row in the CPU-state table
 * of docs/architecture.md; tests/unit/test_cpu_state.c fails without it.
 */
#include "vcpu.h"
#include "arch/msr.h"
#include "hv/arch.h"
#include "hv/frame.h"

paddr_t vmx_msr_bitmap;

static const uint32_t passthrough_msrs[] = {
    MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_PAT,
    MSR_IA32_EFER, MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
    MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE,
};

/* Read-low, read-high, write-low, write-high quarters of 1 KiB each. */
static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
    unsigned base = msr >= 0xc0000000u ? 1024 : 0;
    unsigned bit = msr & 0x1fff;
    bm[base + bit / 8] &= ~(1u << (bit % 8));
    bm[2048 + base + bit / 8] &= ~(1u << (bit % 8));
}

void vmx_msr_bitmap_init(void)
{
    paddr_t pa = frame_alloc_or_panic();
    uint8_t *bm = phys_to_virt(pa);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        bm[i] = 0xff;
    for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
        msr_bitmap_allow(bm, passthrough_msrs[i]);
    vmx_msr_bitmap = pa;
}
