/*
 * physdev_op(cmd, arg) (public/physdev.h): the device owner's physical
 * interrupts. Only the owner reaches this handler (the hypercall table
 * gives every other domain -EPERM); the lines themselves are hv/pirq.c's.
 * MSI (MAP_PIRQ_TYPE_MSI) and every other sub-op are not implemented:
 * -EOPNOTSUPP and -ENOSYS (docs/abi.md, "33 physdev_op").
 */
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/pirq.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/errno.h"
#include "public/physdev.h"

union physdev_op {
    struct physdev_eoi eoi;
    struct physdev_irq_status_query status;
    struct physdev_map_pirq map;
    struct physdev_unmap_pirq unmap;
    struct physdev_setup_gsi setup_gsi;
};

/* DOMID_SELF or the caller's own id: no domain maps lines for another. */
static bool is_self(struct vcpu *v, uint16_t domid)
{
    return domid == DOMID_SELF || domid == v->domain->id;
}

static long eoi(struct vcpu *v, gvaddr_t arg, union physdev_op *op)
{
    (void)arg;
    return pirq_eoi(v->domain, op->eoi.irq);
}

static long irq_status_query(struct vcpu *v, gvaddr_t arg, union physdev_op *op)
{
    long rc = pirq_status_flags(v->domain, op->status.irq, &op->status.flags);
    if (rc)
        return rc;
    return copy_to_guest(v, arg, &op->status, sizeof op->status) ? hv_error(-XEN_EFAULT) : 0;
}

static long map_pirq(struct vcpu *v, gvaddr_t arg, union physdev_op *op)
{
    struct physdev_map_pirq *m = &op->map;
    if (!is_self(v, m->domid))
        return hv_error(-XEN_EINVAL);
    if (m->type == MAP_PIRQ_TYPE_MSI)
        return hv_error(-XEN_EOPNOTSUPP);
    if (m->type != MAP_PIRQ_TYPE_GSI)
        return hv_error(-XEN_EINVAL);
    int32_t pirq;
    bool had = m->index >= 0 && pirq_mapped_by(v->domain, (uint32_t)m->index);
    long rc = pirq_map_gsi(v->domain, m->index, m->pirq, &pirq);
    if (rc)
        return rc;
    if (copy_to_guest(v, arg + offsetof(struct physdev_map_pirq, pirq), &pirq, sizeof pirq)) {
        if (!had)
            pirq_unmap(v->domain, pirq);        /* this call's mapping only */
        return hv_error(-XEN_EFAULT);
    }
    return 0;
}

static long unmap_pirq(struct vcpu *v, gvaddr_t arg, union physdev_op *op)
{
    (void)arg;
    if (!is_self(v, op->unmap.domid))
        return hv_error(-XEN_EINVAL);
    return pirq_unmap(v->domain, op->unmap.pirq);
}

static long setup_gsi(struct vcpu *v, gvaddr_t arg, union physdev_op *op)
{
    (void)arg;
    const struct physdev_setup_gsi *s = &op->setup_gsi;
    return pirq_setup_gsi(v->domain, s->gsi, s->triggering, s->polarity);
}

typedef long (*physdev_op_fn)(struct vcpu *v, gvaddr_t arg, union physdev_op *op);

#define ARG_SIZE(member) sizeof(((union physdev_op *)0)->member)

static const struct physdev_op_entry {
    physdev_op_fn fn;
    size_t size;
} physdev_op_table[] = {
    [PHYSDEVOP_IRQ_STATUS_QUERY] = { irq_status_query, ARG_SIZE(status) },
    [PHYSDEVOP_EOI] = { eoi, ARG_SIZE(eoi) },
    [PHYSDEVOP_MAP_PIRQ] = { map_pirq, ARG_SIZE(map) },
    [PHYSDEVOP_UNMAP_PIRQ] = { unmap_pirq, ARG_SIZE(unmap) },
    [PHYSDEVOP_SETUP_GSI] = { setup_gsi, ARG_SIZE(setup_gsi) },
};

long do_physdev_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0];
    gvaddr_t arg = args[1];
    union physdev_op op;

    if (cmd >= ARRAY_SIZE(physdev_op_table) || !physdev_op_table[cmd].fn)
        return hv_error(-XEN_ENOSYS);
    const struct physdev_op_entry *e = &physdev_op_table[cmd];
    /* Only map_pirq has a 32-bit layout of its own (pirq keeps offset 12). */
    if (cmd == PHYSDEVOP_MAP_PIRQ ? compat_get_map_pirq(v, arch_vcpu_compat(v), arg, &op.map)
                                  : copy_from_guest(v, &op, arg, e->size))
        return hv_error(-XEN_EFAULT);
    return e->fn(v, arg, &op);
}
