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

/* The interface state shared by the protocol files (net.c owns it). */
struct netif {
    struct netdev *dev;
    struct net_config cfg;
    struct net_stats stats;
    bool in_rx;                 /* handling a received frame: no waiting allowed */
    bool irq_mode;
};
extern struct netif netif;

/* Send a frame: `payload` after a header to `dst` with EtherType `type`. */
int eth_send(const uint8_t dst[ETH_ALEN], uint16_t type, const uint8_t *payload, size_t len);

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
