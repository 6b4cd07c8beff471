/*
 * An ATA channel: the taskfile, bounded waits on its status, and
 * completion. ata_interrupt() handles the device's interrupt; waits either
 * poll it or, once ata_bind_irq() has bound the channel's IRQ to an event
 * channel, block until the handler has called it. Every wait has a
 * deadline, so a dead or missing device costs a bounded time, never a hang.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "ata_hw.h"
#include "console.h"
#include "lib.h"
#include "timer.h"

struct ata_channel ata_channels[ATA_CHANNELS];

uint8_t ata_alt_status(const struct ata_channel *ch)
{
    return inb(ch->ctl + REG_ALTSTATUS);
}

/* Five alternate-status reads outlast the 400 ns. */
void ata_settle(const struct ata_channel *ch)
{
    for (int i = 0; i < 5; i++)
        (void)ata_alt_status(ch);
}

static void delay_ns(uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;

    while (clock_now_ns() < end)
        cpu_relax();
}

bool ata_wait_status(const struct ata_channel *ch, uint8_t mask, uint8_t want, uint64_t timeout_ns)
{
    uint64_t deadline = clock_now_ns() + timeout_ns;

    for (;;) {
        uint8_t st = ata_alt_status(ch);

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
    struct ata_channel *ch = &ata_channels[channel % ATA_CHANNELS];
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
        if (ata_alt_status(ch) & ST_BSY)
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

/*
 * The event channel's handler: acknowledge the device, then let the line in
 * again. Upcalls come only inside wait_until()'s sti; hlt (the kernel runs
 * with interrupts off), so this never interrupts ata_interrupt() itself.
 */
static void ata_event(evtchn_port_t port)
{
    for (unsigned int c = 0; c < ATA_CHANNELS; c++) {
        struct ata_channel *ch = &ata_channels[c];

        if (ch->use_irq && ch->line.port == port) {
            ch->delivered++;
            (void)ata_interrupt(c);
            pirq_line_eoi(&ch->line);
        }
    }
}

/*
 * Wait for the interrupt that ends a command or data block: blocked on the
 * event channel when one is bound, else polling the same ata_interrupt()
 * the handler calls. An interrupt the device raised but that never arrived
 * is reported once and ends the use of the event channel.
 */
bool ata_wait_interrupt(struct ata_channel *ch, uint64_t timeout_ns)
{
    uint64_t deadline = clock_now_ns() + timeout_ns, t0 = rdtsc();
    unsigned int c = (unsigned int)(ch - ata_channels);
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

int ata_report(const struct ata_drive *d, const char *what, uint8_t cmd, uint64_t lba,
               uint32_t count, int err)
{
    const struct ata_channel *ch = d->ch;

    printk("ata: %s: %s (command 0x%x lba %lu count %u): status 0x%x error 0x%x bm 0x%x\n",
           d->name, what, cmd, (unsigned long)lba, count, ata_alt_status(ch),
           inb(ch->cmd + REG_ERROR), ch->bm ? inb(ch->bm + BM_STATUS) : 0);
    return err;
}

/* The status a command ended with: ERR or DF means the device refused or failed. */
int ata_check_status(const struct ata_drive *d, uint8_t st, uint8_t cmd, uint64_t lba,
                     uint32_t count)
{
    if (st & (ST_ERR | ST_DF))
        return ata_report(d, st & ST_DF ? "device fault" : "device error", cmd, lba, count,
                          -XEN_EIO);
    return 0;
}

bool ata_reset_channel(struct ata_channel *ch)
{
    outb(ch->ctl + REG_DEVCTL, DEVCTL_SRST);
    delay_ns(5 * NSEC_PER_USEC);
    outb(ch->ctl + REG_DEVCTL, 0);      /* nIEN clear: the interrupt flag must be set */
    delay_ns(2 * NSEC_PER_MSEC);
    return ata_wait_status(ch, ST_BSY, 0, RESET_TIMEOUT_NS);
}

/* Select the drive and load an LBA48 taskfile: the high bytes first, then the low. */
int ata_issue(struct ata_drive *d, uint8_t cmd, uint64_t lba, uint32_t count)
{
    struct ata_channel *ch = d->ch;
    uint16_t n = (uint16_t)count;         /* 65536 is sent as 0 */

    outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
    ata_settle(ch);
    if (!ata_wait_status(ch, ST_BSY | ST_DRQ, 0, TIMEOUT_NS)) {
        /* A command left half done (DRQ still set, or stuck busy): reset once and retry. */
        ata_report(d, "busy before command, resetting the channel", cmd, lba, count, 0);
        if (!ata_reset_channel(ch))
            return ata_report(d, "busy after reset", cmd, lba, count, -XEN_ETIMEDOUT);
        outb(ch->cmd + REG_DEVICE, DEVICE_LBA | d->drive << 4);
        ata_settle(ch);
        if (!ata_wait_status(ch, ST_BSY | ST_DRQ, 0, TIMEOUT_NS))
            return ata_report(d, "busy before command", cmd, lba, count, -XEN_ETIMEDOUT);
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
    ata_settle(ch);
    return 0;
}

uint64_t ata_interrupts(unsigned int channel)
{
    return ata_channels[channel % ATA_CHANNELS].interrupts;
}

unsigned int ata_irq(unsigned int channel)
{
    return ata_channels[channel % ATA_CHANNELS].irq;
}

uint64_t ata_wait_ticks(unsigned int channel)
{
    return ata_channels[channel % ATA_CHANNELS].wait_ticks;
}

int ata_bind_irq(unsigned int channel)
{
    struct ata_channel *ch = &ata_channels[channel % ATA_CHANNELS];
    long rc;

    if (ch->cmd == 0)
        return -XEN_ENODEV;
    rc = pirq_line_open(&ch->line, ch->irq, ata_event);
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
    return ata_channels[channel % ATA_CHANNELS].use_irq;
}

uint64_t ata_interrupts_delivered(unsigned int channel)
{
    return ata_channels[channel % ATA_CHANNELS].delivered;
}
