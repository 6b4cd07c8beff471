/*
 * A VM entry that fails must say why. VMfailValid carries a VM-instruction
 * error number; an entry that fails on guest state exits with reason 33/34
 * and a qualification. Either way we re-check the guest-state rules most
 * likely to be broken (SDM 3C 27.3.1), name the first one violated, dump the
 * VMCS fields those rules read, and crash the domain: the hypervisor goes on.
 */
#include "exit_reasons.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "arch/msr.h"
#include "hv/domain.h"
#include "hv/printk.h"

#define AR_PRESENT  (1u << 7)
#define AR_UNUSABLE (1u << 16)
#define AR_TYPE(ar) ((ar) & 0xf)
#define AR_L        (1u << 13)

static const char *const qualification_names[] = {
    [0] = "not used", [2] = "PDPTE load failed", [3] = "NMI injection blocked by STI/MOV SS",
    [4] = "invalid VMCS link pointer",
};

/* Returns the first guest-state check that fails, or NULL. */
static const char *first_failed_check(void)
{
    uint64_t cr0 = vmcs_readnat(GUEST_CR0), cr4 = vmcs_readnat(GUEST_CR4);
    uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
    uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);
    uint32_t cpu2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
    uint64_t fixed0 = vmx_config.cr0_fixed0;
    bool ia32e = entry & ENTRY_IA32E_MODE_GUEST;

    if (cpu2 & CPU2_UNRESTRICTED_GUEST)
        fixed0 &= ~(CR0_PE | CR0_PG);
    if ((cr0 & fixed0) != fixed0 || (cr0 & ~vmx_config.cr0_fixed1))
        return "guest CR0 violates the VMX fixed bits (IA32_VMX_CR0_FIXED0/1)";
    if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
        return "guest CR0.PG set without CR0.PE";
    if ((cr4 & vmx_config.cr4_fixed0) != vmx_config.cr4_fixed0 || (cr4 & ~vmx_config.cr4_fixed1))
        return "guest CR4 violates the VMX fixed bits (IA32_VMX_CR4_FIXED0/1)";
    if (ia32e && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
        return "IA-32e mode guest without CR0.PG and CR4.PAE";
    if (!!(efer & EFER_LMA) != ia32e)
        return "guest EFER.LMA differs from the IA-32e mode guest entry control";
    if ((cr0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
        return "guest EFER.LME differs from EFER.LMA with paging on";
    if (!(vmcs_readnat(GUEST_RFLAGS) & RFLAGS_RESERVED1))
        return "guest RFLAGS bit 1 clear";
    uint32_t cs = vmcs_read32(GUEST_CS_AR), tr = vmcs_read32(GUEST_TR_AR);
    if (!(cs & AR_PRESENT) || (cs & AR_UNUSABLE))
        return "guest CS not present or unusable";
    if (ia32e && (cs & AR_L) && (cs & (1u << 14)))
        return "guest CS has both L and D/B set";
    if ((tr & AR_UNUSABLE) || !(tr & AR_PRESENT) || (AR_TYPE(tr) != 3 && AR_TYPE(tr) != 11))
        return "guest TR is not a present busy TSS";
    if (ia32e && AR_TYPE(tr) != 11)
        return "guest TR is not a 64-bit busy TSS in IA-32e mode";
    if (vmcs_read32(GUEST_ACTIVITY_STATE) > 3)
        return "guest activity state invalid";
    if (vmcs_read64(VMCS_LINK_POINTER) != ~0ull)
        return "VMCS link pointer not ~0";
    return NULL;
}

void vmx_report_entry_failure(struct vcpu *v, bool vmfail)
{
    const char *check = first_failed_check();
    char what[192];
    if (vmfail) {
        uint32_t err = vmcs_read32(VM_INSTRUCTION_ERROR);
        snprintf(what, sizeof what, "VM entry failed: VM-instruction error %u (%s)", err,
                 vmx_instruction_error_name(err));
    } else {
        unsigned reason = EXIT_REASON_BASIC(vmcs_read32(VM_EXIT_REASON));
        uint64_t q = vmcs_readnat(EXIT_QUALIFICATION);
        if (reason == EXIT_MSR_LOADING) {
            /* SDM 3C 27.8: the qualification is the 1-based index of the failed MSR entry. */
            snprintf(what, sizeof what, "VM entry failed: exit reason %u (%s), MSR-load entry %lu",
                     reason, vmx_exit_reason_name(reason), q);
        } else {
            const char *qn = q < ARRAY_SIZE(qualification_names) && qualification_names[q]
                                 ? qualification_names[q] : "unknown";
            snprintf(what, sizeof what, "VM entry failed: exit reason %u (%s), qualification %lu (%s)",
                     reason, vmx_exit_reason_name(reason), q, qn);
        }
    }
    printk("%s\n", what);
    printk("  failed check: %s\n", check ? check : "none of Mica's re-checks; see SDM 3C 27.3");
    printk("  guest CR0 0x%lx CR3 0x%lx CR4 0x%lx EFER 0x%lx RIP 0x%lx RSP 0x%lx RFLAGS 0x%lx\n",
           vmcs_readnat(GUEST_CR0), vmcs_readnat(GUEST_CR3), vmcs_readnat(GUEST_CR4),
           vmcs_read64(GUEST_IA32_EFER), vmcs_readnat(GUEST_RIP), vmcs_readnat(GUEST_RSP),
           vmcs_readnat(GUEST_RFLAGS));
    printk("  guest CS %04x/%x/%x SS %04x/%x TR %04x/%x activity %u interruptibility 0x%x\n",
           vmcs_read16(GUEST_CS_SELECTOR), vmcs_read32(GUEST_CS_AR), vmcs_read32(GUEST_CS_LIMIT),
           vmcs_read16(GUEST_SS_SELECTOR), vmcs_read32(GUEST_SS_AR),
           vmcs_read16(GUEST_TR_SELECTOR), vmcs_read32(GUEST_TR_AR),
           vmcs_read32(GUEST_ACTIVITY_STATE), vmcs_read32(GUEST_INTERRUPTIBILITY));
    printk("  controls pin 0x%x cpu 0x%x cpu2 0x%x entry 0x%x exit 0x%x entry-intr 0x%x\n",
           vmcs_read32(PIN_BASED_VM_EXEC_CONTROL), vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
           vmcs_read32(SECONDARY_VM_EXEC_CONTROL), vmcs_read32(VM_ENTRY_CONTROLS),
           vmcs_read32(VM_EXIT_CONTROLS), vmcs_read32(VM_ENTRY_INTR_INFO));
    domain_crash(v->domain, "%s; failed check: %s", what, check ? check : "unknown");
}
