/*
 * dom0's driver for the Intel 82540EM (PCI 8086:100E), the e1000 that
 * Bochs and QEMU emulate. It offers the card as a struct netdev
 * (netdev.h); docs/devices.md, "e1000 driver".
 */
#ifndef GUEST_E1000_H
#define GUEST_E1000_H

#include <stdint.h>

#include "netdev.h"

#define E1000_CAUSES 32         /* one counter per ICR bit */

/*
 * Find the idx-th 82540EM on the PCI bus (pci_init() must have run), reset
 * it, read its MAC address from the EEPROM, bring the link up and register
 * it; DMA starts only with netdev_open(). NULL, after printing why, when
 * there is no such card or it does not answer.
 */
struct netdev *e1000_probe(unsigned int idx);

/* The card's legacy interrupt line (PCI configuration, as firmware set it). */
uint8_t e1000_irq_line(const struct netdev *dev);

/*
 * Take the card's interrupt as an event channel (pirq.h: PHYSDEVOP_map_pirq
 * of its line, EVTCHNOP_bind_pirq): the handler runs interrupt() and EOIs.
 * 0 or -errno (then the card is still served by polling).
 */
int e1000_bind_irq(struct netdev *dev);
/* Events delivered to that handler. */
uint64_t e1000_events(const struct netdev *dev);

/*
 * How often each ICR cause bit was found set by the interrupt handler:
 * counts[i] for bit i, E1000_CAUSES entries.
 */
const uint64_t *e1000_cause_counts(const struct netdev *dev);

#endif
