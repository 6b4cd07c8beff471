/*
 * The boot-time PCI scan and the device owner's BAR mappings
 * (hv/include/hv/pci.h). Every bus is probed (8,192 vendor reads: cheap,
 * and right however the firmware numbered its bridges); each BAR is sized
 * with its function's decoding switched off, as the PCI Local Bus
 * specification (6.2.5.1) describes: write all-ones, read back the mask,
 * restore.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/pci.h"
#include "hv/printk.h"

#define PCI_VENDOR        0x00
#define PCI_COMMAND       0x04
#define PCI_CLASS_REV     0x08
#define PCI_HEADER_TYPE   0x0e
#define PCI_INTERRUPT     0x3c      /* line 7:0, pin 15:8 */
#define PCI_BAR0          0x10
#define PCI_ROM_TYPE0     0x30
#define PCI_ROM_TYPE1     0x38
#define PCI_COMMAND_DECODE 0x3      /* I/O and memory space */
#define HEADER_MULTIFUNCTION 0x80

/* The interrupt controllers' windows (IOAPICs, HPET, LAPIC): never a BAR's. */
#define APIC_WINDOW_START 0xfec00000ull
#define APIC_WINDOW_END   0xfef00000ull

static struct pci_function functions[PCI_MAX_FUNCTIONS];
static uint32_t nfunctions;
static const struct mica_memrange *memmap;
static uint32_t nmemmap;

struct pci_function *pci_function_at(uint16_t bdf)
{
    for (uint32_t i = 0; i < nfunctions; i++)
        if (functions[i].bdf == bdf)
            return &functions[i];
    return NULL;
}

const char *pci_bar_range_refused(uint64_t base, uint64_t size)
{
    uint64_t end = base + size;
    if (end < base)
        return "the range wraps around";
    if (base < APIC_WINDOW_END && end > APIC_WINDOW_START)
        return "the range covers the interrupt controllers";
    for (uint32_t i = 0; i < nmemmap; i++) {
        const struct mica_memrange *r = &memmap[i];
        uint64_t r_end = r->base + (r->pages << PAGE_SHIFT);
        if (r->type != MICA_MEM_MMIO && base < r_end && end > r->base)
            return "the range covers RAM or firmware memory";
    }
    return NULL;
}

/* Size BAR register `reg` of f (the caller has switched decoding off). */
static unsigned size_bar(struct pci_function *f, unsigned reg, struct pci_bar *bar, bool rom)
{
    uint32_t orig = arch_pci_read(f->bdf, reg, 4);
    arch_pci_write(f->bdf, reg, 4, rom ? 0xfffff800u : ~0u);
    uint32_t mask = arch_pci_read(f->bdf, reg, 4);
    arch_pci_write(f->bdf, reg, 4, orig);
    if (rom) {
        mask &= 0xfffff800u;
        bar->base = orig & 0xfffff800u;
        bar->size = mask ? (uint64_t)(~mask + 1u) : 0;
        return 4;
    }
    bar->io = orig & 1;
    if (bar->io) {
        mask &= 0xfffcu;
        bar->base = orig & 0xfffcu;
        bar->size = mask ? (uint16_t)(~mask + 1u) : 0;
        return 4;
    }
    uint64_t full_mask = mask & 0xfffffff0u;
    bar->base = orig & 0xfffffff0u;
    bar->is64 = ((orig >> 1) & 3) == 2;
    if (bar->is64) {
        uint32_t orig_hi = arch_pci_read(f->bdf, reg + 4, 4);
        arch_pci_write(f->bdf, reg + 4, 4, ~0u);
        full_mask |= (uint64_t)arch_pci_read(f->bdf, reg + 4, 4) << 32;
        arch_pci_write(f->bdf, reg + 4, 4, orig_hi);
        bar->base |= (uint64_t)orig_hi << 32;
    } else {
        full_mask |= 0xffffffff00000000ull;
    }
    bar->size = (full_mask & 0xfffffff0u) ? ~full_mask + 1 : 0;
    return bar->is64 ? 8 : 4;
}

static void add_function(uint16_t bdf, uint32_t id)
{
    if (nfunctions == PCI_MAX_FUNCTIONS) {
        printk("pci: more than %u functions: %02x:%02x.%x and later ignored\n",
               PCI_MAX_FUNCTIONS, bdf >> 8, (bdf >> 3) & 31, bdf & 7);
        return;
    }
    struct pci_function *f = &functions[nfunctions++];
    uint32_t class_rev = arch_pci_read(bdf, PCI_CLASS_REV, 4);
    f->bdf = bdf;
    f->vendor = (uint16_t)id;
    f->device = (uint16_t)(id >> 16);
    f->class = (uint8_t)(class_rev >> 24);
    f->subclass = (uint8_t)(class_rev >> 16);
    f->header_type = (uint8_t)(arch_pci_read(bdf, PCI_HEADER_TYPE, 1) & 0x7f);
    uint16_t intr = (uint16_t)arch_pci_read(bdf, PCI_INTERRUPT, 2);
    f->irq_line = (uint8_t)intr;
    f->irq_pin = (uint8_t)(intr >> 8);
    unsigned nbars = f->header_type == 0 ? 6 : f->header_type == 1 ? 2 : 0;
    if (!nbars)
        return;
    uint16_t command = (uint16_t)arch_pci_read(bdf, PCI_COMMAND, 2);
    arch_pci_write(bdf, PCI_COMMAND, 2, command & ~PCI_COMMAND_DECODE);
    for (unsigned i = 0; i < nbars;)
        i += size_bar(f, PCI_BAR0 + 4 * i, &f->bar[i], false) / 4;
    size_bar(f, f->header_type == 0 ? PCI_ROM_TYPE0 : PCI_ROM_TYPE1, &f->bar[6], true);
    arch_pci_write(bdf, PCI_COMMAND, 2, command);
}

void pci_init(const struct mica_memrange *map, uint32_t nmap)
{
    memmap = map;
    nmemmap = nmap;
    for (uint32_t bus = 0; bus < 256; bus++) {
        for (uint32_t dev = 0; dev < 32; dev++) {
            for (uint32_t fn = 0; fn < 8; fn++) {
                uint16_t bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
                uint32_t id = arch_pci_read(bdf, PCI_VENDOR, 4);
                if ((uint16_t)id == 0xffff) {
                    if (fn == 0)
                        break;
                    continue;
                }
                add_function(bdf, id);
                if (fn == 0 && !(arch_pci_read(bdf, PCI_HEADER_TYPE, 1) & HEADER_MULTIFUNCTION))
                    break;
            }
        }
    }
    printk("pci: %u functions\n", nfunctions);
}

bool pci_uses_gsi(uint32_t gsi)
{
    for (uint32_t i = 0; i < nfunctions; i++)
        if (functions[i].irq_pin && functions[i].irq_line == gsi)
            return true;
    return false;
}

void pci_bar_unmap(struct domain *d, struct pci_bar *bar)
{
    if (!bar->mapped)
        return;
    for (uint64_t pa = ALIGN_DOWN(bar->base, PAGE_SIZE); pa < bar->base + bar->size;
         pa += PAGE_SIZE) {
        paddr_t released;
        arch_domain_set_page(d, pa, 0, 0, &released);   /* a removal needs no table */
    }
    bar->mapped = false;
}

int pci_bar_map(struct domain *d, const struct pci_function *f, struct pci_bar *bar)
{
    unsigned idx = (unsigned)(bar - f->bar);
    const char *why = pci_bar_range_refused(bar->base, bar->size);
    if (!why) {
        for (uint64_t pa = ALIGN_DOWN(bar->base, PAGE_SIZE); pa < bar->base + bar->size;
             pa += PAGE_SIZE) {
            paddr_t released;
            if (arch_domain_set_page(d, pa, pa, ARCH_PAGE_DEVICE, &released)) {
                why = "out of EPT tables for device memory";
                break;
            }
        }
        bar->mapped = true;
    }
    if (!why)
        return 0;
    pci_bar_unmap(d, bar);
    printk("pci: %02x:%02x.%x BAR%u [0x%lx, 0x%lx) not mapped for d%u: %s\n", f->bdf >> 8,
           (f->bdf >> 3) & 31, f->bdf & 7, idx, bar->base, bar->base + bar->size, d->id, why);
    return -1;
}

void pci_give_devices(struct domain *d)
{
    uint32_t mapped = 0;
    for (uint32_t i = 0; i < nfunctions; i++) {
        struct pci_function *f = &functions[i];
        for (unsigned b = 0; b < PCI_BARS; b++) {
            struct pci_bar *bar = &f->bar[b];
            /* The ROM is not mapped: an enabled ROM decode would shadow a BAR. */
            if (b == 6 || bar->io || !bar->size || !bar->base)
                continue;
            if (!pci_bar_map(d, f, bar))
                mapped++;
        }
    }
    printk("pci: %u memory BARs mapped for d%u (gpa = hpa, uncached)\n", mapped, d->id);
}
