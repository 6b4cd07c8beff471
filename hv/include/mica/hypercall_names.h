/*
 * The names of the hypercalls Mica implements and of their sub-operations:
 * the one table that the loader parses deny= lists with
 * (docs/boot-config.md) and the hypervisor names calls with in trace and
 * policy lines. Numbers are the public headers'; the slot is where the
 * call's sub-op mask sits in a struct mica_policy (public/policy.h).
 *
 * Header-only and freestanding (the loader and the hypervisor include it,
 * each in one file): static tables and inline lookups, no library calls.
 */
#ifndef MICA_HYPERCALL_NAMES_H
#define MICA_HYPERCALL_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "public/console_io.h"
#include "public/domctl.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/hvm_op.h"
#include "public/hypercall.h"
#include "public/memory_op.h"
#include "public/physdev.h"
#include "public/policy.h"
#include "public/sched_op.h"
#include "public/sysctl.h"
#include "public/vcpu_op.h"
#include "public/xen_version.h"

struct mica_hypercall_names {
    const char *name;           /* NULL: Mica does not implement this number */
    uint32_t slot;              /* MICA_POLICY_SLOT_* */
    uint32_t nsubops;           /* entries in subops[], all below MICA_POLICY_SUBOP_OTHER */
    const char *const *subops;  /* by sub-op number; NULL: no such sub-op */
};

static const char *const mica_memory_op_names[] = {
    [XENMEM_MAXIMUM_RAM_PAGE] = "maximum_ram_page",
    [XENMEM_CURRENT_RESERVATION] = "current_reservation",
    [XENMEM_MAXIMUM_RESERVATION] = "maximum_reservation",
    [XENMEM_ADD_TO_PHYSMAP] = "add_to_physmap",
    [XENMEM_MEMORY_MAP] = "memory_map",
};
static const char *const mica_xen_version_names[] = {
    [XENVER_VERSION] = "version",           [XENVER_EXTRAVERSION] = "extraversion",
    [XENVER_COMPILE_INFO] = "compile_info", [XENVER_CAPABILITIES] = "capabilities",
    [XENVER_CHANGESET] = "changeset",       [XENVER_PLATFORM_PARAMETERS] = "platform_parameters",
    [XENVER_GET_FEATURES] = "get_features", [XENVER_PAGESIZE] = "pagesize",
    [XENVER_GUEST_HANDLE] = "guest_handle",
};
static const char *const mica_console_io_names[] = {
    [CONSOLEIO_WRITE] = "write",
    [CONSOLEIO_READ] = "read",
};
static const char *const mica_grant_table_op_names[] = {
    [GNTTABOP_map_grant_ref] = "map_grant_ref", [GNTTABOP_unmap_grant_ref] = "unmap_grant_ref",
    [GNTTABOP_setup_table] = "setup_table",     [GNTTABOP_copy] = "copy",
    [GNTTABOP_query_size] = "query_size",       [GNTTABOP_set_version] = "set_version",
    [GNTTABOP_get_version] = "get_version",
};
static const char *const mica_vcpu_op_names[] = {
    [VCPUOP_INITIALISE] = "initialise",
    [VCPUOP_UP] = "up",
    [VCPUOP_DOWN] = "down",
    [VCPUOP_IS_UP] = "is_up",
    [VCPUOP_GET_RUNSTATE_INFO] = "get_runstate_info",
    [VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA] = "register_runstate_memory_area",
    [VCPUOP_STOP_PERIODIC_TIMER] = "stop_periodic_timer",
    [VCPUOP_SET_SINGLESHOT_TIMER] = "set_singleshot_timer",
    [VCPUOP_STOP_SINGLESHOT_TIMER] = "stop_singleshot_timer",
    [VCPUOP_REGISTER_VCPU_INFO] = "register_vcpu_info",
};
static const char *const mica_sched_op_names[] = {
    [SCHEDOP_YIELD] = "yield", [SCHEDOP_BLOCK] = "block", [SCHEDOP_SHUTDOWN] = "shutdown",
    [SCHEDOP_POLL] = "poll",   [SCHEDOP_SHUTDOWN_CODE] = "shutdown_code",
};
static const char *const mica_event_channel_op_names[] = {
    [EVTCHNOP_BIND_INTERDOMAIN] = "bind_interdomain", [EVTCHNOP_BIND_VIRQ] = "bind_virq",
    [EVTCHNOP_BIND_PIRQ] = "bind_pirq",
    [EVTCHNOP_CLOSE] = "close",                       [EVTCHNOP_SEND] = "send",
    [EVTCHNOP_STATUS] = "status",                     [EVTCHNOP_ALLOC_UNBOUND] = "alloc_unbound",
    [EVTCHNOP_BIND_IPI] = "bind_ipi",                 [EVTCHNOP_BIND_VCPU] = "bind_vcpu",
    [EVTCHNOP_UNMASK] = "unmask",                     [EVTCHNOP_RESET] = "reset",
};
static const char *const mica_physdev_op_names[] = {
    [PHYSDEVOP_IRQ_STATUS_QUERY] = "irq_status_query", [PHYSDEVOP_EOI] = "eoi",
    [PHYSDEVOP_MAP_PIRQ] = "map_pirq",                 [PHYSDEVOP_UNMAP_PIRQ] = "unmap_pirq",
    [PHYSDEVOP_SETUP_GSI] = "setup_gsi",
};
static const char *const mica_hvm_op_names[] = {
    [HVMOP_SET_PARAM] = "set_param",
    [HVMOP_GET_PARAM] = "get_param",
};
static const char *const mica_sysctl_names[] = {
    [XEN_SYSCTL_PHYSINFO] = "physinfo",
    [XEN_SYSCTL_GETCPUINFO] = "getcpuinfo",
};
/* Mica's own domctl sub-ops (from MICA_DOMCTL_BASE) share the OTHER bit. */
static const char *const mica_domctl_names[] = {
    [XEN_DOMCTL_GETDOMAININFO] = "getdomaininfo",
    [XEN_DOMCTL_SETVCPUAFFINITY] = "setvcpuaffinity",
    [XEN_DOMCTL_GETVCPUINFO] = "getvcpuinfo",
    [XEN_DOMCTL_SCHEDULER_OP] = "scheduler_op",
    [XEN_DOMCTL_GETVCPUAFFINITY] = "getvcpuaffinity",
};

#define MICA_SUBOP_NAMES(a) sizeof(a) / sizeof((a)[0]), (a)

static const struct mica_hypercall_names mica_hypercall_names[HYPERCALL_COUNT] = {
    [HYPERCALL_MEMORY_OP] = { "memory_op", MICA_POLICY_SLOT_MEMORY_OP,
                              MICA_SUBOP_NAMES(mica_memory_op_names) },
    [HYPERCALL_SET_TIMER_OP] = { "set_timer_op", MICA_POLICY_SLOT_SET_TIMER_OP, 0, NULL },
    [HYPERCALL_XEN_VERSION] = { "xen_version", MICA_POLICY_SLOT_XEN_VERSION,
                                MICA_SUBOP_NAMES(mica_xen_version_names) },
    [HYPERCALL_CONSOLE_IO] = { "console_io", MICA_POLICY_SLOT_CONSOLE_IO,
                               MICA_SUBOP_NAMES(mica_console_io_names) },
    [HYPERCALL_GRANT_TABLE_OP] = { "grant_table_op", MICA_POLICY_SLOT_GRANT_TABLE_OP,
                                   MICA_SUBOP_NAMES(mica_grant_table_op_names) },
    [HYPERCALL_VCPU_OP] = { "vcpu_op", MICA_POLICY_SLOT_VCPU_OP,
                            MICA_SUBOP_NAMES(mica_vcpu_op_names) },
    [HYPERCALL_SCHED_OP] = { "sched_op", MICA_POLICY_SLOT_SCHED_OP,
                             MICA_SUBOP_NAMES(mica_sched_op_names) },
    [HYPERCALL_EVENT_CHANNEL_OP] = { "event_channel_op", MICA_POLICY_SLOT_EVENT_CHANNEL_OP,
                                     MICA_SUBOP_NAMES(mica_event_channel_op_names) },
    [HYPERCALL_PHYSDEV_OP] = { "physdev_op", MICA_POLICY_SLOT_PHYSDEV_OP,
                               MICA_SUBOP_NAMES(mica_physdev_op_names) },
    [HYPERCALL_HVM_OP] = { "hvm_op", MICA_POLICY_SLOT_HVM_OP,
                           MICA_SUBOP_NAMES(mica_hvm_op_names) },
    [HYPERCALL_SYSCTL] = { "sysctl", MICA_POLICY_SLOT_SYSCTL,
                           MICA_SUBOP_NAMES(mica_sysctl_names) },
    [HYPERCALL_DOMCTL] = { "domctl", MICA_POLICY_SLOT_DOMCTL,
                           MICA_SUBOP_NAMES(mica_domctl_names) },
};

static inline int mica_names_equal(const char *s, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (word[i] != s[i])    /* also stops at word's NUL */
            return 0;
    return word[n] == '\0';
}

/* The number of the hypercall named [s, s+n), or -1. */
static inline int mica_hypercall_by_name(const char *s, size_t n)
{
    for (int nr = 0; nr < HYPERCALL_COUNT; nr++)
        if (mica_hypercall_names[nr].name && mica_names_equal(s, n, mica_hypercall_names[nr].name))
            return nr;
    return -1;
}

/* The number of hypercall nr's sub-op named [s, s+n), or -1. */
static inline int mica_subop_by_name(int nr, const char *s, size_t n)
{
    const struct mica_hypercall_names *h = &mica_hypercall_names[nr];

    for (uint32_t op = 0; op < h->nsubops; op++)
        if (h->subops[op] && mica_names_equal(s, n, h->subops[op]))
            return (int)op;
    return -1;
}

#endif
