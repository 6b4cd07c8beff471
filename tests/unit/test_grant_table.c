/*
 * Host unit test for hv/grant_table.c (grant tables v1): table frames,
 * setup_table, map and unmap, the hypercall's batches and commands. The
 * world and its helpers are in grant_fixture.c; copies and lifetimes are in
 * test_grant_copy.c.
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "grant_fixture.h"

CHECK_SUITE("grant_table");

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

    /* A frame list it cannot write (2 frames, 16 bytes). */
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, 2 * 8); b->what; b++) {
        setup();
        r = setup_table(vg, DOMID_SELF, 2, b->va);
        CHECK(shim_name("frame_list %s -> EFAULT", b->what), r.rc == -XEN_EFAULT);
    }
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
    CHECK("the two mappings made are counted for the caller", vm->stats.grant_maps == 2);

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

    static const uint64_t ops[] = { GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
                                    GNTTABOP_setup_table, GNTTABOP_copy, GNTTABOP_query_size,
                                    GNTTABOP_set_version, GNTTABOP_get_version };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t size = gnttab_op_size(ops[k]);
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, size); b->what; b++) {
            setup();
            shim_world_snapshot();
            CHECK(shim_name("cmd %llu from %s -> EFAULT", (unsigned long long)ops[k], b->what),
                  gop(vm, ops[k], b->va, 1) == -XEN_EFAULT && shim_world_unchanged());
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

/* The builder's reserved entries (hv/domain.c): dom0 maps a domU's ring page. */
static void test_reserved(void)
{
    setup();
    struct domain *fresh = vm2->domain;     /* no table frame yet */
    uint32_t frames_before = fresh->gnttab.nr_frames;
    CHECK("reserve entry 1 -> 0", grant_reserve(fresh, GNTTAB_RESERVED_XENSTORE, 0,
                                                RAM_GFN + 2) == 0);
    CHECK("the table grew to its first frame", frames_before == 0 &&
          fresh->gnttab.nr_frames == 1);
    CHECK("entry 1: permit access to dom0, the page",
          ent(fresh, 1)->flags == GTF_permit_access && ent(fresh, 1)->domid == 0 &&
          ent(fresh, 1)->frame == RAM_GFN + 2);
    CHECK("entry 0 untouched", ent(fresh, 0)->flags == 0);
    CHECK("reserve past the reserved entries refused",
          grant_reserve(fresh, GNTTAB_NR_RESERVED_ENTRIES, 0, RAM_GFN) == -XEN_ENOMEM &&
          ent(fresh, GNTTAB_NR_RESERVED_ENTRIES)->flags == 0);
    struct map_result r = map(v0, 3, GNTTAB_RESERVED_XENSTORE, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("dom0 maps it writable", r.rc == 0 && r.status == GNTST_okay &&
          arch_domain_gpa_to_hpa(d0, GPA(HOST_GFN), true) == ram(fresh, RAM_GFN + 2));
    r = map(vm, 3, GNTTAB_RESERVED_XENSTORE, GPA(HOST_GFN), GNTMAP_host_map);
    CHECK("another domU may not", r.rc == 0 && r.status == GNTST_permission_denied);
}

int main(void)
{
    test_reserved();
    test_table_frames();
    test_setup_table();
    test_map();
    test_map_errors();
    test_maptrack_full();
    test_in_use_bits();
    test_unmap();
    test_hypercall();
    test_versions();
    CHECK_DONE();
}
