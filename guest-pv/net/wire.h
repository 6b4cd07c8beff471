/*
 * Wire formats of the protocols the stack speaks, as byte offsets: headers
 * are read and written byte by byte in network order (big-endian) so that
 * nothing depends on alignment or on the compiler's struct layout.
 * Ethernet II (IEEE 802.3), ARP (RFC 826), IPv4 (RFC 791), ICMP (RFC 792),
 * UDP (RFC 768), DHCP (RFC 2131/2132).
 */
#ifndef GUEST_NET_WIRE_H
#define GUEST_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Ethernet II */
#define ETH_DST         0
#define ETH_SRC         6
#define ETH_TYPE        12
#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_ARP   0x0806

/* ARP for IPv4 over Ethernet: 28 bytes after the Ethernet header. */
#define ARP_LEN         28
#define ARP_HTYPE       0
#define ARP_PTYPE       2
#define ARP_HLEN        4
#define ARP_PLEN        5
#define ARP_OP          6
#define ARP_SHA         8
#define ARP_SPA         14
#define ARP_THA         18
#define ARP_TPA         24
#define ARP_OP_REQUEST  1
#define ARP_OP_REPLY    2

/* IPv4 */
#define IP_HLEN_MIN     20
#define IP_VER_IHL      0
#define IP_TOTLEN       2
#define IP_ID           4
#define IP_FRAG         6           /* flags (3 bits) and fragment offset */
#define IP_TTL          8
#define IP_PROTO        9
#define IP_CSUM         10
#define IP_SRC          12
#define IP_DST          16
#define IP_FRAG_MF      0x2000
#define IP_FRAG_OFFSET  0x1fff
#define IPPROTO_ICMP    1
#define IPPROTO_UDP     17
#define IP_BROADCAST    0xffffffffu

/* ICMP echo */
#define ICMP_HLEN       8
#define ICMP_TYPE       0
#define ICMP_CODE       1
#define ICMP_CSUM       2
#define ICMP_ID         4
#define ICMP_SEQ        6
#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8

/* UDP */
#define UDP_HLEN        8
#define UDP_SPORT       0
#define UDP_DPORT       2
#define UDP_LEN         4
#define UDP_CSUM        6

/* The Internet checksum (RFC 1071): the ones'-complement sum, folded. */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t csum_fold(uint32_t sum);

#endif
