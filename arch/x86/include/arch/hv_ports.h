/*
 * The I/O ports the hypervisor keeps for itself (docs/devices.md): its
 * serial console, the timers it calibrates with, the interrupt controllers
 * it masks, and every way to reset or power off the machine. dom0 owns
 * every other port; an access to one of these is refused (reads all-ones,
 * writes dropped, a trace line) and never reaches the hardware.
 */
#ifndef ARCH_HV_PORTS_H
#define ARCH_HV_PORTS_H

#include <stdint.h>

/* arch_port_owner (hv/arch.h) names them. */
/* For the I/O bitmap: calls fn(first, last) for every range the hypervisor keeps. */
void hv_ports_each(void (*fn)(uint16_t first, uint16_t last, void *ctx), void *ctx);

#endif
