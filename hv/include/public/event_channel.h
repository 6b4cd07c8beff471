/*
 * event_channel_op(cmd, arg): RDI = cmd, RSI = guest pointer. Ports start
 * with the 2-level ABI: a pending and a mask bit per port in shared_info,
 * and a selector word per vCPU in vcpu_info. EVTCHNOP_init_control switches
 * a domain to the FIFO ABI: an event word per port in guest pages, queued
 * by priority per vCPU in a control block (bottom of this file).
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
#define EVTCHNOP_INIT_CONTROL    11
#define EVTCHNOP_EXPAND_ARRAY    12
#define EVTCHNOP_SET_PRIORITY    13

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

/* ---- FIFO ABI ---- */

struct evtchn_init_control {
    uint64_t control_gfn;       /* IN: page holding this vCPU's control block */
    uint32_t offset;            /* IN: of the block in it; 8-byte aligned */
    uint32_t vcpu;              /* IN */
    uint8_t link_bits;          /* OUT: EVTCHN_FIFO_LINK_BITS */
    uint8_t _pad[7];
};
_Static_assert(sizeof(struct evtchn_init_control) == 24, "init_control size");
_Static_assert(offsetof(struct evtchn_init_control, link_bits) == 16, "init_control.link_bits");

struct evtchn_expand_array {
    uint64_t array_gfn;         /* IN: the next page of event words */
};
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "expand_array size");

struct evtchn_set_priority {
    evtchn_port_t port;         /* IN */
    uint32_t priority;          /* IN: EVTCHN_FIFO_PRIORITY_MAX..MIN */
};
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "set_priority size");

/* Priorities: 0 is served first, 15 last; a new port gets the default. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)

/* An event word: four flag bits and the link to the next port of its queue. */
typedef uint32_t event_word_t;
#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28  /* the hypervisor is changing the link: do not unmask */
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1u << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1u << EVTCHN_FIFO_LINK_BITS)
/* Event words per array page; pages an array may have. */
#define EVTCHN_FIFO_WORDS_PER_PAGE 1024
#define EVTCHN_FIFO_ARRAY_PAGES_LIMIT (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS_PER_PAGE)

/* Per vCPU, in guest memory: a ready bit per queue with events, and each queue's head. */
struct evtchn_fifo_control_block {
    uint32_t ready;             /* OUT: bit q set when queue q became non-empty */
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];  /* OUT: first port, when the queue was empty */
};
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "fifo control block size");

#endif
