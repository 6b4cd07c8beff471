/* Width-checked VMCS accessors and the VM-instruction error table. */
#include "vmcs.h"
#include "hv/printk.h"

void vmcs_fail(const char *op, uint32_t enc, enum vmx_status st)
{
    uint64_t err = 0;
    if (st == VMX_FAIL_VALID)
        vmread_raw(VM_INSTRUCTION_ERROR.enc, &err);
    panic("%s of VMCS field 0x%04x failed: %s", op, enc,
          st == VMX_FAIL_VALID ? vmx_instruction_error_name((uint32_t)err)
                               : "no current VMCS");
}

enum vmx_status vmcs_read64_safe(vmcs_field64 f, uint64_t *v) { return vmread_raw(f.enc, v); }
enum vmx_status vmcs_write64_safe(vmcs_field64 f, uint64_t v) { return vmwrite_raw(f.enc, v); }

static const char *const instruction_errors[] = {
    [1] = "VMCALL executed in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_name(uint32_t err)
{
    if (err < ARRAY_SIZE(instruction_errors) && instruction_errors[err])
        return instruction_errors[err];
    return "unknown VM-instruction error";
}
