/*
 * Host unit test for hv/grant_table.c (grant tables v1), linked with the
 * real hv/domain_target.c over the fake guest (shim_guest.c), a fake EPT per
 * domain (shim_grant_arch.c) and the fake frame allocator and physical
 * memory of shim_frames.c, which counts allocations and frees and notices
 * double frees.
 *
 * The world: dom0 privileged; dom1 the granter G; dom2 the mapper M; dom3 a
 * second mapper M2; dom4 destroyed; dom5 shut down (but not yet destroyed);
 * slot 9 empty. Every domain has RAM at gfns RAM_GFN .. RAM_GFN+RAM_PAGES-1
 * and nothing elsewhere; G (and dom4, dom5) map table frame 0 at TABLE_GFN.
 */
#include <string.h>
#include "check.h"
#include "shim.h"
#include "shim_guest.h"
#include "shim_grant_arch.h"
#include "hv/arch.h"
#include "hv/grant_table.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/grant_table.h"

CHECK_SUITE("grant_table");

#define RAM_GFN   0x10ull
#define RAM_PAGES 8
#define TABLE_GFN 0x100ull      /* G maps table frame i at TABLE_GFN + i */
#define HOST_GFN  0x200ull      /* empty slots of the mappers' physmaps */
#define GPA(gfn)  ((uint64_t)(gfn) << PAGE_SHIFT)

#define OPS (SHIM_RW_BASE)              /* up to 0x10000 bytes of operations */
#define BUF (SHIM_RW_BASE + 0x18000)    /* setup_table's frame_list */

static struct vcpu *v0, *vg, *vm, *vm2, *v5;
static struct domain *d0, *g, *m, *m2, *d4, *d5;

static void give_ram(struct domain *d)
{
    for (unsigned i = 0; i < RAM_PAGES; i++)
        shim_ept_add_ram(d, RAM_GFN + i);
}

/* Host frame of d's RAM page at gfn. */
static paddr_t ram(struct domain *d, uint64_t gfn)
{
    return arch_domain_owned_frame(d, GPA(gfn));
}

static void setup(void)
{
    /* hv/grant_table.c counts the mappings of all domains in a static: drop the
     * previous case's mappings through it before the fake domains are wiped,
     * so that every case starts with that count at 0. */
    for (uint32_t id = 0; id < MAX_DOMAINS; id++)
        if (domain_by_id(id))
            grant_unmap_all(domain_by_id(id));
    shim_guest_reset();
    shim_frames_reset();
    shim_ept_reset();
    v0 = shim_domain_create(0, true, MiB(16));
    vg = shim_domain_create(1, false, MiB(16));
    vm = shim_domain_create(2, false, MiB(16));
    vm2 = shim_domain_create(3, false, MiB(16));
    struct vcpu *v4 = shim_domain_create(4, false, MiB(16));
    v5 = shim_domain_create(5, false, MiB(16));
    d0 = v0->domain, g = vg->domain, m = vm->domain, m2 = vm2->domain;
    d4 = v4->domain, d5 = v5->domain;
    for (uint32_t id = 0; id <= 5; id++)
        give_ram(domain_by_id(id));
    grant_map_table_frame(g, 0, GPA(TABLE_GFN));
    grant_map_table_frame(d4, 0, GPA(TABLE_GFN));
    grant_map_table_frame(d5, 0, GPA(TABLE_GFN));
    d5->state = DOMAIN_SHUTDOWN;
    /* dom4 died the way domain_destroy does it (below); its frames are freed. */
    grant_unmap_all(d4);
    shim_ept_destroy(d4);
    grant_free_table(d4);
    d4->state = DOMAIN_CRASHED;
    d4->destroyed = true;
    shim_guest_clear_stats();
    memset(&shim_ept, 0, sizeof shim_ept);
}

/* What domain_destroy (hv/domain.c) does for grants, in its order. */
static void die(struct domain *d)
{
    d->state = DOMAIN_SHUTDOWN;
    grant_unmap_all(d);
    grant_granter_dying(d);
    shim_ept_destroy(d);        /* arch_domain_destroy: owned frames released */
    grant_free_table(d);
    d->frames_owned = 0;
    d->destroyed = true;
}

static struct grant_entry_v1 *ent(struct domain *d, grant_ref_t ref)
{
    struct grant_entry_v1 *page = phys_to_virt(d->gnttab.frames[ref / GRANT_ENTRIES_PER_FRAME]);
    return &page[ref % GRANT_ENTRIES_PER_FRAME];
}

static void grant(struct domain *d, grant_ref_t ref, uint16_t flags, domid_t to, uint32_t gfn)
{
    *ent(d, ref) = (struct grant_entry_v1){ .flags = flags, .domid = to, .frame = gfn };
}

static long gop(struct vcpu *v, uint64_t cmd, gvaddr_t uop, uint64_t count)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, uop, count, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_grant_table_op(v, args);
}

struct map_result {
    long rc;
    int16_t status;
    grant_handle_t handle;
    uint64_t dev_bus_addr;
};

static void put_map(gvaddr_t va, domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom,
        .status = 0x5555, .handle = 0xdeadbeef, .dev_bus_addr = 0x1234,
    };
    memcpy(shim_guest_mem(va, sizeof op), &op, sizeof op);
}

static struct gnttab_map_grant_ref get_map(gvaddr_t va)
{
    struct gnttab_map_grant_ref op;
    memcpy(&op, shim_guest_mem(va, sizeof op), sizeof op);
    return op;
}

static struct map_result map(struct vcpu *v, domid_t dom, grant_ref_t ref, uint64_t host_addr,
                             uint32_t flags)
{
    put_map(OPS, dom, ref, host_addr, flags);
    long rc = gop(v, GNTTABOP_map_grant_ref, OPS, 1);
    struct gnttab_map_grant_ref op = get_map(OPS);
    return (struct map_result){ rc, op.status, op.handle, op.dev_bus_addr };
}

static void put_unmap(gvaddr_t va, uint64_t host_addr, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = host_addr, .dev_bus_addr = 0x77, .handle = handle, .status = 0x5555,
    };
    memcpy(shim_guest_mem(va, sizeof op), &op, sizeof op);
}

static int16_t unmap_status(gvaddr_t va)
{
    struct gnttab_unmap_grant_ref op;
    memcpy(&op, shim_guest_mem(va, sizeof op), sizeof op);
    return op.status;
}

/* One unmap through the hypercall: its status, or 0x7fff if the call failed. */
static int16_t unmap(struct vcpu *v, uint64_t host_addr, grant_handle_t handle)
{
    put_unmap(OPS, host_addr, handle);
    if (gop(v, GNTTABOP_unmap_grant_ref, OPS, 1))
        return 0x7fff;
    return unmap_status(OPS);
}

static bool mapped_at(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags)
{
    paddr_t f;
    unsigned fl;
    return shim_ept_lookup(d, gpa, &f, &fl) && f == frame && fl == flags;
}

static bool unmapped_at(struct domain *d, gpaddr_t gpa)
{
    paddr_t f;
    unsigned fl;
    return !shim_ept_lookup(d, gpa, &f, &fl);
}

static unsigned maptrack_used(struct domain *d)
{
    unsigned n = 0;
    for (unsigned i = 0; i < GRANT_MAX_MAPTRACK; i++)
        n += d->gnttab.maptrack[i].in_use;
    return n;
}

static struct gnttab_query_size query(struct vcpu *v, domid_t dom)
{
    struct gnttab_query_size q = { .dom = dom, .nr_frames = 0x5555, .max_nr_frames = 0x5555,
                                   .status = 0x5555 };
    memcpy(shim_guest_mem(OPS, sizeof q), &q, sizeof q);
    if (gop(v, GNTTABOP_query_size, OPS, 1))
        q.status = 0x7fff;
    else
        memcpy(&q, shim_guest_mem(OPS, sizeof q), sizeof q);
    return q;
}

/* ---- table frames: add_to_physmap, query_size, setup_table ---------------------- */

static void test_table_frames(void)
{
    setup();
    struct domain *d = m;       /* a domain without a table */
    uint64_t allocs = shim_frames.allocs;
    struct gnttab_query_size q = query(vm, DOMID_SELF);
    CHECK("no table yet: query_size 0 of 4", q.status == GNTST_okay && q.nr_frames == 0 &&
          q.max_nr_frames == GRANT_MAX_FRAMES);
    CHECK("query_size reads and writes 16 bytes",
          shim_guest.from_bytes == 16 && shim_guest.to_bytes == 16);

    CHECK("map table frame 0 at 0x300 -> 0", grant_map_table_frame(d, 0, GPA(0x300)) == 0);
    CHECK("one frame allocated", d->gnttab.nr_frames == 1 && shim_frames.allocs == allocs + 1 &&
          shim_frame_is_live(d->gnttab.frames[0]));
    CHECK("new table frame zeroed",
          shim_bytes_are(phys_to_virt(d->gnttab.frames[0]), PAGE_SIZE, 0));
    CHECK("frame 0 in the physmap at 0x300: not owned, writable",
          mapped_at(d, GPA(0x300), d->gnttab.frames[0], 0) &&
          arch_domain_gpa_to_hpa(d, GPA(0x300), true) == d->gnttab.frames[0]);
    CHECK("recorded as mapped there",
          d->gnttab.frame_slot[0].mapped && d->gnttab.frame_slot[0].gpa == GPA(0x300));
    q = query(vm, DOMID_SELF);
    CHECK("query_size 1", q.status == GNTST_okay && q.nr_frames == 1);

    CHECK("map table frame 2 at 0x302 -> 0", grant_map_table_frame(d, 2, GPA(0x302)) == 0);
    CHECK("table grown to 3 (frames 1 and 2 allocated)",
          d->gnttab.nr_frames == 3 && shim_frames.allocs == allocs + 3);
    CHECK("frame 2 mapped, frame 1 not",
          mapped_at(d, GPA(0x302), d->gnttab.frames[2], 0) && !d->gnttab.frame_slot[1].mapped &&
          d->gnttab.frames[1] && d->gnttab.frames[1] != d->gnttab.frames[2]);
    CHECK("frame 0 still at 0x300", mapped_at(d, GPA(0x300), d->gnttab.frames[0], 0));
    /* Guest-physical 0 is a valid place: the shared-info path once took it for
     * "not mapped"; both paths now share physmap_place and its explicit flag. */
    CHECK("frame 2 moved to guest-physical 0",
          grant_map_table_frame(d, 2, 0) == 0 && mapped_at(d, 0, d->gnttab.frames[2], 0) &&
          unmapped_at(d, GPA(0x302)) && d->gnttab.frame_slot[2].mapped);
    CHECK("frame 2 back at 0x302: guest-physical 0 emptied",
          grant_map_table_frame(d, 2, GPA(0x302)) == 0 && unmapped_at(d, 0) &&
          mapped_at(d, GPA(0x302), d->gnttab.frames[2], 0));
    CHECK("map table frame 3 at 0x303 -> 0", grant_map_table_frame(d, 3, GPA(0x303)) == 0);
    CHECK("map table frame 1 at 0x301 -> 0", grant_map_table_frame(d, 1, GPA(0x301)) == 0);
    q = query(vm, DOMID_SELF);
    CHECK("query_size 4 of 4", q.status == GNTST_okay && q.nr_frames == 4 &&
          q.max_nr_frames == 4 && shim_frames.allocs == allocs + 4);

    static const struct {
        const char *name;
        uint64_t idx;
        gpaddr_t gpa;
    } bad[] = {
        { "idx 4", 4, GPA(0x310) },
        { "idx 2^32", 1ull << 32, GPA(0x310) },
        { "status frame 0 (idx bit 31)", XENMAPIDX_grant_table_status, GPA(0x310) },
        { "status frame 1", XENMAPIDX_grant_table_status | 1, GPA(0x310) },
        { "unaligned gpa", 0, GPA(0x310) + 8 },
        { "gpa 2^48", 0, 1ull << 48 },
        { "over another table frame", 0, GPA(0x301) },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        shim_world_snapshot();
        uint64_t a = shim_frames.allocs;
        unsigned calls = shim_ept.set_calls, n = shim_ept_count(d);
        CHECK(shim_name("table frame %s -> EINVAL", bad[i].name),
              grant_map_table_frame(d, bad[i].idx, bad[i].gpa) == -XEN_EINVAL);
        CHECK(shim_name("table frame %s: nothing mapped or allocated", bad[i].name),
              shim_world_unchanged() && shim_frames.allocs == a &&
              shim_ept.set_calls == calls && shim_ept_count(d) == n);
    }
    CHECK("frame 1 still at 0x301 after the refused overlay",
          mapped_at(d, GPA(0x301), d->gnttab.frames[1], 0));

    unsigned calls = shim_ept.set_calls;
    CHECK("frame 0 at the same place again -> 0, no EPT change",
          grant_map_table_frame(d, 0, GPA(0x300)) == 0 && shim_ept.set_calls == calls);

    CHECK("move frame 0 to 0x310 -> 0", grant_map_table_frame(d, 0, GPA(0x310)) == 0);
    CHECK("frame 0 at 0x310, old place unmapped",
          mapped_at(d, GPA(0x310), d->gnttab.frames[0], 0) && unmapped_at(d, GPA(0x300)) &&
          d->gnttab.frame_slot[0].gpa == GPA(0x310));
    CHECK("moving allocates nothing", d->gnttab.nr_frames == 4 && shim_frames.allocs == allocs + 4);

    /* Over a RAM page: that page is released (nobody maps it: freed). */
    paddr_t page = ram(d, RAM_GFN + 3);
    uint64_t owned = d->frames_owned, frees = shim_frames.frees;
    CHECK("move frame 0 over RAM gfn 0x13 -> 0", grant_map_table_frame(d, 0, GPA(RAM_GFN + 3)) == 0);
    CHECK("frame 0 there (not owned), 0x310 unmapped",
          mapped_at(d, GPA(RAM_GFN + 3), d->gnttab.frames[0], 0) && unmapped_at(d, GPA(0x310)));
    CHECK("the replaced RAM frame freed once, frames_owned - 1",
          !shim_frame_is_live(page) && shim_frames.frees == frees + 1 &&
          shim_frames.bad_frees == 0 && d->frames_owned == owned - 1);
    CHECK("table frames untouched by it", shim_frame_is_live(d->gnttab.frames[0]) &&
          shim_frame_is_live(d->gnttab.frames[1]));
    CHECK("the gfn is no longer the domain's RAM", ram(d, RAM_GFN + 3) == 0);
    q = query(vm, DOMID_SELF);
    CHECK("still 4 frames", q.nr_frames == 4);

    /* Highest gpa below 2^48. */
    CHECK("frame 3 at 2^48 - 4096 -> 0",
          grant_map_table_frame(d, 3, (1ull << 48) - PAGE_SIZE) == 0 &&
          mapped_at(d, (1ull << 48) - PAGE_SIZE, d->gnttab.frames[3], 0));

    /* Failures. */
    setup();
    shim_frames_fail_after(0);
    shim_world_snapshot();
    CHECK("no frame for the table -> ENOMEM", grant_map_table_frame(m, 0, GPA(0x300)) == -XEN_ENOMEM);
    CHECK("ENOMEM: nothing mapped", m->gnttab.nr_frames == 0 && unmapped_at(m, GPA(0x300)) &&
          shim_world_unchanged());
    shim_frames_fail_after(-1);

    setup();
    shim_ept_fail_after(0);
    page = ram(m, RAM_GFN);
    owned = m->frames_owned;
    CHECK("EPT table allocation fails -> ENOMEM",
          grant_map_table_frame(m, 0, GPA(RAM_GFN)) == -XEN_ENOMEM);
    CHECK("ENOMEM: RAM page kept, frame 0 not recorded as mapped",
          mapped_at(m, GPA(RAM_GFN), page, ARCH_PAGE_OWNED) && shim_frame_is_live(page) &&
          m->frames_owned == owned && !m->gnttab.frame_slot[0].mapped);
    shim_ept_fail_after(-1);

    /* query_size of another domain. */
    setup();
    q = query(vm, 1);
    CHECK("domU asks for dom1's size -> bad_domain", q.status == GNTST_bad_domain);
    q = query(v0, 1);
    CHECK("dom0 asks for dom1's size -> 1", q.status == GNTST_okay && q.nr_frames == 1);
    q = query(v0, 9);
    CHECK("dom0 asks for an empty slot -> bad_domain", q.status == GNTST_bad_domain);
    q = query(vg, 1);
    CHECK("dom1 by its own id -> 1", q.status == GNTST_okay && q.nr_frames == 1);
}

struct setup_result {
    long rc;
    int16_t status;
};

static struct setup_result setup_table(struct vcpu *v, domid_t dom, uint32_t nr, gvaddr_t list)
{
    struct gnttab_setup_table op = { .dom = dom, .nr_frames = nr, .status = 0x5555,
                                     .frame_list = list };
    memcpy(shim_guest_mem(OPS, sizeof op), &op, sizeof op);
    long rc = gop(v, GNTTABOP_setup_table, OPS, 1);
    memcpy(&op, shim_guest_mem(OPS, sizeof op), sizeof op);
    return (struct setup_result){ rc, op.status };
}

static uint64_t list_at(unsigned i)
{
    uint64_t x;
    memcpy(&x, shim_guest_mem(BUF + i * 8, 8), 8);
    return x;
}

static void test_setup_table(void)
{
    setup();
    CHECK("frame 2 at 0x102", grant_map_table_frame(g, 2, GPA(TABLE_GFN + 2)) == 0);
    uint64_t allocs = shim_frames.allocs;
    struct setup_result r = setup_table(vg, DOMID_SELF, 4, BUF);
    CHECK("setup_table 4 -> 0, okay", r.rc == 0 && r.status == GNTST_okay);
    CHECK("table grown to 4", g->gnttab.nr_frames == 4 && shim_frames.allocs == allocs + 1);
    CHECK("frame_list: GFNs of mapped frames, ~0 for unmapped",
          list_at(0) == TABLE_GFN && list_at(1) == ~0ull && list_at(2) == TABLE_GFN + 2 &&
          list_at(3) == ~0ull);
    CHECK("nothing written past 4 entries", shim_guest_bytes_are(BUF + 32, 8, SHIM_FILL));

    setup();
    r = setup_table(vg, DOMID_SELF, 1, BUF);
    CHECK("setup_table 1 -> okay, [0x100]", r.rc == 0 && r.status == GNTST_okay &&
          list_at(0) == TABLE_GFN && shim_guest_bytes_are(BUF + 8, 8, SHIM_FILL));
    r = setup_table(vg, DOMID_SELF, 0, 0);
    CHECK("setup_table 0, NULL list -> okay, no list write",
          r.rc == 0 && r.status == GNTST_okay && shim_guest.to_calls == 1);

    setup();
    memset(shim_guest_mem(BUF, 64), SHIM_FILL, 64);
    r = setup_table(vg, DOMID_SELF, 5, BUF);
    CHECK("setup_table 5 -> general_error", r.rc == 0 && r.status == GNTST_general_error);
    CHECK("5: not grown, list untouched",
          g->gnttab.nr_frames == 1 && shim_guest_bytes_are(BUF, 64, SHIM_FILL));
    r = setup_table(vg, DOMID_SELF, 0xffffffffu, BUF);
    CHECK("setup_table 2^32-1 -> general_error", r.rc == 0 && r.status == GNTST_general_error);

    setup();
    shim_frames_fail_after(1);
    r = setup_table(vg, DOMID_SELF, 4, BUF);
    CHECK("setup_table with frames running out -> general_error",
          r.rc == 0 && r.status == GNTST_general_error && shim_guest_bytes_are(BUF, 32, SHIM_FILL));
    shim_frames_fail_after(-1);

    setup();
    r = setup_table(vm, 1, 1, BUF);
    CHECK("domU sets up dom1's table -> bad_domain", r.rc == 0 && r.status == GNTST_bad_domain &&
          shim_guest_bytes_are(BUF, 8, SHIM_FILL));
    r = setup_table(v0, 1, 2, BUF);
    CHECK("dom0 for dom1 -> okay, dom1's frames", r.rc == 0 && r.status == GNTST_okay &&
          list_at(0) == TABLE_GFN && list_at(1) == ~0ull && g->gnttab.nr_frames == 2);
    r = setup_table(v0, 4, 1, BUF);
    CHECK("dom0 for a destroyed domain -> bad_domain", r.status == GNTST_bad_domain);

    setup();
    r = setup_table(vg, DOMID_SELF, 2, SHIM_RO_BASE);
    CHECK("frame_list read-only -> EFAULT", r.rc == -XEN_EFAULT);
    r = setup_table(vg, DOMID_SELF, 2, SHIM_RW_END - 8);
    CHECK("frame_list running into unmapped -> EFAULT", r.rc == -XEN_EFAULT);
}

/* ---- map ---------------------------------------------------------------------- */

static void test_map(void)
{
    setup();
    paddr_t page = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    struct map_result r = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("writable map of a writable grant -> okay", r.rc == 0 && r.status == GNTST_okay);
    CHECK("handle 0, dev_bus_addr 0", r.handle == 0 && r.dev_bus_addr == 0);
    CHECK("reads and writes back one 32-byte op",
          shim_guest.from_bytes == 32 && shim_guest.to_bytes == 32 && shim_guest.to_calls == 1);
    CHECK("granter's frame mapped writable, not owned, in the mapper",
          mapped_at(m, GPA(HOST_GFN), page, 0) &&
          arch_domain_gpa_to_hpa(m, GPA(HOST_GFN), true) == page);
    CHECK("the frame stays the granter's", ram(g, RAM_GFN + 1) == page && ram(m, HOST_GFN) == 0);
    CHECK("in use: reading and writing",
          ent(g, 5)->flags == (GTF_permit_access | GTF_reading | GTF_writing) &&
          ent(g, 5)->domid == 2 && ent(g, 5)->frame == RAM_GFN + 1);
    CHECK("pins: 1 writer", g->gnttab.pins[5].writers == 1 && g->gnttab.pins[5].readers == 0);
    const struct maptrack *t = &m->gnttab.maptrack[0];
    CHECK("maptrack 0 records it", t->in_use && !t->readonly && !t->holds_frame && t->granter == 1 &&
          t->ref == 5 && t->gpa == GPA(HOST_GFN) && t->frame == page);
    memset(phys_to_virt(page), 0x3c, 16);
    CHECK("mapper sees the granter's data",
          shim_bytes_are(phys_to_virt(arch_domain_gpa_to_hpa(m, GPA(HOST_GFN), false)), 16, 0x3c));
    CHECK("no other grant touched", ent(g, 4)->flags == 0 && ent(g, 6)->flags == 0 &&
          g->gnttab.pins[4].writers == 0 && g->gnttab.pins[6].writers == 0);

    r = map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("read-only map of the same grant -> okay, handle 1",
          r.rc == 0 && r.status == GNTST_okay && r.handle == 1);
    CHECK("mapped read-only", mapped_at(m, GPA(HOST_GFN + 1), page, ARCH_PAGE_READONLY) &&
          arch_domain_gpa_to_hpa(m, GPA(HOST_GFN + 1), true) == 0 &&
          arch_domain_gpa_to_hpa(m, GPA(HOST_GFN + 1), false) == page);
    CHECK("pins: 1 writer, 1 reader", g->gnttab.pins[5].writers == 1 && g->gnttab.pins[5].readers == 1);
    CHECK("maptrack 1 is read-only", m->gnttab.maptrack[1].in_use && m->gnttab.maptrack[1].readonly);

    /* A read-only grant. */
    setup();
    grant(g, 7, GTF_permit_access | GTF_readonly, 2, RAM_GFN + 2);
    r = map(vm, 1, 7, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("read-only map of a read-only grant -> okay", r.rc == 0 && r.status == GNTST_okay);
    CHECK("read-only grant mapped read-only",
          mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 2), ARCH_PAGE_READONLY));
    CHECK("in use: reading only",
          ent(g, 7)->flags == (GTF_permit_access | GTF_readonly | GTF_reading));

    /* DOMID_SELF: a domain may map its own grant. */
    setup();
    grant(g, 3, GTF_permit_access, 1, RAM_GFN);
    r = map(vg, DOMID_SELF, 3, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("own grant via DOMID_SELF -> okay", r.status == GNTST_okay &&
          mapped_at(g, GPA(HOST_GFN), ram(g, RAM_GFN), 0));

    /* The last entry of a 4-frame table. */
    setup();
    CHECK("table of 4", grant_map_table_frame(g, 3, GPA(TABLE_GFN + 3)) == 0);
    grant(g, GRANT_MAX_ENTRIES - 1, GTF_permit_access, 2, RAM_GFN);
    r = map(vm, 1, GRANT_MAX_ENTRIES - 1, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("ref 2047 -> okay", r.status == GNTST_okay);
    CHECK("entry in frame 3 in use", ent(g, 2047)->flags & GTF_writing);
    CHECK("... written through the granter's physmap", (((struct grant_entry_v1 *)phys_to_virt(
          arch_domain_gpa_to_hpa(g, GPA(TABLE_GFN + 3), false)))[511].flags & GTF_writing) != 0);
}

static void test_map_errors(void)
{
    static const struct {
        const char *name;
        uint16_t gflags;
        domid_t to;
        uint32_t mflags;
        int16_t status;
    } perm[] = {
        { "GTF_invalid", GTF_invalid, 2, GNTMAP_host_map, GNTST_permission_denied },
        { "type 2 (transfer)", 2, 2, GNTMAP_host_map, GNTST_permission_denied },
        { "type 3", 3, 2, GNTMAP_host_map | GNTMAP_readonly, GNTST_permission_denied },
        { "granted to dom3", GTF_permit_access, 3, GNTMAP_host_map, GNTST_permission_denied },
        { "granted to dom3, read-only map", GTF_permit_access, 3,
          GNTMAP_host_map | GNTMAP_readonly, GNTST_permission_denied },
        { "granted to DOMID_SELF", GTF_permit_access, DOMID_SELF, GNTMAP_host_map,
          GNTST_permission_denied },
        { "granted to the granter", GTF_permit_access, 1, GNTMAP_host_map,
          GNTST_permission_denied },
        { "read-only grant, writable map", GTF_permit_access | GTF_readonly, 2, GNTMAP_host_map,
          GNTST_permission_denied },
        { "no GNTMAP_host_map", GTF_permit_access, 2, 0, GNTST_general_error },
        { "readonly without host_map", GTF_permit_access, 2, GNTMAP_readonly,
          GNTST_general_error },
        { "device_map", GTF_permit_access, 2, GNTMAP_host_map | GNTMAP_device_map,
          GNTST_general_error },
    };
    for (size_t i = 0; i < sizeof perm / sizeof perm[0]; i++) {
        setup();
        grant(g, 5, perm[i].gflags, perm[i].to, RAM_GFN + 1);
        struct map_result r = map(vm, 1, 5, GPA(HOST_GFN), perm[i].mflags);
        CHECK(shim_name("map %s -> status %d", perm[i].name, perm[i].status),
              r.rc == 0 && r.status == perm[i].status);
        CHECK(shim_name("map %s: entry unchanged, nothing pinned or mapped", perm[i].name),
              ent(g, 5)->flags == perm[i].gflags && ent(g, 5)->domid == perm[i].to &&
              g->gnttab.pins[5].readers == 0 && g->gnttab.pins[5].writers == 0 &&
              unmapped_at(m, GPA(HOST_GFN)) && maptrack_used(m) == 0);
    }

    static const struct {
        const char *name;
        domid_t dom;
        grant_ref_t ref;
        uint64_t host;
        int16_t status;
    } bad[] = {
        { "ref 512 (table of 1 frame)", 1, 512, GPA(HOST_GFN), GNTST_bad_gntref },
        { "ref 2048", 1, 2048, GPA(HOST_GFN), GNTST_bad_gntref },
        { "ref 2^32-1", 1, 0xffffffffu, GPA(HOST_GFN), GNTST_bad_gntref },
        { "granter without a table (dom3)", 3, 0, GPA(HOST_GFN), GNTST_bad_gntref },
        { "empty slot 9", 9, 5, GPA(HOST_GFN), GNTST_bad_domain },
        { "destroyed dom4", 4, 5, GPA(HOST_GFN), GNTST_bad_domain },
        { "shut-down dom5", 5, 5, GPA(HOST_GFN), GNTST_bad_domain },
        { "dom MAX_DOMAINS", MAX_DOMAINS, 5, GPA(HOST_GFN), GNTST_bad_domain },
        { "DOMID_XEN", DOMID_XEN, 5, GPA(HOST_GFN), GNTST_bad_domain },
        { "host_addr unaligned", 1, 5, GPA(HOST_GFN) + 0x800, GNTST_bad_virt_addr },
        { "host_addr + 1", 1, 5, GPA(HOST_GFN) + 1, GNTST_bad_virt_addr },
        { "host_addr on own RAM", 1, 5, GPA(RAM_GFN), GNTST_bad_virt_addr },
        { "host_addr 2^48", 1, 5, 1ull << 48, GNTST_bad_virt_addr },
        { "host_addr 2^63", 1, 5, 1ull << 63, GNTST_bad_virt_addr },
        { "host_addr ~0 & PAGE_MASK", 1, 5, PAGE_MASK, GNTST_bad_virt_addr },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
        grant(d5, 5, GTF_permit_access, 2, RAM_GFN + 1);
        unsigned n = shim_ept_count(m);
        struct map_result r = map(vm, bad[i].dom, bad[i].ref, bad[i].host, GNTMAP_host_map);
        CHECK(shim_name("map %s -> status %d", bad[i].name, bad[i].status),
              r.rc == 0 && r.status == bad[i].status);
        CHECK(shim_name("map %s: nothing claimed or mapped", bad[i].name),
              ent(g, 5)->flags == GTF_permit_access && ent(d5, 5)->flags == GTF_permit_access &&
              g->gnttab.pins[5].writers == 0 && shim_ept_count(m) == n &&
              maptrack_used(m) == 0 && shim_ept.set_calls == 0);
    }

    /* Already mapped: by a grant mapping. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access, 2, RAM_GFN + 2);
    CHECK("map ref 5", map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay);
    struct map_result r = map(vm, 1, 6, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("map ref 6 over the ref 5 mapping -> bad_virt_addr", r.status == GNTST_bad_virt_addr);
    CHECK("ref 5 mapping kept, ref 6 not claimed",
          mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 1), 0) && ent(g, 6)->flags == GTF_permit_access);
    /* ... and a table frame may not be put over it. */
    CHECK("table frame over a grant mapping -> EINVAL",
          grant_map_table_frame(m, 0, GPA(HOST_GFN)) == -XEN_EINVAL &&
          mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 1), 0) && !m->gnttab.frame_slot[0].mapped);

    /* The granted frame is not the granter's own RAM. */
    static const struct {
        const char *name;
        uint32_t gfn;
    } notram[] = {
        { "a hole", 0x50 }, { "its table frame", TABLE_GFN }, { "gfn 2^32-1", 0xffffffffu },
        { "a page it maps from another domain", HOST_GFN },
    };
    for (size_t i = 0; i < sizeof notram / sizeof notram[0]; i++) {
        setup();
        grant(g, 9, GTF_permit_access, 1, RAM_GFN);
        CHECK("granter maps its own grant at HOST_GFN",
              map(vg, DOMID_SELF, 9, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay);
        uint16_t before9 = ent(g, 9)->flags;
        grant(g, 5, GTF_permit_access, 2, notram[i].gfn);
        unsigned n = shim_ept_count(m);
        r = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
        CHECK(shim_name("grant of %s -> bad_page", notram[i].name), r.status == GNTST_bad_page);
        CHECK(shim_name("grant of %s: in-use bits rolled back, no pin", notram[i].name),
              ent(g, 5)->flags == GTF_permit_access && g->gnttab.pins[5].writers == 0 &&
              g->gnttab.pins[5].readers == 0);
        CHECK(shim_name("grant of %s: nothing mapped, no maptrack", notram[i].name),
              shim_ept_count(m) == n && maptrack_used(m) == 0 && ent(g, 9)->flags == before9);
    }

    /* Roll-back keeps the bits other mappings hold. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    CHECK("read-only map of ref 5",
          map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly).status == GNTST_okay);
    ent(g, 5)->frame = 0x50;        /* the granter misbehaves: a hole */
    r = map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map);
    CHECK("writable map, frame now a hole -> bad_page", r.status == GNTST_bad_page);
    CHECK("GTF_writing rolled back, GTF_reading kept for the first mapping",
          ent(g, 5)->flags == (GTF_permit_access | GTF_reading) &&
          g->gnttab.pins[5].readers == 1 && g->gnttab.pins[5].writers == 0);

    /* The mapping's EPT tables cannot be allocated. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    shim_ept_fail_after(0);
    r = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("EPT failure -> general_error", r.rc == 0 && r.status == GNTST_general_error &&
          shim_ept.set_failures == 1);
    CHECK("EPT failure: bits rolled back, no maptrack",
          ent(g, 5)->flags == GTF_permit_access && g->gnttab.pins[5].writers == 0 &&
          maptrack_used(m) == 0 && unmapped_at(m, GPA(HOST_GFN)));
    shim_ept_fail_after(-1);
    CHECK("then it works", map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay &&
          m->gnttab.maptrack[0].in_use);
}

/* GRANT_MAX_MAPTRACK mappings, in batches of GRANT_MAX_OPS. */
static void test_maptrack_full(void)
{
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    paddr_t page = ram(g, RAM_GFN + 1);
    bool all_ok = true;
    for (unsigned batch = 0; batch < GRANT_MAX_MAPTRACK / GRANT_MAX_OPS; batch++) {
        for (unsigned i = 0; i < GRANT_MAX_OPS; i++)
            put_map(OPS + i * 32, 1, 5, GPA(HOST_GFN + batch * GRANT_MAX_OPS + i),
                    GNTMAP_host_map | GNTMAP_readonly);
        CHECK(shim_name("batch %u of 512 maps -> 0", batch),
              gop(vm, GNTTABOP_map_grant_ref, OPS, GRANT_MAX_OPS) == 0);
        for (unsigned i = 0; i < GRANT_MAX_OPS; i++) {
            struct gnttab_map_grant_ref op = get_map(OPS + i * 32);
            all_ok &= op.status == GNTST_okay && op.handle == batch * GRANT_MAX_OPS + i;
        }
    }
    CHECK("1024 maps okay, handles 0..1023", all_ok);
    CHECK("1024 readers, all in maptrack",
          g->gnttab.pins[5].readers == GRANT_MAX_MAPTRACK && maptrack_used(m) == GRANT_MAX_MAPTRACK);
    CHECK("maptrack_used 1024, high-water mark 1024",
          m->gnttab.maptrack_used == GRANT_MAX_MAPTRACK && m->gnttab.maptrack_hwm == GRANT_MAX_MAPTRACK);
    CHECK("the last one is mapped", mapped_at(m, GPA(HOST_GFN + 1023), page, ARCH_PAGE_READONLY));

    struct map_result r = map(vm, 1, 5, GPA(HOST_GFN + 1024), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("map 1025 -> no_device_space", r.rc == 0 && r.status == GNTST_no_device_space);
    CHECK("1025: not mapped, not pinned", unmapped_at(m, GPA(HOST_GFN + 1024)) &&
          g->gnttab.pins[5].readers == GRANT_MAX_MAPTRACK);
    grant(g, 6, GTF_permit_access, 2, RAM_GFN + 2);
    r = map(vm, 1, 6, GPA(HOST_GFN + 1024), GNTMAP_host_map);
    CHECK("another grant -> no_device_space, its entry not claimed",
          r.status == GNTST_no_device_space && ent(g, 6)->flags == GTF_permit_access &&
          g->gnttab.pins[6].writers == 0);
    grant(g, 7, GTF_permit_access, 3, RAM_GFN + 1);
    CHECK("another mapper is not limited by it",
          map(vm2, 1, 7, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly).status == GNTST_okay);
    CHECK("unmap it again", unmap(vm2, GPA(HOST_GFN), 0) == GNTST_okay);

    /* Unmap all but the last: the grant stays in use until then. */
    bool unmaps_ok = true;
    for (unsigned batch = 0; batch < 2; batch++) {
        unsigned n = batch ? GRANT_MAX_OPS - 1 : GRANT_MAX_OPS;
        for (unsigned i = 0; i < n; i++) {
            unsigned h = batch * GRANT_MAX_OPS + i;
            put_unmap(OPS + i * 24, GPA(HOST_GFN + h), h);
        }
        unmaps_ok &= gop(vm, GNTTABOP_unmap_grant_ref, OPS, n) == 0;
        for (unsigned i = 0; i < n; i++)
            unmaps_ok &= unmap_status(OPS + i * 24) == GNTST_okay;
    }
    CHECK("1023 unmaps okay", unmaps_ok);
    CHECK("one reader left: still GTF_reading", g->gnttab.pins[5].readers == 1 &&
          ent(g, 5)->flags == (GTF_permit_access | GTF_reading) && maptrack_used(m) == 1);
    CHECK("maptrack_used 1", m->gnttab.maptrack_used == 1);
    CHECK("the freed handles are reused", map(vm, 1, 6, GPA(HOST_GFN + 2000), GNTMAP_host_map).handle == 0);
    CHECK("unmap the last one", unmap(vm, GPA(HOST_GFN + 1023), 1023) == GNTST_okay);
    CHECK("no reader left: GTF_reading cleared", g->gnttab.pins[5].readers == 0 &&
          ent(g, 5)->flags == GTF_permit_access);
    CHECK("mapper's physmap has only its RAM and the ref-6 mapping", shim_ept_count(m) == RAM_PAGES + 1);
}

/* GTF_reading / GTF_writing follow the pins of each kind. */
static void test_in_use_bits(void)
{
    const uint16_t P = GTF_permit_access, R = GTF_reading, W = GTF_writing;
    struct map_result ro, rw, rw2;

    setup();
    grant(g, 5, P, 2, RAM_GFN + 1);
    ro = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("ro map: reading", ro.status == GNTST_okay && ent(g, 5)->flags == (P | R));
    rw = map(vm2, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("grant to dom2 cannot be mapped by dom3", rw.status == GNTST_permission_denied &&
          ent(g, 5)->flags == (P | R));
    rw = map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map);
    CHECK("+ rw map: reading | writing", rw.status == GNTST_okay && ent(g, 5)->flags == (P | R | W));
    CHECK("unmap rw", unmap(vm, GPA(HOST_GFN + 1), rw.handle) == GNTST_okay);
    CHECK("ro left: writing cleared, reading kept", ent(g, 5)->flags == (P | R));
    CHECK("unmap ro", unmap(vm, GPA(HOST_GFN), ro.handle) == GNTST_okay);
    CHECK("none left: both cleared", ent(g, 5)->flags == P);

    setup();
    grant(g, 5, P, 2, RAM_GFN + 1);
    ro = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    rw = map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map);
    CHECK("ro + rw", ro.status == GNTST_okay && rw.status == GNTST_okay);
    CHECK("unmap ro first", unmap(vm, GPA(HOST_GFN), ro.handle) == GNTST_okay);
    CHECK("rw left: reading | writing kept", ent(g, 5)->flags == (P | R | W) &&
          g->gnttab.pins[5].readers == 0 && g->gnttab.pins[5].writers == 1);
    CHECK("unmap rw", unmap(vm, GPA(HOST_GFN + 1), rw.handle) == GNTST_okay);
    CHECK("none left: cleared", ent(g, 5)->flags == P);

    setup();
    grant(g, 5, P, 2, RAM_GFN + 1);
    rw = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    rw2 = map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map);
    CHECK("two rw maps", rw.status == GNTST_okay && rw2.status == GNTST_okay &&
          g->gnttab.pins[5].writers == 2);
    CHECK("unmap one", unmap(vm, GPA(HOST_GFN), rw.handle) == GNTST_okay);
    CHECK("one writer left: reading | writing kept", ent(g, 5)->flags == (P | R | W));
    CHECK("unmap the other", unmap(vm, GPA(HOST_GFN + 1), rw2.handle) == GNTST_okay);
    CHECK("cleared", ent(g, 5)->flags == P);

    /* Other flag bits and the other fields survive. */
    setup();
    grant(g, 5, P | GTF_readonly, 2, RAM_GFN + 1);
    ro = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("unmap of a read-only grant", ro.status == GNTST_okay &&
          unmap(vm, GPA(HOST_GFN), ro.handle) == GNTST_okay);
    CHECK("GTF_readonly, domid and frame kept", ent(g, 5)->flags == (P | GTF_readonly) &&
          ent(g, 5)->domid == 2 && ent(g, 5)->frame == RAM_GFN + 1);

    /* Two mappers of one grant? Only the one it names: a grant to dom3 in the same table. */
    setup();
    grant(g, 5, P, 2, RAM_GFN + 1);
    grant(g, 6, P, 3, RAM_GFN + 1);
    rw = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    rw2 = map(vm2, 1, 6, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("dom2 maps ref 5, dom3 ref 6 (same page)", rw.status == GNTST_okay && rw2.status == GNTST_okay);
    CHECK("separate bits", ent(g, 5)->flags == (P | R | W) && ent(g, 6)->flags == (P | R));
    CHECK("dom3 unmaps", unmap(vm2, GPA(HOST_GFN), rw2.handle) == GNTST_okay);
    CHECK("only ref 6 cleared", ent(g, 5)->flags == (P | R | W) && ent(g, 6)->flags == P);
}

static void test_unmap(void)
{
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    struct map_result r = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("map", r.status == GNTST_okay && r.handle == 0);

    static const struct {
        const char *name;
        uint64_t host;
        grant_handle_t handle;
        int16_t status;
    } bad[] = {
        { "handle 1 (unused)", GPA(HOST_GFN), 1, GNTST_bad_handle },
        { "handle 1023 (unused)", GPA(HOST_GFN), 1023, GNTST_bad_handle },
        { "handle 1024", GPA(HOST_GFN), GRANT_MAX_MAPTRACK, GNTST_bad_handle },
        { "handle 2^32-1", GPA(HOST_GFN), 0xffffffffu, GNTST_bad_handle },
        { "wrong host_addr", GPA(HOST_GFN + 1), 0, GNTST_bad_virt_addr },
        { "host_addr + 0x10", GPA(HOST_GFN) + 0x10, 0, GNTST_bad_virt_addr },
        { "host_addr 0", 0, 0, GNTST_bad_virt_addr },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(shim_name("unmap %s -> status %d", bad[i].name, bad[i].status),
              unmap(vm, bad[i].host, bad[i].handle) == bad[i].status);
        CHECK(shim_name("unmap %s: mapping and pin kept", bad[i].name),
              mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 1), 0) &&
              m->gnttab.maptrack[0].in_use && g->gnttab.pins[5].writers == 1 &&
              (ent(g, 5)->flags & GTF_writing));
    }
    CHECK("another domain's unmap of handle 0 -> bad_handle",
          unmap(vm2, GPA(HOST_GFN), 0) == GNTST_bad_handle && m->gnttab.maptrack[0].in_use);
    CHECK("unmap reads 24 bytes, writes 24",
          shim_guest.from_bytes == 24 && shim_guest.to_bytes == 24);

    uint64_t frees = shim_frames.frees;
    CHECK("unmap -> okay", unmap(vm, GPA(HOST_GFN), 0) == GNTST_okay);
    CHECK("EPT mapping removed", unmapped_at(m, GPA(HOST_GFN)) &&
          arch_domain_gpa_to_hpa(m, GPA(HOST_GFN), false) == 0);
    CHECK("maptrack free, pin dropped, bits cleared",
          !m->gnttab.maptrack[0].in_use && g->gnttab.pins[5].writers == 0 &&
          ent(g, 5)->flags == GTF_permit_access);
    CHECK("the granter's frame is not freed", shim_frames.frees == frees &&
          shim_frame_is_live(ram(g, RAM_GFN + 1)));
    CHECK("unmap again -> bad_handle", unmap(vm, GPA(HOST_GFN), 0) == GNTST_bad_handle);
    CHECK("map again -> okay, handle 0",
          map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).handle == 0 &&
          mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 1), 0));
}

/* ---- the hypercall: batches, counts, pointers, commands --------------------- */

static void test_hypercall(void)
{
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access | GTF_readonly, 2, RAM_GFN + 2);
    put_map(OPS, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    put_map(OPS + 32, 1, 6, GPA(HOST_GFN + 1), GNTMAP_host_map);    /* denied */
    put_map(OPS + 64, 1, 6, GPA(HOST_GFN + 2), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("batch of 3 maps -> 0", gop(vm, GNTTABOP_map_grant_ref, OPS, 3) == 0);
    CHECK("statuses per op: okay, denied, okay",
          get_map(OPS).status == GNTST_okay && get_map(OPS + 32).status == GNTST_permission_denied &&
          get_map(OPS + 64).status == GNTST_okay);
    CHECK("handles 0 and 1 for the two that worked",
          get_map(OPS).handle == 0 && get_map(OPS + 64).handle == 1);
    CHECK("96 bytes read and written", shim_guest.from_bytes == 96 && shim_guest.to_bytes == 96);

    setup();
    shim_world_snapshot();
    CHECK("count 0 -> 0", gop(vm, GNTTABOP_map_grant_ref, SHIM_UNMAPPED, 0) == 0);
    CHECK("count 0 touches nothing",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0 && shim_world_unchanged());
    CHECK("count 513 -> EINVAL", gop(vm, GNTTABOP_map_grant_ref, OPS, GRANT_MAX_OPS + 1) == -XEN_EINVAL);
    CHECK("count 2^32 -> EINVAL", gop(vm, GNTTABOP_copy, OPS, 1ull << 32) == -XEN_EINVAL);
    CHECK("count ~0 -> EINVAL", gop(vm, GNTTABOP_query_size, OPS, ~0ull) == -XEN_EINVAL);
    CHECK("EINVAL touches nothing",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0 && shim_world_unchanged());

    static const uint64_t cmds[] = { 3, 4, 7, 9, 11, 12, 13, 99, (1ull << 32) | GNTTABOP_query_size, ~0ull };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              gop(vm, cmds[i], OPS, 1) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", shim_world_unchanged());

    static const struct {
        const char *what;
        gvaddr_t va;
    } badp[] = {
        { "unmapped", SHIM_UNMAPPED }, { "NULL", 0 }, { "non-canonical", SHIM_NONCANON },
        { "straddling into unmapped", SHIM_RW_END - 2 },
    };
    static const uint64_t ops[] = { GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
                                    GNTTABOP_setup_table, GNTTABOP_copy, GNTTABOP_query_size,
                                    GNTTABOP_set_version, GNTTABOP_get_version };
    for (size_t i = 0; i < sizeof badp / sizeof badp[0]; i++) {
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            setup();
            shim_world_snapshot();
            CHECK(shim_name("cmd %llu from %s -> EFAULT", (unsigned long long)ops[k], badp[i].what),
                  gop(vm, ops[k], badp[i].va, 1) == -XEN_EFAULT && shim_world_unchanged());
        }
    }

    /* A read-only op array: the op is done, its result cannot be written. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof q), &q, sizeof q);
    CHECK("query_size into read-only memory -> EFAULT",
          gop(vm, GNTTABOP_query_size, SHIM_RO_BASE, 1) == -XEN_EFAULT);

    /* The second op faults: the first stands. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    put_map(SHIM_RW_END - 32, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("2 maps, the second unmapped -> EFAULT",
          gop(vm, GNTTABOP_map_grant_ref, SHIM_RW_END - 32, 2) == -XEN_EFAULT);
    CHECK("the first was done and reported", get_map(SHIM_RW_END - 32).status == GNTST_okay &&
          mapped_at(m, GPA(HOST_GFN), ram(g, RAM_GFN + 1), 0));
}

static void test_versions(void)
{
    setup();
    static const struct {
        uint32_t version;
        long rc;
    } sv[] = { { 1, 0 }, { 2, -XEN_ENOSYS }, { 3, -XEN_EINVAL }, { 0, -XEN_EINVAL },
               { 0xffffffffu, -XEN_EINVAL } };
    for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++) {
        memcpy(shim_guest_mem(OPS, 4), &sv[i].version, 4);
        CHECK(shim_name("set_version %u -> %ld", sv[i].version, sv[i].rc),
              gop(vm, GNTTABOP_set_version, OPS, 1) == sv[i].rc);
        uint32_t out;
        memcpy(&out, shim_guest_mem(OPS, 4), 4);
        CHECK(shim_name("set_version %u leaves version %u in place", sv[i].version, sv[i].version),
              out == sv[i].version && shim_guest.to_calls == (sv[i].rc == 0));
    }

    struct gnttab_get_version gv = { .dom = DOMID_SELF, .pad = 0, .version = 0x5555 };
    memcpy(shim_guest_mem(OPS, sizeof gv), &gv, sizeof gv);
    CHECK("get_version self -> 0", gop(vm, GNTTABOP_get_version, OPS, 1) == 0);
    memcpy(&gv, shim_guest_mem(OPS, sizeof gv), sizeof gv);
    CHECK("version 1 written back", gv.version == 1 && gv.dom == DOMID_SELF);

    gv = (struct gnttab_get_version){ .dom = 1, .version = 0x5555 };
    memcpy(shim_guest_mem(OPS, sizeof gv), &gv, sizeof gv);
    CHECK("domU asks for dom1's version -> EPERM", gop(vm, GNTTABOP_get_version, OPS, 1) == -XEN_EPERM);
    memcpy(&gv, shim_guest_mem(OPS, sizeof gv), sizeof gv);
    CHECK("EPERM: nothing written", gv.version == 0x5555);
    gv = (struct gnttab_get_version){ .dom = 1, .version = 0x5555 };
    memcpy(shim_guest_mem(OPS, sizeof gv), &gv, sizeof gv);
    CHECK("dom0 asks for dom1's version -> 0", gop(v0, GNTTABOP_get_version, OPS, 1) == 0);
    memcpy(&gv, shim_guest_mem(OPS, sizeof gv), sizeof gv);
    CHECK("... 1", gv.version == 1);
    gv = (struct gnttab_get_version){ .dom = 9, .version = 0x5555 };
    memcpy(shim_guest_mem(OPS, sizeof gv), &gv, sizeof gv);
    CHECK("dom0 asks for an empty slot -> ESRCH", gop(v0, GNTTABOP_get_version, OPS, 1) == -XEN_ESRCH);
}

/* ---- copy ------------------------------------------------------------------------ */

static int16_t copy(struct vcpu *v, struct gnttab_copy c)
{
    c.status = 0x5555;
    memcpy(shim_guest_mem(OPS, sizeof c), &c, sizeof c);
    if (gop(v, GNTTABOP_copy, OPS, 1))
        return 0x7fff;
    memcpy(&c, shim_guest_mem(OPS, sizeof c), sizeof c);
    return c.status;
}

static struct gnttab_copy_ptr gref(domid_t dom, grant_ref_t ref, uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = dom, .offset = offset };
}

static struct gnttab_copy_ptr gmfn(domid_t dom, uint64_t frame, uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.gmfn = frame, .domid = dom, .offset = offset };
}

static uint8_t *page_of(struct domain *d, uint64_t gfn)
{
    return phys_to_virt(arch_domain_gpa_to_hpa(d, GPA(gfn), false));
}

static void fill_pattern(uint8_t *p, uint8_t seed)
{
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static void test_copy(void)
{
    setup();
    const uint16_t P = GTF_permit_access;
    grant(g, 6, P, 2, RAM_GFN + 2);
    grant(g, 7, P | GTF_readonly, 2, RAM_GFN + 3);
    uint8_t *gp6 = page_of(g, RAM_GFN + 2), *gp7 = page_of(g, RAM_GFN + 3);
    uint8_t *own = page_of(m, RAM_GFN);
    uint8_t pat6[PAGE_SIZE], pat7[PAGE_SIZE], patown[PAGE_SIZE];
    fill_pattern(pat6, 1);
    fill_pattern(pat7, 99);
    memcpy(gp6, pat6, PAGE_SIZE);
    memcpy(gp7, pat7, PAGE_SIZE);
    memset(own, 0xee, PAGE_SIZE);

    int16_t st = copy(vm, (struct gnttab_copy){ .source = gref(1, 6, 100),
                                               .dest = gmfn(DOMID_SELF, RAM_GFN, 200),
                                               .len = 300, .flags = GNTCOPY_source_gref });
    CHECK("copy gref -> own gmfn: okay", st == GNTST_okay);
    CHECK("300 bytes landed at offset 200", !memcmp(own + 200, pat6 + 100, 300));
    CHECK("source page unchanged", !memcmp(gp6, pat6, PAGE_SIZE));
    CHECK("nothing around them", shim_bytes_are(own, 200, 0xee) &&
          shim_bytes_are(own + 500, PAGE_SIZE - 500, 0xee));
    CHECK("copy reads and writes 40 bytes", shim_guest.from_bytes == 40 && shim_guest.to_bytes == 40);
    CHECK("copy claims nothing", ent(g, 6)->flags == P && g->gnttab.pins[6].readers == 0);

    fill_pattern(patown, 50);
    memcpy(own, patown, PAGE_SIZE);
    st = copy(vm, (struct gnttab_copy){ .source = gmfn(2, RAM_GFN, 0), .dest = gref(1, 6, 4000),
                                       .len = 96, .flags = GNTCOPY_dest_gref });
    CHECK("copy own gmfn (by id) -> gref, to the page end: okay", st == GNTST_okay);
    CHECK("96 bytes landed in the granter's page, the rest kept",
          !memcmp(gp6 + 4000, patown, 96) && !memcmp(gp6, pat6, 4000));
    CHECK("own page unchanged", !memcmp(own, patown, PAGE_SIZE));

    st = copy(vm, (struct gnttab_copy){ .source = gref(1, 7, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
                                       .len = 4096, .flags = GNTCOPY_source_gref });
    CHECK("copy from a read-only grant, whole page: okay", st == GNTST_okay &&
          !memcmp(own, pat7, 4096) && !memcmp(gp7, pat7, 4096));

    uint8_t before[PAGE_SIZE];
    memcpy(before, gp7, PAGE_SIZE);
    fill_pattern(own, 3);
    st = copy(vm, (struct gnttab_copy){ .source = gmfn(DOMID_SELF, RAM_GFN, 0), .dest = gref(1, 7, 0),
                                       .len = 16, .flags = GNTCOPY_dest_gref });
    CHECK("copy into a read-only grant -> permission_denied", st == GNTST_permission_denied);
    CHECK("read-only grant's page untouched", !memcmp(before, gp7, PAGE_SIZE));

    /* gref -> gref */
    grant(g, 8, P, 2, RAM_GFN + 4);
    memset(page_of(g, RAM_GFN + 4), 0, PAGE_SIZE);
    st = copy(vm, (struct gnttab_copy){ .source = gref(1, 6, 0), .dest = gref(1, 8, 8), .len = 8,
                                       .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref });
    CHECK("copy gref -> gref: okay", st == GNTST_okay && !memcmp(page_of(g, RAM_GFN + 4) + 8, gp6, 8) &&
          !memcmp(gp6, pat6, 8) && shim_bytes_are(page_of(g, RAM_GFN + 4), 8, 0));

    /* Errors: every one copies nothing. */
    const struct {
        const char *name;
        struct gnttab_copy c;
        int16_t status;
    } bad[] = {
        { "source offset 4000 + len 97", { .source = gref(1, 6, 4000), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 97, .flags = GNTCOPY_source_gref }, GNTST_bad_copy_arg },
        { "dest offset 4095 + len 2", { .source = gref(1, 6, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 4095),
          .len = 2, .flags = GNTCOPY_source_gref }, GNTST_bad_copy_arg },
        { "offset 65535", { .source = gref(1, 6, 0xffff), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_copy_arg },
        { "len 65535", { .source = gref(1, 6, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 0xffff, .flags = GNTCOPY_source_gref }, GNTST_bad_copy_arg },
        { "unknown flag bit 2", { .source = gref(1, 6, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref | 4 }, GNTST_bad_copy_arg },
        { "foreign raw source gmfn", { .source = gmfn(1, RAM_GFN + 2, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1 }, GNTST_bad_domain },
        { "foreign raw dest gmfn", { .source = gref(1, 6, 0), .dest = gmfn(1, RAM_GFN + 2, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_domain },
        { "raw gmfn a hole", { .source = gref(1, 6, 0), .dest = gmfn(DOMID_SELF, 0x50, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_page },
        { "raw gmfn 2^36", { .source = gmfn(DOMID_SELF, 1ull << 36, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1 }, GNTST_bad_page },
        { "raw gmfn 2^52 (wraps)", { .source = gmfn(DOMID_SELF, (1ull << 52) | RAM_GFN, 0),
          .dest = gmfn(DOMID_SELF, RAM_GFN + 1, 0), .len = 1 }, GNTST_bad_page },
        { "gref of an empty slot", { .source = gref(9, 6, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_domain },
        { "gref of a shut-down domain", { .source = gref(5, 6, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_domain },
        { "gref beyond the table", { .source = gref(1, 512, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_gntref },
        { "gref granted to dom3", { .source = gref(1, 9, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_permission_denied },
        { "gref not permitted", { .source = gref(1, 10, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_permission_denied },
        { "gref of a hole", { .source = gref(1, 11, 0), .dest = gmfn(DOMID_SELF, RAM_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_page },
        { "dest gref read-only, source raw", { .source = gmfn(DOMID_SELF, RAM_GFN, 0), .dest = gref(1, 7, 0),
          .len = 1, .flags = GNTCOPY_dest_gref }, GNTST_permission_denied },
        { "raw dest mapped read-only", { .source = gref(1, 6, 0), .dest = gmfn(DOMID_SELF, HOST_GFN, 0),
          .len = 1, .flags = GNTCOPY_source_gref }, GNTST_bad_page },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        grant(g, 6, P, 2, RAM_GFN + 2);
        grant(g, 7, P | GTF_readonly, 2, RAM_GFN + 3);
        grant(g, 9, P, 3, RAM_GFN + 2);
        grant(g, 10, 0, 2, RAM_GFN + 2);
        grant(g, 11, P, 2, 0x50);
        grant(d5, 6, P, 2, RAM_GFN + 2);
        CHECK("map ref 7 read-only at HOST_GFN",
              map(vm, 1, 7, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly).status == GNTST_okay);
        fill_pattern(page_of(g, RAM_GFN + 2), 5);
        fill_pattern(page_of(g, RAM_GFN + 3), 6);
        fill_pattern(page_of(m, RAM_GFN), 7);
        fill_pattern(page_of(m, RAM_GFN + 1), 8);
        shim_world_snapshot();
        uint16_t flags7 = ent(g, 7)->flags;
        uint8_t snap[4][PAGE_SIZE];
        memcpy(snap[0], page_of(g, RAM_GFN + 2), PAGE_SIZE);
        memcpy(snap[1], page_of(g, RAM_GFN + 3), PAGE_SIZE);
        memcpy(snap[2], page_of(m, RAM_GFN), PAGE_SIZE);
        memcpy(snap[3], page_of(m, RAM_GFN + 1), PAGE_SIZE);
        CHECK(shim_name("copy %s -> status %d", bad[i].name, bad[i].status),
              copy(vm, bad[i].c) == bad[i].status);
        CHECK(shim_name("copy %s copies nothing", bad[i].name),
              !memcmp(snap[0], page_of(g, RAM_GFN + 2), PAGE_SIZE) &&
              !memcmp(snap[1], page_of(g, RAM_GFN + 3), PAGE_SIZE) &&
              !memcmp(snap[2], page_of(m, RAM_GFN), PAGE_SIZE) &&
              !memcmp(snap[3], page_of(m, RAM_GFN + 1), PAGE_SIZE) &&
              ent(g, 6)->flags == P && ent(g, 7)->flags == flags7 && shim_domains_unchanged());
    }
}

/* ---- lifetime: frames outliving their owner --------------------------------------- */

static bool balanced(void)
{
    return shim_frames.allocs == shim_frames.frees && shim_frames.bad_frees == 0 &&
           shim_frames_live() == 0;
}

static void test_lifetime(void)
{
    /* A frame nobody maps is freed at once. */
    setup();
    paddr_t f = ram(g, RAM_GFN + 1);
    uint64_t frees = shim_frames.frees;
    domain_release_frame(f);
    CHECK("release of an unmapped frame frees it", !shim_frame_is_live(f) &&
          shim_frames.frees == frees + 1 && shim_frames.bad_frees == 0);

    /* Mapped by another domain: kept until the unmap. */
    setup();
    f = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access, 2, RAM_GFN + 2);
    struct map_result a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    struct map_result b = map(vm, 1, 6, GPA(HOST_GFN + 1), GNTMAP_host_map);
    CHECK("map two grants", a.status == GNTST_okay && b.status == GNTST_okay);
    frees = shim_frames.frees;
    domain_release_frame(f);
    CHECK("release of a mapped frame does not free it", shim_frame_is_live(f) &&
          shim_frames.frees == frees);
    CHECK("its mapping is marked orphan, the other not",
          m->gnttab.maptrack[a.handle].holds_frame && !m->gnttab.maptrack[b.handle].holds_frame);
    CHECK("the mapping still works", mapped_at(m, GPA(HOST_GFN), f, 0));
    CHECK("unmap of the orphan -> okay", unmap(vm, GPA(HOST_GFN), a.handle) == GNTST_okay);
    CHECK("... frees the frame exactly once", !shim_frame_is_live(f) &&
          shim_frames.frees == frees + 1 && shim_frames.bad_frees == 0);
    CHECK("the other grant's frame lives", shim_frame_is_live(ram(g, RAM_GFN + 2)));

    /* The granter dies while two domains map its page. */
    setup();
    f = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access | GTF_readonly, 3, RAM_GFN + 1);
    a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    b = map(vm2, 1, 6, GPA(HOST_GFN + 5), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("dom2 and dom3 map the same page", a.status == GNTST_okay && b.status == GNTST_okay);
    uint64_t table0 = g->gnttab.frames[0];
    paddr_t other = ram(g, RAM_GFN + 2);
    frees = shim_frames.frees;
    die(g);
    CHECK("granter dead: its page lives on", shim_frame_is_live(f));
    CHECK("its other RAM and its table are freed", !shim_frame_is_live(other) &&
          !shim_frame_is_live(table0) && shim_frames.frees == frees + (RAM_PAGES - 1) + 1 &&
          shim_frames.bad_frees == 0);
    CHECK("both mappings orphans", m->gnttab.maptrack[a.handle].holds_frame &&
          m2->gnttab.maptrack[b.handle].holds_frame);
    CHECK("a new map of the dead granter -> bad_domain",
          map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map).status == GNTST_bad_domain);
    memset(phys_to_virt(f), 0x42, 8);
    CHECK("both still see the page", shim_bytes_are(phys_to_virt(arch_domain_gpa_to_hpa(
          m2, GPA(HOST_GFN + 5), false)), 8, 0x42));
    CHECK("dom2 unmaps -> okay", unmap(vm, GPA(HOST_GFN), a.handle) == GNTST_okay);
    CHECK("one mapping left: still not freed", shim_frame_is_live(f) &&
          shim_frames.frees == frees + RAM_PAGES);
    CHECK("dom3 unmaps -> okay", unmap(vm2, GPA(HOST_GFN + 5), b.handle) == GNTST_okay);
    CHECK("last mapping gone: freed once", !shim_frame_is_live(f) &&
          shim_frames.frees == frees + RAM_PAGES + 1 && shim_frames.bad_frees == 0);
    die(m);
    die(m2);
    die(d0);
    die(d5);
    CHECK("everyone dead: allocs == frees, no double free", balanced());

    /* The mapper dies first, then the granter. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access | GTF_readonly, 2, RAM_GFN + 2);
    a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    b = map(vm, 1, 6, GPA(HOST_GFN + 1), GNTMAP_host_map | GNTMAP_readonly);
    struct map_result c = map(vm, 1, 6, GPA(HOST_GFN + 2), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("three maps", a.status == GNTST_okay && b.status == GNTST_okay && c.status == GNTST_okay);
    grant_unmap_all(m);
    CHECK("grant_unmap_all: no maptrack left", maptrack_used(m) == 0);
    CHECK("granter's in-use bits and pins cleared",
          ent(g, 5)->flags == GTF_permit_access && ent(g, 6)->flags == (GTF_permit_access | GTF_readonly) &&
          g->gnttab.pins[5].writers == 0 && g->gnttab.pins[6].readers == 0);
    CHECK("granter's pages not freed", shim_frame_is_live(ram(g, RAM_GFN + 1)) &&
          shim_frame_is_live(ram(g, RAM_GFN + 2)) && shim_frames.bad_frees == 0);
    shim_ept_destroy(m);
    grant_free_table(m);
    m->destroyed = true;
    CHECK("granter's pages survive the mapper", shim_frame_is_live(ram(g, RAM_GFN + 1)));
    CHECK("table of 3", grant_map_table_frame(g, 2, GPA(TABLE_GFN + 2)) == 0 && g->gnttab.nr_frames == 3);
    paddr_t tf[3] = { g->gnttab.frames[0], g->gnttab.frames[1], g->gnttab.frames[2] };
    frees = shim_frames.frees;
    grant_free_table(g);
    CHECK("grant_free_table frees its 3 frames", shim_frames.frees == frees + 3 &&
          !shim_frame_is_live(tf[0]) && !shim_frame_is_live(tf[1]) && !shim_frame_is_live(tf[2]) &&
          g->gnttab.nr_frames == 0 && shim_frames.bad_frees == 0);
    shim_ept_destroy(g);
    g->destroyed = true;
    die(m2);
    die(d0);
    die(d5);
    CHECK("mapper first: allocs == frees", balanced());

    /* A mapper dying with orphans frees them. */
    setup();
    f = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    CHECK("map", map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay);
    die(g);
    CHECK("granter dead, page alive", shim_frame_is_live(f));
    die(m);
    CHECK("mapper dead: orphan freed", !shim_frame_is_live(f) && shim_frames.bad_frees == 0);
    die(m2);
    die(d0);
    die(d5);
    CHECK("orphans: allocs == frees", balanced());

    /* A domain mapping its own grant dies: the page is freed once. */
    setup();
    f = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 1, RAM_GFN + 1);
    CHECK("self map", map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_permission_denied &&
          map(vg, DOMID_SELF, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay);
    die(g);
    CHECK("self-mapped page freed with its domain", !shim_frame_is_live(f) && shim_frames.bad_frees == 0);
    die(m);
    die(m2);
    die(d0);
    die(d5);
    CHECK("self map: allocs == frees", balanced());

    /* The granter replaces a granted page (table frame over it) while it is mapped. */
    setup();
    f = ram(g, RAM_GFN + 1);
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("map", a.status == GNTST_okay);
    CHECK("table frame 1 over the granted page -> 0", grant_map_table_frame(g, 1, GPA(RAM_GFN + 1)) == 0);
    CHECK("the page lives on for the mapper", shim_frame_is_live(f) && mapped_at(m, GPA(HOST_GFN), f, 0));
    CHECK("a new map of the grant -> bad_page (not RAM any more)",
          map(vm, 1, 5, GPA(HOST_GFN + 1), GNTMAP_host_map).status == GNTST_bad_page);
    CHECK("unmap -> okay, page freed", unmap(vm, GPA(HOST_GFN), a.handle) == GNTST_okay &&
          !shim_frame_is_live(f) && shim_frames.bad_frees == 0);
    /* Regression: this mapping was once taken for an orphan and never unpinned. */
    CHECK("unmap clears the granter's in-use bits (granter still alive)",
          ent(g, 5)->flags == GTF_permit_access && g->gnttab.pins[5].writers == 0);
    die(g);
    die(m);
    die(m2);
    die(d0);
    die(d5);
    CHECK("replaced page: allocs == frees", balanced());
}

/* grant_count_in_use, as the end-of-run leak check reads it (hv/sched.c). */
static bool in_use(uint32_t mappings, uint32_t pins)
{
    uint32_t n, p, counted;
    grant_count_in_use(&n, &p, &counted);
    return n == mappings && p == pins && counted == mappings;
}

static void test_leak_counts(void)
{
    setup();
    CHECK("nothing mapped: 0 mappings, 0 pins", in_use(0, 0));
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    grant(g, 6, GTF_permit_access | GTF_readonly, 3, RAM_GFN + 2);
    struct map_result a = map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map);
    struct map_result b = map(vm2, 1, 6, GPA(HOST_GFN), GNTMAP_host_map | GNTMAP_readonly);
    CHECK("two maps", a.status == GNTST_okay && b.status == GNTST_okay);
    CHECK("two mappings, two pins", in_use(2, 2));
    CHECK("a refused map adds nothing",
          map(vm, 1, 6, GPA(HOST_GFN + 1), GNTMAP_host_map).status == GNTST_permission_denied &&
          in_use(2, 2));

    /* The granter dies first: each mapping lets go of its pin then, so a dead
     * granter holds none (a pin left over would be one no mapping accounts for). */
    die(g);
    CHECK("granter dead: its pins dropped with it",
          g->gnttab.pins[5].writers == 0 && g->gnttab.pins[6].readers == 0);
    CHECK("... the mappings stay, pinning nothing", in_use(2, 0));
    CHECK("the mapper unmaps -> okay, nothing unpinned twice",
          unmap(vm, GPA(HOST_GFN), a.handle) == GNTST_okay && in_use(1, 0) &&
          g->gnttab.pins[5].writers == 0);
    die(m2);
    CHECK("the other mapper dies: nothing left", in_use(0, 0));
    die(m);
    die(d0);
    die(d5);
    CHECK("leak counts: allocs == frees", balanced());

    /* The mapper dies first: its pins go with its mappings. */
    setup();
    grant(g, 5, GTF_permit_access, 2, RAM_GFN + 1);
    CHECK("map", map(vm, 1, 5, GPA(HOST_GFN), GNTMAP_host_map).status == GNTST_okay &&
          in_use(1, 1));
    die(m);
    CHECK("mapper dead: no mapping, no pin", in_use(0, 0) && g->gnttab.pins[5].writers == 0 &&
          ent(g, 5)->flags == GTF_permit_access);
    die(g);
    die(m2);
    die(d0);
    die(d5);
    CHECK("mapper first: nothing left", in_use(0, 0) && balanced());
}

int main(void)
{
    /* First: grant_table.c's static count of mappings is then fresh, as at boot. */
    test_lifetime();
    test_leak_counts();
    test_table_frames();
    test_setup_table();
    test_map();
    test_map_errors();
    test_maptrack_full();
    test_in_use_bits();
    test_unmap();
    test_hypercall();
    test_versions();
    test_copy();
    CHECK_DONE();
}
