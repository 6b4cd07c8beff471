/*
 * vcpu_op(cmd, vcpuid, arg): RDI = cmd, RSI = vCPU id, RDX = guest pointer.
 * VCPUOP_initialise takes a struct vcpu_hvm_context (public/hvm_vcpu.h).
 */
#ifndef MICA_PUBLIC_VCPU_OP_H
#define MICA_PUBLIC_VCPU_OP_H

#include <stdint.h>

#define VCPUOP_INITIALISE                    0
#define VCPUOP_UP                            1
#define VCPUOP_DOWN                          2
#define VCPUOP_IS_UP                         3
#define VCPUOP_GET_RUNSTATE_INFO             4
#define VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA 5
#define VCPUOP_STOP_PERIODIC_TIMER           7
#define VCPUOP_SET_SINGLESHOT_TIMER          8
#define VCPUOP_STOP_SINGLESHOT_TIMER         9
#define VCPUOP_REGISTER_VCPU_INFO           10

#define RUNSTATE_RUNNING  0
#define RUNSTATE_RUNNABLE 1
#define RUNSTATE_BLOCKED  2
#define RUNSTATE_OFFLINE  3

/* OUT (get_runstate_info, and the registered runstate area). */
struct vcpu_runstate_info {
    int32_t state;              /* RUNSTATE_* */
    uint32_t pad;
    uint64_t state_entry_time;  /* system time (ns) when `state` was entered */
    uint64_t time[4];           /* ns spent in each RUNSTATE_* */
};
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info size");

/* IN: register_runstate_memory_area. */
struct vcpu_register_runstate_memory_area {
    uint64_t addr;              /* guest-linear address of a vcpu_runstate_info, 0 = none */
};
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8, "runstate area size");

/* IN: register_vcpu_info: move this vCPU's vcpu_info to gfn:offset. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;               /* guest frame number (a GFN under PVH) */
    uint32_t offset;            /* the vcpu_info must not cross the page */
    uint32_t rsvd;              /* must be 0 */
};
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "register_vcpu_info size");

/* IN: set_singleshot_timer. */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;    /* system time at which VIRQ_TIMER fires */
    uint32_t flags;             /* VCPU_SSHOTTMR_* */
    uint32_t pad;
};
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "singleshot timer size");
#define VCPU_SSHOTTMR_FUTURE (1u << 0)  /* -ETIME if the time has already passed */

#endif
