/*
 * The xAPIC page (docs/abi.md, "Local APIC"): an EPT violation on the page
 * IA32_APIC_BASE names, while the vCPU's own APIC is in xAPIC mode, is a
 * register access of the emulated APIC (hv/vlapic.h). Nothing is mapped
 * there, so every access exits; the instruction is decoded as for unbacked
 * memory (unbacked.c) and completed here. A register is the first 4 bytes
 * of its 16-byte slot (SDM 3A 12.4.1): reads of 1, 2, 4 or 8 bytes return
 * its bytes from the offset read, zeros past them; only an aligned 4-byte
 * write reaches the register, narrower, wider or unaligned ones are dropped.
 * BT, which the decoder knows for unbacked memory, is not emulated here: it
 * crashes the domain with that reported. In x2APIC mode or with the APIC
 * disabled the page is plain unbacked memory.
 */
#include "vcpu.h"
#include "arch/insn_mem.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/vlapic.h"

#define SLOT_REG_BYTES 4

bool vmx_vlapic_mmio(struct vcpu *v, uint64_t gpa, bool write, bool fetch)
{
    if (fetch || vlapic_mode(v) != VLAPIC_XAPIC ||
        (gpa & ~0xfffull) != (vlapic_base_read(v) & APIC_BASE_ADDR_MASK) ||
        arch_domain_gpa_to_hpa(v->domain, gpa, false))
        return false;           /* not the APIC, or a page the guest mapped over it */
    struct insn_mem m;
    char refusal[96];
    if (vmx_decode_access(v, write, &m, refusal, sizeof refusal))
        return false;           /* the caller reports it, as for unbacked memory */
    if (m.bit_test) {
        vmx_crash_with_state(v, "EPT violation: BT on the local APIC page (not emulated)");
        return true;
    }
    unsigned offset = gpa & 0xfff, reg = offset >> 4, within = offset & 15;
    if (m.store) {
        if (m.width == SLOT_REG_BYTES && within == 0)
            vlapic_write(v, reg, insn_mem_store_value(&m, vmx_access_reg(v, &m)));
    } else {
        uint64_t value = 0;
        if (within < SLOT_REG_BYTES && vlapic_read(v, reg, &value) == 0)
            value = (uint32_t)value >> (within * 8);
        vmx_access_load(v, &m, value);
    }
    vmx_skip_instruction(m.length);
    return true;
}
