/*
 * Hypercalls from 32-bit callers (docs/abi.md, "32-bit callers"). A handler
 * asks arch_vcpu_compat(v) once per call and passes the answer down; each
 * helper here then reads (get) or writes (put) the caller's structure at a
 * guest pointer in that caller's layout: the x86-64 one, or Xen's 32-bit one
 * (public/compat.h), widened into or narrowed from the x86-64 structure the
 * handler validates and works on. Widening zero-extends, so a 32-bit
 * pointer never has upper bits. Every helper returns 0 or -XEN_EFAULT.
 */
#ifndef HV_COMPAT_H
#define HV_COMPAT_H

#include "hv/types.h"
#include "public/compat.h"
#include "public/grant_table.h"
#include "public/memory_op.h"
#include "public/physdev.h"
#include "public/sched_op.h"
#include "public/vcpu_op.h"

struct vcpu;
struct domain;

int compat_get_reservation(struct vcpu *v, bool compat, gvaddr_t arg,
                           struct xen_memory_reservation *out);
int compat_get_add_to_physmap(struct vcpu *v, bool compat, gvaddr_t arg,
                              struct xen_add_to_physmap *out);
int compat_get_memory_map(struct vcpu *v, bool compat, gvaddr_t arg, struct xen_memory_map *out);
/* Element i of a GFN list (xen_pfn_t: 8 bytes, or 4 for a 32-bit caller). */
int compat_get_gfn(struct vcpu *v, bool compat, gvaddr_t list, uint64_t i, uint64_t *gfn);
int compat_put_gfn(struct vcpu *v, bool compat, gvaddr_t list, uint64_t i, uint64_t gfn);

/* grant_table_op: the size of one operation, and one operation in and out
 * (`op` is the handler's x86-64 structure for `cmd`). */
size_t compat_gnttab_op_size(bool compat, uint64_t cmd);
int compat_get_gnttab_op(struct vcpu *v, bool compat, uint64_t cmd, gvaddr_t addr, void *op);
int compat_put_gnttab_op(struct vcpu *v, bool compat, uint64_t cmd, gvaddr_t addr, const void *op);

int compat_put_runstate(struct vcpu *v, bool compat, gvaddr_t arg,
                        const struct vcpu_runstate_info *r);
int compat_get_runstate_area(struct vcpu *v, bool compat, gvaddr_t arg,
                             struct vcpu_register_runstate_memory_area *out);
int compat_get_singleshot(struct vcpu *v, bool compat, gvaddr_t arg,
                          struct vcpu_set_singleshot_timer *out);
int compat_get_sched_poll(struct vcpu *v, bool compat, gvaddr_t arg, struct sched_poll *out);
int compat_put_platform_parameters(struct vcpu *v, bool compat, gvaddr_t arg, uint64_t virt_start);
int compat_get_map_pirq(struct vcpu *v, bool compat, gvaddr_t arg, struct physdev_map_pirq *out);

/*
 * The shared-info layout, as Xen latches it for an HVM domain: from the mode
 * of the domain's own vCPU `v` when it writes the hypercall-page MSR or sets
 * HVM_PARAM_CALLBACK_IRQ on itself (32-bit unless in 64-bit mode). The wall
 * clock is written again in the layout chosen; nothing else is converted.
 */
void shinfo_latch(struct vcpu *v);

#endif
