/*
 * event_channel_op(cmd, arg): RDI = cmd, RSI = guest pointer. Ports use the
 * 2-level ABI: a pending and a mask bit per port in shared_info, and a
 * selector word per vCPU in vcpu_info.
 */
#ifndef MICA_PUBLIC_EVENT_CHANNEL_H
#define MICA_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_BIND_VIRQ 1
#define EVTCHNOP_CLOSE     3
#define EVTCHNOP_SEND      4
#define EVTCHNOP_UNMASK    9

#define VIRQ_TIMER   0
#define VIRQ_CONSOLE 2

struct evtchn_bind_virq {
    uint32_t virq;              /* IN: VIRQ_* */
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq size");

struct evtchn_port_arg {        /* close, send, unmask: one port */
    evtchn_port_t port;         /* IN */
};

#endif
