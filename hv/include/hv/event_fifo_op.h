/*
 * EVTCHNOP_init_control, expand_array and set_priority (hv/event_fifo_op.c),
 * for hv/event_channel_op.c's table: each gets the caller's argument already
 * copied in, returns 0 or a negative Xen errno, and writes back what it returns.
 */
#ifndef HV_EVENT_FIFO_OP_H
#define HV_EVENT_FIFO_OP_H

#include "hv/domain.h"

long evtchn_fifo_init_control(struct vcpu *v, gvaddr_t arg, struct evtchn_init_control *req);
long evtchn_fifo_expand_array(struct vcpu *v, gvaddr_t arg, struct evtchn_expand_array *req);
long evtchn_fifo_set_priority(struct vcpu *v, gvaddr_t arg, struct evtchn_set_priority *req);

#endif
