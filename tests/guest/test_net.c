/*
 * test=net: dom0's e1000 and network stack against a peer nobody here
 * wrote, Bochs's built-in `vnet` host (192.168.10.1; tests/system/net.sh).
 * Find the card, show its MAC and link, take a DHCP lease, resolve the
 * server, then `pings=` (1,000) echo requests one at a time, each waiting
 * up to a second for its reply: losses must be 0. The round trip is
 * measured with the TSC, which in Bochs counts emulated instructions, so
 * the median is a path length: `bench: e1000_echo_rtt N`. Last, the card's
 * own counters (read-to-clear, summed) against the driver's and the
 * stack's counts: every frame either side counted must match.
 * `dma=no` stops after the probe, before the card may touch memory: for a
 * hypervisor that does not yet identity-map dom0 (its DMA would land in
 * the wrong machine frames).
 */
#include <stdint.h>

#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "e1000.h"
#include "guest.h"
#include "lib.h"
#include "net.h"
#include "netdev.h"
#include "pci.h"
#include "tests.h"

#define PINGS_DEFAULT   1000
#define PINGS_MAX       10000
#define PING_PAYLOAD    56              /* the classic ping size: 64-byte ICMP message */
#define PING_TIMEOUT_NS (1 * NSEC_PER_SEC)
#define LINK_TIMEOUT_NS (1 * NSEC_PER_SEC)
#define DHCP_TIMEOUT_NS (20 * NSEC_PER_SEC)
#define ARP_TIMEOUT_NS  (3 * NSEC_PER_SEC)

/* Per reply: the whole round trip, and the two parts of it that are dom0's own. */
static uint64_t rtts[PINGS_MAX], tx_paths[PINGS_MAX], rx_paths[PINGS_MAX];

static void report(bool ok, const char *name, const char *detail)
{
    if (ok)
        printk("PASS: net/%s\n", name);
    else
        printk("FAIL: net/%s %s\n", name, detail);
}

/* Insertion sort: 1,000 values, once, is cheap next to 1,000 round trips. */
static uint64_t median(uint64_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        uint32_t j = i;

        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    return v[n / 2];
}

static bool wait_link(struct netdev *nd)
{
    uint64_t deadline = clock_now_ns() + LINK_TIMEOUT_NS;

    while (!nd->ops->link_up(nd)) {
        if (clock_now_ns() > deadline)
            return false;
    }
    return true;
}

static void print_figure(const char *key, uint64_t *v, uint32_t n)
{
    uint64_t med = median(v, n);

    printk("bench: %s %lu (reps %u, min %lu, max %lu)\n", key, (unsigned long)med, n,
           (unsigned long)v[0], (unsigned long)v[n - 1]);
}

static void pings(uint32_t peer, uint32_t n)
{
    uint32_t lost = 0, got = 0;

    for (uint32_t i = 0; i < n; i++) {
        struct ping_times t;

        if (icmp_ping(peer, (uint16_t)i, PING_PAYLOAD, PING_TIMEOUT_NS, &t)) {
            rtts[got] = t.rtt;
            tx_paths[got] = t.tx_path;
            rx_paths[got++] = t.rx_path;
        } else {
            lost++;
        }
    }
    printk("net: %u echo requests, %u replies, %u lost\n", n, got, lost);
    report(lost == 0, "echo-no-loss", "requests were lost");
    if (got == 0)
        return;
    /* The rest of the round trip is the wire, the peer and our polling's step. */
    print_figure("e1000_echo_rtt", rtts, got);
    print_figure("e1000_echo_tx_path", tx_paths, got);
    print_figure("e1000_echo_rx_path", rx_paths, got);
}

/* Each side's count of the frames that crossed the wire must agree. */
static void compare_counters(struct netdev *nd)
{
    struct netdev_hw_stats hw;
    const struct net_stats *st = net_stats();
    const uint64_t *causes = e1000_cause_counts(nd);

    nd->ops->hw_stats(nd, &hw);
    printk("net: card GPRC %lu GPTC %lu CRCERRS %lu MPC %lu TOR %lu TOT %lu\n",
           (unsigned long)hw.rx_good, (unsigned long)hw.tx_good,
           (unsigned long)hw.rx_crc_errors, (unsigned long)hw.rx_missed,
           (unsigned long)hw.rx_octets, (unsigned long)hw.tx_octets);
    printk("net: driver rx %lu tx %lu (busy %lu, rx errors %lu, oversize %lu); "
           "stack rx %lu malformed %lu ignored %lu tx %lu failed %lu\n",
           (unsigned long)nd->stats.rx_frames, (unsigned long)nd->stats.tx_frames,
           (unsigned long)nd->stats.tx_busy, (unsigned long)nd->stats.rx_errors,
           (unsigned long)nd->stats.rx_oversize, (unsigned long)st->rx_frames,
           (unsigned long)st->rx_malformed, (unsigned long)st->rx_ignored,
           (unsigned long)st->tx_frames, (unsigned long)st->tx_failed);
    printk("net: interrupts %lu (spurious %lu), causes RXT0 %lu TXDW %lu RXO %lu LSC %lu\n",
           (unsigned long)nd->stats.interrupts, (unsigned long)nd->stats.spurious,
           (unsigned long)causes[7], (unsigned long)causes[0], (unsigned long)causes[6],
           (unsigned long)causes[2]);
    report(hw.rx_good == nd->stats.rx_frames, "card-rx-equals-driver-rx", "GPRC differs");
    report(hw.tx_good == nd->stats.tx_frames, "card-tx-equals-driver-tx", "GPTC differs");
    report(hw.rx_missed == 0 && hw.rx_crc_errors == 0, "card-no-missed-or-bad",
           "MPC or CRCERRS non-zero");
    report(st->rx_malformed == 0, "stack-no-malformed", "the peer sent malformed frames?");
}

void test_net(const struct guest_env *env)
{
    uint32_t n = PINGS_DEFAULT;
    struct netdev *nd;
    uint8_t peer_mac[ETH_ALEN];
    char mac[18], ip[16];
    uint32_t peer;
    char dma[4];

    if (cmdline_get_uint(env->cmdline, "pings", &n) && n > PINGS_MAX)
        n = PINGS_MAX;
    pci_init();
    nd = e1000_probe(0);
    report(nd != NULL, "probe", "no usable 82540EM");
    if (nd == NULL)
        return;
    net_fmt_mac(mac, nd->mac);
    printk("net: %s mac %s irq %u\n", nd->name, mac, e1000_irq_line(nd));
    report(wait_link(nd), "link-up", "STATUS.LU stays 0");
    if (cmdline_get(env->cmdline, "dma", dma, sizeof(dma)) && strcmp(dma, "no") == 0) {
        printk("net: dma=no: stopping before the card is opened\n");
        return;
    }
    if (!net_attach(nd)) {
        report(false, "attach", "cannot open the card");
        return;
    }
    report(dhcp_lease(DHCP_TIMEOUT_NS), "dhcp-lease", "no lease");
    if (!net_config()->up)
        return;
    peer = net_config()->server;
    net_fmt_ip(ip, peer);
    report(arp_resolve(peer, peer_mac, ARP_TIMEOUT_NS), "arp-resolve", "no ARP reply");
    net_fmt_mac(mac, peer_mac);
    printk("net: peer %s at %s\n", ip, mac);
    pings(peer, n);
    compare_counters(nd);
    printk("net: done\n");
}
