/*
 * test=net: dom0's e1000 and network stack against a peer nobody here
 * wrote, Bochs's built-in `vnet` host (192.168.10.1; tests/system/net.sh).
 * Find the card, show its MAC and link, take a DHCP lease, resolve the
 * server, then `pings=` (1,000) echo requests one at a time, each waiting
 * up to a second for its reply: losses must be 0. The round trip is
 * measured with the TSC, which in Bochs counts emulated instructions, so
 * the median is a path length: `bench: e1000_echo_rtt N`. The card is
 * polled for those; then (unless `irq=no`) its interrupt is bound to an
 * event channel and the same requests go again, the wait blocking until
 * the handler has the reply (`bench: e1000_echo_irq_rtt`), with every
 * cause the card raised checked against what was delivered. Last, the
 * card's own counters (read-to-clear, summed) against the driver's and the
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

/* dst = a followed by b, cut to size; returns dst. */
static char *concat(char *dst, size_t size, const char *a, const char *b)
{
    size_t n = 0;

    for (const char *p = a; *p && n + 1 < size; p++)
        dst[n++] = *p;
    for (const char *p = b; *p && n + 1 < size; p++)
        dst[n++] = *p;
    dst[n] = '\0';
    return dst;
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

/* `n` echo requests one at a time; figures under `key` ("e1000_echo", ...). */
static void pings(uint32_t peer, uint32_t n, const char *key)
{
    uint32_t lost = 0, got = 0;
    char name[48];

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
    printk("net: %s: %u echo requests, %u replies, %u lost\n", key, n, got, lost);
    concat(name, sizeof(name), key, "-no-loss");
    report(lost == 0, name, "requests were lost");
    if (got == 0)
        return;
    /* The rest of the round trip is the wire, the peer and our wait's step. */
    print_figure(concat(name, sizeof(name), key, "_rtt"), rtts, got);
    print_figure(concat(name, sizeof(name), key, "_tx_path"), tx_paths, got);
    print_figure(concat(name, sizeof(name), key, "_rx_path"), rx_paths, got);
}

/*
 * The same requests with the card's interrupt bound to an event channel:
 * the wait blocks, and the handler does the receiving. Each reply and
 * each sent frame raise their own cause (vnet answers 100 us after a
 * request, the card reports a send 10 us after it), so the handler must
 * have seen RXT0 once per frame received and TXDW once per frame sent,
 * no call without a cause, and no wait may have ended with a frame left.
 */
static void irq_pings(struct netdev *nd, uint32_t peer, uint32_t n)
{
    struct netdev_hw_stats before, after;
    const uint64_t *causes = e1000_cause_counts(nd);
    uint64_t rxt0, txdw, calls, events;
    int rc;

    nd->ops->hw_stats(nd, &before);
    rxt0 = causes[7], txdw = causes[0], calls = nd->stats.interrupts, events = e1000_events(nd);
    if ((rc = e1000_bind_irq(nd)) < 0) {
        printk("net: interrupts: line %u not bound (error %d): the card stays polled\n",
               e1000_irq_line(nd), rc);
        return;
    }
    net_use_interrupts(true);
    pings(peer, n, "e1000_echo_irq");
    net_use_interrupts(false);
    nd->ops->hw_stats(nd, &after);
    rxt0 = causes[7] - rxt0, txdw = causes[0] - txdw;
    calls = nd->stats.interrupts - calls, events = e1000_events(nd) - events;
    printk("net: interrupts: %lu events, %lu handler calls, %lu spurious; RXT0 %lu for %lu "
           "frames received, TXDW %lu for %lu sent; %lu waits ended with a frame left\n",
           (unsigned long)events, (unsigned long)calls, (unsigned long)nd->stats.spurious,
           (unsigned long)rxt0, (unsigned long)(after.rx_good - before.rx_good),
           (unsigned long)txdw, (unsigned long)(after.tx_good - before.tx_good),
           (unsigned long)net_stats()->irq_lost);
    report(events == calls && events > 0, "irq-every-call-an-event", "handler calls differ");
    report(nd->stats.spurious == 0, "irq-none-spurious", "an event found no cause");
    report(rxt0 == after.rx_good - before.rx_good, "irq-rxt0-per-frame-received",
           "RXT0 causes differ from GPRC");
    report(txdw == after.tx_good - before.tx_good, "irq-txdw-per-frame-sent",
           "TXDW causes differ from GPTC");
    report(net_stats()->irq_lost == 0, "irq-none-lost", "a frame waited without an event");
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

/* `key=no` on the command line. */
static bool option_is_no(const struct guest_env *env, const char *key)
{
    char v[4];

    return cmdline_get(env->cmdline, key, v, sizeof(v)) && strcmp(v, "no") == 0;
}

void test_net(const struct guest_env *env)
{
    uint32_t n = PINGS_DEFAULT;
    struct netdev *nd;
    uint8_t peer_mac[ETH_ALEN];
    char mac[18], ip[16];
    uint32_t peer;

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
    if (option_is_no(env, "dma")) {
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
    pings(peer, n, "e1000_echo");
    if (!option_is_no(env, "irq"))
        irq_pings(nd, peer, n);
    compare_counters(nd);
    printk("net: done\n");
}
