/*
 * guest-pv/net/ on the host: the stack against a fake card whose far end
 * behaves as Bochs's vnet host does (ARP, ICMP echo, DHCP: the OFFER to the
 * limited broadcast, the ACK to the offered address), then hostile frames.
 * Every frame handed to the stack sits in a buffer of exactly its length,
 * so AddressSanitizer reports any read past what was received; a mutation
 * pass throws 200,000 damaged copies of valid frames at it for the same
 * purpose. The peer also checks what the stack sends (checksums, fields).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net.h"
#include "netdev.h"
#include "proto.h"
#include "wire.h"

CHECK_SUITE("net_stack");

static const uint8_t our_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t host_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x55 };
static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define HOST_IP  IP4(192, 168, 10, 1)
#define GUEST_IP IP4(192, 168, 10, 2)

/* ---- shims for the guest kernel's clock, timer and console ---- */
static uint64_t fake_ns;

uint64_t clock_now_ns(void)
{
    return fake_ns += 1000;     /* each look at the clock costs a microsecond */
}

bool wait_until(bool (*done)(void *arg), void *arg, uint64_t timeout_ns)
{
    (void)timeout_ns;
    return done(arg);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    printf("  printk: ");
    vprintf(fmt, ap);
    va_end(ap);
}

/* ---- the fake card: what the stack sends is checked and answered ---- */
#define QUEUE 8
static struct { uint8_t *buf; size_t len; } queue[QUEUE];
static unsigned int queued;
static unsigned int sent, sent_bad;     /* frames from the stack; of which malformed */
static uint8_t last_sent[ETH_FRAME_MAX];
static size_t last_len;
static bool peer_silent;                /* the fake vnet answers nothing */

static void enqueue(const uint8_t *f, size_t len)
{
    if (queued == QUEUE)
        abort();
    queue[queued].buf = malloc(len);
    memcpy(queue[queued].buf, f, len);
    queue[queued++].len = len;
}

static uint16_t ip_csum(const uint8_t *ip)
{
    return csum_fold(csum_add(0, ip, 20));
}

/* An IPv4 frame from the host: header at f+14, payload already in place. */
static size_t host_ip_frame(uint8_t *f, uint32_t dst, uint8_t proto, size_t plen)
{
    memcpy(f, our_mac, 6);
    memcpy(f + 6, host_mac, 6);
    put16(f + 12, ETHERTYPE_IPV4);
    memset(f + 14, 0, 20);
    f[14] = 0x45;
    put16(f + 16, (uint16_t)(20 + plen));
    f[22] = 7;
    f[23] = proto;
    put32(f + 26, HOST_IP);
    put32(f + 30, dst);
    put16(f + 24, ip_csum(f + 14));
    return 34 + plen;
}

static uint16_t udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp, size_t len)
{
    uint8_t ph[12];

    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = 17;
    put16(ph + 10, (uint16_t)len);
    return csum_fold(csum_add(csum_add(0, ph, 12), udp, len));
}

static void answer_dhcp(const uint8_t *m, size_t len)
{
    uint8_t f[600] = { 0 }, *u = f + 34, *r = u + 8;
    uint8_t type = 0;
    size_t o = 240;

    for (size_t i = 240; i + 2 < len && m[i] != 255; i += 2 + m[i + 1]) {
        if (m[i] == 53)
            type = m[i + 2];
    }
    r[0] = 2;
    r[1] = 1;
    r[2] = 6;
    memcpy(r + 4, m + 4, 4);                    /* xid */
    put32(r + 16, GUEST_IP);
    put32(r + 20, HOST_IP);
    memcpy(r + 28, m + 28, 6);
    put32(r + 236, 0x63825363);
    r[o++] = 53, r[o++] = 1, r[o++] = type == 1 ? 2 : 5;
    r[o++] = 54, r[o++] = 4, put32(r + o, HOST_IP), o += 4;
    r[o++] = 1, r[o++] = 4, put32(r + o, IP4(255, 255, 255, 0)), o += 4;
    r[o++] = 3, r[o++] = 4, put32(r + o, HOST_IP), o += 4;
    r[o++] = 51, r[o++] = 4, put32(r + o, 28800), o += 4;
    r[o++] = 255;
    o = 548;                                    /* vnet pads its replies so */
    put16(u, 67);
    put16(u + 2, 68);
    put16(u + 4, (uint16_t)(8 + o));
    uint32_t dst = type == 1 ? IP_BROADCAST : GUEST_IP;
    put16(u + 6, udp_csum(HOST_IP, dst, u, 8 + o));
    enqueue(f, host_ip_frame(f, dst, 17, 8 + o));
}

/* Check one frame of the stack's as the peer would, and answer it. */
static int fake_transmit(struct netdev *dev, const void *frame, size_t len)
{
    const uint8_t *f = frame, *ip = f + 14;
    uint8_t r[ETH_FRAME_MAX];

    (void)dev;
    sent++;
    memcpy(last_sent, f, len);
    last_len = len;
    if (len < 14 || memcmp(f + 6, our_mac, 6) != 0) {
        sent_bad++;
        return 0;
    }
    if (get16(f + 12) == ETHERTYPE_ARP) {
        if (len < 42 || get16(f + 20) > 2)
            sent_bad++;
        else if (get16(f + 20) == 1 && get32(f + 38) == HOST_IP && !peer_silent) {
            memcpy(r, our_mac, 6);
            memcpy(r + 6, host_mac, 6);
            put16(r + 12, ETHERTYPE_ARP);
            memcpy(r + 14, f + 14, 6);
            put16(r + 20, 2);
            memcpy(r + 22, host_mac, 6);
            put32(r + 28, HOST_IP);
            memcpy(r + 32, f + 22, 10);         /* their MAC and address */
            memset(r + 42, 0, 18);
            enqueue(r, 60);
        }
        return 0;
    }
    if (len < 34 || ip[0] != 0x45 || ip_csum(ip) != 0 || get16(ip + 2) + 14u != len) {
        sent_bad++;
        return 0;
    }
    if (ip[9] == 17) {
        const uint8_t *u = ip + 20;

        if (udp_csum(get32(ip + 12), get32(ip + 16), u, get16(u + 4)) != 0)
            sent_bad++;
        else if (get16(u + 2) == 67 && !peer_silent)
            answer_dhcp(u + 8, get16(u + 4) - 8);
    } else if (ip[9] == 1) {
        size_t ilen = len - 34;

        if (csum_fold(csum_add(0, ip + 20, ilen)) != 0)
            sent_bad++;
        else if (ip[20] == 8 && get32(ip + 16) == HOST_IP && !peer_silent) {
            memcpy(r + 34, ip + 20, ilen);
            r[34] = 0;
            put16(r + 36, 0);
            put16(r + 36, csum_fold(csum_add(0, r + 34, ilen)));
            enqueue(r, host_ip_frame(r, get32(ip + 12), 1, ilen));
        }
    }
    return 0;
}

static unsigned int fake_poll(struct netdev *dev, unsigned int budget)
{
    unsigned int n = 0;

    while (n < budget && n < queued) {
        dev->rx(dev->rx_ctx, dev, queue[n].buf, queue[n].len);
        free(queue[n].buf);
        n++;
    }
    memmove(queue, queue + n, (queued - n) * sizeof(queue[0]));
    queued -= n;
    return n;
}

static int fake_open(struct netdev *dev)
{
    (void)dev;
    return 0;
}

static const struct netdev_ops fake_ops = {
    .open = fake_open, .transmit = fake_transmit, .poll = fake_poll,
};
static struct netdev fake = { .name = "fake", .ops = &fake_ops };

/* Hand the stack one frame in a buffer of exactly its length. */
static void inject(const uint8_t *f, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);

    memcpy(copy, f, len);
    fake.rx(fake.rx_ctx, &fake, copy, len);
    free(copy);
}

/* An echo request from the host to `dst`, 8 bytes of payload. */
static size_t echo_request(uint8_t *f, uint32_t dst)
{
    uint8_t *icmp = f + 34;

    memset(icmp, 0, 16);
    icmp[0] = 8;
    put16(icmp + 4, 0x1234);
    put16(icmp + 6, 7);
    memcpy(icmp + 8, "payload!", 8);
    put16(icmp + 2, csum_fold(csum_add(0, icmp, 16)));
    return host_ip_frame(f, dst, 1, 16);
}

static void check_dropped(const char *name, const uint8_t *f, size_t len)
{
    uint64_t before = net_stats()->rx_malformed + net_stats()->rx_ignored;
    unsigned int sent_before = sent;

    inject(f, len);
    CHECK(name, net_stats()->rx_malformed + net_stats()->rx_ignored == before + 1 &&
                sent == sent_before);
}

static void hostile_frames(void)
{
    uint8_t f[ETH_FRAME_MAX], g[ETH_FRAME_MAX];
    size_t len = echo_request(f, GUEST_IP);

    check_dropped("truncated-ethernet", f, 13);
    check_dropped("ip-truncated-header", f, 30);
    memcpy(g, f, len), g[14] = 0x44;
    check_dropped("ip-ihl-too-small", g, len);
    memcpy(g, f, len), g[14] = 0x65;
    check_dropped("ip-version-6", g, len);
    memcpy(g, f, len), put16(g + 16, (uint16_t)(len - 14 + 1)), put16(g + 24, 0),
        put16(g + 24, ip_csum(g + 14));
    check_dropped("ip-total-length-past-frame", g, len);
    memcpy(g, f, len), g[24] ^= 1;
    check_dropped("ip-bad-header-checksum", g, len);
    memcpy(g, f, len), put16(g + 20, 0x2000), put16(g + 24, 0), put16(g + 24, ip_csum(g + 14));
    check_dropped("ip-fragment", g, len);
    memcpy(g, f, len), put32(g + 26, IP_BROADCAST), put16(g + 24, 0),
        put16(g + 24, ip_csum(g + 14));
    check_dropped("ip-broadcast-source", g, len);
    memcpy(g, f, len), g[36] ^= 1;
    check_dropped("icmp-bad-checksum", g, len);
    len = echo_request(g, IP4(192, 168, 10, 255));
    check_dropped("icmp-echo-to-broadcast-unanswered", g, len);
    memcpy(g, f, len), g[0] = 0x02;
    check_dropped("ethernet-not-our-mac", g, len);

    /* UDP to the DHCP port: a length past the datagram, a bad checksum. */
    uint8_t *u = g + 34;
    memset(u, 0, 8 + 300);
    put16(u, 67), put16(u + 2, 68), put16(u + 4, 8 + 300);
    put16(u + 6, udp_csum(HOST_IP, GUEST_IP, u, 8 + 300));
    len = host_ip_frame(g, GUEST_IP, 17, 8 + 300);
    put16(u + 4, 8 + 301);
    check_dropped("udp-length-past-datagram", g, len);
    put16(u + 4, 8 + 300), u[7] ^= 1;
    check_dropped("udp-bad-checksum", g, len);
    /* A DHCP reply whose option length runs past the end of the message. */
    u[8] = 2, u[9] = 1, u[10] = 6;
    put32(u + 8 + 236, 0x63825363);
    u[8 + 240] = 53, u[8 + 241] = 200;
    put16(u + 6, 0), put16(u + 6, udp_csum(HOST_IP, GUEST_IP, u, 8 + 300));
    check_dropped("dhcp-option-past-end", g, len);

    /* ARP with a wrong address length, and one cut short. */
    memset(g, 0, 60);
    memcpy(g, our_mac, 6), memcpy(g + 6, host_mac, 6), put16(g + 12, ETHERTYPE_ARP);
    put16(g + 14, 1), put16(g + 16, ETHERTYPE_IPV4), g[18] = 8, g[19] = 4, put16(g + 20, 1);
    check_dropped("arp-wrong-hardware-length", g, 60);
    g[18] = 6;
    check_dropped("arp-truncated", g, 14 + 20);
}

/* Damaged copies of valid frames: whatever happens, nothing is read out of bounds. */
static void mutations(void)
{
    uint8_t seeds[3][ETH_FRAME_MAX], g[ETH_FRAME_MAX];
    size_t lens[3];
    uint32_t rng = 12345;

    lens[0] = echo_request(seeds[0], GUEST_IP);
    memset(seeds[1], 0, sizeof(seeds[1]));
    memcpy(seeds[1], our_mac, 6), memcpy(seeds[1] + 6, host_mac, 6);
    put16(seeds[1] + 12, ETHERTYPE_ARP), put16(seeds[1] + 14, 1);
    put16(seeds[1] + 16, ETHERTYPE_IPV4), seeds[1][18] = 6, seeds[1][19] = 4;
    put16(seeds[1] + 20, 1), memcpy(seeds[1] + 22, host_mac, 6), put32(seeds[1] + 28, HOST_IP);
    put32(seeds[1] + 38, GUEST_IP);
    lens[1] = 60;
    uint8_t *u = seeds[2] + 34;
    memset(u, 0, 8 + 300);
    put16(u, 67), put16(u + 2, 68), put16(u + 4, 8 + 300);
    u[8] = 2, u[9] = 1, u[10] = 6, put32(u + 8 + 236, 0x63825363);
    u[8 + 240] = 53, u[8 + 241] = 1, u[8 + 242] = 5, u[8 + 243] = 255;
    put16(u + 6, udp_csum(HOST_IP, GUEST_IP, u, 8 + 300));
    lens[2] = host_ip_frame(seeds[2], GUEST_IP, 17, 8 + 300);

    for (int i = 0; i < 200000; i++) {
        int s = i % 3;
        size_t len = lens[s];

        memcpy(g, seeds[s], len);
        for (int k = 0; k < 1 + i % 4; k++) {
            rng = rng * 1103515245u + 12345u;
            g[14 + (rng >> 8) % (len - 14)] ^= (uint8_t)(1u << ((rng >> 4) & 7));
        }
        rng = rng * 1103515245u + 12345u;
        if ((rng >> 16) % 4 == 0)
            len = 14 + (rng >> 3) % (len - 13);        /* cut short */
        inject(g, len);
        fake_poll(&fake, QUEUE);                        /* answers go nowhere */
    }
    CHECK("mutations-survived", true);
    CHECK("mutations-sent-only-well-formed", sent_bad == 0);
}

int main(void)
{
    uint8_t mac[ETH_ALEN], f[ETH_FRAME_MAX];
    struct ping_times rtt;
    int ok = 0;

    memcpy(fake.mac, our_mac, 6);
    CHECK("attach", net_attach(&fake));
    CHECK("dhcp-lease", dhcp_lease(10ull * 1000 * 1000 * 1000));
    CHECK("dhcp-address", net_config()->up && net_config()->ip == GUEST_IP);
    CHECK("dhcp-mask-router-server", net_config()->mask == IP4(255, 255, 255, 0) &&
          net_config()->router == HOST_IP && net_config()->server == HOST_IP &&
          net_config()->lease_s == 28800);
    CHECK("arp-resolve", arp_resolve(HOST_IP, mac, 1000000000) && memcmp(mac, host_mac, 6) == 0);
    for (int i = 0; i < 100; i++)
        ok += icmp_ping(HOST_IP, (uint16_t)i, 56, 1000000000, &rtt);
    CHECK("ping-100-answered", ok == 100);
    peer_silent = true;
    CHECK("ping-unanswered-times-out", !icmp_ping(HOST_IP, 500, 56, 1000000, &rtt));
    CHECK("arp-unanswered-times-out", !arp_resolve(IP4(192, 168, 10, 9), mac, 1000000));
    peer_silent = false;

    /* The host asks for us by ARP: one reply, to its MAC, naming ours. */
    memset(f, 0, 60);
    memcpy(f, bcast, 6), memcpy(f + 6, host_mac, 6), put16(f + 12, ETHERTYPE_ARP);
    put16(f + 14, 1), put16(f + 16, ETHERTYPE_IPV4), f[18] = 6, f[19] = 4, put16(f + 20, 1);
    memcpy(f + 22, host_mac, 6), put32(f + 28, HOST_IP), put32(f + 38, GUEST_IP);
    unsigned int before = sent;
    inject(f, 60);
    CHECK("arp-request-answered", sent == before + 1 && get16(last_sent + 20) == 2 &&
          memcmp(last_sent, host_mac, 6) == 0 && memcmp(last_sent + 22, our_mac, 6) == 0 &&
          get32(last_sent + 28) == GUEST_IP);
    put32(f + 38, IP4(192, 168, 10, 77));
    before = sent;
    inject(f, 60);
    CHECK("arp-request-for-other-unanswered", sent == before);

    /* An echo request to us: one reply with the same payload. */
    size_t len = echo_request(f, GUEST_IP);
    before = sent;
    inject(f, len);
    CHECK("echo-request-answered", sent == before + 1 && last_sent[34] == 0 &&
          memcmp(last_sent + 42, "payload!", 8) == 0 && get32(last_sent + 30) == HOST_IP);

    uint64_t malformed = net_stats()->rx_malformed;
    CHECK("valid-traffic-not-malformed", malformed == 0);
    hostile_frames();
    mutations();
    CHECK("sent-only-well-formed", sent_bad == 0);
    CHECK_DONE();
}
