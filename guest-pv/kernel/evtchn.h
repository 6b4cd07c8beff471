/*
 * Event channels, 2-level ABI (public/event_channel.h): a pending and a mask
 * bit per port in shared_info, a selector word in vcpu_info, and an upcall
 * on EVTCHN_UPCALL_VECTOR while RFLAGS.IF is set.
 */
#ifndef GUEST_EVTCHN_H
#define GUEST_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/event_channel.h>

/* Ports below this can have a handler; events on other ports are dropped. */
#define EVTCHN_HANDLED_PORTS 64

typedef void (*evtchn_handler_t)(evtchn_port_t port);

/* Mask every port and register the upcall vector. Needs shared_info and the IDT. */
bool evtchn_init(void);

/*
 * Binding: each call below returns the new local port or -errno, and on
 * success installs `handler` (NULL: events only wake us) and unmasks the port.
 */
/* `virq` of vCPU `vcpu` (its handler runs on that vCPU). */
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_handler_t handler);
/* A port `remote` may bind to with evtchn_bind_interdomain. */
long evtchn_alloc_unbound(domid_t remote, evtchn_handler_t handler);
/* Connect to `remote`'s unbound port offered to us. */
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                             evtchn_handler_t handler);
/* A port that notifies our own `vcpu` when we send on it (its handler runs there). */
long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t handler);
/* Physical interrupt `pirq` (mapped with PHYSDEVOP_map_pirq: guest-pv/kernel/pirq.h),
 * delivered to vCPU 0. Only the device owner (dom0) may. */
long evtchn_bind_pirq(uint32_t pirq, evtchn_handler_t handler);

/* Install (or with NULL remove) the handler of a port we hold. */
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t handler);
/* Free the port (an interdomain peer's end goes back to unbound), then mask
 * it and drop its handler. 0 or -errno. */
long evtchn_close(evtchn_port_t port);
/* EVTCHNSTAT_* of our own port, or -errno. */
long evtchn_port_status(evtchn_port_t port);
/* EVTCHNSTAT_* with the details (the remote end of an interdomain port), or -errno. */
long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

/* Clear the mask bit; an event that arrived while masked is then delivered. */
void evtchn_unmask(evtchn_port_t port);
/* Set the mask bit: the port's events stay pending, without an upcall. */
void evtchn_mask(evtchn_port_t port);
long evtchn_send(evtchn_port_t port);

/* Called by traps.asm on the upcall vector, with interrupts off. */
void evtchn_upcall(void);

#endif
