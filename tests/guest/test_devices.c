/*
 * Device ownership (docs/devices.md), from both sides:
 *  - test=devices-dom0: dom0 reaches PCI configuration space and its
 *    devices' ports; the hypervisor's ports (COM1, reset, PIT, PIC, the
 *    keyboard controller) read all-ones and swallow writes, and the machine
 *    keeps running after dom0 "resets" it every way it can; a memory BAR
 *    cannot be moved over RAM, and one that moves is remapped (the e1000's
 *    registers answer at the new address, then at the old one again);
 *    interrupts arrive as events: the secondary IDE channel's edge line
 *    (IRQ 15) once per IDENTIFY, the e1000's level line once per cause it
 *    is told to raise (ICS), each serviced and EOI'd before the next;
 *    its RAM is identity-mapped in more than one run: a sector written by
 *    DMA from a buffer in its highest run reads back by PIO (the disk saw
 *    the buffer at its machine address), and read by DMA into that run
 *    it matches;
 *  - test=devices-domu: a domU's port I/O to the IDE and PCI ports reads
 *    all-ones and changes nothing: dom0 checks afterwards that the register
 *    the domU wrote still holds dom0's value.
 * One PASS/FAIL line per case, group "devices".
 */
#include <stdint.h>

#include <public/errno.h>

#include "arch.h"
#include "ata.h"
#include "block.h"
#include "pci.h"
#include "console.h"
#include "guest.h"
#include "lib.h"
#include "pirq.h"
#include "tests.h"
#include "timer.h"

#define PCI_CF8_ENABLE 0x80000000u
#define E1000_VENDOR_DEVICE 0x100e8086u
#define E1000_STATUS 0x08
#define ATA1_SECTOR_COUNT 0x172
#define ATA1_CONTROL 0x376
#define ATA_SRST 0x04
#define ATA1_DATA 0x170
#define ATA1_DRIVE 0x176
#define ATA1_COMMAND 0x177
#define ATA_IDENTIFY 0xec
#define E1000_ICR 0xc0
#define E1000_ICS 0xc8
#define E1000_IMS 0xd0
#define E1000_IMC 0xd8
#define E1000_LSC 0x04
#define IRQ_ROUNDS 20
#define IRQ_TIMEOUT_NS 1000000000ull
#define DOM0_MARK 0x5a
#define DOMU_MARK 0xa5
/* Where the hypervisor's image is loaded (linker.ld): RAM dom0 does not own. */
#define HV_IMAGE 0x04000000u
/* Above this RAM, below the firmware's PCI window: free in Bochs's i440FX. */
#define FREE_MMIO 0xd0000000u

static void check(bool ok, const char *name, uint64_t got)
{
    if (ok)
        printk("PASS: devices/%s\n", name);
    else
        printk("FAIL: devices/%s got 0x%lx\n", name, (unsigned long)got);
}

static uint32_t pci_read(uint32_t bdf, unsigned reg)
{
    outl(0xcf8, PCI_CF8_ENABLE | bdf << 8 | (reg & 0xfc));
    return inl(0xcfc);
}

static void pci_write(uint32_t bdf, unsigned reg, uint32_t val)
{
    outl(0xcf8, PCI_CF8_ENABLE | bdf << 8 | (reg & 0xfc));
    outl(0xcfc, val);
}

/* The bdf of the first function on bus 0 with this vendor/device, or -1. */
static int find_on_bus0(uint32_t id)
{
    for (uint32_t devfn = 0; devfn < 256; devfn++)
        if (pci_read(devfn, 0) == id)
            return (int)devfn;
    return -1;
}

static uint32_t mmio_read(uint64_t pa)
{
    return *(volatile uint32_t *)(uintptr_t)pa;
}

static void hypervisor_ports(void)
{
    static const uint16_t ports[] = { 0x3f8, 0x3fd, 0x40, 0x21, 0xa1, 0x61, 0x64, 0x92, 0xcf9 };
    bool all_ones = true;
    for (unsigned i = 0; i < sizeof ports / sizeof ports[0]; i++)
        all_ones &= inb(ports[i]) == 0xff;
    check(all_ones, "hypervisor-ports-read-all-ones", 0);
    /* Every reset dom0 could try: none may reach the machine. */
    outb(0x3f8, 'Z');
    outb(0xcf9, 0x06);
    outb(0x64, 0xfe);
    outb(0x92, 0x01);
    outb(0x21, 0x00);
    check(true, "still-running-after-resets", 0);
}

static void string_read_refused(void)
{
    uint8_t buf[8] = { 0 };
    uint8_t *p = buf;
    uint64_t n = sizeof buf;
    __asm__ volatile("rep insb" : "+D"(p), "+c"(n) : "d"(0x3f8) : "memory");
    bool ones = true;
    for (unsigned i = 0; i < sizeof buf; i++)
        ones &= buf[i] == 0xff;
    check(ones && n == 0, "string-read-of-com1-all-ones", buf[0]);
}

static volatile uint64_t ide_events, nic_events, nic_causes;
static struct pirq_line ide_line, nic_line;
static uint64_t nic_regs;

static void ide_event(evtchn_port_t port)
{
    (void)port;
    ide_events++;
}

/* The e1000 holds its line until ICR is read: read it, then EOI the line. */
static void nic_event(evtchn_port_t port)
{
    (void)port;
    nic_events++;
    if (*(volatile uint32_t *)(uintptr_t)(nic_regs + E1000_ICR) & E1000_LSC)
        nic_causes++;
    pirq_line_eoi(&nic_line);
}

static bool more_than(void *arg)
{
    uint64_t *want = arg;
    return ide_events + nic_events >= *want;
}

static void ide_interrupts(void)
{
    if (pirq_line_open(&ide_line, 15, ide_event)) {
        check(false, "ide-irq15-bound", 0);
        return;
    }
    check(!ide_line.needs_eoi, "ide-irq15-edge-needs-no-eoi", ide_line.needs_eoi);
    outb(ATA1_DRIVE, 0xa0);
    outb(ATA1_CONTROL, 0);                  /* nIEN clear: the firmware polled with it set */
    (void)inb(ATA1_COMMAND);
    unsigned ok = 0;
    for (unsigned i = 0; i < IRQ_ROUNDS; i++) {
        uint64_t want = ide_events + nic_events + 1;
        outb(ATA1_DRIVE, 0xa0);
        outb(ATA1_COMMAND, ATA_IDENTIFY);
        if (wait_until(more_than, &want, IRQ_TIMEOUT_NS))
            ok++;
        (void)inb(ATA1_COMMAND);            /* acknowledges the device's interrupt */
        for (unsigned w = 0; w < 256; w++)
            (void)inw(ATA1_DATA);
    }
    check(ok == IRQ_ROUNDS && ide_events == IRQ_ROUNDS, "ide-one-event-per-identify", ide_events);
    pirq_line_close(&ide_line);
    printk("devices: ide interrupts %lu\n", (unsigned long)ide_events);
}

static void nic_interrupts(int e1000)
{
    uint32_t line = pci_read((uint32_t)e1000, 0x3c) & 0xff;
    nic_regs = pci_read((uint32_t)e1000, 0x10) & 0xfffffff0u;
    if (line == 0 || line == 0xff || pirq_line_open(&nic_line, line, nic_event)) {
        check(false, "e1000-irq-bound", line);
        return;
    }
    check(nic_line.needs_eoi, "e1000-irq-level-needs-eoi", line);
    volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)nic_regs;
    (void)r[E1000_ICR / 4];
    r[E1000_IMS / 4] = E1000_LSC;
    unsigned ok = 0;
    for (unsigned i = 0; i < IRQ_ROUNDS; i++) {
        uint64_t want = ide_events + nic_events + 1;
        r[E1000_ICS / 4] = E1000_LSC;
        if (wait_until(more_than, &want, IRQ_TIMEOUT_NS))
            ok++;
    }
    r[E1000_IMC / 4] = ~0u;
    check(ok == IRQ_ROUNDS && nic_events == IRQ_ROUNDS && nic_causes == IRQ_ROUNDS,
          "e1000-one-event-per-cause", nic_events);
    pirq_line_close(&nic_line);
    printk("devices: e1000 interrupts %lu (GSI %u), causes read %lu\n",
           (unsigned long)nic_events, line, (unsigned long)nic_causes);
}

#define DMA_SECTORS 8
static uint8_t low_buf[DMA_SECTORS * 512] __attribute__((aligned(4096)));

/* The last 64 KiB of the highest RAM run of our memory map, 0 if it is our only one. */
static uint64_t high_run_buffer(const struct hvm_start_info *si, unsigned *runs)
{
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    uint64_t end = 0;
    *runs = 0;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        if (map[i].type != HVM_MEMMAP_TYPE_RAM)
            continue;
        (*runs)++;
        if (map[i].addr + map[i].size > end)
            end = map[i].addr + map[i].size;
    }
    return *runs > 1 && end < IDENTITY_MAP_END ? end - 65536 : 0;
}

static void identity_dma(const struct guest_env *env)
{
    unsigned runs;
    uint64_t high = high_run_buffer(env->si, &runs);
    check(high != 0, "ram-in-several-identity-runs", runs);
    pci_init();
    if (!high || ata_init(ATA_CHANNEL_MASK(1)) < 1 || !block_count()) {
        check(false, "identity-dma-disk", 0);
        return;
    }
    struct block_dev *bd = block_get(0);
    uint8_t *hb = (uint8_t *)(uintptr_t)high;
    for (unsigned i = 0; i < sizeof low_buf; i++)
        hb[i] = (uint8_t)(i * 7 + 13);
    ata_set_dma(bd, true);
    int w = block_write(bd, 0, DMA_SECTORS, hb);
    ata_set_dma(bd, false);
    int r = block_read(bd, 0, DMA_SECTORS, low_buf);
    check(w == 0 && r == 0 && memcmp(low_buf, hb, sizeof low_buf) == 0,
          "dma-from-high-run-reads-back-by-pio", (uint64_t)(w ? w : r));
    memset(hb, 0, sizeof low_buf);
    ata_set_dma(bd, true);
    r = block_read(bd, 0, DMA_SECTORS, hb);
    check(r == 0 && memcmp(low_buf, hb, sizeof low_buf) == 0, "dma-into-high-run-matches",
          (uint64_t)r);
}

static void bars(void)
{
    int e1000 = find_on_bus0(E1000_VENDOR_DEVICE);
    check(e1000 >= 0, "e1000-found", (uint64_t)e1000);
    if (e1000 < 0)
        return;
    uint32_t bar0 = pci_read((uint32_t)e1000, 0x10);
    uint64_t base = bar0 & 0xfffffff0u;
    uint32_t status = mmio_read(base + E1000_STATUS);
    check(status != 0xffffffffu, "e1000-registers-mapped", status);

    pci_write((uint32_t)e1000, 0x10, 0x00100000u);     /* over dom0's own RAM */
    uint32_t after = pci_read((uint32_t)e1000, 0x10);
    check(after == bar0, "bar-over-ram-refused", after);
    check(mmio_read(base + E1000_STATUS) == status, "bar-still-answers-after-refusal", 0);
    pci_write((uint32_t)e1000, 0x10, HV_IMAGE);         /* over the hypervisor itself */
    after = pci_read((uint32_t)e1000, 0x10);
    check(after == bar0, "bar-over-hypervisor-refused", after);

    pci_write((uint32_t)e1000, 0x10, FREE_MMIO);
    after = pci_read((uint32_t)e1000, 0x10);
    uint32_t moved = mmio_read(FREE_MMIO + E1000_STATUS);
    check((after & 0xfffffff0u) == FREE_MMIO, "bar-moved", after);
    check(moved == status, "bar-remapped-at-new-address", moved);
    pci_write((uint32_t)e1000, 0x10, bar0);
    check(mmio_read(base + E1000_STATUS) == status, "bar-remapped-back", 0);
    nic_interrupts(e1000);
}

void test_devices_dom0(const struct guest_env *env)
{
    uint32_t host = pci_read(0, 0);
    check((host & 0xffff) == 0x8086, "host-bridge-visible", host);
    outl(0xcf8, PCI_CF8_ENABLE | 0x808);
    check(inl(0xcf8) == (PCI_CF8_ENABLE | 0x808), "config-address-latched", inl(0xcf8));
    /* Bochs's primary channel holds the ESP disk: its status is a real one. */
    uint8_t st = inb(0x1f7);
    check(st != 0xff, "ide-status-port-reached", st);
    outb(ATA1_SECTOR_COUNT, DOM0_MARK);

    hypervisor_ports();
    string_read_refused();
    bars();
    ide_interrupts();

    sleep_ns(500000000ull);    /* the domU pokes at the devices meanwhile */
    uint8_t mark = inb(ATA1_SECTOR_COUNT);
    check(mark == DOM0_MARK, "domu-write-did-not-reach-ide", mark);
    identity_dma(env);      /* last: the driver's commands rewrite the channel's registers */
    printk("devices: done\n");
}

void test_devices_domu(const struct guest_env *env)
{
    (void)env;
    check(inb(0x1f7) == 0xff && inb(ATA1_SECTOR_COUNT) == 0xff, "domu-ide-ports-all-ones", 0);
    /* The e1000's I/O BAR is 64 ports the firmware put at 0xC000-0xC0FF's start. */
    bool nic_ones = true;
    for (uint16_t p = 0xc000; p < 0xc100; p += 4)
        nic_ones &= inl(p) == 0xffffffffu;
    check(nic_ones, "domu-nic-and-ide-bm-ports-all-ones", 0);
    struct pirq_line line;
    check(pirq_line_open(&line, 10, NULL) == -XEN_EPERM, "domu-cannot-bind-a-pirq", 0);
    outb(ATA1_SECTOR_COUNT, DOMU_MARK);
    outb(ATA1_CONTROL, ATA_SRST);
    outl(0xcf8, PCI_CF8_ENABLE);
    uint32_t id = inl(0xcfc);
    check(id == 0xffffffffu, "domu-pci-config-all-ones", id);
    check(inl(0xcf8) == 0xffffffffu, "domu-config-address-not-latched", 0);
    printk("devices: done\n");
}
