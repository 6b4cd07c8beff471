/*
 * DHCP client (RFC 2131, options RFC 2132): DISCOVER, take the first
 * OFFER, REQUEST it, and configure the interface from the ACK. Messages
 * go to the limited broadcast, as a client without an address must send
 * them; the reply is accepted only with our transaction id and MAC.
 */
#include "arch.h"
#include "console.h"
#include "lib.h"
#include "proto.h"
#include "wire.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_TRIES       4

/* The fixed BOOTP part (RFC 2131, figure 1), then the options. */
#define BOOTP_OP        0
#define BOOTP_HTYPE     1
#define BOOTP_HLEN      2
#define BOOTP_XID       4
#define BOOTP_FLAGS     10
#define BOOTP_YIADDR    16
#define BOOTP_CHADDR    28
#define BOOTP_COOKIE    236
#define BOOTP_OPTIONS   240
#define BOOTP_MIN_LEN   300         /* what BOOTP relays and old servers expect */
#define BOOTP_REQUEST   1
#define BOOTP_REPLY     2
#define BOOTP_BROADCAST 0x8000      /* flags: answer to the broadcast address */
#define DHCP_COOKIE     0x63825363

#define OPT_PAD         0
#define OPT_MASK        1
#define OPT_ROUTER      3
#define OPT_REQUESTED   50
#define OPT_LEASE       51
#define OPT_MSG_TYPE    53
#define OPT_SERVER_ID   54
#define OPT_PARAMS      55
#define OPT_END         255

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPACK      5
#define DHCPNAK      6

/* What one reply said, once its options passed the checks. */
struct dhcp_reply {
    uint8_t type;
    uint32_t yiaddr, server, mask, router, lease;
};

static struct {
    uint32_t xid;
    uint8_t want;               /* the reply type we wait for, 0: none */
    bool got;
    struct dhcp_reply reply;
    bool nak;
} client;

/*
 * Options are type-length-value; every length is checked against what is
 * left, and an option of the wrong size is ignored rather than half-read.
 */
static bool parse_options(const uint8_t *p, size_t len, struct dhcp_reply *r)
{
    size_t i = 0;

    while (i < len) {
        uint8_t code = p[i++], olen;

        if (code == OPT_PAD)
            continue;
        if (code == OPT_END)
            return true;
        if (i >= len)
            return false;
        olen = p[i++];
        if (olen > len - i)
            return false;
        if (code == OPT_MSG_TYPE && olen == 1)
            r->type = p[i];
        else if (code == OPT_SERVER_ID && olen == 4)
            r->server = get32(p + i);
        else if (code == OPT_MASK && olen == 4)
            r->mask = get32(p + i);
        else if (code == OPT_ROUTER && olen >= 4 && olen % 4 == 0)
            r->router = get32(p + i);
        else if (code == OPT_LEASE && olen == 4)
            r->lease = get32(p + i);
        i += olen;
    }
    return false;               /* no END option */
}

static void dhcp_input(uint32_t src, uint16_t sport, const uint8_t *m, size_t len)
{
    struct dhcp_reply r = { 0 };

    if (sport != DHCP_SERVER_PORT || len < BOOTP_OPTIONS || m[BOOTP_OP] != BOOTP_REPLY ||
        m[BOOTP_HTYPE] != 1 || m[BOOTP_HLEN] != ETH_ALEN ||
        get32(m + BOOTP_COOKIE) != DHCP_COOKIE ||
        !parse_options(m + BOOTP_OPTIONS, len - BOOTP_OPTIONS, &r)) {
        netif.stats.rx_malformed++;
        return;
    }
    if (client.want == 0 || get32(m + BOOTP_XID) != client.xid ||
        memcmp(m + BOOTP_CHADDR, netif.dev->mac, ETH_ALEN) != 0) {
        netif.stats.rx_ignored++;
        return;
    }
    r.yiaddr = get32(m + BOOTP_YIADDR);
    if (r.server == 0)
        r.server = src;
    if (r.type == DHCPNAK && client.want == DHCPACK) {
        client.nak = true;
        return;
    }
    /* The address must be one a host can have; the mask, if any, contiguous. */
    if (r.type != client.want || ip_is_group(r.yiaddr) || ip_is_group(r.server) ||
        (r.mask != 0 && (~r.mask & (~r.mask + 1)) != 0) ||
        (client.want == DHCPACK && r.yiaddr != client.reply.yiaddr)) {
        netif.stats.rx_ignored++;
        return;
    }
    client.reply = r;
    client.got = true;
}

/* The fixed part and the options of a client message; returns its length. */
static size_t build(uint8_t *m, uint8_t type, const struct dhcp_reply *offer)
{
    static const uint8_t params[] = { OPT_MASK, OPT_ROUTER, OPT_LEASE, OPT_SERVER_ID };
    size_t o = BOOTP_OPTIONS;

    memset(m, 0, BOOTP_MIN_LEN);
    m[BOOTP_OP] = BOOTP_REQUEST;
    m[BOOTP_HTYPE] = 1;
    m[BOOTP_HLEN] = ETH_ALEN;
    put32(m + BOOTP_XID, client.xid);
    put16(m + BOOTP_FLAGS, BOOTP_BROADCAST);
    memcpy(m + BOOTP_CHADDR, netif.dev->mac, ETH_ALEN);
    put32(m + BOOTP_COOKIE, DHCP_COOKIE);
    m[o++] = OPT_MSG_TYPE;
    m[o++] = 1;
    m[o++] = type;
    if (offer != NULL) {
        m[o++] = OPT_REQUESTED;
        m[o++] = 4;
        put32(m + o, offer->yiaddr);
        o += 4;
        m[o++] = OPT_SERVER_ID;
        m[o++] = 4;
        put32(m + o, offer->server);
        o += 4;
    }
    m[o++] = OPT_PARAMS;
    m[o++] = sizeof(params);
    memcpy(m + o, params, sizeof(params));
    o += sizeof(params);
    m[o++] = OPT_END;
    return o < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : o;
}

static bool got_reply(void *arg)
{
    (void)arg;
    return client.got || client.nak;
}

/* Send one message and wait for the reply of type `want`. */
static bool exchange(uint8_t type, const struct dhcp_reply *offer, uint8_t want,
                     uint64_t timeout_ns)
{
    static uint8_t msg[BOOTP_MIN_LEN];
    size_t len = build(msg, type, offer);

    client.want = want;
    client.got = client.nak = false;
    if (udp_send(IP_BROADCAST, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, msg, len) != 0)
        return false;
    net_wait(got_reply, NULL, timeout_ns);
    client.want = 0;
    return client.got;
}

bool dhcp_lease(uint64_t timeout_ns)
{
    uint64_t step = timeout_ns / (2 * DHCP_TRIES);
    char ip[16], server[16], mask[16], router[16];

    if (!udp_bind(DHCP_CLIENT_PORT, dhcp_input))
        return false;
    for (int i = 0; i < DHCP_TRIES; i++) {
        struct dhcp_reply offer;

        client.xid = (uint32_t)rdtsc() ^ 0x4d696361u;     /* fresh per attempt */
        if (!exchange(DHCPDISCOVER, NULL, DHCPOFFER, step))
            continue;
        offer = client.reply;
        if (!exchange(DHCPREQUEST, &offer, DHCPACK, step))
            continue;           /* NAK or silence: start again */
        netif.cfg.server = client.reply.server;
        netif.cfg.lease_s = client.reply.lease;
        /* Without a mask option, the class C mask vnet's and most small networks use. */
        net_configure(client.reply.yiaddr,
                      client.reply.mask ? client.reply.mask : IP4(255, 255, 255, 0),
                      client.reply.router);
        net_fmt_ip(ip, netif.cfg.ip);
        net_fmt_ip(server, netif.cfg.server);
        net_fmt_ip(mask, netif.cfg.mask);
        net_fmt_ip(router, netif.cfg.router);
        printk("net: dhcp lease %s from %s mask %s router %s for %u s\n", ip, server, mask,
               router, netif.cfg.lease_s);
        return true;
    }
    printk("net: dhcp: no lease after %d attempts\n", DHCP_TRIES);
    return false;
}
