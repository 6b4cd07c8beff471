/* UDP (RFC 768): checksummed datagrams to a handful of bound ports. */
#include <public/errno.h>

#include "lib.h"
#include "proto.h"
#include "wire.h"

#define UDP_PORTS 4
#define UDP_MAX   (IP_MTU - IP_HLEN_MIN)

static struct {
    uint16_t port;
    udp_handler_t handler;
} bound[UDP_PORTS];

/* The checksum covers a pseudo-header of addresses, protocol and length. */
static uint32_t pseudo_sum(uint32_t src, uint32_t dst, size_t len)
{
    uint8_t ph[12];

    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = IPPROTO_UDP;
    put16(ph + 10, (uint16_t)len);
    return csum_add(0, ph, sizeof(ph));
}

bool udp_bind(uint16_t port, udp_handler_t handler)
{
    for (int i = 0; i < UDP_PORTS; i++) {
        if (bound[i].handler == NULL || bound[i].port == port) {
            bound[i].port = port;
            bound[i].handler = handler;
            return true;
        }
    }
    return false;
}

void udp_input(const uint8_t *udp, size_t len, uint32_t src, uint32_t dst)
{
    size_t ulen;
    uint16_t dport;

    if (len < UDP_HLEN || (ulen = get16(udp + UDP_LEN)) < UDP_HLEN || ulen > len) {
        netif.stats.rx_malformed++;
        return;
    }
    /* A zero checksum means the sender computed none (allowed over IPv4). */
    if (get16(udp + UDP_CSUM) != 0 &&
        csum_fold(csum_add(pseudo_sum(src, dst, ulen), udp, ulen)) != 0) {
        netif.stats.rx_malformed++;
        return;
    }
    dport = get16(udp + UDP_DPORT);
    for (int i = 0; i < UDP_PORTS; i++) {
        if (bound[i].handler != NULL && bound[i].port == dport) {
            bound[i].handler(src, get16(udp + UDP_SPORT), udp + UDP_HLEN, ulen - UDP_HLEN);
            return;
        }
    }
    netif.stats.rx_ignored++;
}

int udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len)
{
    static uint8_t buf[NET_HEADROOM + UDP_MAX];
    uint8_t *dgram = buf + NET_HEADROOM;
    uint32_t src = netif.cfg.up ? netif.cfg.ip : 0;
    uint16_t sum;

    if (len > UDP_MAX - UDP_HLEN)
        return -XEN_EINVAL;
    put16(dgram + UDP_SPORT, sport);
    put16(dgram + UDP_DPORT, dport);
    put16(dgram + UDP_LEN, (uint16_t)(UDP_HLEN + len));
    put16(dgram + UDP_CSUM, 0);
    memcpy(dgram + UDP_HLEN, data, len);
    sum = csum_fold(csum_add(pseudo_sum(src, dst, UDP_HLEN + len), dgram, UDP_HLEN + len));
    put16(dgram + UDP_CSUM, sum ? sum : 0xffff);    /* 0 would mean "none" */
    return ip_send(dst, IPPROTO_UDP, dgram, UDP_HLEN + len, NULL);
}
