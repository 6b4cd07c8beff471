/*
 * ATA disks on a PCI IDE controller: finding the controller and its
 * channels' ports, IDENTIFY DEVICE, and each disk presented through the
 * block interface (block.h). The channel layer is ata_channel.c, the
 * transfers ata_xfer.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "ata_hw.h"
#include "console.h"
#include "lib.h"
#include "pci.h"

/* PIIX's IDE timing register per channel (0x40, 0x42): bit 15 enables decoding. */
#define PIIX_IDETIM        0x40
#define PIIX_IDETIM_DECODE 0x8000

static struct ata_drive drives[ATA_CHANNELS][2];

static int ata_read(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf)
{
    return ata_transfer(bd->priv, lba, count, buf, false);
}

static int ata_write(struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf)
{
    /* The buffer is only read: the cast serves the shared transfer path. */
    return ata_transfer(bd->priv, lba, count, (void *)(uintptr_t)buf, true);
}

static int ata_flush(struct block_dev *bd)
{
    struct ata_drive *d = bd->priv;
    int rc = ata_issue(d, CMD_FLUSH_CACHE_EXT, 0, 0);

    if (rc)
        return rc;
    if (!ata_wait_interrupt(d->ch, TIMEOUT_NS))
        return ata_report(d, "flush timeout", CMD_FLUSH_CACHE_EXT, 0, 0, -XEN_ETIMEDOUT);
    return ata_check_status(d, d->ch->status, CMD_FLUSH_CACHE_EXT, 0, 0);
}

static const struct block_ops ata_ops = {
    .read = ata_read,
    .write = ata_write,
    .flush = ata_flush,
};

int ata_read_unchecked(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf)
{
    return ata_transfer(bd->priv, lba, count, buf, false);
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
static int identify(struct ata_drive *d, bool check_presence)
{
    static uint16_t id[256];
    struct ata_channel *ch = d->ch;
    uint8_t st;
    int rc;

    outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
    ata_settle(ch);
    st = ata_alt_status(ch);
    if (check_presence && (st == 0 || st == 0xff))
        return -XEN_ENODEV;
    if ((rc = ata_issue(d, CMD_IDENTIFY, 0, 0)))
        return rc;
    if (!ata_wait_interrupt(ch, TIMEOUT_NS))
        return ata_report(d, "no answer to IDENTIFY", CMD_IDENTIFY, 0, 0, -XEN_ETIMEDOUT);
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

static void init_drive(struct ata_drive *d, unsigned int c, uint8_t dr)
{
    *d = (struct ata_drive){ .ch = &ata_channels[c], .drive = dr };
    d->name[0] = 'a', d->name[1] = 't', d->name[2] = 'a';
    d->name[3] = (char)('0' + c), d->name[4] = '.', d->name[5] = (char)('0' + dr);
    d->bd = (struct block_dev){ .ops = &ata_ops, .name = d->name, .priv = d };
}

int ata_identify_unchecked(unsigned int channel, unsigned int drive)
{
    struct ata_drive scratch;

    if (channel >= ATA_CHANNELS || drive > 1 || ata_channels[channel].cmd == 0)
        return -XEN_ENODEV;
    init_drive(&scratch, channel, (uint8_t)drive);
    return identify(&scratch, false);
}

/* Ports and IRQ of a channel: compatibility (legacy ISA) or native mode (progif). */
static void setup_channel(const struct pci_dev *pci, unsigned int c)
{
    static const uint16_t legacy_cmd[2] = { 0x1f0, 0x170 }, legacy_ctl[2] = { 0x3f6, 0x376 };
    static const uint8_t legacy_irq[2] = { 14, 15 };
    struct ata_channel *ch = &ata_channels[c];
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
        struct ata_channel *ch = &ata_channels[c];

        if (!(mask & ATA_CHANNEL_MASK(c)))
            continue;
        setup_channel(pci, c);
        if (ata_alt_status(ch) == 0xff) {
            printk("ata: channel %u (0x%x): nothing answers\n", c, ch->cmd);
            continue;
        }
        if (!ata_reset_channel(ch)) {
            printk("ata: channel %u (0x%x): busy after reset\n", c, ch->cmd);
            continue;
        }
        for (uint8_t dr = 0; dr < 2; dr++) {
            struct ata_drive *d = &drives[c][dr];
            int rc;

            init_drive(d, c, dr);
            rc = identify(d, true);
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
