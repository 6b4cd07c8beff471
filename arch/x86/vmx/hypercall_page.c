/*
 * The hypercall page: a guest writes the guest-physical address of one of
 * its RAM pages to XEN_HYPERCALL_PAGE_MSR and gets 32-byte stubs there,
 * stub N being "mov eax, N; vmcall; ret" (the rest int3-filled), which
 * works in 32-bit and 64-bit mode alike.
 */
#include "vcpu.h"
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/string.h"
#include "public/cpuid.h"

#define OPCODE_MOV_EAX_IMM32 0xb8
#define OPCODE_RET           0xc3
#define OPCODE_INT3          0xcc
static const uint8_t vmcall_insn[3] = { 0x0f, 0x01, 0xc1 };

int vmx_fill_hypercall_page(struct vcpu *v, uint64_t msr_value)
{
    /* Bits 11:0 select the page within the set; Mica offers exactly one. */
    if (msr_value & ~PAGE_MASK)
        return -1;
    paddr_t hpa = arch_domain_gpa_to_hpa(v->domain, msr_value, true);
    if (!hpa)
        return -1;
    uint8_t *page = phys_to_virt(hpa);
    memset(page, OPCODE_INT3, PAGE_SIZE);
    for (uint32_t n = 0; n < PAGE_SIZE / HYPERCALL_STUB_SIZE; n++) {
        uint8_t *stub = page + n * HYPERCALL_STUB_SIZE;
        stub[0] = OPCODE_MOV_EAX_IMM32;
        memcpy(stub + 1, &n, sizeof n);
        memcpy(stub + 5, vmcall_insn, sizeof vmcall_insn);
        stub[8] = OPCODE_RET;
    }
    shinfo_latch(v);            /* as Xen does here: the layout of its shared info */
    return 0;
}
