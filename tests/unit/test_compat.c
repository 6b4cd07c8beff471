/*
 * Host unit test for 32-bit callers (hv/compat.c, docs/abi.md "32-bit
 * callers"): each translator reads and writes exactly Xen's 32-bit layout
 * (guest memory around it keeps SHIM_FILL), the handlers take it when
 * arch_vcpu_compat() says so, and the shared-info latch (hv/shinfo_latch.c)
 * switches event delivery (hv/event.c), the wall clock and the runstate area
 * (hv/time.c) to the 32-bit shared-info layout.
 */
#include <string.h>
#include "check.h"
#include "shim_guest.h"
#include "shim_wake.h"
#include "hv/compat.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/xen_version.h"

CHECK_SUITE("compat");

/* hv/grant_table.c, hv/domain_runtime.c and hv/balloon.c are not linked. */
static uint64_t extents[4];
static unsigned nextents;
int grant_map_table_frame(struct domain *d, uint64_t idx, gpaddr_t gpa)
{
    (void)d, (void)idx, (void)gpa;
    return 0;
}

static int record(struct domain *d, uint64_t gpfn, uint32_t order)
{
    (void)d, (void)order;
    if (nextents < 4)
        extents[nextents] = gpfn;
    nextents++;
    return 0;
}

int domain_runtime_populate(struct domain *d, uint64_t gpfn, uint32_t order)
{
    return record(d, gpfn, order);
}

int balloon_release(struct domain *d, uint64_t gpfn, uint32_t order)
{
    return record(d, gpfn, order);
}

#define ARG  SHIM_RW_BASE               /* the structure */
#define LIST (SHIM_RW_BASE + 0x1000)    /* a list it points to */

static struct vcpu *v;

static void setup(bool compat)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    v = shim_domain_create(1, false, MiB(16));
    shim_guest_compat = compat;
    nextents = 0;
}

static void put_guest(gvaddr_t va, const void *p, size_t len)
{
    memcpy(shim_guest_mem(va, len), p, len);
}

static long call(long (*fn)(struct vcpu *, const uint64_t *), uint64_t a0, uint64_t a1,
                 uint64_t a2)
{
    const uint64_t args[HYPERCALL_ARGS] = { a0, a1, a2 };
    return fn(v, args);
}

/* ---- memory_op ------------------------------------------------------------- */

static void test_add_to_physmap(void)
{
    struct compat_add_to_physmap c = { .domid = DOMID_SELF, .space = XENMAPSPACE_SHARED_INFO,
                                       .idx = 0, .gpfn = 0x123 };
    setup(true);
    put_guest(ARG, &c, sizeof c);       /* followed by SHIM_FILL: not zero */
    CHECK("32-bit add_to_physmap maps shared info",
          call(do_memory_op, XENMEM_ADD_TO_PHYSMAP, ARG, 0) == 0 &&
              shim_map_shared_info.gpa == 0x123000 && shim_guest.from_bytes == sizeof c);
    c.idx = 1;
    put_guest(ARG, &c, sizeof c);
    CHECK("32-bit add_to_physmap: idx 1 is -EINVAL",
          call(do_memory_op, XENMEM_ADD_TO_PHYSMAP, ARG, 0) == -XEN_EINVAL);
    CHECK("32-bit add_to_physmap at the last bytes of RW memory reads 16 bytes",
          call(do_memory_op, XENMEM_ADD_TO_PHYSMAP, SHIM_RW_END - 16, 0) != -XEN_EFAULT);

    setup(false);
    put_guest(ARG, &c, sizeof c);
    CHECK("the same bytes from a 64-bit caller are the 64-bit layout (-EINVAL)",
          call(do_memory_op, XENMEM_ADD_TO_PHYSMAP, ARG, 0) == -XEN_EINVAL);
}

static void test_reservation(void)
{
    uint32_t list[3] = { 0x200, 0x201, 0x202 };
    struct compat_memory_reservation c = { .extent_start = LIST, .nr_extents = 3,
                                           .domid = DOMID_SELF };
    setup(true);
    put_guest(ARG, &c, sizeof c);
    put_guest(LIST, list, sizeof list);
    CHECK("32-bit populate_physmap: three 4-byte extents",
          call(do_memory_op, XENMEM_POPULATE_PHYSMAP, ARG, 0) == 3 && nextents == 3 &&
              extents[0] == 0x200 && extents[1] == 0x201 && extents[2] == 0x202);
    c.pad = 1;
    put_guest(ARG, &c, sizeof c);
    CHECK("32-bit reservation: nonzero tail pad is -EINVAL",
          call(do_memory_op, XENMEM_POPULATE_PHYSMAP, ARG, 0) == -XEN_EINVAL);
    c.pad = 0;
    c.extent_start = SHIM_UNMAPPED;
    put_guest(ARG, &c, sizeof c);
    CHECK("32-bit reservation: unreadable extent list is -EFAULT",
          call(do_memory_op, XENMEM_POPULATE_PHYSMAP, ARG, 0) == -XEN_EFAULT);
    c.extent_start = LIST;
    c.extent_order = MICA_POPULATE_MAX_ORDER + 1;
    put_guest(ARG, &c, sizeof c);
    CHECK("32-bit reservation: order checked as for 64-bit callers",
          call(do_memory_op, XENMEM_POPULATE_PHYSMAP, ARG, 0) == -XEN_EINVAL);
}

static void test_memory_map(void)
{
    struct compat_memory_map c = { .nr_entries = 8, .buffer = LIST };
    setup(true);
    v->domain->memmap_entries = 2;
    v->domain->memmap[0] = (struct hvm_memmap_table_entry){ .addr = 0, .size = 0x9f000, .type = 1 };
    v->domain->memmap[1] = (struct hvm_memmap_table_entry){ .addr = 0x100000, .size = 0x100000,
                                                            .type = 1 };
    put_guest(ARG, &c, sizeof c);
    const struct e820_entry *e = shim_guest_mem(LIST, 2 * sizeof *e);
    const struct compat_memory_map *out = shim_guest_mem(ARG, sizeof *out);
    CHECK("32-bit memory_map: buffer at offset 4, count written back",
          call(do_memory_op, XENMEM_MEMORY_MAP, ARG, 0) == 0 && out->nr_entries == 2 &&
              e[1].addr == 0x100000 && out->buffer == LIST &&
              shim_guest_bytes_are(ARG + sizeof c, 8, SHIM_FILL));
}

static void test_set_timer_op(void)
{
    setup(true);
    CHECK("32-bit set_timer_op: EBX low, ECX high",
          call(do_set_timer_op, 0x89abcdef, 0x12, 0) == 0 && v->timer_deadline == 0x1289abcdefull);
    setup(false);
    CHECK("64-bit set_timer_op: RDI whole",
          call(do_set_timer_op, 0x89abcdef, 0x12, 0) == 0 && v->timer_deadline == 0x89abcdef);
}

/* ---- the translators --------------------------------------------------------- */

static void test_runstate(void)
{
    const struct vcpu_runstate_info r = { .state = RUNSTATE_BLOCKED, .state_entry_time = 0x1122334455,
                                          .time = { 1, 2, 3, 4 } };
    setup(true);
    CHECK("compat_put_runstate writes 44 bytes", compat_put_runstate(v, true, ARG, &r) == 0 &&
          shim_guest.to_bytes == 44 && shim_guest_bytes_are(ARG + 44, 4, SHIM_FILL));
    const struct compat_vcpu_runstate_info *c = shim_guest_mem(ARG, sizeof *c);
    CHECK("state_entry_time at offset 4, time[] at 12",
          c->state == RUNSTATE_BLOCKED && c->state_entry_time == 0x1122334455 && c->time[3] == 4);
    CHECK("a 64-bit caller gets 48 bytes", compat_put_runstate(v, false, ARG, &r) == 0 &&
          shim_guest.to_bytes == 44 + 48);

    struct vcpu_register_runstate_memory_area a;
    uint32_t handle[2] = { 0x1000, 0xffffffff };
    put_guest(ARG, handle, sizeof handle);
    CHECK("runstate area: a 4-byte handle, zero-extended",
          compat_get_runstate_area(v, true, ARG, &a) == 0 && a.addr == 0x1000);
    CHECK("runstate area: 8 bytes for a 64-bit caller",
          compat_get_runstate_area(v, false, ARG, &a) == 0 && a.addr == 0xffffffff00001000ull);
}

static void test_small_ones(void)
{
    setup(true);
    struct compat_sched_poll p = { .ports = LIST, .nr_ports = 2, .timeout = 0x123456789 };
    struct sched_poll n;
    put_guest(ARG, &p, sizeof p);
    CHECK("sched_poll: timeout at offset 8",
          compat_get_sched_poll(v, true, ARG, &n) == 0 && n.ports == LIST && n.nr_ports == 2 &&
              n.timeout == 0x123456789);

    struct compat_vcpu_set_singleshot_timer t = { .timeout_abs_ns = 77, .flags = 1 };
    struct vcpu_set_singleshot_timer nt;
    put_guest(SHIM_RW_END - sizeof t, &t, sizeof t);
    CHECK("singleshot: 12 bytes (fits at the end of memory)",
          compat_get_singleshot(v, true, SHIM_RW_END - sizeof t, &nt) == 0 &&
              nt.timeout_abs_ns == 77 && nt.flags == 1);

    setup(true);
    CHECK("platform_parameters: 4 bytes for a 32-bit caller",
          call(do_xen_version, XENVER_PLATFORM_PARAMETERS, ARG, 0) == 0 &&
              shim_guest_bytes_are(ARG, 4, 0) && shim_guest_bytes_are(ARG + 4, 4, SHIM_FILL));

    struct compat_physdev_map_pirq m = { .domid = DOMID_SELF, .type = 1, .index = 9, .pirq = -1,
                                         .table_base = 0xabcdef12345 };
    struct physdev_map_pirq nm;
    put_guest(ARG, &m, sizeof m);
    CHECK("map_pirq: table_base at offset 28",
          compat_get_map_pirq(v, true, ARG, &nm) == 0 && nm.index == 9 && nm.pirq == -1 &&
              nm.table_base == 0xabcdef12345);

    uint64_t gfn;
    uint32_t list[2] = { 0xfffff, 7 };
    put_guest(LIST, list, sizeof list);
    CHECK("gfn lists: 4-byte elements", compat_get_gfn(v, true, LIST, 1, &gfn) == 0 && gfn == 7);
    CHECK("gfn lists: 8-byte elements for 64-bit",
          compat_get_gfn(v, false, LIST, 0, &gfn) == 0 && gfn == (7ull << 32 | 0xfffff));
}

static void test_gnttab(void)
{
    setup(true);
    CHECK("setup_table and copy have 32-bit sizes, the rest the 64-bit ones",
          compat_gnttab_op_size(true, GNTTABOP_setup_table) == 16 &&
              compat_gnttab_op_size(true, GNTTABOP_copy) == 24 &&
              compat_gnttab_op_size(true, GNTTABOP_map_grant_ref) == 32 &&
              compat_gnttab_op_size(false, GNTTABOP_copy) == 40);

    struct compat_gnttab_copy c = {
        .source = { .u = 0x1234, .domid = 3, .offset = 8 }, .dest = { .u = 9, .domid = 4 },
        .len = 100, .flags = GNTCOPY_dest_gref, .status = 0x55,
    };
    struct gnttab_copy n;
    put_guest(ARG, &c, sizeof c);
    CHECK("gnttab_copy widened", compat_get_gnttab_op(v, true, GNTTABOP_copy, ARG, &n) == 0 &&
          n.source.u.gmfn == 0x1234 && n.source.domid == 3 && n.source.offset == 8 &&
          n.dest.u.ref == 9 && n.len == 100 && n.flags == GNTCOPY_dest_gref);
    n.status = GNTST_bad_gntref;
    const struct compat_gnttab_copy *out = shim_guest_mem(ARG, sizeof *out);
    CHECK("gnttab_copy status back at offset 20, 24 bytes",
          compat_put_gnttab_op(v, true, GNTTABOP_copy, ARG, &n) == 0 &&
              out->status == GNTST_bad_gntref && out->source.u == 0x1234 && out->len == 100 &&
              shim_guest_bytes_are(ARG + 24, 8, SHIM_FILL));

    struct compat_gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 2, .frame_list = LIST };
    struct gnttab_setup_table ns;
    put_guest(ARG, &s, sizeof s);
    CHECK("setup_table widened", compat_get_gnttab_op(v, true, GNTTABOP_setup_table, ARG, &ns) == 0 &&
          ns.dom == DOMID_SELF && ns.nr_frames == 2 && ns.frame_list == LIST);
}

/* ---- the shared-info latch and the 32-bit layout ---------------------------------- */

static struct compat_shared_info *latched_32(void)
{
    setup(true);
    struct shared_info *si = shim_shared_info_create(v->domain);
    shinfo_latch(v);
    return (struct compat_shared_info *)si;
}

static void test_latch(void)
{
    struct compat_shared_info *c = latched_32();
    CHECK("latched 32-bit by a 32-bit vCPU", v->domain->shinfo_compat);
    CHECK("the wall clock rewritten at its 32-bit place (offset 2304), not the 64-bit one",
          c->wc_version == 2 && ((struct shared_info *)c)->wc_version == 0);
    shim_guest_compat = false;
    shinfo_latch(v);
    CHECK("a 64-bit vCPU latches 64-bit again", !v->domain->shinfo_compat &&
          ((struct shared_info *)c)->wc_version == 2);
}

static void test_events_32(void)
{
    struct compat_shared_info *c = latched_32();
    struct domain *d = v->domain;
    d->evtchn[40] = (struct evtchn){ .state = EVTCHN_UNBOUND, .vcpu = 0 };
    d->evtchn[41] = (struct evtchn){ .state = EVTCHN_UNBOUND, .vcpu = 0 };
    evtchn_set_pending(d, 40);
    CHECK("port 40: bit 8 of 32-bit word 1", c->evtchn_pending[1] == 1u << 8);
    CHECK("selector: 32 bits at offset 4, bit 1",
          c->vcpu_info[0].evtchn_pending_sel == 2 && c->vcpu_info[0].evtchn_upcall_pending == 1 &&
              v->upcall_needed);
    CHECK("evtchn_is_pending(40)", evtchn_is_pending(d, 40) && !evtchn_is_pending(d, 41));

    c->evtchn_mask[1] = 1u << 9;        /* port 41 masked, at the 32-bit mask's place */
    c->vcpu_info[0].evtchn_pending_sel = 0;
    c->vcpu_info[0].evtchn_upcall_pending = 0;
    v->upcall_needed = false;
    evtchn_set_pending(d, 41);
    CHECK("a masked port stays pending without an upcall",
          evtchn_is_pending(d, 41) && c->vcpu_info[0].evtchn_pending_sel == 0 && !v->upcall_needed);
    evtchn_unmask(d, 41);
    CHECK("unmask clears the 32-bit mask bit and delivers",
          c->evtchn_mask[1] == 0 && c->vcpu_info[0].evtchn_pending_sel == 2 && v->upcall_needed);

    d->evtchn[63] = (struct evtchn){ .state = EVTCHN_UNBOUND, .vcpu = 0 };
    evtchn_set_pending(d, 63);
    CHECK("the last port: bit 31 of word 1", c->evtchn_pending[1] == (1u << 31 | 1u << 9 | 1u << 8));
    CHECK("nothing written beyond the 32-bit words",
          c->evtchn_pending[2] == 0 && c->evtchn_mask[0] == 0 && c->wc_version == 2);
}

static void test_runstate_area_32(void)
{
    latched_32();
    v->runstate = (struct vcpu_runstate_info){ .state = RUNSTATE_RUNNING, .state_entry_time = 99 };
    v->runstate_gva = ARG;
    runstate_publish(v);
    const struct compat_vcpu_runstate_info *c = shim_guest_mem(ARG, sizeof *c);
    CHECK("the runstate area follows the latch: 44 bytes",
          c->state_entry_time == 99 && shim_guest_bytes_are(ARG + 44, 4, SHIM_FILL));
}

int main(void)
{
    test_add_to_physmap();
    test_reservation();
    test_memory_map();
    test_set_timer_op();
    test_runstate();
    test_small_ones();
    test_gnttab();
    test_latch();
    test_events_32();
    test_runstate_area_32();
    CHECK_DONE();
}
