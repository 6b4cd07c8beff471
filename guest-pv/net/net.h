/*
 * dom0's small IPv4 stack on one network card: Ethernet, ARP, IPv4 (no
 * fragments, no options sent), ICMP echo, UDP and a DHCP client. Enough
 * for dom0 to take an address and to measure the path to a peer; the
 * virtual switch and netif backend will use the card beside it.
 * docs/devices.md, "Network stack (dom0)".
 *
 * Everything received is hostile input: every length and checksum is
 * checked before a byte past the Ethernet header is used, and anything
 * malformed is dropped and counted. Single-threaded (vCPU 0, interrupts
 * off); addresses are host-order uint32_t (192.168.10.1 == 0xc0a80a01).
 */
#ifndef GUEST_NET_NET_H
#define GUEST_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netdev.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define IP_MTU 1500

/* The interface's address, set by DHCP (or by hand with net_configure). */
struct net_config {
    bool up;
    uint32_t ip, mask, router;
    uint32_t server;            /* the DHCP server that gave the lease */
    uint32_t lease_s;
};

struct net_stats {
    uint64_t rx_frames;         /* handed to us by the driver */
    uint64_t rx_malformed;      /* bad length, version, checksum or option: dropped */
    uint64_t rx_ignored;        /* well-formed but not for us or not understood */
    uint64_t tx_frames, tx_failed;
    uint64_t arp_answered, echo_answered;
    uint64_t irq_lost;          /* interrupt-driven waits that timed out with a frame waiting */
};

/* Take `dev` (open it and receive from it). False, after printing why, on failure. */
bool net_attach(struct netdev *dev);
struct netdev *net_dev(void);
const struct net_config *net_config(void);
const struct net_stats *net_stats(void);
void net_configure(uint32_t ip, uint32_t mask, uint32_t router);

/*
 * Until done(arg) holds or `timeout_ns` passes: true if it held. Polls the
 * card, or with net_use_interrupts(true) idles until an event (the card's
 * interrupt handler, bound by the caller, does the receiving); a wait that
 * times out then polls once, and a frame found waiting counts as a lost
 * interrupt.
 */
bool net_wait(bool (*done)(void *arg), void *arg, uint64_t timeout_ns);
void net_use_interrupts(bool on);

/* The peer's MAC, from the cache or asked for; false on timeout. */
bool arp_resolve(uint32_t ip, uint8_t mac[ETH_ALEN], uint64_t timeout_ns);

/* UDP: one handler per local port; udp_send copies `data`. 0 or -errno. */
typedef void (*udp_handler_t)(uint32_t src, uint16_t sport, const uint8_t *data, size_t len);
bool udp_bind(uint16_t port, udp_handler_t handler);
int udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len);

/* Where an echo round trip went, in TSC ticks. */
struct ping_times {
    uint64_t rtt;               /* request about to be built .. reply matched */
    uint64_t tx_path;           /* .. the request handed to the card */
    uint64_t rx_path;           /* reply taken from the card's ring .. matched */
};

/*
 * One echo request of `payload_len` bytes (up to 1472) to `dst`, waiting up
 * to `timeout_ns` for the matching reply (same id, sequence and payload).
 * True, with *t filled, if it came.
 */
bool icmp_ping(uint32_t dst, uint16_t seq, size_t payload_len, uint64_t timeout_ns,
               struct ping_times *t);

/* DISCOVER, OFFER, REQUEST, ACK; configures the interface and prints the lease. */
bool dhcp_lease(uint64_t timeout_ns);

/* "192.168.10.1" into buf[16]; "52:54:00:12:34:56" into buf[18]. */
void net_fmt_ip(char buf[16], uint32_t ip);
void net_fmt_mac(char buf[18], const uint8_t mac[ETH_ALEN]);

#endif
