/* The grant-table tests' world and helpers (grant_fixture.h). */
#include "grant_fixture.h"

struct vcpu *v0, *vg, *vm, *vm2, *v5;
struct domain *d0, *g, *m, *m2, *d4, *d5;

void give_ram(struct domain *d)
{
    for (unsigned i = 0; i < RAM_PAGES; i++)
        shim_ept_add_ram(d, RAM_GFN + i);
}

/* Host frame of d's RAM page at gfn. */
paddr_t ram(struct domain *d, uint64_t gfn)
{
    return arch_domain_owned_frame(d, GPA(gfn));
}

void setup(void)
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
void die(struct domain *d)
{
    d->state = DOMAIN_SHUTDOWN;
    grant_unmap_all(d);
    grant_granter_dying(d);
    shim_ept_destroy(d);        /* arch_domain_destroy: owned frames released */
    grant_free_table(d);
    d->frames_owned = 0;
    d->destroyed = true;
}

struct grant_entry_v1 *ent(struct domain *d, grant_ref_t ref)
{
    struct grant_entry_v1 *page = phys_to_virt(d->gnttab.frames[ref / GRANT_ENTRIES_PER_FRAME]);
    return &page[ref % GRANT_ENTRIES_PER_FRAME];
}

void grant(struct domain *d, grant_ref_t ref, uint16_t flags, domid_t to, uint32_t gfn)
{
    *ent(d, ref) = (struct grant_entry_v1){ .flags = flags, .domid = to, .frame = gfn };
}

long gop(struct vcpu *v, uint64_t cmd, gvaddr_t uop, uint64_t count)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, uop, count, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_grant_table_op(v, args);
}


void put_map(gvaddr_t va, domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom,
        .status = 0x5555, .handle = 0xdeadbeef, .dev_bus_addr = 0x1234,
    };
    memcpy(shim_guest_mem(va, sizeof op), &op, sizeof op);
}

struct gnttab_map_grant_ref get_map(gvaddr_t va)
{
    struct gnttab_map_grant_ref op;
    memcpy(&op, shim_guest_mem(va, sizeof op), sizeof op);
    return op;
}

struct map_result map(struct vcpu *v, domid_t dom, grant_ref_t ref, uint64_t host_addr,
                      uint32_t flags)
{
    put_map(OPS, dom, ref, host_addr, flags);
    long rc = gop(v, GNTTABOP_map_grant_ref, OPS, 1);
    struct gnttab_map_grant_ref op = get_map(OPS);
    return (struct map_result){ rc, op.status, op.handle, op.dev_bus_addr };
}

void put_unmap(gvaddr_t va, uint64_t host_addr, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = host_addr, .dev_bus_addr = 0x77, .handle = handle, .status = 0x5555,
    };
    memcpy(shim_guest_mem(va, sizeof op), &op, sizeof op);
}

int16_t unmap_status(gvaddr_t va)
{
    struct gnttab_unmap_grant_ref op;
    memcpy(&op, shim_guest_mem(va, sizeof op), sizeof op);
    return op.status;
}

/* One unmap through the hypercall: its status, or 0x7fff if the call failed. */
int16_t unmap(struct vcpu *v, uint64_t host_addr, grant_handle_t handle)
{
    put_unmap(OPS, host_addr, handle);
    if (gop(v, GNTTABOP_unmap_grant_ref, OPS, 1))
        return 0x7fff;
    return unmap_status(OPS);
}

bool mapped_at(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags)
{
    paddr_t f;
    unsigned fl;
    return shim_ept_lookup(d, gpa, &f, &fl) && f == frame && fl == flags;
}

bool unmapped_at(struct domain *d, gpaddr_t gpa)
{
    paddr_t f;
    unsigned fl;
    return !shim_ept_lookup(d, gpa, &f, &fl);
}

unsigned maptrack_used(struct domain *d)
{
    unsigned n = 0;
    for (unsigned i = 0; i < GRANT_MAX_MAPTRACK; i++)
        n += d->gnttab.maptrack[i].in_use;
    return n;
}

struct gnttab_query_size query(struct vcpu *v, domid_t dom)
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
