/*
 * memory_op: a domain's view of its own memory, and dom0's populating of a
 * domain it builds. The memory map is the one the start-info page carries
 * (hv/start_info.c), in e820 form; the physmap changes supported are
 * placing the shared-info page and grant-table frames, RAM populated
 * within a domain's memory map and max_pages, and RAM given back (the
 * balloon driver's decrease_reservation). A 32-bit caller's structures and
 * extent lists are in Xen's 32-bit layout (hv/compat.h).
 */
#include "hv/arch.h"
#include "hv/balloon.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/domain_runtime.h"
#include "hv/grant_table.h"
#include "hv/hypercalls.h"
#include "hv/start_info.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/memory_op.h"

/* Shared info may go anywhere below 2^48 (domain_map_shared_info's limit). */
#define SHARED_INFO_GPFN_LIMIT (1ull << 36)

static long reservation(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    uint16_t domid;
    struct domain *d;
    long rc;

    if (copy_from_guest(v, &domid, arg, sizeof domid))
        return hv_error(-XEN_EFAULT);
    rc = domain_target(v, domid, &d);
    if (rc)
        return rc;
    if (cmd == XENMEM_CURRENT_RESERVATION)
        return (long)d->frames_owned;
    return (long)d->max_pages;
}

/* The extent list both take, checked alike; a stopped domain changes no more. */
static long reservation_target(struct vcpu *v, bool compat, gvaddr_t arg,
                               struct xen_memory_reservation *req, struct domain **d)
{
    long rc;

    if (compat_get_reservation(v, compat, arg, req))
        return -XEN_EFAULT;
    if (req->extent_order > MICA_POPULATE_MAX_ORDER || req->mem_flags || req->pad[0] ||
        req->pad[1] || req->pad[2])
        return hv_error(-XEN_EINVAL);
    if ((rc = domain_target(v, req->domid, d)))
        return rc;
    if ((*d)->state != DOMAIN_BUILDING && (*d)->state != DOMAIN_RUNNING)
        return hv_error(-XEN_EINVAL);
    return 0;
}

/*
 * Xen's contract: the number of extents done comes back; fewer than asked
 * means the next one could not be done (or this call's page budget is
 * spent: call again with the rest). An error is returned only when not
 * even the first extent could be read or the request itself is invalid.
 */
static long each_extent(struct vcpu *v, bool compat, const struct xen_memory_reservation *req,
                        struct domain *d, int (*change)(struct domain *, uint64_t, uint32_t))
{
    uint64_t budget = MICA_POPULATE_MAX_PAGES >> req->extent_order;
    uint64_t n = MIN(req->nr_extents, budget);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t gpfn;
        if (compat_get_gfn(v, compat, req->extent_start, i, &gpfn))
            return i ? (long)i : -XEN_EFAULT;
        if (change(d, gpfn, req->extent_order))
            return (long)i;
    }
    return (long)n;
}

static long populate_physmap(struct vcpu *v, bool compat, gvaddr_t arg)
{
    struct xen_memory_reservation req;
    struct domain *d;
    long rc = reservation_target(v, compat, arg, &req, &d);

    return rc ? rc : each_extent(v, compat, &req, d, domain_runtime_populate);
}

/*
 * Only a running domain gives RAM back: one being built has a claim
 * (hv/domain_runtime.c) its pages are counted against. dom0's RAM is
 * identity-mapped for its devices' DMA (docs/guest-memory.md): a page it
 * gave back could not come back at the same machine address, so it keeps it.
 */
static long decrease_reservation(struct vcpu *v, bool compat, gvaddr_t arg)
{
    struct xen_memory_reservation req;
    struct domain *d;
    long rc = reservation_target(v, compat, arg, &req, &d);

    if (rc)
        return rc;
    if (d->state != DOMAIN_RUNNING)
        return hv_error(-XEN_EINVAL);
    if (domain_owns_devices(d))
        return hv_error(-XEN_EOPNOTSUPP);
    return each_extent(v, compat, &req, d, balloon_release);
}

static long add_to_physmap(struct vcpu *v, bool compat, gvaddr_t arg)
{
    struct domain *d = v->domain;
    struct xen_add_to_physmap req;

    if (compat_get_add_to_physmap(v, compat, arg, &req))
        return -XEN_EFAULT;
    if (req.domid != DOMID_SELF && req.domid != d->id)
        /* no foreign mappings yet */
        return d->privileged ? hv_error(-XEN_EINVAL) : hv_error(-XEN_EPERM);
    switch (req.space) {
    case XENMAPSPACE_SHARED_INFO:
        if (req.idx != 0 || req.gpfn >= SHARED_INFO_GPFN_LIMIT)
            return hv_error(-XEN_EINVAL);
        return domain_map_shared_info(d, req.gpfn << PAGE_SHIFT);
    case XENMAPSPACE_GRANT_TABLE:
        if (req.gpfn >= SHARED_INFO_GPFN_LIMIT)
            return hv_error(-XEN_EINVAL);
        return grant_map_table_frame(d, req.idx, req.gpfn << PAGE_SHIFT);
    default:
        return hv_error(-XEN_EINVAL);
    }
}

/*
 * Write min(capacity, entries) e820 entries, then the count written back into
 * nr_entries. A zero capacity writes nothing at all.
 */
static long memory_map(struct vcpu *v, bool compat, gvaddr_t arg)
{
    const struct hvm_memmap_table_entry *map = v->domain->memmap;
    struct e820_entry e820[START_INFO_MEMMAP_MAX];
    struct xen_memory_map req;
    uint32_t count;

    if (compat_get_memory_map(v, compat, arg, &req))
        return -XEN_EFAULT;
    count = MIN(req.nr_entries, v->domain->memmap_entries);
    if (count == 0)
        return 0;
    for (uint32_t i = 0; i < count; i++)
        e820[i] = (struct e820_entry){
            .addr = map[i].addr, .size = map[i].size, .type = map[i].type,
        };
    if (copy_to_guest(v, req.buffer, e820, count * sizeof e820[0]))
        return hv_error(-XEN_EFAULT);
    /* nr_entries is at offset 0 in both layouts. */
    if (copy_to_guest(v, arg + offsetof(struct xen_memory_map, nr_entries), &count,
                      sizeof count))
        return hv_error(-XEN_EFAULT);
    return 0;
}

long do_memory_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0];
    gvaddr_t arg = args[1];
    bool compat = arch_vcpu_compat(v);

    switch (cmd) {
    case XENMEM_MAXIMUM_RAM_PAGE:
        return (long)(v->domain->ram_top >> PAGE_SHIFT) - 1;
    case XENMEM_CURRENT_RESERVATION:
    case XENMEM_MAXIMUM_RESERVATION:
        return reservation(v, cmd, arg);
    case XENMEM_ADD_TO_PHYSMAP:
        return add_to_physmap(v, compat, arg);
    case XENMEM_DECREASE_RESERVATION:
        return decrease_reservation(v, compat, arg);
    case XENMEM_INCREASE_RESERVATION:   /* every domain is translated: docs/abi.md */
    case XENMEM_POPULATE_PHYSMAP:
        return populate_physmap(v, compat, arg);
    case XENMEM_MEMORY_MAP:
        return memory_map(v, compat, arg);
    default:
        return hv_error(-XEN_ENOSYS);
    }
}
