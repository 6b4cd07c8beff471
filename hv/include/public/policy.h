/*
 * Per-domain hypercall policy (docs/abi.md, "Hypercall policy"): which
 * hypercalls and sub-operations a domain may make, in miniature what Xen's
 * XSM/Flask decides. dom0 reads and sets it with domctl
 * (MICA_DOMCTL_get_policy, set_policy, get_denials); the boot configuration
 * can narrow it from the start (deny=, docs/boot-config.md).
 *
 * Layout: one bit per hypercall number (bit n: hypercall n), and for each
 * hypercall Mica implements, at its slot below, one bit per sub-operation:
 * bit n for sub-op n < 63, bit 63 for every sub-op from 63 up. The sub-op
 * is the call's first argument, or the cmd of a domctl or sysctl request. A
 * call whose bit is clear, or whose sub-op bit is clear, returns -EPERM
 * before any of its arguments is read (domctl and sysctl: right after the
 * request is).
 */
#ifndef MICA_PUBLIC_POLICY_H
#define MICA_PUBLIC_POLICY_H

#include <stdint.h>

/* Slots: Mica's index of each hypercall it implements. */
#define MICA_POLICY_SLOT_MEMORY_OP        0     /* 12 */
#define MICA_POLICY_SLOT_SET_TIMER_OP     1     /* 15, no sub-ops: its mask is 0 */
#define MICA_POLICY_SLOT_XEN_VERSION      2     /* 17 */
#define MICA_POLICY_SLOT_CONSOLE_IO       3     /* 18 */
#define MICA_POLICY_SLOT_GRANT_TABLE_OP   4     /* 20 */
#define MICA_POLICY_SLOT_VCPU_OP          5     /* 24 */
#define MICA_POLICY_SLOT_SCHED_OP         6     /* 29 */
#define MICA_POLICY_SLOT_EVENT_CHANNEL_OP 7     /* 32 */
#define MICA_POLICY_SLOT_HVM_OP           8     /* 34 */
#define MICA_POLICY_SLOT_SYSCTL           9     /* 35: the request's cmd */
#define MICA_POLICY_SLOT_DOMCTL           10    /* 36: the request's cmd */
#define MICA_POLICY_SLOT_PHYSDEV_OP       11    /* 33 */
#define MICA_POLICY_SLOTS                 12

/* The sub-op bit that governs sub-ops MICA_POLICY_SUBOP_OTHER and up. */
#define MICA_POLICY_SUBOP_OTHER 63

struct mica_policy {
    uint64_t calls;                         /* bit n: hypercall n allowed */
    uint64_t subops[MICA_POLICY_SLOTS];     /* bit n: sub-op n of the slot's call allowed */
};
_Static_assert(sizeof(struct mica_policy) == 104, "mica_policy size");

/* Calls refused by the policy since the domain was built (OUT). */
struct mica_policy_denials {
    uint64_t total;
    uint64_t calls[MICA_POLICY_SLOTS];      /* per slot: denials of that call, any sub-op */
};
_Static_assert(sizeof(struct mica_policy_denials) == 104, "mica_policy_denials size");

#endif
