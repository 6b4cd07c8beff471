/*
 * Filling a VMCS: host state (this CPU as the hypervisor runs it) and the
 * guest state of a PVH vCPU at its entry point: 32-bit protected mode, paging
 * off, flat segments, EBX = start_info (SDM 3C 26.3 lists the guest checks).
 */
#include "start_state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"

#define PVH_CS_SEL  0x08
#define PVH_DS_SEL  0x10
#define PVH_TR_SEL  0x18
#define VMCS_LINK_NONE ~0ull

/*
 * CR bits the hypervisor owns: the guest reads the shadow, writes that change
 * them exit. OSXSAVE stays off because XSAVE state is not switched per vCPU
 * yet (only the FXSAVE image is): a guest must not reach AVX state.
 */
#define CR0_HOST_OWNED CR0_NE
#define CR4_HOST_OWNED (CR4_VMXE | CR4_OSXSAVE)

/* The host state that differs between CPUs: written whenever a vCPU's VMCS
 * is loaded on a CPU other than the one it last ran on. */
void vmcs_write_host_cpu(uint32_t cpu)
{
    vmcs_writenat(HOST_GS_BASE, (uint64_t)&percpus[cpu]);
    vmcs_writenat(HOST_TR_BASE, tss_base(cpu));
    vmcs_writenat(HOST_GDTR_BASE, gdt_base(cpu));
}

static void setup_host_state(void)
{
    struct descriptor_table_ptr idtr;
    sidt(&idtr);
    vmcs_writenat(HOST_CR0, read_cr0());
    vmcs_writenat(HOST_CR3, read_cr3());
    vmcs_writenat(HOST_CR4, read_cr4());
    vmcs_write16(HOST_CS_SELECTOR, GDT_SEL_CODE);
    vmcs_write16(HOST_SS_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(HOST_DS_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(HOST_ES_SELECTOR, GDT_SEL_DATA);
    vmcs_write16(HOST_FS_SELECTOR, 0);
    vmcs_write16(HOST_GS_SELECTOR, 0);
    vmcs_write16(HOST_TR_SELECTOR, GDT_SEL_TSS);
    vmcs_writenat(HOST_FS_BASE, 0);
    vmcs_writenat(HOST_IDTR_BASE, idtr.base);
    vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
    vmcs_writenat(HOST_IA32_SYSENTER_ESP, 0);
    vmcs_writenat(HOST_IA32_SYSENTER_EIP, 0);
    vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
    vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_writenat(HOST_RIP, (uint64_t)vmx_exit_stub);
    /* HOST_RSP is written by vmx_enter before every entry. */
}

static void setup_controls(struct vcpu *v)
{
    struct arch_domain *ad = v->domain->arch;
    vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_config.pin);
    vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_config.cpu);
    vmcs_write32(SECONDARY_VM_EXEC_CONTROL, vmx_config.cpu2);
    vmcs_write32(VM_EXIT_CONTROLS, vmx_config.exit);
    vmcs_write32(VM_ENTRY_CONTROLS, vmx_config.entry & ~ENTRY_IA32E_MODE_GUEST);
    vmcs_write32(EXCEPTION_BITMAP, 0);
    vmcs_write32(CR3_TARGET_COUNT, 0);
    vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write32(VM_ENTRY_INTR_INFO, 0);
    vmcs_write64(MSR_BITMAP, vmx_msr_bitmap);
    paddr_t io = domain_owns_devices(v->domain) ? vmx_io_bitmaps_owner : vmx_io_bitmaps_none;
    vmcs_write64(IO_BITMAP_A, io);
    vmcs_write64(IO_BITMAP_B, io + PAGE_SIZE);
    vmcs_write64(EPT_POINTER, ept_pointer(&ad->ept));
    vmcs_write64(VMCS_LINK_POINTER, VMCS_LINK_NONE);
    vmcs_writenat(CR0_GUEST_HOST_MASK, CR0_HOST_OWNED);
    vmcs_writenat(CR4_GUEST_HOST_MASK, CR4_HOST_OWNED);
}

/* The PVH entry state (docs/abi.md): the guest sees CR0 = PE|ET and CR4 = 0. */
static void setup_guest_state(uint32_t entry)
{
    const struct vmx_segment data = { PVH_DS_SEL, 0, FLAT_LIMIT, AR_DATA };
    const struct vmx_start_state s = {
        .cr0 = CR0_PE | CR0_ET,
        .rip = entry,
        .rflags = RFLAGS_RESERVED1,
        .cs = { PVH_CS_SEL, 0, FLAT_LIMIT, AR_CODE32 },
        .ss = data, .ds = data, .es = data, .fs = data, .gs = data,
        .tr = { PVH_TR_SEL, 0, TSS_LIMIT, AR_TSS },
    };
    vmx_write_start_state(&s);
}

void vmcs_setup(struct vcpu *v, uint32_t entry, uint32_t start_info_gpa)
{
    setup_controls(v);
    setup_host_state();
    setup_guest_state(entry);
    v->arch->regs.rbx = start_info_gpa;
}
