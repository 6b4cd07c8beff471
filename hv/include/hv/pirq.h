/*
 * Physical interrupts for the device owner (docs/devices.md, "Interrupts"):
 * a GSI mapped with PHYSDEVOP_map_pirq becomes the PIRQ of the same number,
 * EVTCHNOP_bind_pirq connects it to an event channel, and each interrupt of
 * the line sets that channel pending. A level-triggered line is masked from
 * its interrupt until the owner's PHYSDEVOP_eoi.
 */
#ifndef HV_PIRQ_H
#define HV_PIRQ_H

#include "hv/types.h"

struct domain;

#define PIRQ_MAX 64             /* at most this many GSIs are offered */

/* The interrupt path (arch, no lock held): line gsi fired (and, if level,
 * the arch has masked it). */
void pirq_raised(uint32_t gsi);
/* Under the hypervisor lock: turn the lines that fired into events. */
void pirq_deliver_pending(void);
/* Some line is bound: a blocked owner may still be woken by a device. */
bool pirq_any_bound(void);

/* d has mapped `pirq` (and not unmapped it since). */
bool pirq_mapped_by(struct domain *d, uint32_t pirq);
/* The physdev_op and event_channel_op halves; return 0 or a -XEN_E* errno. */
long pirq_map_gsi(struct domain *d, int32_t gsi, int32_t wanted, int32_t *pirq);
long pirq_unmap(struct domain *d, int32_t pirq);
long pirq_setup_gsi(struct domain *d, int32_t gsi, uint8_t triggering, uint8_t polarity);
long pirq_eoi(struct domain *d, uint32_t pirq);
long pirq_status_flags(struct domain *d, uint32_t pirq, uint32_t *flags);
long pirq_bind(struct domain *d, uint32_t pirq, uint32_t port);
/* EVTCHNOP_close of a PIRQ port (or its domain's end): masked, unbound. */
void pirq_unbind(struct domain *d, uint32_t pirq);
/* Its domain is destroyed: every line it mapped is masked and forgotten. */
void pirq_release_domain(struct domain *d);
/* One line per line ever mapped: interrupts raised, delivered, EOIs. */
void pirq_print_summary(void);

#endif
