/*
 * Inside the stack: how the protocol files hand frames to each other
 * (net.c dispatches Ethernet, ip.c IPv4). Not for users of net.h.
 */
#ifndef GUEST_NET_PROTO_H
#define GUEST_NET_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "wire.h"

/* The interface state shared by the protocol files (net.c owns it). */
struct netif {
    struct netdev *dev;
    struct net_config cfg;
    struct net_stats stats;
    bool in_rx;                 /* handling a received frame: no waiting allowed */
    bool irq_mode;
};
extern struct netif netif;

/*
 * Sending: the sender builds its payload NET_HEADROOM bytes into a buffer
 * of its own, and each layer below writes its header into the room before
 * it, so a frame is copied once, into the card's buffer. Buffers a reply
 * is built in (inside a receive handler) are never those of a request
 * being sent, which may be waiting for ARP meanwhile.
 */
#define NET_HEADROOM (ETH_HLEN + IP_HLEN_MIN)

/* `payload` (ETH_HLEN writable bytes before it) to `dst` with EtherType `type`. */
int eth_send(const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *payload, size_t len);
/*
 * `payload` (NET_HEADROOM writable bytes before it) of protocol `proto` to
 * `dst`. The next hop comes from the ARP cache (asked for if missing, except
 * while handling a received frame) unless `dst_mac` names it. 0 or -errno.
 */
int ip_send(uint32_t dst, uint8_t proto, uint8_t *payload, size_t len, const uint8_t *dst_mac);

/* Each *_input gets its protocol's bytes, already bounded by the layer below. */
void arp_input(const uint8_t *arp, size_t len);
void ip_input(const uint8_t *ip, size_t len, const uint8_t src_mac[ETH_ALEN]);
void icmp_input(const uint8_t *icmp, size_t len, uint32_t src, uint32_t dst,
                const uint8_t src_mac[ETH_ALEN]);
void udp_input(const uint8_t *udp, size_t len, uint32_t src, uint32_t dst);

/* True for an address no single host may send from (0, broadcast, multicast). */
bool ip_is_group(uint32_t ip);
/* Our address, the limited broadcast or our subnet's broadcast. */
bool ip_is_for_us(uint32_t dst);

#endif
