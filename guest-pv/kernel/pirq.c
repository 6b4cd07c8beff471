/* Physical interrupt lines (pirq.h). */
#include <public/abi.h>
#include <public/physdev.h>

#include "console.h"
#include "hypercall.h"
#include "pirq.h"

long pirq_line_open(struct pirq_line *l, uint32_t gsi, evtchn_handler_t handler)
{
    struct physdev_map_pirq map = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = (int32_t)gsi, .pirq = -1,
    };
    long rc = hyp_physdev_op(PHYSDEVOP_MAP_PIRQ, (unsigned long)&map);
    if (rc) {
        printk("pirq: map_pirq(GSI %u) = %ld\n", gsi, rc);
        return rc;
    }
    struct physdev_irq_status_query q = { .irq = (uint32_t)map.pirq };
    rc = hyp_physdev_op(PHYSDEVOP_IRQ_STATUS_QUERY, (unsigned long)&q);
    if (rc == 0)
        rc = evtchn_bind_pirq((uint32_t)map.pirq, handler);
    if (rc < 0) {
        struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = map.pirq };
        hyp_physdev_op(PHYSDEVOP_UNMAP_PIRQ, (unsigned long)&u);
        printk("pirq: binding PIRQ %d = %ld\n", map.pirq, rc);
        return rc;
    }
    l->pirq = (uint32_t)map.pirq;
    l->port = (evtchn_port_t)rc;
    l->needs_eoi = q.flags & XENIRQSTAT_NEEDS_EOI;
    return 0;
}

void pirq_line_eoi(const struct pirq_line *l)
{
    if (!l->needs_eoi)
        return;
    struct physdev_eoi e = { .irq = l->pirq };
    hyp_physdev_op(PHYSDEVOP_EOI, (unsigned long)&e);
}

void pirq_line_close(struct pirq_line *l)
{
    evtchn_close(l->port);
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = (int32_t)l->pirq };
    hyp_physdev_op(PHYSDEVOP_UNMAP_PIRQ, (unsigned long)&u);
    l->port = 0;
}
