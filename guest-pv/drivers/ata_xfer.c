/*
 * Moving sectors: READ/WRITE SECTORS EXT by PIO, one 256-word DRQ block per
 * sector, and READ/WRITE DMA EXT through the SFF-8038i bus master, whose
 * PRD table holds bus addresses: dom0 is identity-mapped (guest-physical =
 * machine), so a buffer's address is its bus address (docs/devices.md).
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "ata_hw.h"

/*
 * PIO, one 256-word DRQ block per sector. Reading, an interrupt announces
 * each block; writing, DRQ alone asks for the first, and the interrupt that
 * ends each block carries the status (DRQ again, or done) for the next.
 */
static int pio_transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write)
{
    struct ata_channel *ch = d->ch;
    uint8_t cmd = write ? CMD_WRITE_SECTORS_EXT : CMD_READ_SECTORS_EXT;
    uint8_t *p = buf, st = 0;
    int rc = ata_issue(d, cmd, lba, count);

    if (rc)
        return rc;
    if (write) {
        if (!ata_wait_status(ch, ST_BSY | ST_DRQ, ST_DRQ, TIMEOUT_NS))
            return ata_report(d, "no DRQ", cmd, lba, count, -XEN_ETIMEDOUT);
        st = ata_alt_status(ch);
    }
    for (uint32_t i = 0; i < count; i++, p += SECTOR_SIZE) {
        if (!write) {
            if (!ata_wait_interrupt(ch, TIMEOUT_NS))
                return ata_report(d, "timeout", cmd, lba + i, count, -XEN_ETIMEDOUT);
            st = ch->status;
        }
        if ((rc = ata_check_status(d, st, cmd, lba + i, count)))
            return rc;
        if (!(st & ST_DRQ))
            return ata_report(d, "no data", cmd, lba + i, count, -XEN_EIO);
        if (write)
            outsw(ch->cmd + REG_DATA, p, SECTOR_SIZE / 2);
        else
            insw(ch->cmd + REG_DATA, p, SECTOR_SIZE / 2);
        if (write) {
            if (!ata_wait_interrupt(ch, TIMEOUT_NS))
                return ata_report(d, "timeout", cmd, lba + i, count, -XEN_ETIMEDOUT);
            st = ch->status;
        }
    }
    return write ? ata_check_status(d, st, cmd, lba + count - 1, count) : 0;
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
    if ((rc = ata_issue(d, cmd, lba, count)))
        return rc;
    outb(ch->bm + BM_COMMAND, dir | BM_CMD_START);
    if (!ata_wait_interrupt(ch, TIMEOUT_NS)) {
        outb(ch->bm + BM_COMMAND, 0);
        return ata_report(d, "DMA timeout", cmd, lba, count, -XEN_ETIMEDOUT);
    }
    outb(ch->bm + BM_COMMAND, 0);
    if ((rc = ata_check_status(d, ch->status, cmd, lba, count)))
        return rc;
    if (ch->bm_status & BM_ST_ERROR)
        return ata_report(d, "bus-master error", cmd, lba, count, -XEN_EIO);
    /* Still active at the interrupt: the device moved less than the table describes. */
    if (ch->bm_status & BM_ST_ACTIVE)
        return ata_report(d, "DMA ended short", cmd, lba, count, -XEN_EIO);
    return 0;
}

int ata_transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write)
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
