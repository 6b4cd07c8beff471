/*
 * Event channels, FIFO ABI (Xen's public/event_channel.h), on the
 * hypervisor side. A domain starts with the 2-level ABI; its first
 * EVTCHNOP_init_control switches all its ports to FIFO delivery until
 * EVTCHNOP_reset or its end. The event words and control blocks live in
 * guest RAM and are reached through the domain's EPT each time: no frame
 * is pinned, so a page the guest gives up (ballooned out, replaced by
 * add_to_physmap) is simply no longer written, and nothing needs releasing
 * when the domain goes.
 */
#ifndef HV_EVENT_FIFO_H
#define HV_EVENT_FIFO_H

#include "hv/types.h"
#include "public/event_channel.h"

struct domain;
struct evtchn;

/* Array pages that hold a word for every port a domain can have (EVTCHN_MAX_PORTS). */
#define EVTCHN_FIFO_PORT_PAGES 1

struct evtchn_fifo_vcpu {
    bool has_block;             /* init_control done for this vCPU */
    gpaddr_t block_gpa;         /* its control block (8-byte aligned, within a page) */
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];  /* last port linked per queue; 0: none */
};

struct evtchn_fifo {
    bool active;                /* FIFO delivery: the first init_control switched it */
    uint32_t array_pages;       /* expand_array calls that succeeded */
    gpaddr_t array_gpa[EVTCHN_FIFO_PORT_PAGES];     /* of the pages that hold ports */
};

/* Per port (in struct evtchn, so a new binding starts afresh). */
struct evtchn_fifo_port {
    uint8_t priority_set;       /* set_priority's value + 1; 0 (a fresh port): the default */
    bool pending;               /* raised while no array page held its word */
};

/* Per port, kept across close and rebinding (in struct domain): the queue it
 * was last linked on, whose tail must not point at it once it moves. */
struct evtchn_fifo_lastq {
    uint8_t vcpu, priority;
};

/* The port's priority: EVTCHN_FIFO_PRIORITY_DEFAULT until set_priority. */
static inline uint32_t evtchn_fifo_priority(const struct evtchn_fifo_port *p)
{
    return p->priority_set ? p->priority_set - 1u : EVTCHN_FIFO_PRIORITY_DEFAULT;
}

/* The domain's event word for `port`, NULL if no array page holds it (or it is not RAM). */
event_word_t *evtchn_fifo_word(struct domain *d, uint32_t port);
/* FIFO counterparts of hv/event.h's 2-level delivery; the domain's ABI is FIFO. */
void evtchn_fifo_set_pending(struct domain *d, uint32_t port);
void evtchn_fifo_unmask(struct domain *d, uint32_t port);
bool evtchn_fifo_is_pending(struct domain *d, uint32_t port);
/* The port is closing: its PENDING bit cleared, no queue keeps it as a tail. */
void evtchn_fifo_close(struct domain *d, uint32_t port);
/* Raise the ports that became pending while no array page held their word. */
void evtchn_fifo_raise_saved(struct domain *d);
/* Back to the 2-level ABI (EVTCHNOP_reset, a domain's end): every block forgotten. */
void evtchn_fifo_teardown(struct domain *d);

#endif
