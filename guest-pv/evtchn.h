/*
 * Event channels, 2-level ABI (public/event_channel.h): a pending and a mask
 * bit per port in shared_info, a selector word in vcpu_info, and an upcall
 * on EVTCHN_UPCALL_VECTOR while RFLAGS.IF is set.
 */
#ifndef GUEST_EVTCHN_H
#define GUEST_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <public/event_channel.h>

/* Ports below this can have a handler; events on other ports are dropped. */
#define EVTCHN_HANDLED_PORTS 64

typedef void (*evtchn_handler_t)(evtchn_port_t port);

/* Mask every port and register the upcall vector. Needs shared_info and the IDT. */
bool evtchn_init(void);
/* Bind `virq` on vCPU 0, install `handler` and unmask: the port, or -errno. */
long evtchn_bind_virq(uint32_t virq, evtchn_handler_t handler);
/* Clear the mask bit; an event that arrived while masked is then delivered. */
void evtchn_unmask(evtchn_port_t port);
long evtchn_send(evtchn_port_t port);

/* Called by traps.asm on the upcall vector, with interrupts off. */
void evtchn_upcall(void);

#endif
