/*
 * Guest-physical memory that is neither RAM nor a device (docs/abi.md,
 * "Unbacked guest-physical memory"): as on Xen, a read returns all-ones and
 * a write is dropped, so a guest probing for a device that is not there
 * (an HPET at 0xfed00000, say) learns that it is absent. The EPT violation
 * names the address; the instruction at RIP is decoded (arch/insn_mem.h)
 * only for its length and register, and completed here. What the decoder
 * does not know, a fetch, an address something is mapped at (a permission
 * fault) and a domain created with unbacked=crash are left to the caller,
 * which crashes the domain.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "arch/insn_mem.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/printk.h"

#define CS_AR_D (1u << 14)
#define GPR_RSP 4

static unsigned code_bits(void)
{
    if (vmx_guest_in_64bit_mode())
        return 64;
    return (vmcs_read32(GUEST_CS_AR) & CS_AR_D) ? 32 : 16;
}

/* The instruction's bytes: as many of INSN_MAX_LEN as its pages let us read. */
static size_t fetch(struct vcpu *v, unsigned bits, uint8_t *bytes)
{
    uint64_t at = vmcs_readnat(GUEST_CS_BASE) + vmcs_readnat(GUEST_RIP);
    if (bits != 64)
        at &= 0xffffffffull;
    if (copy_from_guest(v, bytes, at, INSN_MAX_LEN) == 0)
        return INSN_MAX_LEN;
    size_t first = PAGE_SIZE - (at & (PAGE_SIZE - 1));
    if (first < INSN_MAX_LEN && copy_from_guest(v, bytes, at, first) == 0)
        return first;           /* the next page is not readable: the decoder stops there */
    return 0;
}

/* The register a decoded access names (RSP lives in the VMCS). */
uint64_t vmx_access_reg(struct vcpu *v, const struct insn_mem *m)
{
    return m->reg == GPR_RSP && !m->high_byte ? vmcs_readnat(GUEST_RSP) : *vmx_gpr(v, m->reg);
}

void vmx_access_load(struct vcpu *v, const struct insn_mem *m, uint64_t value)
{
    if (m->reg == GPR_RSP && !m->high_byte) {
        vmcs_writenat(GUEST_RSP, insn_mem_load(m, vmcs_readnat(GUEST_RSP), value));
        return;
    }
    uint64_t *r = vmx_gpr(v, m->reg);
    *r = insn_mem_load(m, *r, value);
}

int vmx_decode_access(struct vcpu *v, bool write, struct insn_mem *m, char *refusal, size_t len)
{
    unsigned bits = code_bits();
    uint8_t bytes[INSN_MAX_LEN];
    size_t n = fetch(v, bits, bytes);
    const char *why;
    if (!n) {
        snprintf(refusal, len, "its instruction is not readable");
        return -1;
    }
    if (insn_mem_decode(bytes, n, bits, m, &why)) {
        snprintf(refusal, len, "cannot complete it (%s; bytes %02x %02x %02x %02x)", why,
                 bytes[0], n > 1 ? bytes[1] : 0, n > 2 ? bytes[2] : 0, n > 3 ? bytes[3] : 0);
        return -1;
    }
    if (m->store != write) {
        snprintf(refusal, len, "cannot complete it (a %s instruction)", m->store ? "store" : "load");
        return -1;
    }
    return 0;
}

bool vmx_unbacked_access(struct vcpu *v, uint64_t gpa, bool write, bool fetch_access,
                         char *refusal, size_t len)
{
    struct domain *d = v->domain;
    if (d->unbacked_crash || fetch_access || arch_domain_gpa_to_hpa(d, gpa, false))
        return false;
    struct insn_mem m;
    if (vmx_decode_access(v, write, &m, refusal, len))
        return false;
    if (m.bit_test)
        vmcs_writenat(GUEST_RFLAGS, vmcs_readnat(GUEST_RFLAGS) | RFLAGS_CF);  /* a 1 bit */
    else if (!m.store)
        vmx_access_load(v, &m, ~0ull);
    vmx_skip_instruction(m.length);
    return true;
}
