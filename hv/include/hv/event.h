/*
 * Event channels on the hypervisor side: the per-domain port table and
 * delivery into shared_info / vcpu_info (2-level ABI), or into the guest's
 * event array and control blocks once it switched to FIFO (hv/event_fifo.h).
 * Delivery never fails: a masked or already-pending port just stays pending.
 */
#ifndef HV_EVENT_H
#define HV_EVENT_H

#include "hv/domain.h"

/* Lowest free port >= 1, or 0 when the table is full. */
uint32_t evtchn_alloc_port(struct domain *d);
/* Mark `port` pending; raise the upcall on its vCPU and wake it if needed. */
void evtchn_set_pending(struct domain *d, uint32_t port);
/* Clear the port's mask bit; deliver it now if it became pending meanwhile. */
void evtchn_unmask(struct domain *d, uint32_t port);
/* Close `port` of `d`: an interdomain peer's end goes back to unbound (offered
 * to `d`); the port's pending bit is cleared. The console port is kept. */
void evtchn_close(struct domain *d, uint32_t port);
/* Close every port of a domain that is going away (or reset: EVTCHNOP_reset),
 * and put it back on the 2-level ABI. */
void evtchn_close_all(struct domain *d);
/* For the leak check: ports open in all domain records, console ports aside
 * (a destroyed domain keeps only its console port). */
uint32_t evtchn_ports_in_use(void);
/* Deliver VIRQ `virq` to vCPU `v` if the guest has bound it. */
void evtchn_send_virq(struct vcpu *v, uint32_t virq);
/* The vcpu_info the hypervisor writes for `v` (shared_info slot or the
 * registered page); NULL if the registered page is no longer RAM. */
struct vcpu_info *vcpu_info_of(struct vcpu *v);
/* True when `v` has an event waiting (evtchn_upcall_pending). */
bool vcpu_event_pending(struct vcpu *v);
/* True when `port` is pending in the domain's shared_info. */
bool evtchn_is_pending(struct domain *d, uint32_t port);
/* Make a blocked vCPU runnable (event, timer, or poll wake-up). */
void vcpu_wake(struct vcpu *v);
/* Wake `v` if it polls on `port` (SCHEDOP_poll), masked or not. */
void evtchn_wake_poller(struct vcpu *v, uint32_t port);
/* Set v's evtchn_upcall_pending; on 0 -> 1 interrupt it (and wake it). */
void evtchn_notify(struct vcpu *v);

/* The vCPU a port notifies (vCPU 0 if its record names none the domain has). */
static inline struct vcpu *evtchn_vcpu(struct domain *d, uint32_t port)
{
    uint32_t id = d->evtchn[port].vcpu;
    return d->vcpus[id < d->nvcpus ? id : 0];
}

#endif
