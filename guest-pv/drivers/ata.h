/*
 * ATA disks on a PCI IDE controller (class 01.01; Bochs's and QEMU's PIIX3
 * at 00:01.1) with SFF-8038i bus-master DMA through BAR4. Each disk found is
 * registered as a block device (block.h) named "ataC.D": channel C (0
 * primary, 1 secondary), drive D (0 master, 1 slave). LBA48 only.
 *
 * Completion: ata_interrupt() handles the device's interrupt; the wait
 * polls it, or, after ata_bind_irq(), blocks on the event channel whose
 * handler calls it. Either way every wait has a deadline.
 */
#ifndef DRIVERS_ATA_H
#define DRIVERS_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "block.h"

#define ATA_CHANNELS 2
#define ATA_CHANNEL_MASK(c) (1u << (c))

/*
 * Reset and probe both drives of each channel named in `channels` (a mask
 * of ATA_CHANNEL_MASK bits; channels not named are never touched) on the
 * first IDE controller. Returns the number of disks registered, or
 * -XEN_ENODEV when there is no controller.
 */
int ata_init(unsigned int channels);

/* DMA (the default when the device and controller offer it) or PIO for one disk. */
void ata_set_dma(struct block_dev *bd, bool dma);
bool ata_uses_dma(const struct block_dev *bd);

/*
 * The channel's interrupt: if the controller's bus-master status says the
 * device raised one, clear it, read the device's status (which lowers its
 * interrupt line), count it and return true.
 */
bool ata_interrupt(unsigned int channel);
/* Interrupts counted by ata_interrupt() so far. */
uint64_t ata_interrupts(unsigned int channel);
/*
 * TSC ticks spent waiting for the device's interrupts so far: what a request
 * costs minus this is the driver's own path (in Bochs one tick is one
 * instruction, and the wait is the emulated device's latency).
 */
uint64_t ata_wait_ticks(unsigned int channel);
/* The channel's interrupt line: 14/15 in compatibility mode, else the PCI line. */
unsigned int ata_irq(unsigned int channel);

/*
 * Complete the channel's commands by its interrupt as an event channel
 * (guest-pv/kernel/pirq.h) instead of polling: 0, or -errno and polling stays.
 */
int ata_bind_irq(unsigned int channel);
bool ata_irq_bound(unsigned int channel);
/* Events delivered on the bound channel, to compare with ata_interrupts(). */
uint64_t ata_interrupts_delivered(unsigned int channel);

/*
 * For tests: a DMA (or PIO) read sent to the device without block_read's
 * range check, to see how the device's own refusal is reported.
 */
int ata_read_unchecked(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf);
/*
 * For tests: IDENTIFY DEVICE sent even when the status says nothing is
 * there, so that an absent drive shows the timeout path (-XEN_ETIMEDOUT
 * after the driver's 2 s deadline). Only on a channel ata_init() probed.
 */
int ata_identify_unchecked(unsigned int channel, unsigned int drive);

#endif
