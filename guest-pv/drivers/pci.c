/*
 * PCI enumeration through configuration mechanism #1 (PCI Local Bus spec
 * 3.0, 3.2.2.3.2): a dword written to 0xCF8 selects bus/device/function/
 * register with bit 31 set, and 0xCFC..0xCFF then read or write that dword.
 * The hypervisor mediates these two ports for dom0 (it may hide devices it
 * keeps); a function that is absent reads vendor 0xFFFF.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "console.h"
#include "pci.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_MAX_BUS        256
#define PCI_MAX_DEV        32
#define PCI_MAX_FN         8

#define PCI_HEADER_MULTIFN 0x80
#define PCI_CLASS_BRIDGE   0x06
#define PCI_SUBCLASS_HOST  0x00
#define PCI_SUBCLASS_ISA   0x01
#define PCI_SUBCLASS_P2P   0x04

static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned int ndevs;
static bool bus_seen[PCI_MAX_BUS];

static void select_reg(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
                             (uint32_t)fn << 8 | (off & 0xfc));
}

static uint32_t cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    select_reg(bus, dev, fn, off);
    return inl(PCI_CONFIG_DATA);
}

uint8_t pci_config_read8(const struct pci_dev *d, uint8_t off)
{
    select_reg(d->bus, d->dev, d->fn, off);
    return inb(PCI_CONFIG_DATA + (off & 3));
}

uint16_t pci_config_read16(const struct pci_dev *d, uint8_t off)
{
    select_reg(d->bus, d->dev, d->fn, off);
    return inw(PCI_CONFIG_DATA + (off & 2));
}

uint32_t pci_config_read32(const struct pci_dev *d, uint8_t off)
{
    return cfg_read32(d->bus, d->dev, d->fn, off);
}

void pci_config_write8(const struct pci_dev *d, uint8_t off, uint8_t v)
{
    select_reg(d->bus, d->dev, d->fn, off);
    outb(PCI_CONFIG_DATA + (off & 3), v);
}

void pci_config_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
    select_reg(d->bus, d->dev, d->fn, off);
    outw(PCI_CONFIG_DATA + (off & 2), v);
}

void pci_config_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
    select_reg(d->bus, d->dev, d->fn, off);
    outl(PCI_CONFIG_DATA, v);
}

/*
 * Size BAR i (spec 6.2.5.1): write all-ones, read back which address bits
 * stick, restore. The caller has turned decoding off, so the device never
 * answers at the all-ones address meanwhile. Returns the slots used (2 for
 * a 64-bit memory BAR).
 */
static unsigned int size_bar(struct pci_dev *d, unsigned int i)
{
    uint8_t off = PCI_BAR0 + 4 * i;
    uint32_t orig = pci_config_read32(d, off), mask;
    struct pci_bar *b = &d->bar[i];

    pci_config_write32(d, off, 0xffffffffu);
    mask = pci_config_read32(d, off);
    pci_config_write32(d, off, orig);
    if (mask == 0 || mask == 0xffffffffu)
        return 1;                       /* unimplemented (or nothing answering) */
    if (orig & 1) {
        /* I/O: bits 1:0 are flags; a 16-bit decoder may leave bits 31:16 zero. */
        mask &= ~3u;
        if ((mask & 0xffff0000u) == 0)
            mask |= 0xffff0000u;
        b->kind = PCI_BAR_IO;
        b->base = orig & ~3u;
        b->size = (uint32_t)(~mask + 1);
        return 1;
    }
    b->kind = PCI_BAR_MEM;
    b->prefetch = orig & 8;
    b->base = orig & ~0xfu;
    uint64_t mask64 = 0xffffffff00000000ull | (mask & ~0xfu);
    if (((orig >> 1) & 3) == 2 && i + 1 < PCI_NUM_BARS) {
        uint32_t orig_hi = pci_config_read32(d, off + 4);

        pci_config_write32(d, off + 4, 0xffffffffu);
        mask64 = (uint64_t)pci_config_read32(d, off + 4) << 32 | (mask & ~0xfu);
        pci_config_write32(d, off + 4, orig_hi);
        b->is64 = true;
        b->base |= (uint64_t)orig_hi << 32;
    }
    b->size = ~mask64 + 1;
    return b->is64 ? 2 : 1;
}

static void read_bars(struct pci_dev *d)
{
    /* Type 0 headers have six BARs, bridges (type 1) two, CardBus none we use. */
    unsigned int n = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
    uint16_t cmd;

    /* The hypervisor keeps host and ISA bridges' registers: writes are refused. */
    if (d->class == PCI_CLASS_BRIDGE && (d->subclass == PCI_SUBCLASS_HOST ||
                                         d->subclass == PCI_SUBCLASS_ISA))
        return;
    cmd = pci_config_read16(d, PCI_COMMAND);

    pci_config_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEM));
    for (unsigned int i = 0; i < n;)
        i += size_bar(d, i);
    pci_config_write16(d, PCI_COMMAND, cmd);
}

static void scan_bus(uint8_t bus);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
    struct pci_dev *d;
    uint32_t classreg;

    if (ndevs == PCI_MAX_DEVS) {
        printk("pci: more than %u functions, bus %u device %u function %u ignored\n",
               PCI_MAX_DEVS, bus, dev, fn);
        return;
    }
    d = &devs[ndevs++];
    *d = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn,
                           .vendor = id & 0xffff, .device = id >> 16 };
    classreg = pci_config_read32(d, PCI_REVISION);
    d->revision = classreg & 0xff;
    d->progif = (classreg >> 8) & 0xff;
    d->subclass = (classreg >> 16) & 0xff;
    d->class = classreg >> 24;
    d->header_type = pci_config_read8(d, PCI_HEADER_TYPE) & ~PCI_HEADER_MULTIFN;
    d->irq_line = pci_config_read8(d, PCI_INTERRUPT_LINE);
    d->irq_pin = pci_config_read8(d, PCI_INTERRUPT_PIN);
    read_bars(d);
    if (d->header_type == 1 && d->class == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_P2P)
        scan_bus(pci_config_read8(d, PCI_SECONDARY_BUS));
}

/* Every device on `bus`, every function of multi-function devices, depth first. */
static void scan_bus(uint8_t bus)
{
    /* A bridge firmware left unconfigured says bus 0; a loop must not recurse forever. */
    if (bus_seen[bus])
        return;
    bus_seen[bus] = true;
    for (uint8_t dev = 0; dev < PCI_MAX_DEV; dev++) {
        uint32_t id = cfg_read32(bus, dev, 0, PCI_VENDOR_ID);
        uint8_t nfn;

        if ((id & 0xffff) == 0xffff)
            continue;
        nfn = (cfg_read32(bus, dev, 0, PCI_HEADER_TYPE & ~3) >> 16 & PCI_HEADER_MULTIFN) ?
              PCI_MAX_FN : 1;
        add_function(bus, dev, 0, id);
        for (uint8_t fn = 1; fn < nfn; fn++) {
            id = cfg_read32(bus, dev, fn, PCI_VENDOR_ID);
            if ((id & 0xffff) != 0xffff)
                add_function(bus, dev, fn, id);
        }
    }
}

void pci_init(void)
{
    ndevs = 0;
    for (unsigned int i = 0; i < PCI_MAX_BUS; i++)
        bus_seen[i] = false;
    scan_bus(0);
    pci_print();
}

unsigned int pci_count(void)
{
    return ndevs;
}

const struct pci_dev *pci_dev_at(unsigned int i)
{
    return i < ndevs ? &devs[i] : NULL;
}

const struct pci_dev *pci_find_class(uint8_t class, uint8_t subclass, unsigned int idx)
{
    for (unsigned int i = 0; i < ndevs; i++) {
        if (devs[i].class == class && devs[i].subclass == subclass && idx-- == 0)
            return &devs[i];
    }
    return NULL;
}

const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, unsigned int idx)
{
    for (unsigned int i = 0; i < ndevs; i++) {
        if (devs[i].vendor == vendor && devs[i].device == device && idx-- == 0)
            return &devs[i];
    }
    return NULL;
}

void pci_enable(const struct pci_dev *d, bool io, bool mem, bool busmaster)
{
    uint16_t cmd = pci_config_read16(d, PCI_COMMAND);

    cmd &= ~(PCI_COMMAND_IO | PCI_COMMAND_MEM | PCI_COMMAND_MASTER);
    cmd |= (io ? PCI_COMMAND_IO : 0) | (mem ? PCI_COMMAND_MEM : 0) |
           (busmaster ? PCI_COMMAND_MASTER : 0);
    pci_config_write16(d, PCI_COMMAND, cmd);
}

/* printk has no field widths: fixed-width hex by hand. */
static char *put_hex(char *p, uint64_t v, unsigned int digits)
{
    static const char hex[] = "0123456789abcdef";

    while (digits--)
        *p++ = hex[(v >> (4 * digits)) & 0xf];
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *put_dec(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* "0x" and the shortest hex, at least one digit. */
static char *put_addr(char *p, uint64_t v)
{
    unsigned int digits = 1;

    while (digits < 16 && (v >> (4 * digits)))
        digits++;
    return put_hex(put_str(p, "0x"), v, digits);
}

/* e.g. "pci: 00:01.1 8086:7010 class 01.01.80 BAR4 io 0xc000+16 irq 14" */
void pci_print(void)
{
    printk("pci: %u functions\n", ndevs);
    for (unsigned int i = 0; i < ndevs; i++) {
        const struct pci_dev *d = &devs[i];
        char line[32 + PCI_NUM_BARS * 48], *p = line;

        p = put_str(p, "pci: ");
        p = put_hex(p, d->bus, 2), *p++ = ':';
        p = put_hex(p, d->dev, 2), *p++ = '.';
        p = put_hex(p, d->fn, 1), *p++ = ' ';
        p = put_hex(p, d->vendor, 4), *p++ = ':';
        p = put_hex(p, d->device, 4);
        p = put_str(p, " class ");
        p = put_hex(p, d->class, 2), *p++ = '.';
        p = put_hex(p, d->subclass, 2), *p++ = '.';
        p = put_hex(p, d->progif, 2);
        for (unsigned int b = 0; b < PCI_NUM_BARS; b++) {
            const struct pci_bar *bar = &d->bar[b];

            if (bar->kind == PCI_BAR_NONE)
                continue;
            p = put_str(p, " BAR");
            *p++ = '0' + b;
            p = put_str(p, bar->kind == PCI_BAR_IO ? " io " : bar->is64 ? " mem64 " : " mem ");
            p = put_addr(p, bar->base);
            *p++ = '+';
            p = put_dec(p, bar->size);
            if (bar->prefetch)
                p = put_str(p, " pf");
        }
        if (d->irq_pin) {
            p = put_str(p, " irq ");
            p = put_dec(p, d->irq_line);
        }
        *p = '\0';
        printk("%s\n", line);
    }
}
