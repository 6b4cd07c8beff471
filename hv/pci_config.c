/*
 * The device owner's PCI configuration accesses (hv/include/hv/pci.h). Reads
 * pass through. Writes pass through too, except:
 *  - host and ISA bridges (class 06.00, 06.01): their registers decide what
 *    memory the chipset decodes and where interrupts are routed, which the
 *    hypervisor relies on; refused;
 *  - PCI-to-PCI bridge windows (0x1C-0x2F): refused, so no window can be
 *    opened over RAM;
 *  - BARs: a write that would place a memory BAR over RAM, firmware memory
 *    or the interrupt controllers is refused; the all-ones sizing write is
 *    let through; a BAR that moves is remapped in the owner's EPT, so no
 *    stale mapping of the old address remains.
 * A function the boot scan did not find reads all-ones and ignores writes.
 * Every refusal is a trace line (trace_refused).
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/pci.h"
#include "hv/trace.h"

#define PCI_BAR0            0x10
#define PCI_ROM_TYPE0       0x30
#define PCI_ROM_TYPE1       0x38
#define BRIDGE_WINDOWS      0x1c
#define BRIDGE_WINDOWS_END  0x30
#define CLASS_BRIDGE        0x06

#define BDF_FMT "%02x:%02x.%x"
#define BDF_ARGS(b) (b) >> 8, ((b) >> 3) & 31, (b) & 7

uint32_t pci_config_guest_read(struct vcpu *v, uint16_t bdf, unsigned reg, unsigned bytes)
{
    (void)v;
    if (!pci_function_at(bdf))
        return ~0u;
    return arch_pci_read(bdf, reg, bytes);
}

/* The BAR register (index 0-5, 6 for the ROM) that holds byte `reg`, or -1. */
static int bar_index(const struct pci_function *f, unsigned reg)
{
    unsigned nbars = f->header_type == 0 ? 6 : 2;
    if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 4 * nbars)
        return (int)((reg - PCI_BAR0) / 4);
    unsigned rom = f->header_type == 0 ? PCI_ROM_TYPE0 : PCI_ROM_TYPE1;
    return reg >= rom && reg < rom + 4 ? 6 : -1;
}

static unsigned bar_register(const struct pci_function *f, int idx)
{
    if (idx == 6)
        return f->header_type == 0 ? PCI_ROM_TYPE0 : PCI_ROM_TYPE1;
    return PCI_BAR0 + 4 * (unsigned)idx;
}

/* The 32-bit register after a write of `bytes` at byte offset `off` in it. */
static uint32_t merge(uint32_t old, unsigned off, unsigned bytes, uint32_t val)
{
    uint32_t mask = bytes == 4 ? ~0u : ((1u << (8 * bytes)) - 1) << (8 * off);
    return (old & ~mask) | ((val << (8 * off)) & mask);
}

/* Why an I/O BAR may not decode [base, base + size), or NULL: the sizing
 * write (all-ones) is let through, any range over the hypervisor's ports not. */
static const char *io_bar_refused(uint32_t base, uint64_t size)
{
    if (base == 0xfffcu)
        return NULL;
    for (uint64_t p = base; p < base + size && p <= 0xffff; p++)
        if (arch_port_owner((uint16_t)p) || (p >= 0xcf8 && p <= 0xcff))
            return arch_port_owner((uint16_t)p) ? arch_port_owner((uint16_t)p)
                                                : "the PCI configuration mechanism";
    return NULL;
}

/*
 * A write into BAR register idx of f. Returns false if it was refused. The
 * upper half of a 64-bit BAR is register idx with bar[idx - 1] its owner.
 */
static bool bar_write(struct vcpu *v, struct pci_function *f, int idx, unsigned reg,
                      unsigned bytes, uint32_t val)
{
    unsigned breg = bar_register(f, idx);
    uint32_t now = arch_pci_read(f->bdf, breg, 4);
    uint32_t next = merge(now, reg & 3, bytes, val);
    int owner = idx;
    if (idx > 0 && idx < 6 && f->bar[idx - 1].is64 && !f->bar[idx - 1].io)
        owner = idx - 1;
    struct pci_bar *bar = &f->bar[owner];
    if (!bar->size || next == now) {
        arch_pci_write(f->bdf, reg, bytes, val);
        return true;
    }
    if (bar->io) {
        const char *why = io_bar_refused(next & 0xfffcu, bar->size);
        if (why) {
            trace_refused(v, "PCI " BDF_FMT " BAR%d to ports 0x%x+%lu refused: %s",
                          BDF_ARGS(f->bdf), idx, next & 0xfffcu, bar->size, why);
            return false;
        }
        arch_pci_write(f->bdf, reg, bytes, val);
        bar->base = next & 0xfffcu;
        return true;
    }
    /* All-ones asks for the size: the device answers with its mask and
     * decodes nothing usable until the owner writes an address back. */
    if (next == ~0u || (idx == 6 && (next & 0xfffff800u) == 0xfffff800u)) {
        arch_pci_write(f->bdf, reg, bytes, val);
        return true;
    }
    uint64_t base;
    if (owner != idx)
        base = (bar->base & 0xffffffffull) | (uint64_t)next << 32;
    else if (idx == 6)
        base = next & 0xfffff800u;
    else
        base = (bar->base & ~0xffffffffull) | (next & 0xfffffff0u);
    const char *why = pci_bar_range_refused(base, bar->size);
    if (why) {
        trace_refused(v, "PCI " BDF_FMT " BAR%d to [0x%lx, 0x%lx) refused: %s", BDF_ARGS(f->bdf),
                      owner, base, base + bar->size, why);
        return false;
    }
    arch_pci_write(f->bdf, reg, bytes, val);
    if (base == bar->base)
        return true;
    struct domain *d = v->domain;
    pci_bar_unmap(d, bar);
    bar->base = base;
    /* The ROM is never mapped (pci_give_devices); an unplaced BAR has nothing to map. */
    if (owner != 6 && base)
        pci_bar_map(d, f, bar);
    return true;
}

void pci_config_guest_write(struct vcpu *v, uint16_t bdf, unsigned reg, unsigned bytes,
                            uint32_t val)
{
    struct pci_function *f = pci_function_at(bdf);
    if (!f)
        return;
    if (f->class == CLASS_BRIDGE && f->subclass <= 1) {
        trace_refused(v, "PCI " BDF_FMT " config write at 0x%x refused: %s bridge registers",
                      BDF_ARGS(bdf), reg, f->subclass == 0 ? "host" : "ISA");
        return;
    }
    if (f->header_type == 1 && reg >= BRIDGE_WINDOWS && reg < BRIDGE_WINDOWS_END) {
        trace_refused(v, "PCI " BDF_FMT " config write at 0x%x refused: bridge windows",
                      BDF_ARGS(bdf), reg);
        return;
    }
    int idx = f->header_type <= 1 ? bar_index(f, reg) : -1;
    if (idx >= 0) {
        bar_write(v, f, idx, reg, bytes, val);
        return;
    }
    arch_pci_write(bdf, reg, bytes, val);
}
