/*
 * Guest port I/O that exits (io_bitmap.c says which). For a domain that
 * owns no device that is every access, and every port is unbacked: reads
 * float high (all-ones), writes vanish. The device owner (dom0) exits only
 * for the PCI configuration mechanism, which is emulated on the real one
 * through hv/pci_config.c, and for the hypervisor's own ports, which are
 * refused the same way as unbacked ones, with a trace line. String I/O
 * follows the unbacked rule with the REP semantics of the SDM (3A, INS/OUTS
 * and REP): RCX counts down, RSI/RDI step by the operand size, backwards
 * with RFLAGS.DF, all in the instruction's address size.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "arch/hv_ports.h"
#include "arch/msr.h"
#include "arch/pci_cf8.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/trace.h"

/* Exit qualification (SDM 3C 28.2.1, table 28-5). */
#define IO_QUAL_SIZE(q)    (((q) & 7) + 1)
#define IO_QUAL_IN         (1u << 3)
#define IO_QUAL_STRING     (1u << 4)
#define IO_QUAL_REP        (1u << 5)
#define IO_QUAL_PORT(q)    ((uint16_t)((q) >> 16))
/* VM-exit instruction information for INS/OUTS (table 28-8): address size. */
#define IO_INFO_ASIZE(i)   (((i) >> 7) & 7)
#define ASIZE_16 0
#define ASIZE_32 1

/* A REP INS stores at most this many bytes per exit and is then re-executed
 * for the rest, so a huge RCX costs the guest exits, never the hypervisor a
 * long stretch under its lock. */
#define INS_CHUNK 256
static const uint8_t all_ones[INS_CHUNK] = { [0 ... INS_CHUNK - 1] = 0xff };

static uint64_t asize_mask(unsigned asize)
{
    return asize == ASIZE_16 ? 0xffffull : asize == ASIZE_32 ? 0xffffffffull : ~0ull;
}

/* Write an index or count register as an instruction of address size asize
 * does: 16-bit keeps the upper bits, 32-bit zero-extends. */
static void set_asize_reg(uint64_t *reg, uint64_t val, unsigned asize)
{
    if (asize == ASIZE_16)
        *reg = (*reg & ~0xffffull) | (val & 0xffff);
    else
        *reg = val & asize_mask(asize);
}

/* Write the low `bytes` of an IN's result into RAX (EAX zero-extends). */
static void in_result(struct guest_regs *r, unsigned bytes, uint32_t val)
{
    uint64_t mask = bytes == 4 ? 0xffffffffull : ((1ull << (bytes * 8)) - 1);
    r->rax = bytes == 4 ? val : ((r->rax & ~mask) | (val & mask));
}

/*
 * INS to an unbacked port: the elements ES:[RDI] onwards become all-ones,
 * written through copy_to_guest, at most up to the page boundary in the
 * direction of travel (and INS_CHUNK bytes) per exit. Returns the number of
 * elements done, 0 if the first one is not writable guest RAM.
 */
static uint64_t ins_unbacked(struct vcpu *v, uint64_t count, unsigned bytes, unsigned asize,
                             bool down)
{
    struct guest_regs *r = &v->arch->regs;
    uint64_t base = vmx_guest_in_64bit_mode() ? 0 : vmcs_readnat(GUEST_ES_BASE);
    uint64_t lin = base + (r->rdi & asize_mask(asize));
    uint64_t in_page = down ? (lin & (PAGE_SIZE - 1)) / bytes + 1
                            : (PAGE_SIZE - (lin & (PAGE_SIZE - 1))) / bytes;
    uint64_t n = MIN(MIN(count, MAX(in_page, 1)), INS_CHUNK / bytes);
    uint64_t start = down ? lin - (n - 1) * bytes : lin;
    if (copy_to_guest(v, start, all_ones, n * bytes))
        return 0;
    return n;
}

/*
 * Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): a doubleword
 * write to 0xCF8 latches bus/device/function/register, and 0xCFC-0xCFF
 * then reach that register at the port's byte offset. Other accesses to
 * 0xCF8-0xCFB are not the mechanism's (0xCF9 is the reset register).
 */
static void pci_conf_io(struct vcpu *v, uint16_t port, unsigned bytes, bool in)
{
    struct guest_regs *r = &v->arch->regs;
    struct arch_domain *ad = v->domain->arch;
    uint32_t val = ~0u;
    if (port == PCI_CONF_ADDRESS_PORT && bytes == 4) {
        if (in)
            val = ad->pci_cf8;
        else
            ad->pci_cf8 = (uint32_t)r->rax;
    } else if (port >= PCI_CONF_DATA_PORT && port + bytes <= PCI_CONF_DATA_PORT + 4 &&
               (ad->pci_cf8 & PCI_CF8_ENABLE)) {
        unsigned reg = (ad->pci_cf8 & 0xfc) | (port & 3);
        uint16_t bdf = (uint16_t)(ad->pci_cf8 >> 8);
        if (in)
            val = pci_config_guest_read(v, bdf, reg, bytes);
        else
            pci_config_guest_write(v, bdf, reg, bytes, (uint32_t)r->rax);
    } else if (port <= 0xcf9 && port + bytes > 0xcf9) {
        trace_refused(v, "port 0xcf9 %s refused: %s", in ? "read" : "write",
                      arch_port_owner(0xcf9));
    }
    if (in)
        in_result(r, bytes, val);
}

/*
 * A port access of the device owner that exited: the configuration
 * mechanism, or one of the hypervisor's ports (refused, traced). String
 * forms are not emulated on the configuration mechanism: they are refused too.
 */
static bool owner_port_access(struct vcpu *v, uint64_t q)
{
    uint16_t port = IO_QUAL_PORT(q);
    unsigned bytes = IO_QUAL_SIZE(q);
    bool in = q & IO_QUAL_IN;
    bool pci = port + bytes > PCI_CONF_FIRST_PORT && port <= PCI_CONF_LAST_PORT;
    if (pci && !(q & IO_QUAL_STRING)) {
        pci_conf_io(v, port, bytes, in);
        vmx_advance_rip();
        return true;
    }
    const char *owner = NULL;
    for (unsigned i = 0; i < bytes && !owner; i++)
        owner = arch_port_owner((uint16_t)(port + i));
    trace_refused(v, "port 0x%x %s%s refused: %s", port, q & IO_QUAL_STRING ? "string " : "",
                  in ? "read" : "write",
                  owner ? owner : "string I/O to the PCI configuration mechanism");
    return false;
}

void vmx_handle_io(struct vcpu *v)
{
    uint64_t q = vmcs_readnat(EXIT_QUALIFICATION);
    struct guest_regs *r = &v->arch->regs;
    unsigned bytes = IO_QUAL_SIZE(q);
    if (domain_owns_devices(v->domain) && owner_port_access(v, q))
        return;
    if (!(q & IO_QUAL_STRING)) {
        if (q & IO_QUAL_IN)
            in_result(r, bytes, ~0u);    /* unbacked: the bus floats high */
        vmx_advance_rip();
        return;
    }

    unsigned asize = IO_INFO_ASIZE(vmcs_read32(VM_EXIT_INSTRUCTION_INFO));
    bool rep = q & IO_QUAL_REP;
    bool down = vmcs_readnat(GUEST_RFLAGS) & RFLAGS_DF;
    uint64_t count = rep ? r->rcx & asize_mask(asize) : 1;
    uint64_t done = count;
    if (count && (q & IO_QUAL_IN)) {
        done = ins_unbacked(v, count, bytes, asize, down);
        if (!done) {
            char what[96];
            snprintf(what, sizeof what, "INS to unwritable memory (RDI 0x%lx)", r->rdi);
            vmx_crash_with_state(v, what);
            return;
        }
    }
    /* OUTS reads nothing: its bytes would be dropped like those of OUT. */
    uint64_t step = done * bytes;
    uint64_t *index = q & IO_QUAL_IN ? &r->rdi : &r->rsi;
    set_asize_reg(index, down ? *index - step : *index + step, asize);
    if (rep)
        set_asize_reg(&r->rcx, count - done, asize);
    /* A REP with elements left runs again, as after an interrupt between iterations. */
    if (count == done)
        vmx_advance_rip();
}
