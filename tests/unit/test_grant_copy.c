/*
 * Host unit test for hv/grant_table.c (grant tables v1): GNTTABOP_copy,
 * frames outliving their owner, and the counts the leak check reads. The
 * world and its helpers are in grant_fixture.c.
 */
#include <string.h>
#include "check.h"
#include "grant_fixture.h"

CHECK_SUITE("grant_copy");

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
    CHECK("the three copies counted for the caller, the refused one not",
          vm->stats.grant_copies == 3 && vm->stats.grant_maps == 0);

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
    test_copy();
    CHECK_DONE();
}
