/* hvm_op(cmd, arg): RDI = cmd, RSI = guest pointer to struct xen_hvm_param. */
#ifndef MICA_PUBLIC_HVM_OP_H
#define MICA_PUBLIC_HVM_OP_H

#include <stdint.h>

#define HVMOP_SET_PARAM 0
#define HVMOP_GET_PARAM 1

struct xen_hvm_param {
    uint16_t domid;             /* IN: DOMID_SELF or a domain id */
    uint16_t pad;
    uint32_t index;             /* IN: HVM_PARAM_* */
    uint64_t value;             /* IN (set) / OUT (get) */
};
_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param size");

#define HVM_PARAM_CALLBACK_IRQ  0
#define HVM_PARAM_STORE_PFN     1
#define HVM_PARAM_STORE_EVTCHN  2
#define HVM_PARAM_CONSOLE_PFN   17
#define HVM_PARAM_CONSOLE_EVTCHN 18

/* CALLBACK_IRQ: delivery type in bits 63:56. Mica supports only a vector. */
#define HVM_PARAM_CALLBACK_TYPE_SHIFT  56
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2
#define HVM_PARAM_CALLBACK_VECTOR_MIN  0x10     /* 0..15 are exceptions */

#endif
