/*
 * The 32-bit (compat) translations of hv/compat.h: each reads the caller's
 * structure once into a local copy in its own layout and widens it, or
 * narrows the handler's result and writes it once. The handler then checks
 * the widened copy exactly as it checks a 64-bit caller's.
 */
#include "hv/compat.h"
#include "hv/arch.h"
#include "hv/trace.h"
#include "public/errno.h"

static int get(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
    return copy_from_guest(v, dst, src, len) ? hv_error(-XEN_EFAULT) : 0;
}

static int put(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
    return copy_to_guest(v, dst, src, len) ? hv_error(-XEN_EFAULT) : 0;
}

int compat_get_reservation(struct vcpu *v, bool compat, gvaddr_t arg,
                           struct xen_memory_reservation *out)
{
    struct compat_memory_reservation c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct xen_memory_reservation){
        .extent_start = c.extent_start, .nr_extents = c.nr_extents,
        .extent_order = c.extent_order, .mem_flags = c.mem_flags, .domid = c.domid,
        .pad = { c.pad },
    };
    return 0;
}

int compat_get_add_to_physmap(struct vcpu *v, bool compat, gvaddr_t arg,
                              struct xen_add_to_physmap *out)
{
    struct compat_add_to_physmap c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct xen_add_to_physmap){
        .domid = c.domid, .size = c.size, .space = c.space, .idx = c.idx, .gpfn = c.gpfn,
    };
    return 0;
}

int compat_get_memory_map(struct vcpu *v, bool compat, gvaddr_t arg, struct xen_memory_map *out)
{
    struct compat_memory_map c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct xen_memory_map){ .nr_entries = c.nr_entries, .buffer = c.buffer };
    return 0;
}

/* x86 is little-endian: a 4-byte element is the low half of the 8-byte one. */
int compat_get_gfn(struct vcpu *v, bool compat, gvaddr_t list, uint64_t i, uint64_t *gfn)
{
    size_t size = compat ? sizeof(uint32_t) : sizeof(uint64_t);
    *gfn = 0;
    return get(v, gfn, list + i * size, size);
}

int compat_put_gfn(struct vcpu *v, bool compat, gvaddr_t list, uint64_t i, uint64_t gfn)
{
    size_t size = compat ? sizeof(uint32_t) : sizeof(uint64_t);
    return put(v, list + i * size, &gfn, size);
}

/* ---- grant_table_op: only setup_table and copy differ -------------------- */

size_t compat_gnttab_op_size(bool compat, uint64_t cmd)
{
    if (compat && cmd == GNTTABOP_setup_table)
        return sizeof(struct compat_gnttab_setup_table);
    if (compat && cmd == GNTTABOP_copy)
        return sizeof(struct compat_gnttab_copy);
    return gnttab_op_size(cmd);
}

static struct gnttab_copy_ptr widen_copy_ptr(const struct compat_gnttab_copy_ptr *c)
{
    return (struct gnttab_copy_ptr){ .u.gmfn = c->u, .domid = c->domid, .offset = c->offset };
}

int compat_get_gnttab_op(struct vcpu *v, bool compat, uint64_t cmd, gvaddr_t addr, void *op)
{
    size_t size = compat_gnttab_op_size(compat, cmd);
    if (size == gnttab_op_size(cmd))
        return get(v, op, addr, size);
    if (cmd == GNTTABOP_setup_table) {
        struct compat_gnttab_setup_table c;
        if (get(v, &c, addr, sizeof c))
            return -XEN_EFAULT;
        *(struct gnttab_setup_table *)op = (struct gnttab_setup_table){
            .dom = c.dom, .nr_frames = c.nr_frames, .status = c.status, .frame_list = c.frame_list,
        };
        return 0;
    }
    struct compat_gnttab_copy c;
    if (get(v, &c, addr, sizeof c))
        return -XEN_EFAULT;
    *(struct gnttab_copy *)op = (struct gnttab_copy){
        .source = widen_copy_ptr(&c.source), .dest = widen_copy_ptr(&c.dest),
        .len = c.len, .flags = c.flags, .status = c.status,
    };
    return 0;
}

/* Back in the caller's layout, rebuilt from the local copy as the 64-bit
 * path writes its local copy back (status is the only field that changed). */
int compat_put_gnttab_op(struct vcpu *v, bool compat, uint64_t cmd, gvaddr_t addr, const void *op)
{
    size_t size = compat_gnttab_op_size(compat, cmd);
    if (size == gnttab_op_size(cmd))
        return put(v, addr, op, size);
    if (cmd == GNTTABOP_setup_table) {
        const struct gnttab_setup_table *n = op;
        struct compat_gnttab_setup_table c = {
            .dom = n->dom, .nr_frames = n->nr_frames, .status = n->status,
            .frame_list = (uint32_t)n->frame_list,
        };
        return put(v, addr, &c, sizeof c);
    }
    const struct gnttab_copy *n = op;
    struct compat_gnttab_copy c = {
        .source = { (uint32_t)n->source.u.gmfn, n->source.domid, n->source.offset },
        .dest = { (uint32_t)n->dest.u.gmfn, n->dest.domid, n->dest.offset },
        .len = n->len, .flags = n->flags, .status = n->status,
    };
    return put(v, addr, &c, sizeof c);
}

/* ---- vcpu_op, sched_op, xen_version, physdev_op -------------------------- */

int compat_put_runstate(struct vcpu *v, bool compat, gvaddr_t arg,
                        const struct vcpu_runstate_info *r)
{
    if (!compat)
        return put(v, arg, r, sizeof *r);
    struct compat_vcpu_runstate_info c = {
        .state = r->state, .state_entry_time = r->state_entry_time,
        .time = { r->time[0], r->time[1], r->time[2], r->time[3] },
    };
    return put(v, arg, &c, sizeof c);
}

int compat_get_runstate_area(struct vcpu *v, bool compat, gvaddr_t arg,
                             struct vcpu_register_runstate_memory_area *out)
{
    struct compat_vcpu_register_runstate_memory_area c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    out->addr = c.addr;
    return 0;
}

int compat_get_singleshot(struct vcpu *v, bool compat, gvaddr_t arg,
                          struct vcpu_set_singleshot_timer *out)
{
    struct compat_vcpu_set_singleshot_timer c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = c.timeout_abs_ns,
                                               .flags = c.flags };
    return 0;
}

int compat_get_sched_poll(struct vcpu *v, bool compat, gvaddr_t arg, struct sched_poll *out)
{
    struct compat_sched_poll c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct sched_poll){ .ports = c.ports, .nr_ports = c.nr_ports, .timeout = c.timeout };
    return 0;
}

int compat_put_platform_parameters(struct vcpu *v, bool compat, gvaddr_t arg, uint64_t virt_start)
{
    uint32_t narrow = (uint32_t)virt_start;
    return compat ? put(v, arg, &narrow, sizeof narrow) : put(v, arg, &virt_start, sizeof virt_start);
}

int compat_get_map_pirq(struct vcpu *v, bool compat, gvaddr_t arg, struct physdev_map_pirq *out)
{
    struct compat_physdev_map_pirq c;
    if (!compat)
        return get(v, out, arg, sizeof *out);
    if (get(v, &c, arg, sizeof c))
        return -XEN_EFAULT;
    *out = (struct physdev_map_pirq){
        .domid = c.domid, .type = c.type, .index = c.index, .pirq = c.pirq, .bus = c.bus,
        .devfn = c.devfn, .entry_nr = c.entry_nr, .table_base = c.table_base,
    };
    return 0;
}
