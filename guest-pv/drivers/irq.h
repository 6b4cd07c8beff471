/*
 * A device's interrupt as an event channel (docs/devices.md): dom0 maps the
 * GSI to a PIRQ (PHYSDEVOP_map_pirq), binds the PIRQ to a port
 * (EVTCHNOP_bind_pirq), and after handling each event tells the hypervisor
 * (PHYSDEVOP_eoi): a level-triggered line stays masked until then.
 */
#ifndef DRIVERS_IRQ_H
#define DRIVERS_IRQ_H

#include <stdint.h>

#include "evtchn.h"

struct irq_binding {
    uint32_t gsi, pirq;
    evtchn_port_t port;
};

/* Map `gsi` and bind it with `handler` (runs on vCPU 0): 0 or -errno, *b filled. */
long irq_bind_gsi(uint32_t gsi, evtchn_handler_t handler, struct irq_binding *b);
/* After the device is acknowledged: unmask the line at the hypervisor. 0 or -errno. */
long irq_eoi(const struct irq_binding *b);

#endif
