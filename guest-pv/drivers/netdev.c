/* The table of registered network cards (netdev.h). */
#include "netdev.h"

#define NETDEV_MAX 4

static struct netdev *netdevs[NETDEV_MAX];
static unsigned int netdev_count;

bool netdev_register(struct netdev *dev)
{
    if (netdev_count == NETDEV_MAX)
        return false;
    netdevs[netdev_count++] = dev;
    return true;
}

struct netdev *netdev_get(unsigned int idx)
{
    return idx < netdev_count ? netdevs[idx] : NULL;
}

void netdev_set_rx(struct netdev *dev, netdev_rx_fn rx, void *ctx)
{
    dev->rx_ctx = ctx;
    dev->rx = rx;
}
