/* Host unit test for hv/memory_op.c, against the fake guest of shim_guest.c. */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/grant_table.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/memory_op.h"

CHECK_SUITE("memory_op");

/* hv/grant_table.c is not linked: this one records what it was asked. */
static struct {
    unsigned calls;
    struct domain *d;
    uint64_t idx;
    gpaddr_t gpa;
    int result;
} map_table_frame;

int grant_map_table_frame(struct domain *d, uint64_t idx, gpaddr_t gpa)
{
    map_table_frame.calls++;
    map_table_frame.d = d;
    map_table_frame.idx = idx;
    map_table_frame.gpa = gpa;
    return map_table_frame.result;
}

/* hv/domain_runtime.c and hv/balloon.c are not linked: these record the
 * extents asked for and fail from the `fail_at`th call on (0: never). */
struct extent_calls {
    unsigned calls, fail_at;
    struct domain *d;
    uint64_t gpfn[8];
    uint32_t order;
};
static struct extent_calls populate, release;

static int record(struct extent_calls *c, struct domain *d, uint64_t gpfn, uint32_t order)
{
    if (c->calls < 8)
        c->gpfn[c->calls] = gpfn;
    c->calls++;
    c->d = d;
    c->order = order;
    return c->fail_at && c->calls >= c->fail_at ? -1 : 0;
}

int domain_runtime_populate(struct domain *d, uint64_t gpfn, uint32_t order)
{
    return record(&populate, d, gpfn, order);
}

int balloon_release(struct domain *d, uint64_t gpfn, uint32_t order)
{
    return record(&release, d, gpfn, order);
}

/*
 * dom0: privileged, 64 MiB, 16000 frames owned; dom1, dom2: unprivileged,
 * 32 and 16 MiB; dom3 destroyed; slot 4 empty. frames_owned differs from
 * ram_bytes / 4096 so CURRENT and MAXIMUM_RESERVATION can be told apart.
 */
static struct vcpu *dom0, *dom1, *dom2;

/* The layout domain.c gives a domU of this size (dom0's own is tested by
 * tests/system: it needs the frame allocator). */
static void set_layout(struct domain *d)
{
    const char *why;
    d->memmap_entries = (uint32_t)start_info_memmap(d->ram_bytes, d->memmap, &why);
    d->ram_top = d->ram_bytes;
}

static void setup(void)
{
    shim_guest_reset();
    memset(&map_table_frame, 0, sizeof map_table_frame);
    memset(&populate, 0, sizeof populate);
    memset(&release, 0, sizeof release);
    dom0 = shim_domain_create(0, true, MiB(64));
    dom1 = shim_domain_create(1, false, MiB(32));
    dom2 = shim_domain_create(2, false, MiB(16));
    shim_domain_create(3, false, MiB(8))->domain->destroyed = true;
    set_layout(dom0->domain);
    set_layout(dom1->domain);
    set_layout(dom2->domain);
    dom0->domain->frames_owned = 16000;
    dom1->domain->frames_owned = 8000;
    dom2->domain->frames_owned = 4000;
}

static long mop(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_memory_op(v, args);
}

#define ARG (SHIM_RW_BASE + 0x1000)
#define BUF (SHIM_RW_BASE + 0x2000)

/* ---- MAXIMUM_RAM_PAGE ---------------------------------------------------- */

static void test_maximum_ram_page(void)
{
    setup();
    shim_world_snapshot();
    CHECK("dom1 (32 MiB) highest gfn 0x1fff",
          mop(dom1, XENMEM_MAXIMUM_RAM_PAGE, SHIM_UNMAPPED) == 0x1fff);
    CHECK("argument ignored: no guest access",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("dom0 (64 MiB) highest gfn 0x3fff",
          mop(dom0, XENMEM_MAXIMUM_RAM_PAGE, SHIM_NONCANON) == 0x3fff);
    CHECK("MAXIMUM_RAM_PAGE changes nothing", shim_world_unchanged());
    dom2->domain->ram_top = MiB(2) + 0x1000;
    CHECK("2 MiB + 4 KiB: highest gfn 0x200",
          mop(dom2, XENMEM_MAXIMUM_RAM_PAGE, 0) == 0x200);
}

/* ---- CURRENT / MAXIMUM_RESERVATION --------------------------------------- */

static long reservation(struct vcpu *v, uint64_t cmd, uint16_t domid, gvaddr_t where)
{
    memcpy(shim_guest_mem(where, sizeof domid), &domid, sizeof domid);
    return mop(v, cmd, where);
}

static void test_reservation(void)
{
    static const struct {
        const char *name;
        uint64_t cmd;
        long self1, own0, of1, of2;   /* dom1 self, dom0 self, dom1's, dom2's */
    } ops[] = {
        { "CURRENT", XENMEM_CURRENT_RESERVATION, 8000, 16000, 8000, 4000 },
        { "MAXIMUM", XENMEM_MAXIMUM_RESERVATION, 8192, 16384, 8192, 4096 },
    };

    for (size_t i = 0; i < 2; i++) {
        const char *n = ops[i].name;
        uint64_t cmd = ops[i].cmd;

        setup();
        shim_world_snapshot();
        CHECK(shim_name("%s dom1 DOMID_SELF", n),
              reservation(dom1, cmd, DOMID_SELF, ARG) == ops[i].self1);
        CHECK(shim_name("%s reads the 2-byte domid once", n),
              shim_guest.from_calls == 1 && shim_guest.from_bytes == 2 &&
              shim_guest.to_calls == 0);
        CHECK(shim_name("%s dom1 by own id", n),
              reservation(dom1, cmd, 1, ARG) == ops[i].self1);
        CHECK(shim_name("%s dom0 DOMID_SELF", n),
              reservation(dom0, cmd, DOMID_SELF, ARG) == ops[i].own0);
        CHECK(shim_name("%s dom0 asks for dom1", n),
              reservation(dom0, cmd, 1, ARG) == ops[i].of1);
        CHECK(shim_name("%s dom0 asks for dom2", n),
              reservation(dom0, cmd, 2, ARG) == ops[i].of2);
        CHECK(shim_name("%s domid from a read-only page", n),
              reservation(dom1, cmd, DOMID_SELF, SHIM_RO_BASE + 0x10) == ops[i].self1);
        CHECK(shim_name("%s domid from the upper half", n),
              reservation(dom1, cmd, 1, SHIM_HI_BASE) == ops[i].self1);
        CHECK(shim_name("%s domid in the last 2 mapped bytes", n),
              reservation(dom1, cmd, DOMID_SELF, SHIM_RW_END - 2) == ops[i].self1);
        CHECK(shim_name("%s answers change no domain", n), shim_domains_unchanged());
    }
}

static void test_reservation_errors(void)
{
    static const struct {
        const char *name;
        int caller;
        uint16_t domid;
        long rc;
    } cases[] = {
        { "dom1 asks for dom0", 1, 0, -XEN_EPERM },
        { "dom1 asks for dom2", 1, 2, -XEN_EPERM },
        { "dom1 asks for a free slot", 1, 4, -XEN_EPERM },
        { "dom0 asks for a free slot", 0, 4, -XEN_ESRCH },
        { "dom0 asks for a destroyed domain", 0, 3, -XEN_ESRCH },
        { "dom0 asks for id MAX_DOMAINS", 0, MAX_DOMAINS, -XEN_ESRCH },
        { "dom0 asks for DOMID_SELF+1", 0, DOMID_SELF + 1, -XEN_ESRCH },
        { "dom0 asks for 0xffff", 0, 0xffff, -XEN_ESRCH },
    };
    static const uint64_t cmds[] = { XENMEM_CURRENT_RESERVATION, XENMEM_MAXIMUM_RESERVATION };

    for (size_t c = 0; c < 2; c++) {
        const char *op = c ? "MAXIMUM" : "CURRENT";
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            setup();
            struct vcpu *v = cases[i].caller ? dom1 : dom0;
            memcpy(shim_guest_mem(ARG, 2), &cases[i].domid, 2);
            shim_world_snapshot();
            long rc = mop(v, cmds[c], ARG);
            CHECK(shim_name("%s %s -> %ld", op, cases[i].name, cases[i].rc),
                  rc == cases[i].rc);
            CHECK(shim_name("%s %s changes nothing", op, cases[i].name),
                  shim_world_unchanged());
        }

        const uint16_t self = DOMID_SELF;
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof self); b->what; b++) {
            setup();
            bad_pointers_put_valid(&self, sizeof self);
            shim_world_snapshot();
            CHECK(shim_name("%s domid %s -> EFAULT", op, b->what),
                  mop(dom0, cmds[c], b->va) == -XEN_EFAULT);
            CHECK(shim_name("%s domid %s changes nothing", op, b->what), shim_world_unchanged());
        }
    }
}

/* ---- ADD_TO_PHYSMAP ------------------------------------------------------ */

static long add_to_physmap(struct vcpu *v, uint16_t domid, uint32_t space, uint64_t idx,
                           uint64_t gpfn, gvaddr_t where)
{
    struct xen_add_to_physmap req = {
        .domid = domid, .size = 0, .space = space, .idx = idx, .gpfn = gpfn,
    };
    memcpy(shim_guest_mem(where, sizeof req), &req, sizeof req);
    return mop(v, XENMEM_ADD_TO_PHYSMAP, where);
}

static void test_add_to_physmap(void)
{
    setup();
    struct xen_add_to_physmap req = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_SHARED_INFO, .idx = 0, .gpfn = 0xfeffe,
    };
    memcpy(shim_guest_mem(ARG, sizeof req), &req, sizeof req);
    shim_world_snapshot();
    CHECK("dom1 maps shared info", mop(dom1, XENMEM_ADD_TO_PHYSMAP, ARG) == 0);
    CHECK("reads the request once",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 24 &&
          shim_guest.to_calls == 0);
    CHECK("domain_map_shared_info called once", shim_map_shared_info.calls == 1);
    CHECK("... for the caller", shim_map_shared_info.d == dom1->domain);
    CHECK("... at gpfn << 12", shim_map_shared_info.gpa == 0xfeffe000);
    dom1->domain->shared_info_slot = (struct physmap_slot){ false, 0 };   /* the shim's stand-in effect */
    CHECK("nothing else changes", shim_world_unchanged());

    setup();
    CHECK("dom1 by own id", add_to_physmap(dom1, 1, XENMAPSPACE_SHARED_INFO, 0, 0x80,
          ARG) == 0 && shim_map_shared_info.d == dom1->domain &&
          shim_map_shared_info.gpa == 0x80000);
    CHECK("dom0 DOMID_SELF maps its own", add_to_physmap(dom0, DOMID_SELF,
          XENMAPSPACE_SHARED_INFO, 0, 0x81, ARG) == 0 &&
          shim_map_shared_info.d == dom0->domain && shim_map_shared_info.gpa == 0x81000);
    CHECK("highest gpfn 2^36 - 1", add_to_physmap(dom1, DOMID_SELF,
          XENMAPSPACE_SHARED_INFO, 0, (1ull << 36) - 1, ARG) == 0 &&
          shim_map_shared_info.gpa == 0xfffffffff000ull);
    CHECK("gpfn 0", add_to_physmap(dom1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, 0,
          ARG) == 0 && shim_map_shared_info.gpa == 0);
    CHECK("request in a read-only page", add_to_physmap(dom1, DOMID_SELF,
          XENMAPSPACE_SHARED_INFO, 0, 0x82, SHIM_RO_BASE) == 0 &&
          shim_map_shared_info.gpa == 0x82000);

    /* The size field is unused for shared info. */
    req = (struct xen_add_to_physmap){
        .domid = DOMID_SELF, .size = 0xffff, .space = XENMAPSPACE_SHARED_INFO, .gpfn = 0x83,
    };
    memcpy(shim_guest_mem(ARG, sizeof req), &req, sizeof req);
    CHECK("size ignored", mop(dom1, XENMEM_ADD_TO_PHYSMAP, ARG) == 0 &&
          shim_map_shared_info.gpa == 0x83000);
    CHECK("six successful calls, six maps", shim_map_shared_info.calls == 6);

    /* The map's own failure is returned as is. */
    static const int results[] = { -XEN_ENOMEM, -XEN_EINVAL };
    for (size_t i = 0; i < 2; i++) {
        setup();
        shim_map_shared_info.result = results[i];
        CHECK(shim_name("map result %d passed through", results[i]),
              add_to_physmap(dom1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, 0x84,
                             ARG) == results[i] && shim_map_shared_info.calls == 1);
    }
}

static void test_add_to_physmap_errors(void)
{
    static const struct {
        const char *name;
        int caller;
        uint16_t domid;
        uint32_t space;
        uint64_t idx, gpfn;
        long rc;
    } cases[] = {
        { "dom1 maps into dom0", 1, 0, XENMAPSPACE_SHARED_INFO, 0, 0x80, -XEN_EPERM },
        { "dom1 maps into dom2", 1, 2, XENMAPSPACE_SHARED_INFO, 0, 0x80, -XEN_EPERM },
        { "dom1 maps into a free slot", 1, 4, XENMAPSPACE_SHARED_INFO, 0, 0x80, -XEN_EPERM },
        { "dom0 maps into dom1", 0, 1, XENMAPSPACE_SHARED_INFO, 0, 0x80, -XEN_EINVAL },
        { "dom0 maps into a free slot", 0, 4, XENMAPSPACE_SHARED_INFO, 0, 0x80, -XEN_EINVAL },
        { "idx 1", 1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 1, 0x80, -XEN_EINVAL },
        { "idx 2^63", 1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 1ull << 63, 0x80, -XEN_EINVAL },
        { "gpfn 2^36", 1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, 1ull << 36, -XEN_EINVAL },
        { "gpfn 2^52 (wraps when shifted)", 1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0,
          1ull << 52, -XEN_EINVAL },
        { "gpfn ~0", 1, DOMID_SELF, XENMAPSPACE_SHARED_INFO, 0, ~0ull, -XEN_EINVAL },
        { "grant table gpfn 2^36", 1, DOMID_SELF, XENMAPSPACE_GRANT_TABLE, 0, 1ull << 36,
          -XEN_EINVAL },
        { "grant table gpfn 2^52 (wraps when shifted)", 1, DOMID_SELF, XENMAPSPACE_GRANT_TABLE, 0,
          1ull << 52, -XEN_EINVAL },
        { "grant table gpfn ~0", 0, DOMID_SELF, XENMAPSPACE_GRANT_TABLE, 0, ~0ull, -XEN_EINVAL },
        { "grant table, dom1 into dom2", 1, 2, XENMAPSPACE_GRANT_TABLE, 0, 0x80, -XEN_EPERM },
        { "grant table, dom0 into dom1", 0, 1, XENMAPSPACE_GRANT_TABLE, 0, 0x80, -XEN_EINVAL },
        { "space 2", 1, DOMID_SELF, 2, 0, 0x80, -XEN_EINVAL },
        { "space ~0", 1, DOMID_SELF, 0xffffffffu, 0, 0x80, -XEN_EINVAL },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        struct xen_add_to_physmap req = {
            .domid = cases[i].domid, .space = cases[i].space,
            .idx = cases[i].idx, .gpfn = cases[i].gpfn,
        };
        memcpy(shim_guest_mem(ARG, sizeof req), &req, sizeof req);
        shim_world_snapshot();
        long rc = mop(cases[i].caller ? dom1 : dom0, XENMEM_ADD_TO_PHYSMAP, ARG);
        CHECK(shim_name("ADD_TO_PHYSMAP %s -> %ld", cases[i].name, cases[i].rc),
              rc == cases[i].rc);
        CHECK(shim_name("ADD_TO_PHYSMAP %s maps nothing", cases[i].name),
              shim_map_shared_info.calls == 0 && map_table_frame.calls == 0);
        CHECK(shim_name("ADD_TO_PHYSMAP %s changes nothing", cases[i].name),
              shim_world_unchanged());
    }

    const struct xen_add_to_physmap good = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_SHARED_INFO, .idx = 0, .gpfn = 0x80,
    };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        setup();
        bad_pointers_put_valid(&good, sizeof good);
        shim_world_snapshot();
        CHECK(shim_name("ADD_TO_PHYSMAP %s -> EFAULT", b->what),
              mop(dom1, XENMEM_ADD_TO_PHYSMAP, b->va) == -XEN_EFAULT);
        CHECK(shim_name("ADD_TO_PHYSMAP %s maps nothing", b->what),
              shim_map_shared_info.calls == 0 && map_table_frame.calls == 0 &&
              shim_world_unchanged());
    }
}

static void test_add_to_physmap_grant_table(void)
{
    setup();
    struct xen_add_to_physmap req = {
        .domid = DOMID_SELF, .size = 0xffff, .space = XENMAPSPACE_GRANT_TABLE, .idx = 2,
        .gpfn = 0xfeffd,
    };
    memcpy(shim_guest_mem(ARG, sizeof req), &req, sizeof req);
    shim_world_snapshot();
    CHECK("dom1 maps grant-table frame 2", mop(dom1, XENMEM_ADD_TO_PHYSMAP, ARG) == 0);
    CHECK("grant table: reads the request once, writes nothing",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 24 && shim_guest.to_calls == 0);
    CHECK("grant_map_table_frame called once", map_table_frame.calls == 1);
    CHECK("... for the caller", map_table_frame.d == dom1->domain);
    CHECK("... with idx 2", map_table_frame.idx == 2);
    CHECK("... at gpfn << 12", map_table_frame.gpa == 0xfeffd000ull);
    CHECK("grant table: shared info untouched, nothing else changes",
          shim_map_shared_info.calls == 0 && shim_world_unchanged());

    setup();
    CHECK("dom1 by own id, gpfn 0", add_to_physmap(dom1, 1, XENMAPSPACE_GRANT_TABLE, 0, 0, ARG) == 0 &&
          map_table_frame.d == dom1->domain && map_table_frame.idx == 0 && map_table_frame.gpa == 0);
    CHECK("dom0 DOMID_SELF, highest gpfn 2^36 - 1", add_to_physmap(dom0, DOMID_SELF,
          XENMAPSPACE_GRANT_TABLE, 3, (1ull << 36) - 1, ARG) == 0 &&
          map_table_frame.d == dom0->domain && map_table_frame.idx == 3 &&
          map_table_frame.gpa == 0xfffffffff000ull);
    /* idx is checked by grant_map_table_frame, not here: passed on whole. */
    CHECK("idx 2^63 | 5 passed on whole", add_to_physmap(dom1, DOMID_SELF,
          XENMAPSPACE_GRANT_TABLE, (1ull << 63) | 5, 0x90, ARG) == 0 &&
          map_table_frame.idx == ((1ull << 63) | 5) && map_table_frame.gpa == 0x90000);
    CHECK("request in a read-only page", add_to_physmap(dom2, DOMID_SELF,
          XENMAPSPACE_GRANT_TABLE, 1, 0x91, SHIM_RO_BASE) == 0 &&
          map_table_frame.d == dom2->domain && map_table_frame.gpa == 0x91000);
    CHECK("four calls, four maps", map_table_frame.calls == 4 && shim_map_shared_info.calls == 0);

    static const int results[] = { -XEN_EINVAL, -XEN_ENOMEM };
    for (size_t i = 0; i < 2; i++) {
        setup();
        map_table_frame.result = results[i];
        CHECK(shim_name("grant_map_table_frame result %d passed through", results[i]),
              add_to_physmap(dom1, DOMID_SELF, XENMAPSPACE_GRANT_TABLE, 0, 0x84, ARG) == results[i] &&
              map_table_frame.calls == 1);
    }
}

/* ---- MEMORY_MAP ---------------------------------------------------------- */

static void put_memory_map(gvaddr_t where, uint32_t nr_entries, uint64_t buffer)
{
    struct xen_memory_map req = { .nr_entries = nr_entries, .pad = 0xa5a5a5a5, .buffer = buffer };
    memcpy(shim_guest_mem(where, sizeof req), &req, sizeof req);
}

static uint32_t nr_entries_at(gvaddr_t where)
{
    uint32_t n;
    memcpy(&n, shim_guest_mem(where, sizeof n), sizeof n);
    return n;
}

static bool entry_is(gvaddr_t buf, unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
    struct e820_entry e;
    memcpy(&e, shim_guest_mem(buf + i * sizeof e, sizeof e), sizeof e);
    return e.addr == addr && e.size == size && e.type == type;
}

static void test_memory_map(void)
{
    const struct xen_memory_map *req;
    uint8_t arg_before[16];

    setup();
    put_memory_map(ARG, 8, BUF);
    memcpy(arg_before, shim_guest_mem(ARG, 16), 16);
    CHECK("room for 8: ok", mop(dom1, XENMEM_MEMORY_MAP, ARG) == 0);
    CHECK("nr_entries = 3", nr_entries_at(ARG) == 3);
    CHECK("entry 0: low RAM", entry_is(BUF, 0, 0, 0x9f000, 1));
    CHECK("entry 1: reserved hole", entry_is(BUF, 1, 0x9f000, 0x61000, 2));
    CHECK("entry 2: RAM above 1 MiB, caller's size",
          entry_is(BUF, 2, 0x100000, MiB(32) - 0x100000, 1));
    CHECK("nothing written past 3 entries", shim_guest_bytes_are(BUF + 60, 1, SHIM_FILL) &&
          shim_guest_bytes_are(BUF - 1, 1, SHIM_FILL));
    CHECK("only nr_entries of the request rewritten",
          !memcmp(shim_guest_mem(ARG + 4, 12), arg_before + 4, 12));
    CHECK("one read, two writes (entries, count)",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 16 &&
          shim_guest.to_calls == 2 && shim_guest.to_bytes == 64);
    req = shim_guest_mem(ARG, sizeof *req);
    CHECK("pad ignored (guests leave it uninitialised)", req->pad == 0xa5a5a5a5);

    setup();
    put_memory_map(ARG, 3, BUF);
    CHECK("dom0: room for exactly 3", mop(dom0, XENMEM_MEMORY_MAP, ARG) == 0 &&
          nr_entries_at(ARG) == 3);
    CHECK("dom0: its own RAM size", entry_is(BUF, 2, 0x100000, MiB(64) - 0x100000, 1));

    setup();
    put_memory_map(ARG, 2, BUF);
    CHECK("room for 2: ok, nr_entries 2", mop(dom1, XENMEM_MEMORY_MAP, ARG) == 0 &&
          nr_entries_at(ARG) == 2);
    CHECK("room for 2: first two entries", entry_is(BUF, 0, 0, 0x9f000, 1) &&
          entry_is(BUF, 1, 0x9f000, 0x61000, 2));
    CHECK("room for 2: third slot untouched", shim_guest_bytes_are(BUF + 40, 20, SHIM_FILL));

    setup();
    put_memory_map(ARG, 1, SHIM_RW_END - 20);
    CHECK("room for 1 in the last 20 mapped bytes", mop(dom1, XENMEM_MEMORY_MAP, ARG) == 0 &&
          nr_entries_at(ARG) == 1 && entry_is(SHIM_RW_END - 20, 0, 0, 0x9f000, 1));

    setup();
    put_memory_map(ARG, 0xffffffffu, SHIM_HI_BASE);
    CHECK("room for 2^32-1, buffer in the upper half",
          mop(dom1, XENMEM_MEMORY_MAP, ARG) == 0 && nr_entries_at(ARG) == 3 &&
          entry_is(SHIM_HI_BASE, 1, 0x9f000, 0x61000, 2));

    setup();
    put_memory_map(ARG, 0, 0);
    shim_world_snapshot();
    CHECK("room for 0, NULL buffer: ok", mop(dom1, XENMEM_MEMORY_MAP, ARG) == 0);
    CHECK("room for 0: no guest write", shim_guest.to_calls == 0);
    CHECK("room for 0: nr_entries stays 0, nothing changes",
          nr_entries_at(ARG) == 0 && shim_world_unchanged());

    setup();
    put_memory_map(SHIM_RO_BASE, 0, BUF);
    CHECK("room for 0, request read-only: ok",
          mop(dom1, XENMEM_MEMORY_MAP, SHIM_RO_BASE) == 0);
}

static void test_memory_map_errors(void)
{
    const struct xen_memory_map good = { .nr_entries = 8, .pad = 0xa5a5a5a5, .buffer = BUF };
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        setup();
        bad_pointers_put_valid(&good, sizeof good);
        shim_world_snapshot();
        CHECK(shim_name("MEMORY_MAP request %s -> EFAULT", b->what),
              mop(dom1, XENMEM_MEMORY_MAP, b->va) == -XEN_EFAULT);
        CHECK(shim_name("MEMORY_MAP request %s changes nothing", b->what),
              shim_world_unchanged());
    }

    /* dom1's map is 3 entries; where a prefix of them may land, the count is
     * still not written. */
    const size_t map_bytes = 3 * sizeof(struct e820_entry);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, map_bytes); b->what; b++) {
        setup();
        put_memory_map(ARG, 8, b->va);
        shim_world_snapshot();
        CHECK(shim_name("MEMORY_MAP buffer %s -> EFAULT", b->what),
              mop(dom1, XENMEM_MEMORY_MAP, ARG) == -XEN_EFAULT);
        CHECK(shim_name("MEMORY_MAP buffer %s: %s", b->what, b->partial ?
                        "nr_entries kept, no domain change" : "changes nothing (nr_entries kept)"),
              b->partial ? nr_entries_at(ARG) == 8 && shim_domains_unchanged()
                         : shim_world_unchanged());
    }

    /* Request readable but not writable: the count cannot be written back. */
    setup();
    put_memory_map(SHIM_RO_BASE, 8, BUF);
    shim_world_snapshot();
    CHECK("MEMORY_MAP read-only request -> EFAULT",
          mop(dom1, XENMEM_MEMORY_MAP, SHIM_RO_BASE) == -XEN_EFAULT);
    CHECK("MEMORY_MAP read-only request: no domain change", shim_domains_unchanged());
}

/* ---- POPULATE_PHYSMAP ------------------------------------------------------- */

static void put_reservation(uint64_t list, uint64_t n, uint32_t order, uint16_t domid)
{
    struct xen_memory_reservation r = {
        .extent_start = list, .nr_extents = n, .extent_order = order, .domid = domid,
    };
    memcpy(shim_guest_mem(ARG, sizeof r), &r, sizeof r);
}

static void test_populate_physmap(void)
{
    static const uint64_t gpfns[] = { 0x100, 0x101, 0x300 };

    setup();
    dom1->domain->state = DOMAIN_BUILDING;
    memcpy(shim_guest_mem(BUF, sizeof gpfns), gpfns, sizeof gpfns);
    put_reservation(BUF, 3, 0, 1);
    CHECK("dom0 populates a domain it builds: 3 extents done",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == 3);
    CHECK("each extent asked for in order, for that domain",
          populate.calls == 3 && populate.d == dom1->domain && populate.gpfn[0] == 0x100 &&
          populate.gpfn[1] == 0x101 && populate.gpfn[2] == 0x300 && populate.order == 0);
    populate.calls = 0;
    CHECK("increase_reservation is populate_physmap: 3 extents done",
          mop(dom0, XENMEM_INCREASE_RESERVATION, ARG) == 3);
    CHECK("... the same extents asked for, for that domain",
          populate.calls == 3 && populate.d == dom1->domain && populate.gpfn[0] == 0x100 &&
          populate.gpfn[2] == 0x300);

    setup();
    dom1->domain->state = DOMAIN_BUILDING;
    memcpy(shim_guest_mem(BUF, sizeof gpfns), gpfns, sizeof gpfns);
    put_reservation(BUF, 3, 2, 1);
    populate.fail_at = 2;
    CHECK("an extent that cannot be done ends the call: 1 done",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == 1 && populate.calls == 2 &&
          populate.order == 2);

    setup();
    put_reservation(SHIM_RW_END - 8, 3, 0, 1);
    CHECK("the list runs into unmapped memory: the extents read are done",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == 1 && populate.calls == 1);
    put_reservation(SHIM_UNMAPPED, 3, 0, 1);
    CHECK("not even the first extent readable -> EFAULT",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == -XEN_EFAULT);

    setup();
    put_reservation(BUF, 5000, 0, 1);
    CHECK("one call does at most MICA_POPULATE_MAX_PAGES pages",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == MICA_POPULATE_MAX_PAGES);
    put_reservation(BUF, 100, MICA_POPULATE_MAX_ORDER, 1);
    CHECK("... counted in pages, not extents",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) ==
              MICA_POPULATE_MAX_PAGES >> MICA_POPULATE_MAX_ORDER);

    setup();
    put_reservation(BUF, 1, 0, DOMID_SELF);
    CHECK("a domU may ask for itself (its limits decide)",
          mop(dom2, XENMEM_POPULATE_PHYSMAP, ARG) == 1 && populate.d == dom2->domain);
}

static void test_populate_physmap_errors(void)
{
    struct {
        const char *what;
        uint32_t order, flags;
        uint16_t domid, pad;
        int caller;
        long want;
    } bad[] = {
        { "order above MICA_POPULATE_MAX_ORDER -> EINVAL", 10, 0, 1, 0, 0, -XEN_EINVAL },
        { "mem_flags set -> EINVAL", 0, 1, 1, 0, 0, -XEN_EINVAL },
        { "pad set -> EINVAL", 0, 0, 1, 1, 0, -XEN_EINVAL },
        { "a domU naming another domain -> EPERM", 0, 0, 1, 0, 2, -XEN_EPERM },
        { "no such domain -> ESRCH", 0, 0, 4, 0, 0, -XEN_ESRCH },
        { "a destroyed domain -> ESRCH", 0, 0, 3, 0, 0, -XEN_ESRCH },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        struct xen_memory_reservation r = {
            .extent_start = BUF, .nr_extents = 1, .extent_order = bad[i].order,
            .mem_flags = bad[i].flags, .domid = bad[i].domid, .pad = { bad[i].pad },
        };
        memcpy(shim_guest_mem(ARG, sizeof r), &r, sizeof r);
        CHECK(shim_name("populate: %s", bad[i].what),
              mop(bad[i].caller ? dom2 : dom0, XENMEM_POPULATE_PHYSMAP, ARG) == bad[i].want &&
              populate.calls == 0);
    }
    setup();
    dom1->domain->state = DOMAIN_SHUTDOWN;
    put_reservation(BUF, 1, 0, 1);
    CHECK("populate: a domain that has stopped -> EINVAL",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, ARG) == -XEN_EINVAL && populate.calls == 0);
    CHECK("populate: an unmapped argument -> EFAULT",
          mop(dom0, XENMEM_POPULATE_PHYSMAP, SHIM_UNMAPPED) == -XEN_EFAULT);
}

/* ---- DECREASE_RESERVATION ------------------------------------------------- */

static void test_decrease_reservation(void)
{
    static const uint64_t gpfns[] = { 0x200, 0x201, 0x400 };

    setup();
    memcpy(shim_guest_mem(BUF, sizeof gpfns), gpfns, sizeof gpfns);
    put_reservation(BUF, 3, 0, DOMID_SELF);
    CHECK("a domU gives back 3 extents of its own: 3 done",
          mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == 3);
    CHECK("each extent in order, for itself", release.calls == 3 && release.d == dom2->domain &&
          release.gpfn[0] == 0x200 && release.gpfn[1] == 0x201 && release.gpfn[2] == 0x400 &&
          release.order == 0 && populate.calls == 0);

    setup();
    memcpy(shim_guest_mem(BUF, sizeof gpfns), gpfns, sizeof gpfns);
    put_reservation(BUF, 3, 1, 1);
    release.fail_at = 3;
    CHECK("dom0 for a running domU; an extent refused ends the call: 2 done",
          mop(dom0, XENMEM_DECREASE_RESERVATION, ARG) == 2 && release.calls == 3 &&
          release.d == dom1->domain && release.order == 1);

    setup();
    put_reservation(SHIM_RW_END - 16, 3, 0, DOMID_SELF);
    CHECK("the list runs into unmapped memory: the extents read are done",
          mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == 2 && release.calls == 2);
    put_reservation(SHIM_UNMAPPED, 3, 0, DOMID_SELF);
    CHECK("not even the first extent readable -> EFAULT",
          mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == -XEN_EFAULT);

    setup();
    put_reservation(BUF, 5000, 0, DOMID_SELF);
    CHECK("one call gives back at most MICA_POPULATE_MAX_PAGES pages",
          mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == MICA_POPULATE_MAX_PAGES);
    put_reservation(BUF, 1000, 3, DOMID_SELF);
    CHECK("... counted in pages, not extents",
          mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == MICA_POPULATE_MAX_PAGES >> 3);
    put_reservation(BUF, 0, 0, DOMID_SELF);
    CHECK("no extents: 0 done", mop(dom2, XENMEM_DECREASE_RESERVATION, ARG) == 0);
}

static void test_decrease_reservation_errors(void)
{
    struct {
        const char *what;
        uint32_t order, flags;
        uint16_t domid, pad;
        int caller;
        enum domain_state state;        /* of dom1 */
        long want;
    } bad[] = {
        { "order above MICA_POPULATE_MAX_ORDER -> EINVAL", 10, 0, 1, 0, 0, DOMAIN_RUNNING, -XEN_EINVAL },
        { "mem_flags set -> EINVAL", 0, 1, 1, 0, 0, DOMAIN_RUNNING, -XEN_EINVAL },
        { "pad set -> EINVAL", 0, 0, 1, 1, 0, DOMAIN_RUNNING, -XEN_EINVAL },
        { "a domU naming another domain -> EPERM", 0, 0, 1, 0, 2, DOMAIN_RUNNING, -XEN_EPERM },
        { "no such domain -> ESRCH", 0, 0, 4, 0, 0, DOMAIN_RUNNING, -XEN_ESRCH },
        { "a destroyed domain -> ESRCH", 0, 0, 3, 0, 0, DOMAIN_RUNNING, -XEN_ESRCH },
        { "a domain being built -> EINVAL", 0, 0, 1, 0, 0, DOMAIN_BUILDING, -XEN_EINVAL },
        { "a domain that has stopped -> EINVAL", 0, 0, 1, 0, 0, DOMAIN_SHUTDOWN, -XEN_EINVAL },
        { "dom0 (identity-mapped RAM) -> EOPNOTSUPP", 0, 0, DOMID_SELF, 0, 0, DOMAIN_RUNNING,
          -XEN_EOPNOTSUPP },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        dom1->domain->state = bad[i].state;
        struct xen_memory_reservation r = {
            .extent_start = BUF, .nr_extents = 1, .extent_order = bad[i].order,
            .mem_flags = bad[i].flags, .domid = bad[i].domid, .pad = { 0, 0, bad[i].pad },
        };
        memcpy(shim_guest_mem(ARG, sizeof r), &r, sizeof r);
        CHECK(shim_name("decrease: %s", bad[i].what),
              mop(bad[i].caller ? dom2 : dom0, XENMEM_DECREASE_RESERVATION, ARG) == bad[i].want &&
              release.calls == 0);
    }
    setup();
    CHECK("decrease: an unmapped argument -> EFAULT",
          mop(dom2, XENMEM_DECREASE_RESERVATION, SHIM_UNMAPPED) == -XEN_EFAULT);
}

/* ---- everything else ----------------------------------------------------- */

static void test_unknown(void)
{
    /* 0x42: MAXIMUM_RAM_PAGE with extent bits */
    static const uint64_t cmds[] = { 5, 8, 10, 12, 0x42, 1ull << 32 | 2, ~0ull };

    setup();
    put_memory_map(ARG, 8, BUF);
    shim_world_snapshot();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              mop(dom0, cmds[i], ARG) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", shim_world_unchanged());
}

int main(void)
{
    test_maximum_ram_page();
    test_reservation();
    test_reservation_errors();
    test_add_to_physmap();
    test_add_to_physmap_errors();
    test_add_to_physmap_grant_table();
    test_memory_map();
    test_memory_map_errors();
    test_populate_physmap();
    test_populate_physmap_errors();
    test_decrease_reservation();
    test_decrease_reservation_errors();
    test_unknown();
    CHECK_DONE();
}
