/*
 * The net-driver interface: what a network card's driver offers the rest of
 * dom0 (the stack in guest-pv/net/ today; the netif backend and the virtual
 * switch later). A driver fills one struct netdev and registers it; users
 * reach the card only through these operations and fields, so another NIC
 * (virtio-net on QEMU/KVM, a real machine's) plugs in without touching them.
 * docs/devices.md, "Net driver interface".
 *
 * Frames are whole Ethernet frames from the destination MAC to the end of
 * the payload, without the frame check sequence (the NIC adds and strips it).
 */
#ifndef GUEST_NETDEV_H
#define GUEST_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN        6
#define ETH_HLEN        14              /* destination, source, EtherType */
#define ETH_ZLEN        60              /* shortest frame; the NIC pads up to it */
#define ETH_FRAME_MAX   1514            /* 1500-byte payload, no VLAN tag, no FCS */

struct netdev;

/* Called for each received frame; `frame` is valid only during the call. */
typedef void (*netdev_rx_fn)(void *ctx, struct netdev *dev, const uint8_t *frame, size_t len);

/* What the driver counts itself, so a test can compare it with the device. */
struct netdev_stats {
    uint64_t tx_frames, tx_bytes;
    uint64_t tx_busy;                   /* transmit refused: ring full */
    uint64_t rx_frames, rx_bytes;
    uint64_t rx_errors;                 /* descriptor reported an error: dropped */
    uint64_t rx_oversize;               /* longer than ETH_FRAME_MAX or split: dropped */
    uint64_t interrupts;                /* interrupt handler calls */
    uint64_t spurious;                  /* ... of which found no cause */
};

/*
 * The device's own counters, summed over read-to-clear reads since the
 * driver reset the card (fields a card lacks stay 0).
 */
struct netdev_hw_stats {
    uint64_t rx_good, tx_good;          /* frames received / sent without error */
    uint64_t rx_crc_errors, rx_missed;  /* bad FCS; dropped for want of a buffer */
    uint64_t rx_octets, tx_octets;
};

struct netdev_ops {
    /*
     * Start receiving and transmitting: from here on the card reads and
     * writes dom0's memory by DMA. 0 or -errno.
     */
    int (*open)(struct netdev *dev);
    /*
     * Queue one frame of 14..ETH_FRAME_MAX bytes. The driver copies it, so
     * the caller may reuse its buffer at once. 0, -XEN_EAGAIN when the
     * transmit ring is full, -XEN_EINVAL for a bad length.
     */
    int (*transmit)(struct netdev *dev, const void *frame, size_t len);
    /*
     * Hand at most `budget` received frames to dev->rx, give their buffers
     * back to the card and reclaim sent ones; returns how many frames it
     * delivered. Used for polling and by interrupt().
     */
    unsigned int (*poll)(struct netdev *dev, unsigned int budget);
    /* The card's interrupt: read and count its causes, then poll. */
    void (*interrupt)(struct netdev *dev);
    bool (*link_up)(struct netdev *dev);
    void (*hw_stats)(struct netdev *dev, struct netdev_hw_stats *out);
};

struct netdev {
    const char *name;                   /* "e1000-0" */
    uint8_t mac[ETH_ALEN];
    const struct netdev_ops *ops;
    netdev_rx_fn rx;                    /* set by the user (netdev_set_rx) */
    void *rx_ctx;
    uint64_t rx_tsc;                    /* TSC when the frame now in rx() left the ring */
    struct netdev_stats stats;          /* written by the driver only */
    void *priv;                         /* the driver's own state */
};

/* Make `dev` findable by netdev_get(); false when the table is full. */
bool netdev_register(struct netdev *dev);
/* The idx-th registered card, NULL past the last. */
struct netdev *netdev_get(unsigned int idx);
void netdev_set_rx(struct netdev *dev, netdev_rx_fn rx, void *ctx);

static inline int netdev_open(struct netdev *dev)
{
    return dev->ops->open(dev);
}

static inline int netdev_transmit(struct netdev *dev, const void *frame, size_t len)
{
    return dev->ops->transmit(dev, frame, len);
}

static inline unsigned int netdev_poll(struct netdev *dev, unsigned int budget)
{
    return dev->ops->poll(dev, budget);
}

#endif
