/*
 * Hostile domains that use up their per-domain tables (see test_hostile.h).
 *
 * test=exhaust-evtchn allocates ports (unbound, IPI, loopback pair in turn)
 * until refused, which must be -ENOSPC once every free port is taken; while
 * the table is full, bind_virq must get -ENOSPC, a bad remote domain still
 * -ESRCH (checked first) and our timer must still work. Then it closes them
 * all, and again, for `seconds=` (default 2): every round must get the same
 * number (nothing leaked). It shuts down holding the last round's ports.
 *
 * test=exhaust-grants grows its grant table to the 4 frames allowed (a
 * fifth is refused) and grants one page of its own to itself from every
 * entry; maps those grants until its maptrack is full (1024, then
 * GNTST_no_device_space), checks the mappings, unmaps them and maps them
 * again (nothing leaked). Then it maps and unmaps at ever new 2 MiB regions
 * of its physmap, each of which needs a new EPT page table: the hypervisor
 * must refuse (GNTST_general_error) once the domain's share of page tables
 * is used up, while regions in use before still map. It shuts down with
 * 1024 grants mapped.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/memory_op.h>

#include "clock.h"
#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "test_hostile.h"
#include "timer.h"

#define PORTS         64                    /* docs/abi.md: ports 1..63 exist */
#define NO_SUCH_DOMID 0x7fe0                /* below DOMID_SELF, never a domain */
#define TIMER_PROBE   (20 * NSEC_PER_MSEC)
#define MAP_BASE      0xC0000000ull         /* above our RAM, inside our identity map */
#define FRESH_BASE    (1ull << 40)          /* far from everything else in the physmap */
#define FRESH_STEP    (2ull << 20)          /* one EPT page table covers 2 MiB */
#define FRESH_MAX     8192u                 /* 32 MiB of page tables, were nothing to stop it */
#define GRANT_ENTRIES (GRANT_MAX_FRAMES * GRANT_ENTRIES_PER_FRAME)
/* Our own grants: the entries below are the builder's (docs/abi.md, "The xenstore ring"). */
#define FIRST_REF     GNTTAB_NR_RESERVED_ENTRIES

/* ---- exhaust-evtchn ------------------------------------------------------ */

static uint32_t held[PORTS];

static long alloc_unbound_raw(uint16_t remote)
{
    struct evtchn_alloc_unbound r = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&r);

    return rc < 0 ? rc : (long)r.port;
}

static long bind_ipi_raw(void)
{
    struct evtchn_bind_ipi r = { .vcpu = 0 };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_IPI, (unsigned long)&r);

    return rc < 0 ? rc : (long)r.port;
}

static long bind_loopback_raw(uint32_t port)
{
    struct evtchn_bind_interdomain r = { .remote_dom = DOMID_SELF, .remote_port = port };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_INTERDOMAIN, (unsigned long)&r);

    return rc < 0 ? rc : (long)r.local_port;
}

/* Allocate (masked: no upcalls) until refused; the refusal, or 1 if none came. */
static long fill_ports(unsigned int *n)
{
    *n = 0;
    for (unsigned int kind = 0; *n < PORTS; kind++) {
        long rc;

        switch (kind % 3) {
        case 0:
            rc = alloc_unbound_raw(DOMID_SELF);
            break;
        case 1:
            rc = bind_ipi_raw();
            break;
        default:
            rc = alloc_unbound_raw(DOMID_SELF);
            if (rc > 0) {
                held[(*n)++] = (uint32_t)rc;
                rc = bind_loopback_raw((uint32_t)rc);
            }
            break;
        }
        if (rc <= 0)
            return rc;
        held[(*n)++] = (uint32_t)rc;
    }
    return 1;
}

static unsigned int ports_in_use(void)
{
    unsigned int n = 0;

    for (uint32_t p = 1; p < PORTS; p++)
        n += evtchn_port_status(p) != EVTCHNSTAT_closed;
    return n;
}

/* Close them all; how many closes failed or left a port open. */
static unsigned int close_ports(unsigned int n, long *got)
{
    unsigned int bad = 0;

    for (unsigned int i = 0; i < n; i++) {
        long rc = evtchn_close(held[i]);

        if (rc != 0) {
            bad++;
            *got = rc;
        }
    }
    for (unsigned int i = 0; i < n; i++) {
        long st = evtchn_port_status(held[i]);

        if (st != EVTCHNSTAT_closed) {
            bad++;
            *got = st;
        }
    }
    return bad;
}

/* With the table full: the calls that need no port still work, and the order of checks holds. */
static void while_full(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    long rc = hyp_event_channel_op(EVTCHNOP_BIND_VIRQ, (unsigned long)&bv);
    uint64_t t0;

    hostile_report(rc == -XEN_ENOSPC, "bind_virq-refused-with-ENOSPC", rc);
    rc = alloc_unbound_raw(NO_SUCH_DOMID);
    hostile_report(rc == -XEN_ESRCH, "bad-remote-domain-still-ESRCH", rc);
    t0 = clock_now_ns();
    sleep_ns(TIMER_PROBE);
    hostile_report(clock_now_ns() - t0 >= TIMER_PROBE, "timer-works-with-table-full", 0);
}

void test_exhaust_evtchn(const struct guest_env *env)
{
    uint64_t end = hostile_deadline(env, 2);
    unsigned int before = ports_in_use(), first = 0, n, rounds = 0, bad_close = 0, changed = 0;
    long bad_refusal = -XEN_ENOSPC, got_close = 0, changed_n = 0;

    for (;;) {
        long refusal = fill_ports(&n);

        if (refusal != -XEN_ENOSPC)
            bad_refusal = refusal;
        if (rounds == 0) {
            first = n;
            hostile_report(before + n == PORTS - 1, "every-free-port-allocated", (long)(before + n));
            while_full();
        } else if (n != first) {
            changed++;
            changed_n = n;
        }
        if (++rounds >= 2 && clock_now_ns() >= end)
            break;              /* we shut down holding these */
        bad_close += close_ports(n, &got_close);
    }
    printk("exhaust-evtchn: %s %u ports a round (%u in use before), %u rounds\n", env->name,
           first, before, rounds);
    hostile_report(bad_refusal == -XEN_ENOSPC, "refused-with-ENOSPC", bad_refusal);
    hostile_report(bad_close == 0, "all-closed", got_close);
    hostile_report(changed == 0, "same-count-every-round", changed_n);
    printk("exhaust-evtchn: %s shuts down holding %u ports\n", env->name, n);
}

/* ---- exhaust-grants ------------------------------------------------------ */

static uint8_t granted_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct gnttab_map_grant_ref map_ops[GRANT_MAX_OPS];
static struct gnttab_unmap_grant_ref unmap_ops[GRANT_MAX_OPS];

struct mapping {
    uint64_t gpa;
    grant_handle_t handle;
};
static struct mapping maps[GRANT_MAX_MAPTRACK];
static unsigned int nr_maps;

/*
 * Map `n` grants at base + i * step: ref i, or ref 0 for all if `same_ref`.
 * Returns how many mapped; *refusal is the first failure's status
 * (GNTST_okay if none), after which nothing more is tried.
 */
static unsigned int map_many(domid_t me, unsigned int n, uint64_t base, uint64_t step,
                             bool same_ref, int16_t *refusal)
{
    unsigned int mapped = 0;

    *refusal = GNTST_okay;
    for (unsigned int first = 0; first < n; first += GRANT_MAX_OPS) {
        unsigned int k = n - first < GRANT_MAX_OPS ? n - first : GRANT_MAX_OPS;

        for (unsigned int i = 0; i < k; i++)
            map_ops[i] = (struct gnttab_map_grant_ref){
                .host_addr = base + (uint64_t)(first + i) * step,
                .flags = GNTMAP_host_map,
                .ref = FIRST_REF + (same_ref ? 0 : first + i),
                .dom = me,
            };
        if (grant_op(GNTTABOP_map_grant_ref, map_ops, k) < 0) {
            *refusal = GNTST_general_error;
            return mapped;
        }
        for (unsigned int i = 0; i < k; i++) {
            if (map_ops[i].status != GNTST_okay) {
                if (*refusal == GNTST_okay)
                    *refusal = map_ops[i].status;
                continue;
            }
            mapped++;
            if (nr_maps < GRANT_MAX_MAPTRACK)
                maps[nr_maps++] = (struct mapping){ map_ops[i].host_addr, map_ops[i].handle };
        }
        if (*refusal != GNTST_okay)
            break;
    }
    return mapped;
}

/* Unmap everything map_many recorded; how many unmaps failed. */
static unsigned int unmap_all(void)
{
    unsigned int bad = 0;

    for (unsigned int first = 0; first < nr_maps; first += GRANT_MAX_OPS) {
        unsigned int k = nr_maps - first < GRANT_MAX_OPS ? nr_maps - first : GRANT_MAX_OPS;

        for (unsigned int i = 0; i < k; i++)
            unmap_ops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = maps[first + i].gpa,
                                                            .handle = maps[first + i].handle };
        if (grant_op(GNTTABOP_unmap_grant_ref, unmap_ops, k) < 0) {
            bad += k;
            continue;
        }
        for (unsigned int i = 0; i < k; i++)
            bad += unmap_ops[i].status != GNTST_okay;
    }
    nr_maps = 0;
    return bad;
}

/* Of our own refs [FIRST_REF, FIRST_REF + n), those whose in-use bits are
 * (`in_use`) or are not set. */
static unsigned int refs_in_use(unsigned int n, bool in_use)
{
    unsigned int count = 0;

    for (grant_ref_t ref = FIRST_REF; ref < FIRST_REF + n; ref++)
        count += !!(grant_flags(ref) & GTF_IN_USE) == in_use;
    return count;
}

/* The table's limits: a fifth frame, a ref past the end, a RAM page as host_addr. */
static void table_limits(domid_t me)
{
    struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_GRANT_TABLE,
                                    .idx = GRANT_MAX_FRAMES, .gpfn = MAP_BASE / PAGE_SIZE - 1 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = GRANT_MAX_FRAMES + 1 };
    grant_handle_t h;
    long rc = hyp_memory_op(XENMEM_ADD_TO_PHYSMAP, (unsigned long)&x);
    unsigned int granted = 0;

    hostile_report(rc == -XEN_EINVAL, "fifth-table-frame-refused-with-EINVAL", rc);
    rc = grant_op(GNTTABOP_setup_table, &st, 1);
    hostile_report(rc == 0 && st.status == GNTST_general_error, "setup-table-beyond-max-refused",
                   rc ? rc : st.status);
    /* The reserved entries hold the builder's grants of our ring pages. */
    for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < grant_entries(); ref++)
        granted += grant_access(ref, me, (uintptr_t)granted_page / PAGE_SIZE, false);
    hostile_report(granted == GRANT_ENTRIES - GNTTAB_NR_RESERVED_ENTRIES, "every-entry-granted",
                   granted);
    rc = grant_map(me, GRANT_ENTRIES, MAP_BASE, false, &h);
    hostile_report(rc == GNTST_bad_gntref, "ref-past-the-table-bad_gntref", rc);
    rc = grant_map(me, FIRST_REF, (uintptr_t)granted_page, false, &h);
    hostile_report(rc == GNTST_bad_virt_addr, "map-over-own-ram-bad_virt_addr", rc);
}

/* Map and unmap at new 2 MiB regions until refused; how many were mapped. */
static unsigned int fresh_regions(domid_t me, int16_t *refusal)
{
    unsigned int fresh = 0;

    *refusal = GNTST_okay;
    for (unsigned int i = 0; i < FRESH_MAX && *refusal == GNTST_okay; i += GRANT_MAX_OPS) {
        fresh += map_many(me, GRANT_MAX_OPS, FRESH_BASE + (uint64_t)i * FRESH_STEP, FRESH_STEP,
                          true, refusal);
        unmap_all();
    }
    return fresh;
}

void test_exhaust_grants(const struct guest_env *env)
{
    domid_t me = xen_domid();
    long ram_pages = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0) + 1;
    volatile uint32_t *through = (volatile uint32_t *)(uintptr_t)(MAP_BASE + 7 * PAGE_SIZE);
    unsigned int got, again, fresh;
    int16_t refusal;

    if (me == DOMID_SELF || ram_pages <= 0 || (uint64_t)ram_pages * PAGE_SIZE > MAP_BASE ||
        !grant_init(GRANT_MAX_FRAMES)) {
        hostile_report(false, "setup", ram_pages);
        return;
    }
    table_limits(me);

    got = map_many(me, GRANT_MAX_MAPTRACK + 1, MAP_BASE, PAGE_SIZE, false, &refusal);
    hostile_report(got == GRANT_MAX_MAPTRACK && refusal == GNTST_no_device_space,
                   "maptrack-full-no_device_space", got);
    hostile_report(refs_in_use(GRANT_MAX_MAPTRACK, true) == GRANT_MAX_MAPTRACK,
                   "mapped-grants-marked-in-use", refs_in_use(GRANT_MAX_MAPTRACK, true));
    *through = 0x600dcafe;
    hostile_report(*(volatile uint32_t *)granted_page == 0x600dcafe, "mapping-reaches-granted-page",
                   *(volatile uint32_t *)granted_page);
    hostile_report(unmap_all() == 0, "all-unmapped", 0);
    hostile_report(refs_in_use(GRANT_ENTRIES - FIRST_REF, false) == GRANT_ENTRIES - FIRST_REF,
                   "in-use-bits-cleared", refs_in_use(GRANT_ENTRIES - FIRST_REF, true));
    again = map_many(me, GRANT_MAX_MAPTRACK + 1, MAP_BASE, PAGE_SIZE, false, &refusal);
    hostile_report(again == got, "same-count-second-round", again);
    unmap_all();

    fresh = fresh_regions(me, &refusal);
    printk("exhaust-grants: %s mapped %u fresh 2 MiB regions, then status %d\n", env->name, fresh,
           refusal);
    hostile_report(refusal == GNTST_general_error, "fresh-regions-refused-general_error", fresh);
    again = map_many(me, GRANT_MAX_MAPTRACK, MAP_BASE, PAGE_SIZE, false, &refusal);
    hostile_report(again == GRANT_MAX_MAPTRACK, "old-regions-still-map", again);
    printk("exhaust-grants: %s shuts down with %u grants mapped\n", env->name, again);
}
