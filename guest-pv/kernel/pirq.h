/*
 * A physical interrupt line for dom0's drivers (docs/devices.md,
 * "Interrupts"): map the GSI to a PIRQ (PHYSDEVOP_map_pirq), bind it to an
 * event channel, and after servicing the device tell the hypervisor
 * (PHYSDEVOP_eoi), which unmasks a level-triggered line again.
 */
#ifndef GUEST_PIRQ_H
#define GUEST_PIRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "evtchn.h"

struct pirq_line {
    uint32_t pirq;
    evtchn_port_t port;
    bool needs_eoi;             /* XENIRQSTAT_NEEDS_EOI: level-triggered */
};

/* Map `gsi`, bind it with `handler` (on vCPU 0; NULL: events only wake us).
 * 0, or -errno (printed) with nothing left mapped. */
long pirq_line_open(struct pirq_line *l, uint32_t gsi, evtchn_handler_t handler);
/* The device is serviced: PHYSDEVOP_eoi if the line needs it. */
void pirq_line_eoi(const struct pirq_line *l);
/* Unbind and unmap. */
void pirq_line_close(struct pirq_line *l);

#endif
