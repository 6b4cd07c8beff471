/*
 * Family `grant_table_op` (docs/abi.md, "20 grant_table_op"). Our own
 * grants (to ourselves) give the success paths and most errors; the peer's
 * grants (conformance.c: ref 10 read-only to us, 11 writable, 12 and 13 not
 * ours) give isolation: what it granted us works, as granted, and nothing
 * else. Mappings go to abi_map_addr() slots above our RAM; slot 0 is
 * badptr.c's. Statuses are GNTST_*; whole-call errors -errno.
 */
#include <stdint.h>

#include "abi.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"

#define F "grant_table_op"
#define REF_SELF_RW   20
#define REF_SELF_RO   21
#define REF_SELF_NOT_RAM 22
#define REF_SELF_SHINFO  23
#define SLOT_RW       1
#define SLOT_RO       2
#define SLOT_PEER_RO  3
#define SLOT_PEER_RW  4
#define SLOT_SPARE    5
#define SLOT_MANY     16        /* the maptrack-full case maps from here on */
#define BAD_HANDLE    0xffffffffu
#define GPA_LIMIT     (1ull << 48)
#define NO_GFN        (~0ull)

static uint8_t pages[3][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct gnttab_map_grant_ref many[GRANT_MAX_OPS];
static struct gnttab_unmap_grant_ref unmany[GRANT_MAX_OPS];
static struct gnttab_copy copies[GRANT_MAX_OPS];

static long call(unsigned long cmd, uint64_t uop, unsigned long count)
{
    return hypercall3(HYPERCALL_GRANT_TABLE_OP, cmd, uop, count);
}

static uint64_t gfn(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;
}

static volatile uint8_t *at(uint64_t gpa)
{
    return (volatile uint8_t *)(uintptr_t)gpa;      /* identity mapped below 4 GiB */
}

/* One map: GNTST_* (a whole-call error as is), the handle in *h. */
static long map(domid_t dom, grant_ref_t ref, uint64_t addr, uint32_t flags, grant_handle_t *h)
{
    struct gnttab_map_grant_ref m = { .host_addr = addr, .flags = flags, .ref = ref, .dom = dom,
                                      .dev_bus_addr = 0x1234 };
    long rc = call(GNTTABOP_map_grant_ref, (uintptr_t)&m, 1);

    if (rc < 0)
        return rc;
    if (h)
        *h = m.handle;
    if (m.status == GNTST_okay && m.dev_bus_addr != 0)
        return 1000;            /* not a status: dev_bus_addr must read 0 */
    return m.status;
}

static long map_host(domid_t dom, grant_ref_t ref, unsigned int slot, bool ro, grant_handle_t *h)
{
    return map(dom, ref, abi_map_addr(slot), GNTMAP_host_map | (ro ? GNTMAP_readonly : 0), h);
}

static long unmap(uint64_t addr, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = addr, .handle = h };
    long rc = call(GNTTABOP_unmap_grant_ref, (uintptr_t)&u, 1);

    return rc < 0 ? rc : u.status;
}

static long copy(struct gnttab_copy c)
{
    long rc = call(GNTTABOP_copy, (uintptr_t)&c, 1);

    return rc < 0 ? rc : c.status;
}

static struct gnttab_copy_ptr local(const void *page, uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.gmfn = gfn(page), .domid = DOMID_SELF, .offset = offset };
}

static struct gnttab_copy_ptr gref(domid_t dom, grant_ref_t ref, uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = dom, .offset = offset };
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr, 1);
}

static void badptr(const char *name, unsigned long cmd, bool output, const void *init, size_t size)
{
    abi_badptr_cases(F, name, output, init, size, badptr_call, &cmd, -XEN_EFAULT);
}

static bool pattern_ok(const volatile uint8_t *p, domid_t granter, unsigned int page)
{
    uint64_t w[2];
    uint64_t seed = abi_grant_seed(granter, page);

    for (unsigned int i = 0; i < sizeof w; i++)
        ((uint8_t *)w)[i] = p[i];
    return w[0] == seed * 0x9E3779B97F4A7C15ull && w[1] == seed * 0x9E3779B97F4A7C15ull + 1;
}

/* ---- map and unmap our own grants -------------------------------------------------- */

static void self_map_cases(void)
{
    grant_handle_t rw, ro, h;
    long st;

    pages[0][0] = 0x11;
    pages[1][0] = 0x22;
    grant_access(REF_SELF_RW, abi.self, gfn(pages[0]), false);
    grant_access(REF_SELF_RO, abi.self, gfn(pages[1]), true);
    grant_access(REF_SELF_NOT_RAM, abi.self, abi.ram_end / PAGE_SIZE, false);
    grant_access(REF_SELF_SHINFO, abi.self, gfn(shared_info), false);

    st = map_host(DOMID_SELF, REF_SELF_RW, SLOT_RW, false, &rw);
    abi_expect(F, "map_grant_ref", st, GNTST_okay);
    if (st == GNTST_okay) {
        *at(abi_map_addr(SLOT_RW)) = 0x33;
        abi_check(F, "map_grant_ref-shares-the-page", pages[0][0] == 0x33, "byte", pages[0][0]);
    }
    abi_expect(F, "map_grant_ref-sets-in-use", grant_flags(REF_SELF_RW) & GTF_IN_USE,
               GTF_reading | GTF_writing);
    st = map_host(abi.self, REF_SELF_RO, SLOT_RO, true, &ro);
    abi_check(F, "map_grant_ref-readonly", st == GNTST_okay && *at(abi_map_addr(SLOT_RO)) == 0x22,
              "status", st);
    abi_expect(F, "map_grant_ref-readonly-sets-reading", grant_flags(REF_SELF_RO) & GTF_IN_USE,
               GTF_reading);

    abi_expect(F, "map_grant_ref-writable-of-readonly-grant",
               map_host(DOMID_SELF, REF_SELF_RO, SLOT_SPARE, false, NULL), GNTST_permission_denied);
    abi_expect(F, "map_grant_ref-not-granted", map_host(DOMID_SELF, ABI_REF_INVALID, SLOT_SPARE,
                                                        true, NULL), GNTST_permission_denied);
    abi_expect(F, "map_grant_ref-bad-ref", map_host(DOMID_SELF, grant_entries(), SLOT_SPARE, true,
                                                    NULL), GNTST_bad_gntref);
    abi_expect(F, "map_grant_ref-ref-max", map_host(DOMID_SELF, 0xffffffff, SLOT_SPARE, true, NULL),
               GNTST_bad_gntref);
    abi_expect(F, "map_grant_ref-no-host-map",
               map(DOMID_SELF, REF_SELF_RO, abi_map_addr(SLOT_SPARE), GNTMAP_readonly, NULL),
               GNTST_general_error);
    abi_expect(F, "map_grant_ref-device-map",
               map(DOMID_SELF, REF_SELF_RO, abi_map_addr(SLOT_SPARE),
                   GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly, NULL),
               GNTST_general_error);
    abi_expect(F, "map_grant_ref-dom-absent", map_host(abi.absent, 1, SLOT_SPARE, true, NULL),
               GNTST_bad_domain);
    abi_expect(F, "map_grant_ref-dom-gone", map_host(abi.gone, 1, SLOT_SPARE, true, NULL),
               GNTST_bad_domain);
    abi_expect(F, "map_grant_ref-unaligned",
               map(DOMID_SELF, REF_SELF_RO, abi_map_addr(SLOT_SPARE) + 8,
                   GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_bad_virt_addr);
    abi_expect(F, "map_grant_ref-addr-too-big",
               map(DOMID_SELF, REF_SELF_RO, GPA_LIMIT, GNTMAP_host_map | GNTMAP_readonly, NULL),
               GNTST_bad_virt_addr);
    abi_expect(F, "map_grant_ref-over-own-ram",
               map(DOMID_SELF, REF_SELF_RO, (uintptr_t)pages[2], GNTMAP_host_map | GNTMAP_readonly,
                   NULL), GNTST_bad_virt_addr);
    abi_expect(F, "map_grant_ref-over-mapping", map_host(DOMID_SELF, REF_SELF_RO, SLOT_RW, true,
                                                         NULL), GNTST_bad_virt_addr);
    abi_expect(F, "map_grant_ref-frame-not-ram", map_host(DOMID_SELF, REF_SELF_NOT_RAM, SLOT_SPARE,
                                                          false, NULL), GNTST_bad_page);
    abi_expect(F, "map_grant_ref-frame-shared-info",
               map_host(DOMID_SELF, REF_SELF_SHINFO, SLOT_SPARE, false, NULL), GNTST_bad_page);
    abi_expect(F, "map_grant_ref-bad-page-leaves-no-in-use", grant_flags(REF_SELF_NOT_RAM) &
                                                                  GTF_IN_USE, 0);

    abi_expect(F, "unmap_grant_ref-wrong-addr", unmap(abi_map_addr(SLOT_SPARE), rw),
               GNTST_bad_virt_addr);
    abi_expect(F, "unmap_grant_ref-bad-handle", unmap(abi_map_addr(SLOT_RW), BAD_HANDLE),
               GNTST_bad_handle);
    abi_expect(F, "unmap_grant_ref-handle-1024", unmap(abi_map_addr(SLOT_RW), GRANT_MAX_MAPTRACK),
               GNTST_bad_handle);
    abi_expect(F, "unmap_grant_ref", unmap(abi_map_addr(SLOT_RW), rw), GNTST_okay);
    abi_expect(F, "unmap_grant_ref-clears-in-use", grant_flags(REF_SELF_RW) & GTF_IN_USE, 0);
    abi_expect(F, "unmap_grant_ref-unused-handle", unmap(abi_map_addr(SLOT_RW), rw),
               GNTST_bad_handle);
    /* The slot is empty again: a new mapping may go there. */
    st = map_host(DOMID_SELF, REF_SELF_RW, SLOT_RW, false, &h);
    abi_expect(F, "unmap_grant_ref-frees-the-slot", st, GNTST_okay);
    if (st == GNTST_okay)
        unmap(abi_map_addr(SLOT_RW), h);
    abi_expect(F, "unmap_grant_ref-readonly", unmap(abi_map_addr(SLOT_RO), ro), GNTST_okay);
    abi_expect(F, "unmap_grant_ref-readonly-clears-reading", grant_flags(REF_SELF_RO) & GTF_IN_USE,
               0);
}

/* Map as many as the caller may hold at once (badptr.c's slot-0 mapping is
 * one of them): 1024 tries, the last one refused. Then unmap them again. */
static void maptrack_cases(void)
{
    static grant_handle_t handles[GRANT_MAX_MAPTRACK];
    unsigned int mapped = 0, tried = 0, unmapped = 0;
    long rc = 0, refused = GNTST_okay;

    while (rc == 0 && tried < GRANT_MAX_MAPTRACK) {
        unsigned int n = GRANT_MAX_OPS;

        for (unsigned int i = 0; i < n; i++)
            many[i] = (struct gnttab_map_grant_ref){
                .host_addr = abi_map_addr(SLOT_MANY + tried + i),
                .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = REF_SELF_RO,
                .dom = DOMID_SELF, .status = 99 };
        rc = call(GNTTABOP_map_grant_ref, (uintptr_t)many, n);
        for (unsigned int i = 0; i < n && rc == 0; i++) {
            if (many[i].status == GNTST_okay && refused == GNTST_okay)
                handles[mapped++] = many[i].handle;
            else if (refused == GNTST_okay)
                refused = many[i].status;
        }
        tried += n;
    }
    abi_check(F, "map_grant_ref-maptrack-full",
              rc == 0 && refused == GNTST_no_device_space && mapped == GRANT_MAX_MAPTRACK - 1,
              "rc, or mappings before the refusal", rc ? rc : (long)mapped);
    for (unsigned int done = 0; done < mapped;) {
        unsigned int n = 0;

        for (; n < GRANT_MAX_OPS && done + n < mapped; n++)
            unmany[n] = (struct gnttab_unmap_grant_ref){
                .host_addr = abi_map_addr(SLOT_MANY + done + n), .handle = handles[done + n] };
        if (call(GNTTABOP_unmap_grant_ref, (uintptr_t)unmany, n) == 0)
            for (unsigned int i = 0; i < n; i++)
                unmapped += unmany[i].status == GNTST_okay;
        done += n;
    }
    abi_expect(F, "unmap_grant_ref-batch", unmapped, mapped);
    abi_expect(F, "unmap_grant_ref-batch-clears-in-use", grant_flags(REF_SELF_RO) & GTF_IN_USE, 0);
}

static void peer_cases(void)
{
    grant_handle_t h;
    long st;

    /* Granted read-only to us: readable, not writable. */
    st = map_host(abi.peer, ABI_REF_PEER_RO, SLOT_PEER_RO, true, &h);
    abi_check(F, "map_grant_ref-peer-granted",
              st == GNTST_okay && pattern_ok(at(abi_map_addr(SLOT_PEER_RO)), abi.peer, 0),
              "status", st);
    if (st == GNTST_okay)
        abi_expect(F, "unmap_grant_ref-peer", unmap(abi_map_addr(SLOT_PEER_RO), h), GNTST_okay);
    abi_expect(F, "map_grant_ref-peer-readonly-grant-writable",
               map_host(abi.peer, ABI_REF_PEER_RO, SLOT_PEER_RO, false, NULL),
               GNTST_permission_denied);
    st = map_host(abi.peer, ABI_REF_PEER_RW, SLOT_PEER_RW, false, &h);
    if (st == GNTST_okay) {
        *at(abi_map_addr(SLOT_PEER_RW) + 100) = (uint8_t)abi.self;
        unmap(abi_map_addr(SLOT_PEER_RW), h);
    }
    abi_expect(F, "map_grant_ref-peer-writable", st, GNTST_okay);
    /* Not granted to us: the peer's own grant, an empty entry, beyond its table. */
    abi_expect(F, "map_grant_ref-peer-granted-to-another",
               map_host(abi.peer, ABI_REF_NOT_PEER, SLOT_PEER_RO, true, NULL),
               GNTST_permission_denied);
    abi_expect(F, "map_grant_ref-peer-not-granted",
               map_host(abi.peer, ABI_REF_INVALID, SLOT_PEER_RO, true, NULL),
               GNTST_permission_denied);
    abi_expect(F, "map_grant_ref-peer-bad-ref",
               map_host(abi.peer, 100000, SLOT_PEER_RO, true, NULL), GNTST_bad_gntref);

    /* Copies: from what it granted, into what it granted writable, nothing else. */
    memset(pages[2], 0, PAGE_SIZE);
    st = copy((struct gnttab_copy){ .source = gref(abi.peer, ABI_REF_PEER_RO, 0),
                                    .dest = local(pages[2], 0), .len = PAGE_SIZE,
                                    .flags = GNTCOPY_source_gref });
    abi_check(F, "copy-from-peer-granted", st == GNTST_okay && pattern_ok(pages[2], abi.peer, 0),
              "status", st);
    pages[2][0] = 0x77;
    st = copy((struct gnttab_copy){ .source = local(pages[2], 0),
                                    .dest = gref(abi.peer, ABI_REF_PEER_RW, 200), .len = 1,
                                    .flags = GNTCOPY_dest_gref });
    pages[2][1] = 0;
    if (st == GNTST_okay)
        st = copy((struct gnttab_copy){ .source = gref(abi.peer, ABI_REF_PEER_RW, 200),
                                        .dest = local(pages[2], 1), .len = 1,
                                        .flags = GNTCOPY_source_gref });
    abi_check(F, "copy-to-peer-granted", st == GNTST_okay && pages[2][1] == 0x77, "status", st);
    abi_expect(F, "copy-to-peer-readonly-grant",
               copy((struct gnttab_copy){ .source = local(pages[2], 0),
                                          .dest = gref(abi.peer, ABI_REF_PEER_RO, 0), .len = 1,
                                          .flags = GNTCOPY_dest_gref }),
               GNTST_permission_denied);
    abi_expect(F, "copy-from-peer-granted-to-another",
               copy((struct gnttab_copy){ .source = gref(abi.peer, ABI_REF_NOT_PEER, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_permission_denied);
    abi_expect(F, "copy-from-peer-not-granted",
               copy((struct gnttab_copy){ .source = gref(abi.peer, ABI_REF_INVALID, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_permission_denied);
    /* Another domain's raw frames are never reachable, not even for dom0. */
    abi_expect(F, "copy-from-peer-raw-frame",
               copy((struct gnttab_copy){
                   .source = { .u.gmfn = gfn(pages[0]), .domid = abi.peer },
                   .dest = local(pages[2], 0), .len = 1 }),
               GNTST_bad_domain);
    abi_expect(F, "copy-to-peer-raw-frame",
               copy((struct gnttab_copy){
                   .source = local(pages[2], 0),
                   .dest = { .u.gmfn = gfn(pages[0]), .domid = abi.peer }, .len = 1 }),
               GNTST_bad_domain);
}

static void copy_cases(void)
{
    long st;

    memset(pages[0], 0x44, PAGE_SIZE);
    memset(pages[2], 0, PAGE_SIZE);
    st = copy((struct gnttab_copy){ .source = local(pages[0], 0), .dest = local(pages[2], 0),
                                    .len = PAGE_SIZE });
    abi_check(F, "copy", st == GNTST_okay && pages[2][0] == 0x44 && pages[2][PAGE_SIZE - 1] == 0x44,
              "status", st);
    pages[2][10] = 0;
    st = copy((struct gnttab_copy){ .source = gref(DOMID_SELF, REF_SELF_RO, 10),
                                    .dest = local(pages[2], 10), .len = 1,
                                    .flags = GNTCOPY_source_gref });
    abi_check(F, "copy-from-grant", st == GNTST_okay && pages[2][10] == pages[1][10], "status", st);
    st = copy((struct gnttab_copy){ .source = local(pages[2], 0),
                                    .dest = gref(abi.self, REF_SELF_RW, 5), .len = 1,
                                    .flags = GNTCOPY_dest_gref });
    abi_check(F, "copy-to-grant", st == GNTST_okay && pages[0][5] == pages[2][0], "status", st);
    abi_expect(F, "copy-len-0", copy((struct gnttab_copy){ .source = local(pages[0], 0),
                                                           .dest = local(pages[2], 0) }),
               GNTST_okay);
    abi_expect(F, "copy-to-readonly-grant",
               copy((struct gnttab_copy){ .source = local(pages[2], 0),
                                          .dest = gref(DOMID_SELF, REF_SELF_RO, 0), .len = 1,
                                          .flags = GNTCOPY_dest_gref }),
               GNTST_permission_denied);
    abi_expect(F, "copy-source-past-page-end",
               copy((struct gnttab_copy){ .source = local(pages[0], 4000),
                                          .dest = local(pages[2], 0), .len = 200 }),
               GNTST_bad_copy_arg);
    abi_expect(F, "copy-dest-past-page-end",
               copy((struct gnttab_copy){ .source = local(pages[0], 0),
                                          .dest = local(pages[2], 4095), .len = 2 }),
               GNTST_bad_copy_arg);
    abi_expect(F, "copy-offset-max",
               copy((struct gnttab_copy){ .source = local(pages[0], 0xffff),
                                          .dest = local(pages[2], 0), .len = 1 }),
               GNTST_bad_copy_arg);
    abi_expect(F, "copy-len-max",
               copy((struct gnttab_copy){ .source = local(pages[0], 0),
                                          .dest = local(pages[2], 0), .len = 0xffff }),
               GNTST_bad_copy_arg);
    abi_expect(F, "copy-bad-flags",
               copy((struct gnttab_copy){ .source = local(pages[0], 0),
                                          .dest = local(pages[2], 0), .len = 1, .flags = 4 }),
               GNTST_bad_copy_arg);
    abi_expect(F, "copy-dom-absent",
               copy((struct gnttab_copy){ .source = gref(abi.absent, 1, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_bad_domain);
    abi_expect(F, "copy-dom-gone",
               copy((struct gnttab_copy){ .source = gref(abi.gone, 1, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_bad_domain);
    abi_expect(F, "copy-bad-ref",
               copy((struct gnttab_copy){ .source = gref(DOMID_SELF, 100000, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_bad_gntref);
    abi_expect(F, "copy-not-granted",
               copy((struct gnttab_copy){ .source = gref(DOMID_SELF, ABI_REF_INVALID, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_permission_denied);
    abi_expect(F, "copy-frame-not-ram",
               copy((struct gnttab_copy){ .source = { .u.gmfn = abi.ram_end / PAGE_SIZE,
                                                      .domid = DOMID_SELF },
                                          .dest = local(pages[2], 0), .len = 1 }),
               GNTST_bad_page);
    abi_expect(F, "copy-grant-frame-not-ram",
               copy((struct gnttab_copy){ .source = gref(DOMID_SELF, REF_SELF_NOT_RAM, 0),
                                          .dest = local(pages[2], 0), .len = 1,
                                          .flags = GNTCOPY_source_gref }),
               GNTST_bad_page);
    abi_expect(F, "copy-to-readonly-mapping",
               copy((struct gnttab_copy){ .source = local(pages[2], 0),
                                          .dest = { .u.gmfn = abi_map_addr(0) / PAGE_SIZE,
                                                    .domid = DOMID_SELF }, .len = 1 }),
               GNTST_bad_page);
}

static void count_cases(void)
{
    long rc, bad = 0;

    abi_expect(F, "count-0-badptr", call(GNTTABOP_copy, ABI_NONCANONICAL, 0), 0);
    abi_expect(F, "count-513", call(GNTTABOP_copy, (uintptr_t)copies, GRANT_MAX_OPS + 1),
               -XEN_EINVAL);
    abi_expect(F, "count-513-badptr", call(GNTTABOP_copy, ABI_UNMAPPED, GRANT_MAX_OPS + 1),
               -XEN_EINVAL);
    abi_expect(F, "count-above-32-bits", call(GNTTABOP_copy, (uintptr_t)copies, (1ul << 32) | 1),
               -XEN_EINVAL);
    for (unsigned int i = 0; i < GRANT_MAX_OPS; i++)
        copies[i] = (struct gnttab_copy){ .source = local(pages[0], i), .dest = local(pages[2], i),
                                          .len = 1, .status = 99 };
    rc = call(GNTTABOP_copy, (uintptr_t)copies, GRANT_MAX_OPS);
    for (unsigned int i = 0; i < GRANT_MAX_OPS; i++)
        bad += copies[i].status != GNTST_okay;
    abi_check(F, "count-512", rc == 0 && bad == 0, "rc, or operations not okay", rc ? rc : bad);
}

/* A batch that runs off the edge page: the ones before it stand. */
static void batch_cases(void)
{
    void *backing;
    uint64_t edge = abi_edge_page(&backing);
    size_t size = sizeof(struct gnttab_map_grant_ref);
    struct gnttab_map_grant_ref *ops =
        (struct gnttab_map_grant_ref *)((uint8_t *)backing + PAGE_SIZE - size - size / 2);
    long rc;

    ops[0] = (struct gnttab_map_grant_ref){ .host_addr = abi_map_addr(SLOT_SPARE),
                                            .flags = GNTMAP_host_map | GNTMAP_readonly,
                                            .ref = REF_SELF_RO, .dom = DOMID_SELF, .status = 99 };
    rc = call(GNTTABOP_map_grant_ref, edge + PAGE_SIZE - size - size / 2, 2);
    abi_expect(F, "map_grant_ref-batch-fault", rc, -XEN_EFAULT);
    abi_expect(F, "map_grant_ref-batch-earlier-stand", ops[0].status, GNTST_okay);
    if (ops[0].status == GNTST_okay)
        unmap(abi_map_addr(SLOT_SPARE), ops[0].handle);
}

/* An operation whose result cannot be written back: -EFAULT, and then? */
static void unwritable_result_cases(void)
{
    struct gnttab_map_grant_ref m = { .host_addr = abi_map_addr(SLOT_SPARE),
                                      .flags = GNTMAP_host_map | GNTMAP_readonly,
                                      .ref = REF_SELF_RO, .dom = DOMID_SELF };
    grant_handle_t h;
    long st;

    badptr("map_grant_ref", GNTTABOP_map_grant_ref, true, &m, sizeof m);
    /* A failed call changes nothing: no mapping the caller has no handle for. */
    st = map_host(DOMID_SELF, REF_SELF_RO, SLOT_SPARE, true, &h);
    abi_expect(F, "map_grant_ref-badptr-maps-nothing", st, GNTST_okay);
    if (st == GNTST_okay)
        unmap(abi_map_addr(SLOT_SPARE), h);
    abi_expect(F, "map_grant_ref-badptr-leaves-no-in-use", grant_flags(REF_SELF_RO) & GTF_IN_USE,
               0);
}

static void table_cases(void)
{
    uint64_t frames[GRANT_MAX_FRAMES + 1];
    struct gnttab_setup_table s;
    struct gnttab_query_size q;
    struct gnttab_get_version gv;
    struct gnttab_set_version sv;
    long rc;

    for (unsigned int i = 0; i <= GRANT_MAX_FRAMES; i++)
        frames[i] = 0x5A5A;
    s = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 3,
                                     .frame_list = (uintptr_t)frames };
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    abi_check(F, "setup_table",
              rc == 0 && s.status == GNTST_okay && frames[0] < abi.ram_end / PAGE_SIZE &&
                  frames[1] < abi.ram_end / PAGE_SIZE && frames[2] == NO_GFN &&
                  frames[3] == 0x5A5A,
              "rc or status", rc ? rc : s.status);
    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    rc = call(GNTTABOP_query_size, (uintptr_t)&q, 1);
    abi_check(F, "query_size", rc == 0 && q.status == GNTST_okay && q.nr_frames == 3 &&
                                   q.max_nr_frames == GRANT_MAX_FRAMES,
              "rc or frames", rc ? rc : (long)q.nr_frames);
    s = (struct gnttab_setup_table){ .dom = abi.self, .nr_frames = GRANT_MAX_FRAMES + 1,
                                     .frame_list = (uintptr_t)frames };
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    abi_expect(F, "setup_table-too-many-frames", rc ? rc : s.status, GNTST_general_error);
    s = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 0,
                                     .frame_list = ABI_NONCANONICAL };
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    abi_expect(F, "setup_table-zero-frames-badptr", rc ? rc : s.status, GNTST_okay);
    {
        struct gnttab_setup_table init = { .dom = DOMID_SELF, .nr_frames = 1,
                                           .frame_list = (uintptr_t)frames };
        badptr("setup_table", GNTTABOP_setup_table, true, &init, sizeof init);
    }
    s = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 1,
                                     .frame_list = ABI_UNMAPPED };
    abi_expect(F, "setup_table-frame_list-unmapped", call(GNTTABOP_setup_table, (uintptr_t)&s, 1),
               -XEN_EFAULT);

    /* Another domain's table: dom0 may read it; a domU may not name it. */
    s = (struct gnttab_setup_table){ .dom = abi.peer, .nr_frames = 1,
                                     .frame_list = (uintptr_t)frames };
    frames[0] = 0x5A5A;
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    if (abi.privileged)
        abi_check(F, "setup_table-peer", rc == 0 && s.status == GNTST_okay && frames[0] != NO_GFN &&
                                             frames[0] != 0x5A5A,
                  "rc or status", rc ? rc : s.status);
    else
        abi_expect(F, "setup_table-peer", rc ? rc : s.status, GNTST_bad_domain);
    s = (struct gnttab_setup_table){ .dom = abi.absent, .nr_frames = 1,
                                     .frame_list = (uintptr_t)frames };
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    abi_expect(F, "setup_table-absent", rc ? rc : s.status, GNTST_bad_domain);
    s.dom = abi.gone;
    rc = call(GNTTABOP_setup_table, (uintptr_t)&s, 1);
    abi_expect(F, "setup_table-gone", rc ? rc : s.status, GNTST_bad_domain);

    q = (struct gnttab_query_size){ .dom = abi.peer };
    rc = call(GNTTABOP_query_size, (uintptr_t)&q, 1);
    if (abi.privileged)
        abi_check(F, "query_size-peer", rc == 0 && q.status == GNTST_okay && q.nr_frames >= 1,
                  "rc or status", rc ? rc : q.status);
    else
        abi_expect(F, "query_size-peer", rc ? rc : q.status, GNTST_bad_domain);
    q = (struct gnttab_query_size){ .dom = abi.absent };
    rc = call(GNTTABOP_query_size, (uintptr_t)&q, 1);
    abi_expect(F, "query_size-absent", rc ? rc : q.status, GNTST_bad_domain);
    q = (struct gnttab_query_size){ .dom = abi.gone };
    rc = call(GNTTABOP_query_size, (uintptr_t)&q, 1);
    abi_expect(F, "query_size-gone", rc ? rc : q.status, GNTST_bad_domain);
    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    badptr("query_size", GNTTABOP_query_size, true, &q, sizeof q);

    sv = (struct gnttab_set_version){ .version = 1 };
    rc = call(GNTTABOP_set_version, (uintptr_t)&sv, 1);
    abi_check(F, "set_version", rc == 0 && sv.version == 1, "rc", rc);
    sv.version = 2;
    abi_expect(F, "set_version-2", call(GNTTABOP_set_version, (uintptr_t)&sv, 1), -XEN_ENOSYS);
    sv.version = 0;
    abi_expect(F, "set_version-0", call(GNTTABOP_set_version, (uintptr_t)&sv, 1), -XEN_EINVAL);
    sv.version = 3;
    abi_expect(F, "set_version-3", call(GNTTABOP_set_version, (uintptr_t)&sv, 1), -XEN_EINVAL);
    sv.version = 1;
    badptr("set_version", GNTTABOP_set_version, true, &sv, sizeof sv);

    gv = (struct gnttab_get_version){ .dom = DOMID_SELF, .version = 99 };
    rc = call(GNTTABOP_get_version, (uintptr_t)&gv, 1);
    abi_check(F, "get_version", rc == 0 && gv.version == 1, "rc or version", rc ? rc : gv.version);
    gv = (struct gnttab_get_version){ .dom = abi.self };
    abi_expect(F, "get_version-own-id", call(GNTTABOP_get_version, (uintptr_t)&gv, 1), 0);
    gv = (struct gnttab_get_version){ .dom = abi.peer };
    abi_expect(F, "get_version-peer", call(GNTTABOP_get_version, (uintptr_t)&gv, 1),
               abi_priv(0, -XEN_EPERM));
    gv = (struct gnttab_get_version){ .dom = abi.absent };
    abi_expect(F, "get_version-absent", call(GNTTABOP_get_version, (uintptr_t)&gv, 1),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    gv = (struct gnttab_get_version){ .dom = abi.gone };
    abi_expect(F, "get_version-gone", call(GNTTABOP_get_version, (uintptr_t)&gv, 1),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    gv = (struct gnttab_get_version){ .dom = DOMID_SELF };
    badptr("get_version", GNTTABOP_get_version, true, &gv, sizeof gv);
}

void abi_grant_table_op_cases(void)
{
    struct gnttab_copy c = { .source = local(pages[0], 0), .dest = local(pages[2], 0), .len = 1 };
    struct gnttab_unmap_grant_ref u = { .host_addr = abi_map_addr(SLOT_SPARE),
                                        .handle = BAD_HANDLE };

    self_map_cases();
    maptrack_cases();
    peer_cases();
    copy_cases();
    count_cases();
    batch_cases();
    unwritable_result_cases();
    badptr("unmap_grant_ref", GNTTABOP_unmap_grant_ref, true, &u, sizeof u);
    badptr("copy", GNTTABOP_copy, true, &c, sizeof c);
    table_cases();
    abi_expect(F, "unknown-cmd-3-dump_table", call(3, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-4-transfer", call(4, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-7-unmap_and_replace", call(7, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-9-get_status_frames", call(9, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-11-swap_grant_ref", call(11, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-12-cache_flush", call(12, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, (uintptr_t)&c, 1), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-checked-before-count", call(99, ABI_UNMAPPED, GRANT_MAX_OPS + 1),
               -XEN_ENOSYS);
}
