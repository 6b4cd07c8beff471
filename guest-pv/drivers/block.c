/*
 * The block layer's shared part (block.h): range checks every driver gets,
 * and the list of disks drivers registered.
 */
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "lib.h"

static struct block_dev *devs[BLOCK_MAX_DEVS];
static unsigned int ndevs;

/* lba + count within the disk, written so that it cannot overflow. */
static int check_range(const struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf)
{
    if (count == 0 || lba >= bd->sectors || count > bd->sectors - lba)
        return -XEN_EINVAL;
    /* DMA engines take even bus addresses below 4 GiB; we are identity-mapped. */
    if (((uintptr_t)buf & 1) ||
        (uint64_t)(uintptr_t)buf + (uint64_t)count * bd->sector_size > 0x100000000ull)
        return -XEN_EINVAL;
    return 0;
}

int block_read(struct block_dev *bd, uint64_t lba, uint32_t count, void *buf)
{
    int rc = check_range(bd, lba, count, buf);

    return rc ? rc : bd->ops->read(bd, lba, count, buf);
}

int block_write(struct block_dev *bd, uint64_t lba, uint32_t count, const void *buf)
{
    int rc = check_range(bd, lba, count, buf);

    return rc ? rc : bd->ops->write(bd, lba, count, buf);
}

int block_flush(struct block_dev *bd)
{
    return bd->ops->flush(bd);
}

int block_register(struct block_dev *bd)
{
    if (ndevs == BLOCK_MAX_DEVS)
        return -XEN_ENOSPC;
    devs[ndevs++] = bd;
    return 0;
}

unsigned int block_count(void)
{
    return ndevs;
}

struct block_dev *block_get(unsigned int i)
{
    return i < ndevs ? devs[i] : NULL;
}

struct block_dev *block_find(const char *name)
{
    for (unsigned int i = 0; i < ndevs; i++) {
        if (strcmp(devs[i]->name, name) == 0)
            return devs[i];
    }
    return NULL;
}

const char *block_strerror(int err)
{
    switch (-err) {
    case 0:             return "ok";
    case XEN_EINVAL:    return "EINVAL";
    case XEN_EIO:       return "EIO";
    case XEN_ENODEV:    return "ENODEV";
    case XEN_ETIMEDOUT: return "ETIMEDOUT";
    case XEN_ENOSPC:    return "ENOSPC";
    case XEN_ENOSYS:    return "ENOSYS";
    case XEN_EPERM:     return "EPERM";
    default:            return "error";
    }
}
