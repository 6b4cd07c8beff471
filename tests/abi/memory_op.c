/*
 * Family `memory_op` (docs/abi.md, "12 memory_op"): the caller's RAM size
 * and reservations (its own, dom0 also another domain's), moving the
 * shared-info page and back (one RAM page is given up for good), mapping a
 * grant-table frame, the memory map, a page given back and populated
 * again (ballooning); errors, bad pointers, foreign domains.
 */
#include <stdint.h>

#include <public/memory_op.h>
#include <public/shared_info.h>

#include "abi.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"

#define F "memory_op"
#define GPFN_LIMIT (1ull << 36)
#define MAP_ENTRIES 8
#define START_INFO_GFN 0x9f    /* a domU's start-of-day page, in its reserved hole */

/* The page shared info moves to, then away from: a hole afterwards, never touched again. */
static union {
    struct shared_info info;
    uint8_t bytes[PAGE_SIZE];
} spare __attribute__((aligned(PAGE_SIZE)));

/* The page ballooned out and back in: nothing else ever uses it. */
static uint8_t balloon_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long call(unsigned long cmd, uint64_t arg)
{
    return hypercall3(HYPERCALL_MEMORY_OP, cmd, arg, 0);
}

static long reservation(unsigned long cmd, domid_t dom)
{
    uint16_t d = dom;

    return call(cmd, (uintptr_t)&d);
}

static long add_to_physmap(domid_t dom, uint32_t space, uint64_t idx, uint64_t gpfn)
{
    struct xen_add_to_physmap req = { .domid = dom, .space = space, .idx = idx, .gpfn = gpfn };

    return call(XENMEM_ADD_TO_PHYSMAP, (uintptr_t)&req);
}

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;
}

/* The end of the highest range of the start-info map (dom0's may end with
 * its start-info page, which is backed like RAM). */
static uint64_t start_info_ram_end(void)
{
    const struct hvm_start_info *si = abi.env->si;
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    uint64_t end = 0;

    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (map[i].addr + map[i].size > end)
            end = map[i].addr + map[i].size;
    return end;
}

static long reservation_badptr(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr);
}

static void reservation_cases(void)
{
    static const unsigned long cmds[] = { XENMEM_CURRENT_RESERVATION, XENMEM_MAXIMUM_RESERVATION };
    long max = reservation(XENMEM_MAXIMUM_RESERVATION, DOMID_SELF);
    long cur = reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF);
    long table = grant_entries() / GRANT_ENTRIES_PER_FRAME;
    uint16_t self = DOMID_SELF;

    abi_expect(F, "maximum_ram_page", call(XENMEM_MAXIMUM_RAM_PAGE, 0),
               (long)(start_info_ram_end() / PAGE_SIZE) - 1);
    abi_expect(F, "maximum_ram_page-ignores-arg", call(XENMEM_MAXIMUM_RAM_PAGE, ABI_NONCANONICAL),
               (long)(abi.ram_end / PAGE_SIZE) - 1);
    abi_expect(F, "maximum_reservation", max, (long)abi.ram_pages);
    /* Shared info and each grant-table frame replaced one RAM page each. */
    abi_expect(F, "current_reservation", cur, max - 1 - table);

    abi_expect(F, "current_reservation-own-id", reservation(cmds[0], abi.self), cur);
    abi_expect(F, "maximum_reservation-own-id", reservation(cmds[1], abi.self), max);
    /* dom0 may look at others; a domU may not, nor probe which ids exist. */
    if (abi.privileged) {
        abi_check(F, "current_reservation-peer", reservation(cmds[0], abi.peer) > 0, "pages",
                  reservation(cmds[0], abi.peer));
        abi_check(F, "maximum_reservation-peer", reservation(cmds[1], abi.peer) > 0, "pages",
                  reservation(cmds[1], abi.peer));
    } else {
        abi_expect(F, "current_reservation-peer", reservation(cmds[0], abi.peer), -XEN_EPERM);
        abi_expect(F, "maximum_reservation-peer", reservation(cmds[1], abi.peer), -XEN_EPERM);
    }
    abi_expect(F, "current_reservation-absent", reservation(cmds[0], abi.absent),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "maximum_reservation-absent", reservation(cmds[1], abi.absent),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "current_reservation-gone", reservation(cmds[0], abi.gone),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "maximum_reservation-gone", reservation(cmds[1], abi.gone),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_badptr_cases(F, "current_reservation", false, &self, sizeof self, reservation_badptr,
                     (void *)&cmds[0], -XEN_EFAULT);
    abi_badptr_cases(F, "maximum_reservation", false, &self, sizeof self, reservation_badptr,
                     (void *)&cmds[1], -XEN_EFAULT);
}

static long extents(unsigned long cmd, domid_t dom, uint64_t gpfn, uint32_t order)
{
    struct xen_memory_reservation r = {
        .extent_start = (uintptr_t)&gpfn, .nr_extents = 1, .extent_order = order, .domid = dom,
    };

    return call(cmd, (uintptr_t)&r);
}

static long decrease_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return call(XENMEM_DECREASE_RESERVATION, addr);
}

/*
 * Out of the balloon_page and back: Xen's balloon driver's two calls. dom0
 * keeps its RAM (identity-mapped for its devices' DMA): each of its own
 * pages is -EOPNOTSUPP, and it may name the peer (whose start-of-day page,
 * not RAM, is refused harmlessly).
 */
static void balloon_cases(void)
{
    const unsigned long dec = XENMEM_DECREASE_RESERVATION;
    const long own = abi_priv(-XEN_EOPNOTSUPP, 0);  /* one of our pages that cannot go */
    uint64_t page = gfn_of(balloon_page);
    uint64_t start_page = (uintptr_t)abi.env->si / PAGE_SIZE;
    long cur = reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF);
    struct xen_memory_reservation none = { .domid = DOMID_SELF };

    balloon_page[0] = 0xab;
    abi_expect(F, "decrease_reservation", extents(dec, DOMID_SELF, page, 0),
               abi_priv(-XEN_EOPNOTSUPP, 1));
    abi_expect(F, "decrease_reservation-drops-current",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), abi_priv(cur, cur - 1));
    abi_expect(F, "decrease_reservation-not-there", extents(dec, abi.self, page, 0), own);
    /* dom0's page is still there, so it populates nothing. */
    abi_expect(F, "populate_physmap-ballooned-page",
               extents(XENMEM_POPULATE_PHYSMAP, DOMID_SELF, page, 0), abi_priv(0, 1));
    abi_expect(F, "populate_physmap-ballooned-page-zeroed", balloon_page[0], abi_priv(0xab, 0));
    abi_expect(F, "populate_physmap-ballooned-page-counted",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), cur);
    abi_expect(F, "populate_physmap-already-there",
               extents(XENMEM_POPULATE_PHYSMAP, DOMID_SELF, page, 0), 0);
    /* increase_reservation is populate_physmap on Mica (docs/abi.md). */
    balloon_page[0] = 0xcd;
    abi_expect(F, "increase_reservation-decreased-again", extents(dec, DOMID_SELF, page, 0),
               abi_priv(-XEN_EOPNOTSUPP, 1));
    abi_expect(F, "increase_reservation-ballooned-page",
               extents(XENMEM_INCREASE_RESERVATION, DOMID_SELF, page, 0), abi_priv(0, 1));
    abi_expect(F, "increase_reservation-page-zeroed", balloon_page[0], abi_priv(0xcd, 0));
    abi_expect(F, "increase_reservation-counted",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), cur);
    abi_expect(F, "increase_reservation-already-there",
               extents(XENMEM_INCREASE_RESERVATION, DOMID_SELF, page, 0), 0);
    abi_expect(F, "increase_reservation-beyond-its-ram",
               extents(XENMEM_INCREASE_RESERVATION, DOMID_SELF, abi.ram_end / PAGE_SIZE, 0), 0);
    abi_expect(F, "increase_reservation-order-too-big",
               extents(XENMEM_INCREASE_RESERVATION, DOMID_SELF, 0, MICA_POPULATE_MAX_ORDER + 1),
               -XEN_EINVAL);
    abi_expect(F, "increase_reservation-absent",
               extents(XENMEM_INCREASE_RESERVATION, abi.absent, page, 0),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    /* Not its RAM: the start-of-day page, shared info, past its RAM. */
    abi_expect(F, "decrease_reservation-start-of-day-page", extents(dec, DOMID_SELF, start_page, 0),
               own);
    abi_expect(F, "decrease_reservation-shared-info",
               extents(dec, DOMID_SELF, gfn_of(shared_info), 0), own);
    abi_expect(F, "decrease_reservation-beyond-its-ram",
               extents(dec, DOMID_SELF, abi.ram_end / PAGE_SIZE, 0), own);
    abi_expect(F, "decrease_reservation-misaligned-extent", extents(dec, DOMID_SELF, page | 1, 1),
               own);
    abi_expect(F, "decrease_reservation-order-too-big",
               extents(dec, DOMID_SELF, 0, MICA_POPULATE_MAX_ORDER + 1), -XEN_EINVAL);
    abi_expect(F, "decrease_reservation-peer", extents(dec, abi.peer, START_INFO_GFN, 0),
               abi_priv(0, -XEN_EPERM));
    abi_expect(F, "decrease_reservation-absent", extents(dec, abi.absent, page, 0),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "decrease_reservation-gone", extents(dec, abi.gone, page, 0),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_badptr_cases(F, "decrease_reservation", false, &none, sizeof none, decrease_badptr, NULL,
                     -XEN_EFAULT);
    abi_expect(F, "decrease_reservation-nothing-lost",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), cur);
}

static long physmap_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return call(XENMEM_ADD_TO_PHYSMAP, addr);
}

/* Shared info to `spare` and back to where guest-pv keeps it. */
static void shared_info_cases(void)
{
    struct shared_info *home = shared_info;
    uint64_t home_gfn = gfn_of(home);
    long before = reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), rc;
    uint32_t wc_sec = READ_ONCE(home->wc_sec);
    const struct xen_add_to_physmap ok = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_SHARED_INFO, .idx = 0, .gpfn = home_gfn,
    };

    /* Refusals first: each must leave the page where it is. */
    abi_expect(F, "add_to_physmap-shared_info-idx-1",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 1, gfn_of(&spare)), -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-gpfn-too-big",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, GPFN_LIMIT), -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-gpfn-max",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, ~0ull), -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-over-grant-mapping",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, abi_map_addr(0) / PAGE_SIZE),
               -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-bad-space-2",
               add_to_physmap(DOMID_SELF, 2, 0, gfn_of(&spare)), -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-bad-space-max",
               add_to_physmap(DOMID_SELF, 0xffffffff, 0, gfn_of(&spare)), -XEN_EINVAL);
    /* No foreign mappings: dom0 gets -EINVAL, a domU is refused first. */
    abi_expect(F, "add_to_physmap-foreign-peer",
               add_to_physmap(abi.peer, XENMAPSPACE_SHARED_INFO, 0, gfn_of(&spare)),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_expect(F, "add_to_physmap-foreign-absent",
               add_to_physmap(abi.absent, XENMAPSPACE_SHARED_INFO, 0, gfn_of(&spare)),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_badptr_cases(F, "add_to_physmap", false, &ok, sizeof ok, physmap_badptr, NULL,
                     -XEN_EFAULT);
    abi_expect(F, "add_to_physmap-refusals-change-nothing",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), before);
    abi_expect(F, "add_to_physmap-same-place",
               add_to_physmap(abi.self, XENMAPSPACE_SHARED_INFO, 0, home_gfn), 0);
    abi_expect(F, "add_to_physmap-same-place-keeps-ram",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), before);

    /* Move it over a RAM page: that page is given up, the old place empties. */
    rc = add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, gfn_of(&spare));
    if (!abi_expect(F, "add_to_physmap-shared_info", rc, 0))
        return;
    shared_info = &spare.info;
    abi_expect(F, "add_to_physmap-shared_info-contents", READ_ONCE(spare.info.wc_sec), wc_sec);
    abi_expect(F, "add_to_physmap-shared_info-frees-ram",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), before - 1);
    /* Back to its old place, now empty (no RAM there to give up). */
    rc = add_to_physmap(DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, home_gfn);
    if (rc == 0)
        shared_info = home;
    abi_expect(F, "add_to_physmap-shared_info-back", rc, 0);
    abi_expect(F, "add_to_physmap-shared_info-back-contents", READ_ONCE(home->wc_sec), wc_sec);
    abi_expect(F, "add_to_physmap-into-empty-keeps-ram",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), before - 1);
}

static void grant_frame_cases(void)
{
    long before = reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF);
    struct gnttab_query_size qs = { .dom = DOMID_SELF };

    abi_expect(F, "add_to_physmap-grant-idx-4",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_GRANT_TABLE, GRANT_MAX_FRAMES,
                              gfn_of(&spare)),
               -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-grant-status-frame",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_GRANT_TABLE, XENMAPIDX_grant_table_status,
                              gfn_of(&spare)), -XEN_EINVAL);
    abi_expect(F, "add_to_physmap-grant-gpfn-too-big",
               add_to_physmap(DOMID_SELF, XENMAPSPACE_GRANT_TABLE, 1, GPFN_LIMIT), -XEN_EINVAL);
    /* guest-pv's grant.c maps frame 1 over a .bss page of its table. */
    abi_check(F, "add_to_physmap-grant_table", grant_init(2), "grant_init(2)", 0);
    hyp_grant_table_op(GNTTABOP_query_size, (uintptr_t)&qs, 1);
    abi_expect(F, "add_to_physmap-grant_table-grows", qs.nr_frames, 2);
    abi_expect(F, "add_to_physmap-grant_table-frees-ram",
               reservation(XENMEM_CURRENT_RESERVATION, DOMID_SELF), before - 1);
}

static bool map_matches(const struct e820_entry *e, uint32_t n)
{
    const struct hvm_start_info *si = abi.env->si;
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;

    if (n > si->memmap_entries)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (e[i].addr != map[i].addr || e[i].size != map[i].size || e[i].type != map[i].type)
            return false;
    return true;
}

static struct e820_entry e820[MAP_ENTRIES];

static long memory_map(uint32_t capacity, uint64_t buffer, uint32_t *written)
{
    struct xen_memory_map mm = { .nr_entries = capacity, .buffer = buffer };
    long rc = call(XENMEM_MEMORY_MAP, (uintptr_t)&mm);

    *written = mm.nr_entries;
    return rc;
}

static long map_arg_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return call(XENMEM_MEMORY_MAP, addr);
}

static long map_buffer_badptr(uint64_t addr, void *ctx)
{
    uint32_t written;
    long rc = memory_map(MAP_ENTRIES, addr, &written);

    *(uint32_t *)ctx = written;
    return rc;
}

static void memory_map_cases(void)
{
    uint32_t n = abi.env->si->memmap_entries, got;
    struct xen_memory_map ok = { .nr_entries = MAP_ENTRIES, .buffer = (uintptr_t)e820 };
    long rc;

    memset(e820, 0xA5, sizeof e820);
    rc = memory_map(MAP_ENTRIES, (uintptr_t)e820, &got);
    /* A domU's map is RAM, hole, RAM; dom0's its identity-mapped runs from
     * 1 MiB and its start-info page (docs/devices.md). */
    bool layout = abi.privileged ? n >= 2 && e820[0].addr == 0x100000 : n == 3;
    abi_check(F, "memory_map", rc == 0 && got == n && layout && map_matches(e820, got),
              "rc, or entries differ from the start info; count", rc ? rc : got);
    memset(e820, 0xA5, sizeof e820);
    rc = memory_map(1, (uintptr_t)e820, &got);
    abi_check(F, "memory_map-short", rc == 0 && got == 1 && map_matches(e820, 1) &&
                                         e820[1].type == 0xA5A5A5A5u,
              "rc or count", rc ? rc : got);
    rc = memory_map(0, ABI_NONCANONICAL, &got);
    abi_check(F, "memory_map-zero", rc == 0 && got == 0, "rc or count", rc ? rc : got);
    rc = memory_map(0xffffffff, (uintptr_t)e820, &got);
    abi_check(F, "memory_map-capacity-max", rc == 0 && got == n, "rc or count", rc ? rc : got);
    abi_badptr_cases(F, "memory_map", true, &ok, sizeof ok, map_arg_badptr, NULL, -XEN_EFAULT);
    got = 0x5A5A;
    abi_badptr_cases(F, "memory_map-buffer", true, NULL, n * sizeof(struct e820_entry),
                     map_buffer_badptr, &got, -XEN_EFAULT);
    /* The count is written after the entries: a failed call leaves it alone. */
    abi_expect(F, "memory_map-buffer-badptr-count-unchanged", got, MAP_ENTRIES);
}

void abi_memory_op_cases(void)
{
    reservation_cases();
    balloon_cases();
    shared_info_cases();
    grant_frame_cases();
    memory_map_cases();
    abi_expect(F, "unknown-cmd-5", call(5, (uintptr_t)e820), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-8", call(8, (uintptr_t)e820), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, (uintptr_t)e820), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits",
               call((1ul << 32) | XENMEM_MAXIMUM_RAM_PAGE, 0), -XEN_ENOSYS);
}
