/* Physical interrupts for dom0's drivers (irq.h), in Xen's numbers and layouts. */
#include <stdint.h>

#include <public/abi.h>
#include <public/physdev.h>

#include "console.h"
#include "hypercall.h"
#include "irq.h"

long irq_bind_gsi(uint32_t gsi, evtchn_handler_t handler, struct irq_binding *b)
{
    struct physdev_map_pirq map = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = (int32_t)gsi, .pirq = -1,
    };
    long rc = hyp_physdev_op(PHYSDEVOP_MAP_PIRQ, (unsigned long)&map);

    if (rc < 0) {
        printk("irq: map_pirq of GSI %u: error %ld\n", gsi, rc);
        return rc;
    }
    rc = evtchn_bind_pirq((uint32_t)map.pirq, handler);
    if (rc < 0) {
        printk("irq: bind_pirq %d (GSI %u): error %ld\n", map.pirq, gsi, rc);
        return rc;
    }
    *b = (struct irq_binding){ .gsi = gsi, .pirq = (uint32_t)map.pirq, .port = (evtchn_port_t)rc };
    printk("irq: GSI %u is PIRQ %u on port %u\n", gsi, b->pirq, b->port);
    return 0;
}

long irq_eoi(const struct irq_binding *b)
{
    struct physdev_eoi eoi = { .irq = b->pirq };

    return hyp_physdev_op(PHYSDEVOP_EOI, (unsigned long)&eoi);
}
