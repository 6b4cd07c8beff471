/*
 * The ATA driver's own view of the hardware, shared by its three files:
 * ata_channel.c (taskfile, waits, completion), ata_xfer.c (PIO and
 * bus-master DMA transfers) and ata.c (probing, the block interface).
 * Register layouts are ATA/ATAPI-6's taskfile and SFF-8038i's bus master.
 */
#ifndef DRIVERS_ATA_HW_H
#define DRIVERS_ATA_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "ata.h"
#include "block.h"
#include "clock.h"
#include "pirq.h"

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
    struct pirq_line line;
    uint64_t delivered;         /* events delivered on line.port */
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

extern struct ata_channel ata_channels[ATA_CHANNELS];

/* ata_channel.c */
uint8_t ata_alt_status(const struct ata_channel *ch);
/* The 400 ns ATA asks for after a drive select or a command before status is valid. */
void ata_settle(const struct ata_channel *ch);
/* Until (alt status & mask) == want, or ERR/DF with BSY clear; false on timeout. */
bool ata_wait_status(const struct ata_channel *ch, uint8_t mask, uint8_t want, uint64_t timeout_ns);
/* Until ata_interrupt() has seen the device's interrupt; false on timeout. */
bool ata_wait_interrupt(struct ata_channel *ch, uint64_t timeout_ns);
/* Software reset of both drives; false if the channel stays busy. */
bool ata_reset_channel(struct ata_channel *ch);
/* Select d, load an LBA48 taskfile and write the command: 0 or -errno. */
int ata_issue(struct ata_drive *d, uint8_t cmd, uint64_t lba, uint32_t count);
/* Log a failure with the registers; returns err. */
int ata_report(const struct ata_drive *d, const char *what, uint8_t cmd, uint64_t lba,
               uint32_t count, int err);
/* -XEN_EIO (logged) if st has ERR or DF, else 0. */
int ata_check_status(const struct ata_drive *d, uint8_t st, uint8_t cmd, uint64_t lba,
                     uint32_t count);

/* ata_xfer.c: count sectors at lba, in commands of at most MAX_SECTORS, by DMA or PIO. */
int ata_transfer(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf, bool write);

#endif
