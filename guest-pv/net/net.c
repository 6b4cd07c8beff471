/*
 * The stack's interface (net.h): attaching to a card, Ethernet in and out,
 * waiting for the network, and the helpers every protocol file shares.
 */
#include <public/errno.h>

#include "arch.h"
#include "clock.h"
#include "console.h"
#include "lib.h"
#include "proto.h"
#include "timer.h"
#include "wire.h"

#define POLL_BUDGET 32

struct netif netif;

static const uint8_t eth_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;   /* an odd byte is padded with a zero */
    return sum;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * The driver's receive callback. The card filters on our MAC, but the
 * destination is checked again: a card in promiscuous mode (or a buggy
 * one) must not make us answer frames meant for another host.
 */
static void eth_input(void *ctx, struct netdev *dev, const uint8_t *frame, size_t len)
{
    (void)ctx;
    netif.stats.rx_frames++;
    if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
        netif.stats.rx_malformed++;
        return;
    }
    if (memcmp(frame + ETH_DST, dev->mac, ETH_ALEN) != 0 &&
        memcmp(frame + ETH_DST, eth_broadcast, ETH_ALEN) != 0) {
        netif.stats.rx_ignored++;
        return;
    }
    if (frame[ETH_SRC] & 1) {           /* a group address cannot send */
        netif.stats.rx_malformed++;
        return;
    }
    netif.in_rx = true;
    switch (get16(frame + ETH_TYPE)) {
    case ETHERTYPE_ARP:
        arp_input(frame + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETHERTYPE_IPV4:
        ip_input(frame + ETH_HLEN, len - ETH_HLEN, frame + ETH_SRC);
        break;
    default:
        netif.stats.rx_ignored++;
    }
    netif.in_rx = false;
}

/*
 * No polling here, even with the ring full: a frame received meanwhile
 * could send a reply through the buffers the caller's frame sits in.
 */
int eth_send(const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *payload, size_t len)
{
    uint8_t *frame = payload - ETH_HLEN;
    int rc;

    if (len > ETH_FRAME_MAX - ETH_HLEN)
        return -XEN_EINVAL;
    memcpy(frame + ETH_DST, dst, ETH_ALEN);
    memcpy(frame + ETH_SRC, netif.dev->mac, ETH_ALEN);
    put16(frame + ETH_TYPE, type);
    rc = netdev_transmit(netif.dev, frame, ETH_HLEN + len);
    if (rc == 0)
        netif.stats.tx_frames++;
    else
        netif.stats.tx_failed++;
    return rc;
}

bool net_attach(struct netdev *dev)
{
    int rc;

    memset(&netif, 0, sizeof(netif));
    netif.dev = dev;
    netdev_set_rx(dev, eth_input, NULL);
    if ((rc = netdev_open(dev)) < 0) {
        printk("net: cannot open %s: %d\n", dev->name, rc);
        return false;
    }
    return true;
}

struct netdev *net_dev(void)
{
    return netif.dev;
}

const struct net_config *net_config(void)
{
    return &netif.cfg;
}

const struct net_stats *net_stats(void)
{
    return &netif.stats;
}

void net_configure(uint32_t ip, uint32_t mask, uint32_t router)
{
    netif.cfg.ip = ip;
    netif.cfg.mask = mask;
    netif.cfg.router = router;
    netif.cfg.up = ip != 0;
}

void net_use_interrupts(bool on)
{
    netif.irq_mode = on;
}

bool net_wait(bool (*done)(void *arg), void *arg, uint64_t timeout_ns)
{
    uint64_t deadline;

    if (done(arg))
        return true;
    if (netif.in_rx)
        return false;           /* a handler may not wait for the network */
    if (netif.irq_mode) {
        if (wait_until(done, arg, timeout_ns))
            return true;
        if (netdev_poll(netif.dev, POLL_BUDGET) != 0)
            netif.stats.irq_lost++;
        return done(arg);
    }
    deadline = clock_now_ns() + timeout_ns;
    for (;;) {
        netdev_poll(netif.dev, POLL_BUDGET);
        if (done(arg))
            return true;
        if (clock_now_ns() >= deadline)
            return false;
        cpu_relax();
    }
}

static char *fmt_dec(char *p, unsigned int v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

void net_fmt_ip(char buf[16], uint32_t ip)
{
    char *p = buf;

    for (int shift = 24; shift >= 0; shift -= 8) {
        p = fmt_dec(p, (ip >> shift) & 0xff);
        if (shift)
            *p++ = '.';
    }
    *p = '\0';
}

void net_fmt_mac(char buf[18], const uint8_t mac[ETH_ALEN])
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < ETH_ALEN; i++) {
        buf[3 * i] = hex[mac[i] >> 4];
        buf[3 * i + 1] = hex[mac[i] & 15];
        buf[3 * i + 2] = i < ETH_ALEN - 1 ? ':' : '\0';
    }
}
