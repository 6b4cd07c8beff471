/*
 * The block-driver interface: what a disk driver (ATA today; AHCI, NVMe,
 * virtio-blk later) gives its users (tests, the future blkif backend), so
 * that drivers can be added without touching users. docs/devices.md,
 * "Driver interface", is the reference.
 *
 * Conventions:
 *  - Sectors are sector_size bytes (512 for ATA); lba + count must lie
 *    within [0, sectors). block_read/block_write check that, and count > 0,
 *    before the driver sees the request: a request beyond the end never
 *    reaches the device.
 *  - Buffers are dom0 memory, identity-mapped (their address is their bus
 *    address, below 4 GiB), 2-byte aligned; drivers may DMA into them.
 *  - Every call returns 0 or a negated Xen errno value, and returns within
 *    the driver's timeout (no call may hang on a dead device):
 *      -XEN_EINVAL     outside the disk, count 0, a buffer DMA cannot reach
 *      -XEN_EIO        the device reported an error (see the driver's log line)
 *      -XEN_ETIMEDOUT  the device did not complete in time
 *      -XEN_ENODEV     no such device (probe only)
 *  - Calls are synchronous: when one returns, the data is in the buffer (read)
 *    or in the device (write; in its cache until flush).
 */
#ifndef DRIVERS_BLOCK_H
#define DRIVERS_BLOCK_H

#include <stdint.h>

#include <public/errno.h>

/* Xen's numbers for errors public/errno.h does not list yet. */
#ifndef XEN_EIO
#define XEN_EIO        5
#endif
#ifndef XEN_ENODEV
#define XEN_ENODEV    19
#endif
#ifndef XEN_ETIMEDOUT
#define XEN_ETIMEDOUT 110
#endif

#define BLOCK_MAX_DEVS  8
#define BLOCK_MODEL_LEN 40

struct block_dev;

/* Implemented by each driver; called only through block_* below, with the range checked. */
struct block_ops {
    int (*read)(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf);
    int (*write)(struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf);
    int (*flush)(struct block_dev *bd);     /* the device's write cache to the medium */
};

struct block_dev {
    const struct block_ops *ops;
    const char *name;                       /* e.g. "ata1.0" (channel 1, master) */
    char model[BLOCK_MODEL_LEN + 1];        /* the device's own, trailing blanks cut */
    uint64_t sectors;
    uint32_t sector_size;                   /* bytes */
    void *priv;                             /* the driver's own state */
};

int block_read(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf);
int block_write(struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf);
int block_flush(struct block_dev *bd);

/* Drivers register what they find; users look disks up by index or name. */
int block_register(struct block_dev *bd);
unsigned int block_count(void);
struct block_dev *block_get(unsigned int i);
struct block_dev *block_find(const char *name);

/* "-XEN_EIO" -> "EIO": for log lines. */
const char *block_strerror(int err);

#endif
