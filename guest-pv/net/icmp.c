/*
 * ICMP echo (RFC 792): answer requests sent to our own address (not to a
 * broadcast: no smurf amplifier) and match replies to our own request.
 */
#include "arch.h"
#include "lib.h"
#include "proto.h"
#include "wire.h"

#define ECHO_MAX (IP_MTU - IP_HLEN_MIN)

/* The one outstanding request of icmp_ping(). */
static struct {
    bool waiting, answered;
    uint32_t dst;
    uint16_t id, seq;
    size_t len;                 /* of the whole ICMP message */
    uint64_t start_tsc, sent_tsc, ring_tsc, reply_tsc;
} ping;

/* Requests and replies have their own buffers: a reply is built while
 * icmp_ping() may be resolving the peer with its request already built.
 * Each message starts NET_HEADROOM bytes in, for the headers below it. */
static uint8_t request_buf[NET_HEADROOM + ECHO_MAX], *const request = request_buf + NET_HEADROOM;
static uint8_t reply_buf[NET_HEADROOM + ECHO_MAX], *const reply = reply_buf + NET_HEADROOM;

static void answer(const uint8_t *icmp, size_t len, uint32_t src, const uint8_t src_mac[ETH_ALEN])
{
    memcpy(reply, icmp, len);
    reply[ICMP_TYPE] = ICMP_ECHO_REPLY;
    put16(reply + ICMP_CSUM, 0);
    put16(reply + ICMP_CSUM, csum_fold(csum_add(0, reply, len)));
    /* Straight back to the sender's MAC: no ARP wait inside a handler. */
    if (ip_send(src, IPPROTO_ICMP, reply, len, src_mac) == 0)
        netif.stats.echo_answered++;
}

void icmp_input(const uint8_t *icmp, size_t len, uint32_t src, uint32_t dst,
                const uint8_t src_mac[ETH_ALEN])
{
    uint64_t now = rdtsc();

    if (len < ICMP_HLEN || csum_fold(csum_add(0, icmp, len)) != 0) {
        netif.stats.rx_malformed++;
        return;
    }
    if (!netif.cfg.up || dst != netif.cfg.ip || icmp[ICMP_CODE] != 0) {
        netif.stats.rx_ignored++;
        return;
    }
    if (icmp[ICMP_TYPE] == ICMP_ECHO_REQUEST) {
        answer(icmp, len, src, src_mac);
    } else if (icmp[ICMP_TYPE] == ICMP_ECHO_REPLY && ping.waiting && src == ping.dst &&
               get16(icmp + ICMP_ID) == ping.id && get16(icmp + ICMP_SEQ) == ping.seq &&
               len == ping.len && memcmp(icmp + ICMP_HLEN, request + ICMP_HLEN,
                                         len - ICMP_HLEN) == 0) {
        ping.reply_tsc = now;
        ping.ring_tsc = netif.dev->rx_tsc;
        ping.answered = true;
        ping.waiting = false;
    } else {
        netif.stats.rx_ignored++;
    }
}

static bool answered(void *arg)
{
    (void)arg;
    return ping.answered;
}

bool icmp_ping(uint32_t dst, uint16_t seq, size_t payload_len, uint64_t timeout_ns,
               struct ping_times *t)
{
    size_t len = ICMP_HLEN + payload_len;

    if (len > ECHO_MAX || netif.in_rx)
        return false;
    ping.start_tsc = rdtsc();
    ping.dst = dst;
    ping.id = 0x4d69;                   /* "Mi" */
    ping.seq = seq;
    ping.len = len;
    ping.answered = false;
    request[ICMP_TYPE] = ICMP_ECHO_REQUEST;
    request[ICMP_CODE] = 0;
    put16(request + ICMP_CSUM, 0);
    put16(request + ICMP_ID, ping.id);
    put16(request + ICMP_SEQ, seq);
    for (size_t i = 0; i < payload_len; i++)
        request[ICMP_HLEN + i] = (uint8_t)(seq + i);   /* differs per request */
    put16(request + ICMP_CSUM, csum_fold(csum_add(0, request, len)));
    ping.waiting = true;
    if (ip_send(dst, IPPROTO_ICMP, request, len, NULL) != 0) {
        ping.waiting = false;
        return false;
    }
    ping.sent_tsc = rdtsc();
    if (!net_wait(answered, NULL, timeout_ns)) {
        ping.waiting = false;
        return false;
    }
    t->rtt = ping.reply_tsc - ping.start_tsc;
    t->tx_path = ping.sent_tsc - ping.start_tsc;
    t->rx_path = ping.reply_tsc - ping.ring_tsc;
    return true;
}
