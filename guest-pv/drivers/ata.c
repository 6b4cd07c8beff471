/*
 * ATA disk driver for PCI IDE controllers: the taskfile registers and
 * commands of ATA/ATAPI-6 (LBA48: READ/WRITE SECTORS EXT by PIO, READ/WRITE
 * DMA EXT, FLUSH CACHE EXT, IDENTIFY DEVICE) and SFF-8038i bus-master DMA
 * (the PIIX's BMIDE registers in BAR4). Every wait has a deadline, so a
 * dead or missing device costs a bounded time and an error, never a hang.
 *
 * DMA addresses are dom0's own: dom0 is identity-mapped (guest-physical =
 * machine), so a buffer's address is its bus address (docs/devices.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "ata.h"
#include "clock.h"
#include "console.h"
#include "irq.h"
#include "lib.h"
#include "pci.h"
#include "timer.h"

/* Command block registers, from the channel's command base (0x1F0/0x170). */
#define REG_DATA     0
#define REG_ERROR    1          /* read */
#define REG_FEATURES 1          /* write */
#define REG_COUNT    2
#define REG_LBA0     3
#define REG_LBA1     4
#define REG_LBA2     5
#define REG_DEVICE   6
#define REG_STATUS   7          /* read: also clears the device's pending interrupt */
#define REG_COMMAND  7          /* write */
/* Control block: alternate status (read, no side effect) / device control (write). */
#define REG_ALTSTATUS 0
#define REG_DEVCTL    0

#define ST_ERR  0x01
#define ST_DRQ  0x08
#define ST_DF   0x20
#define ST_DRDY 0x40
#define ST_BSY  0x80

#define DEVCTL_SRST 0x04
#define DEVICE_LBA  0x40        /* LBA addressing; bit 4 selects the slave */

#define CMD_READ_SECTORS_EXT  0x24
#define CMD_READ_DMA_EXT      0x25
#define CMD_WRITE_SECTORS_EXT 0x34
#define CMD_WRITE_DMA_EXT     0x35
#define CMD_FLUSH_CACHE_EXT   0xea
#define CMD_IDENTIFY          0xec

/* Bus-master IDE registers (SFF-8038i), per channel at BAR4 + 8 * channel. */
#define BM_COMMAND 0
#define BM_STATUS  2
#define BM_PRDT    4
#define BM_CMD_START   0x01
#define BM_CMD_TO_MEM  0x08     /* the controller writes memory: a device read */
#define BM_ST_ACTIVE   0x01
#define BM_ST_ERROR    0x02     /* write 1 to clear */
#define BM_ST_IRQ      0x04     /* the device raised its interrupt; write 1 to clear */
#define BM_ST_CAPABLE  0x60     /* "drive 0/1 DMA capable": kept as found */
#define PRD_EOT        0x8000   /* last entry of the table */
#define PRD_ENTRIES    8

/* PIIX's IDE timing register per channel (0x40, 0x42): bit 15 enables decoding. */
#define PIIX_IDETIM        0x40
#define PIIX_IDETIM_DECODE 0x8000

#define SECTOR_SIZE      512
#define MAX_SECTORS      256    /* per command: 128 KiB, 3 PRD entries at most */
#define TIMEOUT_NS       (2 * NSEC_PER_SEC)
#define RESET_TIMEOUT_NS (5 * NSEC_PER_SEC)

struct prd {
    uint32_t addr;
    uint16_t bytes;             /* 0 means 64 KiB */
    uint16_t flags;
};
_Static_assert(sizeof(struct prd) == 8, "PRD entry is 8 bytes");

struct ata_channel {
    uint16_t cmd, ctl, bm;      /* bm = 0: no bus master, PIO only */
    uint8_t irq;
    bool done;                  /* ata_interrupt() saw the interrupt we wait for */
    uint8_t status, bm_status;  /* as read by ata_interrupt() */
    uint64_t interrupts;        /* seen in the bus-master status */
    bool use_irq;               /* completion by event channel (ata_bind_irq) */
    struct irq_binding irqb;
    uint64_t delivered;         /* events delivered on irqb.port */
    uint64_t wait_ticks;        /* TSC ticks spent waiting for interrupts (benchmarks) */
    /* Entries must not cross 64 KiB and the table must not either: 64-byte aligned. */
    struct prd prdt[PRD_ENTRIES] __attribute__((aligned(64)));
};

struct ata_drive {
    struct block_dev bd;
    struct ata_channel *ch;
    uint8_t drive;              /* 0 master, 1 slave */
    bool can_dma, dma;
    char name[8];
};

static struct ata_channel channels[ATA_CHANNELS];
static struct ata_drive drives[ATA_CHANNELS][2];

static uint8_t alt_status(const struct ata_channel *ch)
{
    return inb(ch->ctl + REG_ALTSTATUS);
}

/* ATA wants 400 ns after selecting a drive or issuing a command before status is valid. */
static void settle(const struct ata_channel *ch)
{
    for (int i = 0; i < 5; i++)
        (void)alt_status(ch);
}

static void delay_ns(uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;

    while (clock_now_ns() < end)
        cpu_relax();
}

/* Wait until (alt status & mask) == want; false on timeout. */
static bool wait_status(const struct ata_channel *ch, uint8_t mask, uint8_t want, uint64_t timeout_ns)
{
    uint64_t deadline = clock_now_ns() + timeout_ns;

    for (;;) {
        uint8_t st = alt_status(ch);

        if ((st & mask) == want)
            return true;
        /* An error ends any wait for DRQ: the caller reads the status. */
        if (!(st & ST_BSY) && (st & (ST_ERR | ST_DF)))
            return true;
        if (clock_now_ns() > deadline)
            return false;
        cpu_relax();
    }
}

bool ata_interrupt(unsigned int channel)
{
    struct ata_channel *ch = &channels[channel % ATA_CHANNELS];
    uint8_t bm;

    if (ch->cmd == 0)
        return false;
    if (ch->bm) {
        bm = inb(ch->bm + BM_STATUS);
        if (!(bm & BM_ST_IRQ))
            return false;
        outb(ch->bm + BM_STATUS, (bm & BM_ST_CAPABLE) | BM_ST_IRQ);
    } else {
        /* Without a bus master there is no interrupt flag: not busy is the best sign. */
        bm = 0;
        if (alt_status(ch) & ST_BSY)
            return false;
    }
    ch->bm_status = bm;
    ch->status = inb(ch->cmd + REG_STATUS);
    ch->interrupts++;
    ch->done = true;
    return true;
}

static bool channel_done(void *arg)
{
    return READ_ONCE(((struct ata_channel *)arg)->done);
}

/* The event channel's handler: acknowledge the device, then let the line in again. */
static void ata_event(evtchn_port_t port)
{
    for (unsigned int c = 0; c < ATA_CHANNELS; c++) {
        struct ata_channel *ch = &channels[c];

        if (ch->use_irq && ch->irqb.port == port) {
            ch->delivered++;
            (void)ata_interrupt(c);
            (void)irq_eoi(&ch->irqb);
        }
    }
}

/*
 * Wait for the interrupt that ends a command or data block: blocked on the
 * event channel when one is bound, else polling the same ata_interrupt()
 * the handler calls. An interrupt the device raised but that never arrived
 * is reported once and ends the use of the event channel.
 */
static bool wait_interrupt(struct ata_channel *ch, uint64_t timeout_ns)
{
    uint64_t deadline = clock_now_ns() + timeout_ns, t0 = rdtsc();
    unsigned int c = (unsigned int)(ch - channels);
    bool ok = true;

    if (ch->use_irq) {
        if (!wait_until(channel_done, ch, timeout_ns)) {
            ok = ata_interrupt(c);
            if (ok) {
                printk("ata: channel %u: the device interrupted but no event came in %lu ms; "
                       "polling from now on\n", c, (unsigned long)(timeout_ns / NSEC_PER_MSEC));
                ch->use_irq = false;
            }
        }
    } else {
        while (!ch->done && !ata_interrupt(c)) {
            if (clock_now_ns() > deadline) {
                ok = false;
                break;
            }
            cpu_relax();
        }
    }
    if (ok)
        ch->done = false;
    ch->wait_ticks += rdtsc() - t0;
    return ok;
}

static int report(const struct ata_drive *d, const char *what, uint8_t cmd, uint64_t lba,
                  uint32_t count, int err)
{
    const struct ata_channel *ch = d->ch;

    printk("ata: %s: %s (command 0x%x lba %lu count %u): status 0x%x error 0x%x bm 0x%x\n",
           d->name, what, cmd, (unsigned long)lba, count, alt_status(ch),
           inb(ch->cmd + REG_ERROR), ch->bm ? inb(ch->bm + BM_STATUS) : 0);
    return err;
}

/* The status a command ended with: ERR or DF means the device refused or failed. */
static int check_status(const struct ata_drive *d, uint8_t st, uint8_t cmd, uint64_t lba,
                        uint32_t count)
{
    if (st & (ST_ERR | ST_DF))
        return report(d, st & ST_DF ? "device fault" : "device error", cmd, lba, count,
                      -XEN_EIO);
    return 0;
}

/* Software reset of both drives of a channel; false if the channel stays busy. */
static bool reset_channel(struct ata_channel *ch)
{
    outb(ch->ctl + REG_DEVCTL, DEVCTL_SRST);
    delay_ns(5 * NSEC_PER_USEC);
    outb(ch->ctl + REG_DEVCTL, 0);      /* nIEN clear: the interrupt flag must be set */
    delay_ns(2 * NSEC_PER_MSEC);
    return wait_status(ch, ST_BSY, 0, RESET_TIMEOUT_NS);
}

/* Select the drive and load an LBA48 taskfile: the high bytes first, then the low. */
static int issue(struct ata_drive *d, uint8_t cmd, uint64_t lba, uint32_t count)
{
    struct ata_channel *ch = d->ch;
    uint16_t n = (uint16_t)count;         /* 65536 is sent as 0 */

    outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
    settle(ch);
    if (!wait_status(ch, ST_BSY | ST_DRQ, 0, TIMEOUT_NS)) {
        /* A command left half done (DRQ still set, or stuck busy): reset once and retry. */
        report(d, "busy before command, resetting the channel", cmd, lba, count, 0);
        if (!reset_channel(ch))
            return report(d, "busy after reset", cmd, lba, count, -XEN_ETIMEDOUT);
        outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
        settle(ch);
        if (!wait_status(ch, ST_BSY | ST_DRQ, 0, TIMEOUT_NS))
            return report(d, "busy before command", cmd, lba, count, -XEN_ETIMEDOUT);
    }
    outb(ch->cmd + REG_COUNT, n >> 8);
    outb(ch->cmd + REG_LBA0, lba >> 24);
    outb(ch->cmd + REG_LBA1, lba >> 32);
    outb(ch->cmd + REG_LBA2, lba >> 40);
    outb(ch->cmd + REG_COUNT, n & 0xff);
    outb(ch->cmd + REG_LBA0, lba & 0xff);
    outb(ch->cmd + REG_LBA1, lba >> 8);
    outb(ch->cmd + REG_LBA2, lba >> 16);
    ch->done = false;
    outb(ch->cmd + REG_COMMAND, cmd);
    settle(ch);
    return 0;
}

/* PIO: each sector is a DRQ block of 256 words; the device interrupts per block. */
static int pio_transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write)
{
    struct ata_channel *ch = d->ch;
    uint8_t cmd = write ? CMD_WRITE_SECTORS_EXT : CMD_READ_SECTORS_EXT;
    uint8_t *p = buf;
    int rc = issue(d, cmd, lba, count);

    if (rc)
        return rc;
    for (uint32_t i = 0; i < count; i++, p += SECTOR_SIZE) {
        uint8_t st;

        if (write) {
            /* The first block is asked for by DRQ alone, without an interrupt. */
            if (i == 0 && !wait_status(ch, ST_BSY | ST_DRQ, ST_DRQ, TIMEOUT_NS))
                return report(d, "no DRQ", cmd, lba, count, -XEN_ETIMEDOUT);
            st = i == 0 ? alt_status(ch) : ch->status;
        } else {
            if (!wait_interrupt(ch, TIMEOUT_NS))
                return report(d, "timeout", cmd, lba, count, -XEN_ETIMEDOUT);
            st = ch->status;
        }
        if ((rc = check_status(d, st, cmd, lba + i, count)))
            return rc;
        if (!(st & ST_DRQ))
            return report(d, "no data", cmd, lba + i, count, -XEN_EIO);
        if (write)
            outsw(ch->cmd + REG_DATA, p, SECTOR_SIZE / 2);
        else
            insw(ch->cmd + REG_DATA, p, SECTOR_SIZE / 2);
        if (write) {
            if (!wait_interrupt(ch, TIMEOUT_NS))
                return report(d, "timeout", cmd, lba + i, count, -XEN_ETIMEDOUT);
            if ((rc = check_status(d, ch->status, cmd, lba + i, count)))
                return rc;
        }
    }
    return 0;
}

/* The PRD table for one buffer: entries split at 64 KiB boundaries, as SFF-8038i demands. */
static int build_prdt(struct ata_channel *ch, uintptr_t addr, uint32_t bytes)
{
    unsigned int n = 0;

    while (bytes) {
        uint32_t chunk = 0x10000 - (addr & 0xffff);

        if (chunk > bytes)
            chunk = bytes;
        if (n == PRD_ENTRIES)
            return -XEN_EINVAL;
        ch->prdt[n].addr = (uint32_t)addr;
        ch->prdt[n].bytes = (uint16_t)chunk;
        ch->prdt[n].flags = 0;
        addr += chunk;
        bytes -= chunk;
        n++;
    }
    ch->prdt[n - 1].flags = PRD_EOT;
    return 0;
}

/*
 * DMA: PRD table, direction and cleared status first, then the command,
 * then the start bit (SFF-8038i's order); the interrupt ends the transfer.
 */
static int dma_transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write)
{
    struct ata_channel *ch = d->ch;
    uint8_t cmd = write ? CMD_WRITE_DMA_EXT : CMD_READ_DMA_EXT;
    uint8_t dir = write ? 0 : BM_CMD_TO_MEM;
    int rc = build_prdt(ch, (uintptr_t)buf, count * SECTOR_SIZE);

    if (rc)
        return rc;
    outb(ch->bm + BM_COMMAND, 0);
    outb(ch->bm + BM_STATUS, (inb(ch->bm + BM_STATUS) & BM_ST_CAPABLE) | BM_ST_IRQ | BM_ST_ERROR);
    outl(ch->bm + BM_PRDT, (uint32_t)(uintptr_t)ch->prdt);
    outb(ch->bm + BM_COMMAND, dir);
    mb();                               /* the table and (for writes) the data are in memory */
    if ((rc = issue(d, cmd, lba, count)))
        return rc;
    outb(ch->bm + BM_COMMAND, dir | BM_CMD_START);
    if (!wait_interrupt(ch, TIMEOUT_NS)) {
        outb(ch->bm + BM_COMMAND, 0);
        return report(d, "DMA timeout", cmd, lba, count, -XEN_ETIMEDOUT);
    }
    outb(ch->bm + BM_COMMAND, 0);
    if ((rc = check_status(d, ch->status, cmd, lba, count)))
        return rc;
    if (ch->bm_status & BM_ST_ERROR)
        return report(d, "bus-master error", cmd, lba, count, -XEN_EIO);
    /* Still active at the interrupt: the device moved less than the table describes. */
    if (ch->bm_status & BM_ST_ACTIVE)
        return report(d, "DMA ended short", cmd, lba, count, -XEN_EIO);
    return 0;
}

static int transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write)
{
    uint8_t *p = buf;

    while (count) {
        uint32_t n = count < MAX_SECTORS ? count : MAX_SECTORS;
        int rc = d->dma ? dma_transfer(d, lba, n, p, write) : pio_transfer(d, lba, n, p, write);

        if (rc)
            return rc;
        lba += n;
        count -= n;
        p += n * SECTOR_SIZE;
    }
    return 0;
}

static int ata_read(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf)
{
    return transfer(bd->priv, lba, count, buf, false);
}

static int ata_write(struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf)
{
    /* The buffer is only read: the cast serves the shared transfer path. */
    return transfer(bd->priv, lba, count, (void *)(uintptr_t)buf, true);
}

static int ata_flush(struct block_dev *bd)
{
    struct ata_drive *d = bd->priv;
    int rc = issue(d, CMD_FLUSH_CACHE_EXT, 0, 0);

    if (rc)
        return rc;
    if (!wait_interrupt(d->ch, TIMEOUT_NS))
        return report(d, "flush timeout", CMD_FLUSH_CACHE_EXT, 0, 0, -XEN_ETIMEDOUT);
    return check_status(d, d->ch->status, CMD_FLUSH_CACHE_EXT, 0, 0);
}

static const struct block_ops ata_ops = {
    .read = ata_read,
    .write = ata_write,
    .flush = ata_flush,
};

int ata_read_unchecked(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf)
{
    return transfer(bd->priv, lba, count, buf, false);
}

void ata_set_dma(struct block_dev *bd, bool dma)
{
    struct ata_drive *d = bd->priv;

    d->dma = dma && d->can_dma;
}

bool ata_uses_dma(const struct block_dev *bd)
{
    return ((const struct ata_drive *)bd->priv)->dma;
}

uint64_t ata_interrupts(unsigned int channel)
{
    return channels[channel % ATA_CHANNELS].interrupts;
}

unsigned int ata_irq(unsigned int channel)
{
    return channels[channel % ATA_CHANNELS].irq;
}

uint64_t ata_wait_ticks(unsigned int channel)
{
    return channels[channel % ATA_CHANNELS].wait_ticks;
}

int ata_bind_irq(unsigned int channel)
{
    struct ata_channel *ch = &channels[channel % ATA_CHANNELS];
    long rc;

    if (ch->cmd == 0)
        return -XEN_ENODEV;
    rc = irq_bind_gsi(ch->irq, ata_event, &ch->irqb);
    if (rc < 0)
        return (int)rc;
    /* Whatever the device raised before the binding is stale: start from a clear flag. */
    (void)ata_interrupt(channel);
    ch->done = false;
    ch->use_irq = true;
    return 0;
}

bool ata_irq_bound(unsigned int channel)
{
    return channels[channel % ATA_CHANNELS].use_irq;
}

uint64_t ata_interrupts_delivered(unsigned int channel)
{
    return channels[channel % ATA_CHANNELS].delivered;
}

/* IDENTIFY strings hold two characters per word, the first in the high byte. */
static void identify_string(char *out, const uint16_t *words, unsigned int nwords)
{
    int len = 0;

    for (unsigned int i = 0; i < nwords; i++) {
        out[len++] = (char)(words[i] >> 8);
        out[len++] = (char)(words[i] & 0xff);
    }
    while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\0'))
        len--;
    out[len] = '\0';
}

/*
 * IDENTIFY DEVICE. An absent drive reads status 0 (Bochs) or 0xFF (a
 * floating bus), and a drive that never answers costs one timeout.
 */
static int identify(struct ata_drive *d)
{
    static uint16_t id[256];
    struct ata_channel *ch = d->ch;
    uint8_t st;
    int rc;

    outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
    settle(ch);
    st = alt_status(ch);
    if (st == 0 || st == 0xff)
        return -XEN_ENODEV;
    if ((rc = issue(d, CMD_IDENTIFY, 0, 0)))
        return rc;
    if (!wait_interrupt(ch, TIMEOUT_NS))
        return -XEN_ETIMEDOUT;
    /* ERR here: not an ATA disk (an ATAPI device aborts IDENTIFY DEVICE). */
    if ((ch->status & (ST_ERR | ST_DF)) || !(ch->status & ST_DRQ))
        return -XEN_ENODEV;
    insw(ch->cmd + REG_DATA, id, 256);

    identify_string(d->bd.model, &id[27], 20);
    /* Word 83 bit 10: the 48-bit address feature set; words 100..103 then hold the size. */
    if (!(id[83] & (1u << 10))) {
        printk("ata: %s: '%s' has no LBA48, not used\n", d->name, d->bd.model);
        return -XEN_ENODEV;
    }
    d->bd.sectors = (uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 |
                    (uint64_t)id[103] << 48;
    /* Word 106 (valid when bits 15:14 = 01) bit 12: sectors larger than 512 bytes. */
    if ((id[106] & 0xc000) == 0x4000 && (id[106] & (1u << 12))) {
        printk("ata: %s: logical sectors larger than 512 bytes, not used\n", d->name);
        return -XEN_ENODEV;
    }
    d->bd.sector_size = SECTOR_SIZE;
    d->can_dma = ch->bm && (id[49] & (1u << 8));
    d->dma = d->can_dma;
    return 0;
}

/* Ports and IRQ of a channel: compatibility (legacy ISA) or native mode (progif). */
static void setup_channel(const struct pci_dev *pci, unsigned int c)
{
    static const uint16_t legacy_cmd[2] = { 0x1f0, 0x170 }, legacy_ctl[2] = { 0x3f6, 0x376 };
    static const uint8_t legacy_irq[2] = { 14, 15 };
    struct ata_channel *ch = &channels[c];
    const struct pci_bar *bm = &pci->bar[4];

    if (pci->progif & (1u << (2 * c))) {
        ch->cmd = (uint16_t)pci->bar[2 * c].base;
        ch->ctl = (uint16_t)pci->bar[2 * c + 1].base + 2;
        ch->irq = pci->irq_line;
    } else {
        ch->cmd = legacy_cmd[c];
        ch->ctl = legacy_ctl[c];
        ch->irq = legacy_irq[c];
    }
    ch->bm = bm->kind == PCI_BAR_IO && bm->base ? (uint16_t)(bm->base + 8 * c) : 0;
    /* The PIIX decodes a channel's ports only with IDETIM's enable bit set. */
    if (pci->vendor == 0x8086) {
        uint16_t t = pci_config_read16(pci, PIIX_IDETIM + 2 * c);

        if (!(t & PIIX_IDETIM_DECODE))
            pci_config_write16(pci, PIIX_IDETIM + 2 * c, t | PIIX_IDETIM_DECODE);
    }
}

int ata_init(unsigned int mask)
{
    const struct pci_dev *pci = pci_find_class(0x01, 0x01, 0);
    int found = 0;

    if (!pci) {
        printk("ata: no IDE controller\n");
        return -XEN_ENODEV;
    }
    pci_enable(pci, true, false, true);
    for (unsigned int c = 0; c < ATA_CHANNELS; c++) {
        struct ata_channel *ch = &channels[c];

        if (!(mask & ATA_CHANNEL_MASK(c)))
            continue;
        setup_channel(pci, c);
        if (alt_status(ch) == 0xff) {
            printk("ata: channel %u (0x%x): nothing answers\n", c, ch->cmd);
            continue;
        }
        if (!reset_channel(ch)) {
            printk("ata: channel %u (0x%x): busy after reset\n", c, ch->cmd);
            continue;
        }
        for (uint8_t dr = 0; dr < 2; dr++) {
            struct ata_drive *d = &drives[c][dr];
            int rc;

            *d = (struct ata_drive){ .ch = ch, .drive = dr };
            d->name[0] = 'a', d->name[1] = 't', d->name[2] = 'a';
            d->name[3] = (char)('0' + c), d->name[4] = '.', d->name[5] = (char)('0' + dr);
            d->bd = (struct block_dev){ .ops = &ata_ops, .name = d->name, .priv = d };
            rc = identify(d);
            if (rc) {
                printk("ata: %s: no disk (%s)\n", d->name, block_strerror(rc));
                continue;
            }
            printk("ata: %s: '%s' %lu sectors of %u bytes, %s, ports 0x%x/0x%x bm 0x%x irq %u\n",
                   d->name, d->bd.model, (unsigned long)d->bd.sectors, d->bd.sector_size,
                   d->dma ? "DMA" : "PIO", ch->cmd, ch->ctl, ch->bm, ch->irq);
            if (block_register(&d->bd) == 0)
                found++;
        }
    }
    return found;
}
