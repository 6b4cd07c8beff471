/*
 * IPv4 (RFC 791): validate what arrives, hand ICMP and UDP up, and send
 * with a 20-byte header. Fragments and options are refused on receive
 * (nothing here needs them, and reassembly is an attack surface).
 */
#include <public/errno.h>

#include "lib.h"
#include "proto.h"
#include "wire.h"

#define ARP_TIMEOUT_NS (1000 * 1000 * 1000ull)
#define IP_TTL_DEFAULT 64
#define IP_DF          0x4000

static const uint8_t broadcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint16_t next_id;

bool ip_is_group(uint32_t ip)
{
    return ip == 0 || ip == IP_BROADCAST || (ip >> 28) == 0xe;
}

static bool is_subnet_broadcast(uint32_t ip)
{
    const struct net_config *c = &netif.cfg;

    return c->up && c->mask != 0 && c->mask != IP_BROADCAST &&
           (ip & c->mask) == (c->ip & c->mask) && (ip | c->mask) == IP_BROADCAST;
}

bool ip_is_for_us(uint32_t dst)
{
    return dst == IP_BROADCAST || (netif.cfg.up && (dst == netif.cfg.ip ||
                                                    is_subnet_broadcast(dst)));
}

void ip_input(const uint8_t *ip, size_t len, const uint8_t src_mac[ETH_ALEN])
{
    size_t hlen, total;
    uint32_t src, dst;

    if (len < IP_HLEN_MIN || (ip[IP_VER_IHL] >> 4) != 4) {
        netif.stats.rx_malformed++;
        return;
    }
    hlen = (size_t)(ip[IP_VER_IHL] & 15) * 4;
    total = get16(ip + IP_TOTLEN);
    /* The frame may carry padding after the datagram, never less than it. */
    if (hlen < IP_HLEN_MIN || total < hlen || total > len ||
        csum_fold(csum_add(0, ip, hlen)) != 0) {
        netif.stats.rx_malformed++;
        return;
    }
    if (get16(ip + IP_FRAG) & (IP_FRAG_MF | IP_FRAG_OFFSET)) {
        netif.stats.rx_ignored++;
        return;
    }
    src = get32(ip + IP_SRC);
    dst = get32(ip + IP_DST);
    /* Before DHCP has given us an address, its reply may name any destination. */
    if (ip_is_group(src) || (!ip_is_for_us(dst) && netif.cfg.up)) {
        netif.stats.rx_ignored++;
        return;
    }
    switch (ip[IP_PROTO]) {
    case IPPROTO_ICMP:
        icmp_input(ip + hlen, total - hlen, src, dst, src_mac);
        break;
    case IPPROTO_UDP:
        udp_input(ip + hlen, total - hlen, src, dst);
        break;
    default:
        netif.stats.rx_ignored++;
    }
}

/* The MAC the datagram goes to: broadcast, or the peer's (or the router's) by ARP. */
static bool next_hop(uint32_t dst, uint8_t mac[ETH_ALEN])
{
    const struct net_config *c = &netif.cfg;
    uint32_t hop = dst;

    if (dst == IP_BROADCAST || is_subnet_broadcast(dst)) {
        memcpy(mac, broadcast_mac, ETH_ALEN);
        return true;
    }
    if (!c->up)
        return false;
    if ((dst & c->mask) != (c->ip & c->mask)) {
        if (c->router == 0)
            return false;
        hop = c->router;
    }
    return arp_resolve(hop, mac, ARP_TIMEOUT_NS);
}

int ip_send(uint32_t dst, uint8_t proto, uint8_t *payload, size_t len, const uint8_t *dst_mac)
{
    uint8_t *hdr = payload - IP_HLEN_MIN;
    uint8_t mac[ETH_ALEN];

    if (len > IP_MTU - IP_HLEN_MIN)
        return -XEN_EINVAL;
    /* Resolve before writing the header: resolving may poll, and replies
     * sent meanwhile use buffers of their own (proto.h). */
    if (dst_mac != NULL)
        memcpy(mac, dst_mac, ETH_ALEN);
    else if (!next_hop(dst, mac))
        return -XEN_ENOENT;
    memset(hdr, 0, IP_HLEN_MIN);
    hdr[IP_VER_IHL] = 0x45;
    put16(hdr + IP_TOTLEN, (uint16_t)(IP_HLEN_MIN + len));
    put16(hdr + IP_ID, next_id++);
    put16(hdr + IP_FRAG, IP_DF);
    hdr[IP_TTL] = IP_TTL_DEFAULT;
    hdr[IP_PROTO] = proto;
    put32(hdr + IP_SRC, netif.cfg.up ? netif.cfg.ip : 0);
    put32(hdr + IP_DST, dst);
    put16(hdr + IP_CSUM, csum_fold(csum_add(0, hdr, IP_HLEN_MIN)));
    return eth_send(mac, ETHERTYPE_IPV4, hdr, IP_HLEN_MIN + len);
}
