/*
 * ARP (RFC 826) for IPv4 over Ethernet: answer requests for our address,
 * resolve peers, and keep a small cache. A reply is learnt only for an
 * address we asked for or already know, so unsolicited replies cannot
 * fill the cache or redirect a peer we never talked to.
 */
#include <public/errno.h>

#include "lib.h"
#include "proto.h"
#include "wire.h"

#define ARP_CACHE 8
#define ARP_TRIES 3

struct arp_entry {
    bool valid;
    uint32_t ip;
    uint8_t mac[ETH_ALEN];
};

static struct arp_entry cache[ARP_CACHE];
static unsigned int next_victim;
static uint32_t asking;                 /* the address of our outstanding request */

static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct arp_entry *lookup(uint32_t ip)
{
    for (unsigned int i = 0; i < ARP_CACHE; i++) {
        if (cache[i].valid && cache[i].ip == ip)
            return &cache[i];
    }
    return NULL;
}

static void learn(uint32_t ip, const uint8_t mac[ETH_ALEN], bool may_add)
{
    struct arp_entry *e = lookup(ip);

    if (e == NULL) {
        if (!may_add)
            return;
        e = &cache[next_victim];
        next_victim = (next_victim + 1) % ARP_CACHE;
    }
    e->valid = true;
    e->ip = ip;
    memcpy(e->mac, mac, ETH_ALEN);
}

static int arp_send(uint16_t op, const uint8_t eth_dst[ETH_ALEN], const uint8_t tha[ETH_ALEN],
                    uint32_t tpa)
{
    uint8_t buf[ETH_HLEN + ARP_LEN], *a = buf + ETH_HLEN;

    put16(a + ARP_HTYPE, 1);                /* Ethernet */
    put16(a + ARP_PTYPE, ETHERTYPE_IPV4);
    a[ARP_HLEN] = ETH_ALEN;
    a[ARP_PLEN] = 4;
    put16(a + ARP_OP, op);
    memcpy(a + ARP_SHA, netif.dev->mac, ETH_ALEN);
    put32(a + ARP_SPA, netif.cfg.ip);
    memcpy(a + ARP_THA, tha, ETH_ALEN);
    put32(a + ARP_TPA, tpa);
    return eth_send(eth_dst, ETHERTYPE_ARP, a, ARP_LEN);
}

void arp_input(const uint8_t *a, size_t len)
{
    uint32_t spa, tpa;
    uint16_t op;
    bool for_us;

    if (len < ARP_LEN || get16(a + ARP_HTYPE) != 1 || get16(a + ARP_PTYPE) != ETHERTYPE_IPV4 ||
        a[ARP_HLEN] != ETH_ALEN || a[ARP_PLEN] != 4) {
        netif.stats.rx_malformed++;
        return;
    }
    op = get16(a + ARP_OP);
    spa = get32(a + ARP_SPA);
    tpa = get32(a + ARP_TPA);
    if ((a[ARP_SHA] & 1) || ip_is_group(spa) || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
        netif.stats.rx_malformed++;
        return;
    }
    for_us = netif.cfg.up && tpa == netif.cfg.ip;
    /* RFC 826's merge: refresh a known sender; add it if the packet is for us. */
    learn(spa, a + ARP_SHA, for_us && (op == ARP_OP_REQUEST || spa == asking));
    if (op == ARP_OP_REQUEST && for_us) {
        if (arp_send(ARP_OP_REPLY, a + ARP_SHA, a + ARP_SHA, spa) == 0)
            netif.stats.arp_answered++;
    } else if (!for_us) {
        netif.stats.rx_ignored++;
    }
}

static bool resolved(void *arg)
{
    return lookup(*(const uint32_t *)arg) != NULL;
}

bool arp_resolve(uint32_t ip, uint8_t mac[ETH_ALEN], uint64_t timeout_ns)
{
    static const uint8_t zero[ETH_ALEN];
    struct arp_entry *e = lookup(ip);

    for (int i = 0; e == NULL && i < ARP_TRIES && !netif.in_rx; i++) {
        asking = ip;
        if (arp_send(ARP_OP_REQUEST, broadcast, zero, ip) == 0 &&
            net_wait(resolved, &ip, timeout_ns / ARP_TRIES))
            e = lookup(ip);
    }
    asking = 0;
    if (e == NULL)
        return false;
    memcpy(mac, e->mac, ETH_ALEN);
    return true;
}
