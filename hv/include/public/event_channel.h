/*
 * event_channel_op(cmd, arg): RDI = cmd, RSI = guest pointer. Ports use the
 * 2-level ABI: a pending and a mask bit per port in shared_info, and a
 * selector word per vCPU in vcpu_info.
 */
#ifndef MICA_PUBLIC_EVENT_CHANNEL_H
#define MICA_PUBLIC_EVENT_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_BIND_INTERDOMAIN 0
#define EVTCHNOP_BIND_VIRQ        1
#define EVTCHNOP_BIND_PIRQ        2
#define EVTCHNOP_CLOSE            3
#define EVTCHNOP_SEND             4
#define EVTCHNOP_STATUS           5
#define EVTCHNOP_ALLOC_UNBOUND    6
#define EVTCHNOP_BIND_IPI         7
#define EVTCHNOP_BIND_VCPU        8
#define EVTCHNOP_UNMASK           9
#define EVTCHNOP_RESET           10

#define VIRQ_TIMER   0
#define VIRQ_CONSOLE 2
#define VIRQ_DOM_EXC 3      /* global (bind on vCPU 0): a domain shut down, crashed or died;
                               delivered to dom0 only */

struct evtchn_bind_virq {
    uint32_t virq;              /* IN: VIRQ_* */
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq size");
_Static_assert(offsetof(struct evtchn_bind_virq, port) == 8, "bind_virq.port");

#define BIND_PIRQ__WILL_SHARE 1

struct evtchn_bind_pirq {
    uint32_t pirq;              /* IN: mapped with PHYSDEVOP_map_pirq */
    uint32_t flags;             /* IN: BIND_PIRQ__WILL_SHARE (ignored: no sharing) */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "bind_pirq size");

struct evtchn_port_arg {        /* close, send, unmask: one port */
    evtchn_port_t port;         /* IN */
};
_Static_assert(sizeof(struct evtchn_port_arg) == 4, "evtchn_port_arg size");

struct evtchn_alloc_unbound {
    uint16_t dom;               /* IN: DOMID_SELF (or any domain, for dom0) */
    uint16_t remote_dom;        /* IN: the domain allowed to bind to it */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound size");
_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "alloc_unbound.port");

struct evtchn_bind_interdomain {
    uint16_t remote_dom;        /* IN */
    uint16_t pad;
    evtchn_port_t remote_port;  /* IN: unbound, and offered to the caller */
    evtchn_port_t local_port;   /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain size");
_Static_assert(offsetof(struct evtchn_bind_interdomain, local_port) == 8, "local_port");

struct evtchn_bind_ipi {
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi size");
_Static_assert(offsetof(struct evtchn_bind_ipi, port) == 4, "bind_ipi.port");

struct evtchn_bind_vcpu {
    evtchn_port_t port;         /* IN */
    uint32_t vcpu;              /* IN */
};
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu size");

struct evtchn_reset {
    uint16_t dom;               /* IN: DOMID_SELF (or any domain, for dom0) */
};
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset size");

#define EVTCHNSTAT_closed      0
#define EVTCHNSTAT_unbound     1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq        3
#define EVTCHNSTAT_virq        4
#define EVTCHNSTAT_ipi         5

struct evtchn_status {
    uint16_t dom;               /* IN */
    uint16_t pad;
    evtchn_port_t port;         /* IN */
    uint32_t status;            /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;              /* OUT: the vCPU notified */
    union {
        struct { uint16_t dom; } unbound;                               /* remote domain allowed */
        struct { uint16_t dom; uint16_t pad; evtchn_port_t port; } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;                        /* OUT */
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status size");
_Static_assert(offsetof(struct evtchn_status, u) == 16, "evtchn_status.u");

#endif
