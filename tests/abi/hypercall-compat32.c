/*
 * Family `hypercall`, 32-bit callers (docs/abi.md, "32-bit callers (compat
 * layouts)"): vCPU 2, in 32-bit protected mode with paging off, makes the
 * calls listed here (tests/abi/compat32.asm) with Xen's 32-bit structures
 * (public/compat.h), built here in the image, whose addresses are physical;
 * each is followed by all-ones guard bytes, so a hypervisor reading the
 * x86-64 layout instead sees garbage and fails the case. vCPU 0 compares
 * the results with the same calls made the 64-bit way.
 *
 * This domain is 64-bit (guest-pv wrote the hypercall page MSR in 64-bit
 * mode) and must stay so: vCPU 2 makes neither call that latches the
 * shared-info layout; the latch and the 32-bit event and clock layout are
 * the unit test test_compat's.
 */
#include <stdint.h>

#include <public/compat.h>
#include <public/grant_table.h>
#include <public/memory_op.h>
#include <public/sched_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "abi.h"
#include "clock.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"

#define F "hypercall"
#define COMPAT32_VCPU 2
#define UNBACKED32 0xfffff000u         /* no domain's RAM: a bad 32-bit pointer */
#define GUARD 0xff

/* The call table compat32.asm runs: EAX, EBX, ECX, EDX, ESI, EDI in, EAX out. */
struct compat32_call {
    uint32_t nr, arg[5], result;
};
extern volatile struct compat32_call abi_compat32_calls[];
extern volatile uint32_t abi_compat32_ncalls;
extern volatile struct vcpu_runstate_info abi_compat32_runstate;     /* 48 bytes of GUARD */
#define COMPAT32_MAX_CALLS 32          /* MAX_CALLS in compat32.asm */

/* The structures vCPU 2 passes, each placed with GUARD bytes after it. */
static uint8_t pool[PAGE_SIZE] __attribute__((aligned(8)));
static size_t pool_used;
/* The page given back and populated again from 32-bit mode. */
static uint8_t balloon32[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void *place(const void *s, size_t len)
{
    uint8_t *p = pool + pool_used;
    memcpy(p, s, len);
    pool_used += (len + 8 + 7) & ~7ul;          /* at least 8 guard bytes */
    return p;
}

static uint32_t addr32(const volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static unsigned ncalls;
static unsigned add_call(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2)
{
    if (ncalls == COMPAT32_MAX_CALLS)       /* compat32.asm's table is full */
        return ncalls - 1;
    abi_compat32_calls[ncalls] = (struct compat32_call){ nr, { a0, a1, a2 }, 0xdeadbeef };
    return ncalls++;
}

static long result(unsigned i)
{
    return (int32_t)abi_compat32_calls[i].result;
}

static long reservation(domid_t dom)
{
    uint16_t d = dom;
    return hypercall3(HYPERCALL_MEMORY_OP, XENMEM_CURRENT_RESERVATION, (uintptr_t)&d, 0);
}

/* What the cases expect, from the same calls the 64-bit way. */
static struct {
    long reservation;
    uint32_t wc_sec;
    uint32_t map_count;
    struct e820_entry map[8];
    int16_t setup_status;
    uint64_t frame0;
    uint32_t nr_frames;
} want;

/* The indices of each case's call in the table. */
static struct {
    unsigned atp, atp_idx1, atp_bad, dec, pop, dec_pad, pop_bad, map, setup, setup_bad_dom,
        query, poll, poll_many, poll_bad, pp, rs_reg, rs_none;
} at;

static struct compat_memory_map *map32;
static struct compat_gnttab_setup_table *setup32, *setup_bad32;
static uint32_t *frames32;
static struct gnttab_query_size *query32;      /* one layout for both */
static uint32_t *pp32, *rs_area32;

static void expectations(void)
{
    struct xen_memory_map mm = { .nr_entries = 8, .buffer = (uintptr_t)want.map };
    uint64_t frame = ~0ull;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1,
                                     .frame_list = (uintptr_t)&frame };
    struct gnttab_query_size qs = { .dom = DOMID_SELF };

    want.reservation = reservation(DOMID_SELF);
    want.wc_sec = READ_ONCE(shared_info->wc_sec);
    if (hypercall3(HYPERCALL_MEMORY_OP, XENMEM_MEMORY_MAP, (uintptr_t)&mm, 0) == 0)
        want.map_count = mm.nr_entries;
    hypercall3(HYPERCALL_GRANT_TABLE_OP, GNTTABOP_setup_table, (uintptr_t)&st, 1);
    /* A frame no 32-bit GFN can name is Xen's GNTST_address_too_big. */
    want.setup_status = st.status == GNTST_okay && frame > UINT32_MAX ? GNTST_address_too_big
                                                                      : st.status;
    want.frame0 = frame;
    hypercall3(HYPERCALL_GRANT_TABLE_OP, GNTTABOP_query_size, (uintptr_t)&qs, 1);
    want.nr_frames = qs.nr_frames;
}

void abi_compat32_prepare(void)
{
    uint32_t page = addr32(balloon32) / PAGE_SIZE;
    uint32_t port = 1;

    memset(pool, GUARD, sizeof pool);
    pool_used = ncalls = 0;
    expectations();
    balloon32[0] = 0xab;

    struct compat_add_to_physmap atp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_SHARED_INFO, .idx = 0,
        .gpfn = (uint32_t)((uintptr_t)shared_info / PAGE_SIZE),
    };
    at.atp = add_call(HYPERCALL_MEMORY_OP, XENMEM_ADD_TO_PHYSMAP, addr32(place(&atp, sizeof atp)), 0);
    atp.idx = 1;
    at.atp_idx1 = add_call(HYPERCALL_MEMORY_OP, XENMEM_ADD_TO_PHYSMAP,
                           addr32(place(&atp, sizeof atp)), 0);
    at.atp_bad = add_call(HYPERCALL_MEMORY_OP, XENMEM_ADD_TO_PHYSMAP, UNBACKED32, 0);

    uint32_t *list = place(&page, sizeof page);
    struct compat_memory_reservation r = {
        .extent_start = addr32(list), .nr_extents = 1, .domid = DOMID_SELF,
    };
    at.dec = add_call(HYPERCALL_MEMORY_OP, XENMEM_DECREASE_RESERVATION, addr32(place(&r, sizeof r)), 0);
    at.pop = add_call(HYPERCALL_MEMORY_OP, XENMEM_POPULATE_PHYSMAP, addr32(place(&r, sizeof r)), 0);
    r.pad = 1;
    at.dec_pad = add_call(HYPERCALL_MEMORY_OP, XENMEM_DECREASE_RESERVATION,
                          addr32(place(&r, sizeof r)), 0);
    r.pad = 0;
    r.extent_start = UNBACKED32;
    at.pop_bad = add_call(HYPERCALL_MEMORY_OP, XENMEM_POPULATE_PHYSMAP,
                          addr32(place(&r, sizeof r)), 0);

    static struct e820_entry map_buf[8];
    memset(map_buf, GUARD, sizeof map_buf);
    struct compat_memory_map mm = { .nr_entries = 8, .buffer = addr32(map_buf) };
    map32 = place(&mm, sizeof mm);
    at.map = add_call(HYPERCALL_MEMORY_OP, XENMEM_MEMORY_MAP, addr32(map32), 0);

    uint32_t two_guards[2] = { ~0u, ~0u };
    frames32 = place(two_guards, sizeof two_guards);
    struct compat_gnttab_setup_table st = {
        .dom = DOMID_SELF, .nr_frames = 1, .status = 0x7777, .frame_list = addr32(frames32),
    };
    setup32 = place(&st, sizeof st);
    at.setup = add_call(HYPERCALL_GRANT_TABLE_OP, GNTTABOP_setup_table, addr32(setup32), 1);
    st.dom = abi.absent;
    setup_bad32 = place(&st, sizeof st);
    at.setup_bad_dom = add_call(HYPERCALL_GRANT_TABLE_OP, GNTTABOP_setup_table,
                                addr32(setup_bad32), 1);
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    query32 = place(&qs, sizeof qs);
    at.query = add_call(HYPERCALL_GRANT_TABLE_OP, GNTTABOP_query_size, addr32(query32), 1);

    uint32_t *ports = place(&port, sizeof port);
    struct compat_sched_poll poll = { .ports = addr32(ports), .nr_ports = 1, .timeout = 1 };
    at.poll = add_call(HYPERCALL_SCHED_OP, SCHEDOP_POLL, addr32(place(&poll, sizeof poll)), 0);
    poll.nr_ports = SCHED_POLL_MAX_PORTS + 1;
    at.poll_many = add_call(HYPERCALL_SCHED_OP, SCHEDOP_POLL, addr32(place(&poll, sizeof poll)), 0);
    poll.nr_ports = 1;
    poll.ports = UNBACKED32;
    at.poll_bad = add_call(HYPERCALL_SCHED_OP, SCHEDOP_POLL, addr32(place(&poll, sizeof poll)), 0);

    pp32 = place(two_guards, sizeof two_guards);
    at.pp = add_call(HYPERCALL_XEN_VERSION, XENVER_PLATFORM_PARAMETERS, addr32(pp32), 0);

    static uint8_t rs_area[48];
    memset(rs_area, GUARD, sizeof rs_area);
    rs_area32 = (uint32_t *)rs_area;
    struct compat_vcpu_register_runstate_memory_area ra = { addr32(rs_area) };
    at.rs_reg = add_call(HYPERCALL_VCPU_OP, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, COMPAT32_VCPU,
                         addr32(place(&ra, sizeof ra)));
    ra.addr = 0;
    at.rs_none = add_call(HYPERCALL_VCPU_OP, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, COMPAT32_VCPU,
                          addr32(place(&ra, sizeof ra)));
    abi_compat32_ncalls = ncalls;
}

static bool all_guard(const volatile void *p, size_t len)
{
    const volatile uint8_t *b = p;
    for (size_t i = 0; i < len; i++)
        if (b[i] != GUARD)
            return false;
    return true;
}

static void check_memory_op(void)
{
    abi_expect(F, "compat32-add_to_physmap-shared_info", result(at.atp), 0);
    abi_expect(F, "compat32-add_to_physmap-shared_info-contents", READ_ONCE(shared_info->wc_sec),
               want.wc_sec);
    abi_expect(F, "compat32-add_to_physmap-idx-1", result(at.atp_idx1), -XEN_EINVAL);
    abi_expect(F, "compat32-add_to_physmap-badptr", result(at.atp_bad), -XEN_EFAULT);
    abi_expect(F, "compat32-decrease_reservation", result(at.dec), abi_priv(-XEN_EOPNOTSUPP, 1));
    abi_expect(F, "compat32-populate_physmap", result(at.pop), abi_priv(0, 1));
    abi_expect(F, "compat32-populate_physmap-zeroed", balloon32[0], abi_priv(0xab, 0));
    abi_expect(F, "compat32-reservation-unchanged", reservation(DOMID_SELF), want.reservation);
    abi_expect(F, "compat32-decrease_reservation-bad-pad", result(at.dec_pad), -XEN_EINVAL);
    abi_expect(F, "compat32-populate_physmap-badptr-extents", result(at.pop_bad), -XEN_EFAULT);
    abi_expect(F, "compat32-memory_map", result(at.map), 0);
    abi_expect(F, "compat32-memory_map-count", map32->nr_entries, want.map_count);
    const struct e820_entry *got = (const struct e820_entry *)(uintptr_t)map32->buffer;
    abi_check(F, "compat32-memory_map-entries",
              want.map_count && memcmp(got, want.map, want.map_count * sizeof *got) == 0,
              "entries", want.map_count);
}

static void check_grant_and_sched(void)
{
    abi_expect(F, "compat32-setup_table", result(at.setup), 0);
    abi_expect(F, "compat32-setup_table-status", setup32->status, want.setup_status);
    if (want.setup_status == GNTST_okay)
        abi_expect(F, "compat32-setup_table-frame", frames32[0], (long)want.frame0);
    else    /* Xen stops at the frame it cannot name: nothing written */
        abi_expect(F, "compat32-setup_table-frame", frames32[0], 0xffffffff);
    abi_expect(F, "compat32-setup_table-4-byte-frames", frames32[1], 0xffffffff);
    abi_expect(F, "compat32-setup_table-bad-domain", setup_bad32->status, GNTST_bad_domain);
    abi_expect(F, "compat32-query_size", result(at.query), 0);
    abi_expect(F, "compat32-query_size-frames", query32->nr_frames, want.nr_frames);
    abi_expect(F, "compat32-poll-timeout-past", result(at.poll), 0);
    abi_expect(F, "compat32-poll-too-many-ports", result(at.poll_many), -XEN_EINVAL);
    abi_expect(F, "compat32-poll-badptr-ports", result(at.poll_bad), -XEN_EFAULT);
    abi_expect(F, "compat32-platform_parameters", result(at.pp), 0);
    abi_check(F, "compat32-platform_parameters-4-bytes", pp32[0] == 0 && pp32[1] == 0xffffffff,
              "second word", pp32[1]);
}

static void check_vcpu_op(void)
{
    struct compat_vcpu_runstate_info r;
    uint64_t now = clock_now_ns();

    const volatile uint8_t *bytes = (const volatile uint8_t *)&abi_compat32_runstate;

    memcpy(&r, (const void *)bytes, sizeof r);
    abi_check(F, "compat32-get_runstate_info-layout",
              r.state == RUNSTATE_RUNNING && r.state_entry_time && r.state_entry_time <= now &&
                  all_guard(bytes + sizeof r, sizeof abi_compat32_runstate - sizeof r),
              "state_entry_time at offset 4", (long)r.state_entry_time);
    abi_expect(F, "compat32-register_runstate", result(at.rs_reg), 0);
    abi_check(F, "compat32-register_runstate-written",
              rs_area32[0] == RUNSTATE_RUNNING || rs_area32[0] == RUNSTATE_RUNNABLE, "state",
              rs_area32[0]);
    abi_expect(F, "compat32-register_runstate-none", result(at.rs_none), 0);
}

void abi_compat32_check(void)
{
    if (!abi_check(F, "compat32-calls-made", abi_compat32_ncalls == 0, "left",
                   abi_compat32_ncalls))
        return;
    check_memory_op();
    check_grant_and_sched();
    check_vcpu_op();
}

_Static_assert(sizeof(struct compat32_call) == 28, "compat32.asm's CALL_SIZE");
