/*
 * Grant tables v1 (see hv/include/hv/grant_table.h, docs/abi.md).
 *
 * The granter's entries live in guest-writable memory, so the hypervisor
 * reads each one once, checks it, and claims it by setting GTF_reading /
 * GTF_writing with a compare-and-exchange on the (flags, domid) word, as the
 * v1 ABI intends: a granter that changes the entry meanwhile makes the claim
 * fail instead of racing it. While any mapping of a grant exists those bits
 * stay set; the granter must not reuse the page until they are clear.
 */
#include "hv/grant_table.h"
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/hypercalls.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/errno.h"

#define GPA_LIMIT (1ull << 48)

/* Grant mappings in use in all domains: with none, freeing a page needs no search. */
static uint32_t live_mappings;

/* The granter's entry `ref`, or NULL if its table is not that large. */
static struct grant_entry_v1 *entry_of(struct domain *g, grant_ref_t ref)
{
    if (ref >= g->gnttab.nr_frames * GRANT_ENTRIES_PER_FRAME)
        return NULL;
    struct grant_entry_v1 *page = phys_to_virt(g->gnttab.frames[ref / GRANT_ENTRIES_PER_FRAME]);
    return &page[ref % GRANT_ENTRIES_PER_FRAME];
}

/* (flags, domid) as one 32-bit word, for compare-and-exchange. */
static uint32_t *header_word(struct grant_entry_v1 *e)
{
    return (uint32_t *)(void *)e;
}

/* The domain's own limits (createdomain), within the host's; 0 means the host's. */
static uint32_t frames_limit(const struct grant_table *t)
{
    return t->max_frames && t->max_frames < GRANT_MAX_FRAMES ? t->max_frames : GRANT_MAX_FRAMES;
}

static uint32_t maptrack_limit(const struct grant_table *t)
{
    return t->max_maptrack && t->max_maptrack < GRANT_MAX_MAPTRACK ? t->max_maptrack
                                                                   : GRANT_MAX_MAPTRACK;
}

static int grow_table(struct domain *d, uint32_t nr)
{
    struct grant_table *t = &d->gnttab;
    while (t->nr_frames < nr) {
        paddr_t f = frame_alloc();
        if (!f)
            return hv_error(-XEN_ENOMEM);
        memset(phys_to_virt(f), 0, PAGE_SIZE);
        t->frames[t->nr_frames++] = f;
    }
    return 0;
}

int grant_map_table_frame(struct domain *d, uint64_t idx, gpaddr_t gpa)
{
    if ((idx & XENMAPIDX_grant_table_status) || idx >= frames_limit(&d->gnttab))
        return hv_error(-XEN_EINVAL); /* status frames are v2 only */
    if ((gpa & ~PAGE_MASK) || gpa >= GPA_LIMIT)
        return hv_error(-XEN_EINVAL); /* checked before the table grows */
    if (grow_table(d, (uint32_t)idx + 1))
        return hv_error(-XEN_ENOMEM);
    return physmap_place(d, d->gnttab.frames[idx], gpa, &d->gnttab.frame_slot[idx]);
}

int grant_reserve(struct domain *d, grant_ref_t ref, domid_t to, uint64_t gfn)
{
    if (ref >= GNTTAB_NR_RESERVED_ENTRIES || grow_table(d, 1))
        return hv_error(-XEN_ENOMEM);
    /* The domain has not run yet: nobody else can be looking at the entry. */
    *entry_of(d, ref) = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = to,
                                                 .frame = (uint32_t)gfn };
    return 0;
}

/*
 * Is `frame` mapped through a grant by anyone? Optionally make those
 * mappings responsible for freeing it. Called for every page of a dying
 * domain, so it only looks at domains that have mappings, below their
 * high-water mark.
 */
static bool frame_mapped_by_grants(paddr_t frame, bool hand_over)
{
    bool found = false;
    if (!live_mappings)
        return false;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (!d || d->destroyed || !d->gnttab.maptrack_used)
            continue;
        for (uint32_t i = 0; i < d->gnttab.maptrack_hwm; i++) {
            struct maptrack *m = &d->gnttab.maptrack[i];
            if (m->in_use && m->frame == frame) {
                found = true;
                if (hand_over)
                    m->holds_frame = true;
            }
        }
    }
    return found;
}

bool grant_hold_mapped_frame(paddr_t frame)
{
    return frame_mapped_by_grants(frame, true);
}

/* Drop one pin of the granter's `ref`; clear the in-use bits when none is left. */
static void unpin(struct domain *g, grant_ref_t ref, bool readonly)
{
    struct grant_pin *p = &g->gnttab.pins[ref];
    if (readonly)
        p->readers--;
    else
        p->writers--;
    struct grant_entry_v1 *e = entry_of(g, ref);
    uint16_t clear = (p->writers ? 0 : GTF_writing) | (p->readers || p->writers ? 0 : GTF_reading);
    if (e && clear)
        __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/* Undo a mapping record of `d` (the EPT entry is the caller's business). */
static void release_maptrack(struct domain *d, struct maptrack *m)
{
    paddr_t frame = m->frame;
    bool holds_frame = m->holds_frame;
    struct domain *g = domain_by_id(m->granter);
    if (!m->granter_gone && g && !g->destroyed)
        unpin(g, m->ref, m->readonly);
    *m = (struct maptrack){ 0 };
    d->gnttab.maptrack_used--;
    live_mappings--;
    if (holds_frame && !frame_mapped_by_grants(frame, false))
        frame_free(frame);      /* the last mapping of a page its owner let go */
}

/* Each mapping of its grants lets go of its pin now, so a granter that is
 * gone holds no pins: one left over would be a pin no mapping accounts for. */
void grant_granter_dying(struct domain *g)
{
    if (!live_mappings)
        return;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (!d || !d->gnttab.maptrack_used)
            continue;
        for (uint32_t i = 0; i < d->gnttab.maptrack_hwm; i++) {
            struct maptrack *m = &d->gnttab.maptrack[i];
            if (m->in_use && m->granter == g->id && !m->granter_gone) {
                unpin(g, m->ref, m->readonly);
                m->granter_gone = true;
            }
        }
    }
}

/* ---- map ---------------------------------------------------------------- */

static int16_t claim(struct grant_entry_v1 *e, domid_t mapper, bool readonly)
{
    uint32_t *word = header_word(e);
    uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    for (;;) {
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);
        if ((flags & GTF_type_mask) != GTF_permit_access || domid != mapper)
            return GNTST_permission_denied;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_permission_denied;
        uint32_t want = old | GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(word, &old, want, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return GNTST_okay;
    }
}

static struct maptrack *free_maptrack(struct domain *d, uint32_t *handle)
{
    for (uint32_t i = 0; i < maptrack_limit(&d->gnttab); i++) {
        if (!d->gnttab.maptrack[i].in_use) {
            *handle = i;
            return &d->gnttab.maptrack[i];
        }
    }
    return NULL;
}

static int16_t map_one(struct domain *d, struct gnttab_map_grant_ref *op)
{
    bool readonly = op->flags & GNTMAP_readonly;
    uint32_t handle;

    if (!(op->flags & GNTMAP_host_map) || (op->flags & GNTMAP_device_map))
        return GNTST_general_error;     /* only host mappings exist under PVH */
    struct domain *g = op->dom == DOMID_SELF ? d : domain_by_id(op->dom);
    if (!domain_is_running(g))
        return GNTST_bad_domain;
    struct grant_entry_v1 *e = entry_of(g, op->ref);
    if (!e)
        return GNTST_bad_gntref;
    if ((op->host_addr & ~PAGE_MASK) || op->host_addr >= GPA_LIMIT ||
        arch_domain_gpa_to_hpa(d, op->host_addr, false))
        return GNTST_bad_virt_addr;     /* must be an empty slot of our physmap */
    struct maptrack *m = free_maptrack(d, &handle);
    if (!m)
        return GNTST_no_device_space;

    int16_t st = claim(e, (domid_t)d->id, readonly);
    if (st != GNTST_okay)
        return st;
    struct grant_pin *pin = &g->gnttab.pins[op->ref];
    if (readonly)
        pin->readers++;
    else
        pin->writers++;
    /* The frame is read after the claim: the granter may not change it while in use. */
    uint64_t gfn = __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST);
    paddr_t frame = arch_domain_owned_frame(g, gfn << PAGE_SHIFT);
    paddr_t none;
    if (!frame) {
        unpin(g, op->ref, readonly);
        return GNTST_bad_page;          /* only the granter's own RAM can be granted */
    }
    if (arch_domain_set_page(d, op->host_addr, frame, readonly ? ARCH_PAGE_READONLY : 0, &none)) {
        unpin(g, op->ref, readonly);
        return GNTST_general_error;     /* no memory for the mapping's page tables */
    }
    *m = (struct maptrack){ .in_use = true, .readonly = readonly, .granter = (uint16_t)g->id,
                            .ref = op->ref, .gpa = op->host_addr, .frame = frame };
    d->gnttab.maptrack_used++;
    d->gnttab.maptrack_hwm = MAX(d->gnttab.maptrack_hwm, handle + 1);
    live_mappings++;
    op->handle = handle;
    op->dev_bus_addr = 0;
    return GNTST_okay;
}

static int16_t unmap_one(struct domain *d, struct gnttab_unmap_grant_ref *op)
{
    if (op->handle >= GRANT_MAX_MAPTRACK || !d->gnttab.maptrack[op->handle].in_use)
        return GNTST_bad_handle;
    struct maptrack *m = &d->gnttab.maptrack[op->handle];
    if (op->host_addr != m->gpa)
        return GNTST_bad_virt_addr;
    paddr_t none;
    arch_domain_set_page(d, m->gpa, 0, 0, &none);   /* removing needs no new tables */
    release_maptrack(d, m);
    return GNTST_okay;
}

void grant_unmap_all(struct domain *d)
{
    for (uint32_t i = 0; i < d->gnttab.maptrack_hwm; i++)
        if (d->gnttab.maptrack[i].in_use)
            release_maptrack(d, &d->gnttab.maptrack[i]);    /* its EPT goes away whole */
}

void grant_free_table(struct domain *d)
{
    struct grant_table *t = &d->gnttab;
    for (uint32_t i = 0; i < t->nr_frames; i++)
        frame_free(t->frames[i]);
    t->nr_frames = 0;
}

void grant_count_in_use(uint32_t *mappings, uint32_t *pins, uint32_t *counted)
{
    *mappings = *pins = 0;
    *counted = live_mappings;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        if (!d)
            continue;
        for (uint32_t i = 0; i < GRANT_MAX_MAPTRACK; i++)
            *mappings += d->gnttab.maptrack[i].in_use;
        for (uint32_t r = 0; r < GRANT_MAX_ENTRIES; r++)
            *pins += (uint32_t)d->gnttab.pins[r].readers + d->gnttab.pins[r].writers;
    }
}

/* ---- copy --------------------------------------------------------------- */

/* Host address of one side of a copy, after every check; 0 with *st set otherwise. */
static uint8_t *copy_side(struct domain *d, const struct gnttab_copy_ptr *p, bool is_gref,
                          bool write, int16_t *st)
{
    if (!is_gref) {
        if (p->domid != DOMID_SELF && p->domid != d->id) {
            *st = GNTST_bad_domain;     /* raw frames only of the caller itself */
            return NULL;
        }
        paddr_t hpa = p->u.gmfn < (GPA_LIMIT >> PAGE_SHIFT)
                          ? arch_domain_gpa_to_hpa(d, p->u.gmfn << PAGE_SHIFT, write) : 0;
        if (!hpa) {
            *st = GNTST_bad_page;
            return NULL;
        }
        return (uint8_t *)phys_to_virt(hpa) + p->offset;
    }
    struct domain *g = p->domid == DOMID_SELF ? d : domain_by_id(p->domid);
    if (!domain_is_running(g)) {
        *st = GNTST_bad_domain;
        return NULL;
    }
    struct grant_entry_v1 *e = entry_of(g, p->u.ref);
    if (!e) {
        *st = GNTST_bad_gntref;
        return NULL;
    }
    uint32_t word = __atomic_load_n(header_word(e), __ATOMIC_SEQ_CST);
    uint16_t flags = (uint16_t)word, domid = (uint16_t)(word >> 16);
    if ((flags & GTF_type_mask) != GTF_permit_access || domid != d->id ||
        (write && (flags & GTF_readonly))) {
        *st = GNTST_permission_denied;
        return NULL;
    }
    paddr_t frame = arch_domain_owned_frame(g, (uint64_t)__atomic_load_n(&e->frame, __ATOMIC_SEQ_CST)
                                                   << PAGE_SHIFT);
    if (!frame) {
        *st = GNTST_bad_page;
        return NULL;
    }
    return (uint8_t *)phys_to_virt(frame) + p->offset;
}

static int16_t copy_one(struct domain *d, const struct gnttab_copy *op)
{
    int16_t st = GNTST_okay;
    if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE ||
        (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)))
        return GNTST_bad_copy_arg;
    uint8_t *src = copy_side(d, &op->source, op->flags & GNTCOPY_source_gref, false, &st);
    if (!src)
        return st;
    uint8_t *dst = copy_side(d, &op->dest, op->flags & GNTCOPY_dest_gref, true, &st);
    if (!dst)
        return st;
    memmove(dst, src, op->len);
    return GNTST_okay;
}

/* ---- table management ----------------------------------------------------- */

static long setup_table(struct vcpu *v, bool compat, struct gnttab_setup_table *op)
{
    struct domain *d;
    if (domain_target(v, op->dom, &d)) {
        op->status = GNTST_bad_domain;
        return 0;
    }
    if (op->nr_frames > frames_limit(&d->gnttab) || grow_table(d, op->nr_frames)) {
        op->status = GNTST_general_error;
        return 0;
    }
    /* PVH guests map table frames with add_to_physmap: report where they are. */
    for (uint32_t i = 0; i < op->nr_frames; i++) {
        const struct physmap_slot *slot = &d->gnttab.frame_slot[i];
        uint64_t gfn = slot->mapped ? slot->gpa >> PAGE_SHIFT : ~0ull;
        if (compat && gfn > UINT32_MAX) {
            op->status = GNTST_address_too_big;     /* Xen's answer: no 32-bit GFN says it */
            return 0;
        }
        if (compat_put_gfn(v, compat, op->frame_list, i, gfn))
            return -XEN_EFAULT;
    }
    op->status = GNTST_okay;
    return 0;
}

static void query_size(struct vcpu *v, struct gnttab_query_size *op)
{
    struct domain *d;
    if (domain_target(v, op->dom, &d)) {
        op->status = GNTST_bad_domain;
        return;
    }
    op->nr_frames = d->gnttab.nr_frames;
    op->max_nr_frames = frames_limit(&d->gnttab);
    op->status = GNTST_okay;
}

/* ---- the hypercall --------------------------------------------------------- */

union gnttab_op {
    struct gnttab_map_grant_ref map;
    struct gnttab_unmap_grant_ref unmap;
    struct gnttab_setup_table setup;
    struct gnttab_copy copy;
    struct gnttab_query_size query;
    struct gnttab_set_version set_version;
    struct gnttab_get_version get_version;
};

/* One operation on the local copy `op`; returns a hypercall error or 0. */
static long do_one(struct vcpu *v, bool compat, uint64_t cmd, union gnttab_op *op)
{
    struct domain *d = v->domain, *t;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        op->map.status = map_one(d, &op->map);
        v->stats.grant_maps += op->map.status == GNTST_okay;
        return 0;
    case GNTTABOP_unmap_grant_ref:
        op->unmap.status = unmap_one(d, &op->unmap);
        return 0;
    case GNTTABOP_setup_table:
        return setup_table(v, compat, &op->setup);
    case GNTTABOP_copy:
        op->copy.status = copy_one(d, &op->copy);
        v->stats.grant_copies += op->copy.status == GNTST_okay;
        return 0;
    case GNTTABOP_query_size:
        query_size(v, &op->query);
        return 0;
    case GNTTABOP_set_version:
        if (op->set_version.version == 2)
            return hv_error(-XEN_ENOSYS); /* v2 is not implemented */
        if (op->set_version.version != 1)
            return hv_error(-XEN_EINVAL);
        return 0;
    case GNTTABOP_get_version: {
        long rc = domain_target(v, op->get_version.dom, &t);
        op->get_version.version = 1;
        return rc;
    }
    default:
        return hv_error(-XEN_ENOSYS);
    }
}

long do_grant_table_op(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0], count = args[2];
    gvaddr_t uop = args[1];
    bool compat = arch_vcpu_compat(v);
    size_t size = compat_gnttab_op_size(compat, cmd);    /* a 32-bit caller's layout */
    if (!size)
        return hv_error(-XEN_ENOSYS);
    if (count > GRANT_MAX_OPS)
        return hv_error(-XEN_EINVAL); /* bounded work per call; the guest splits larger batches */
    /* Each operation is read once, done, and its results written back; an
     * unreadable or unwritable one stops the batch with -EFAULT (earlier ones stand). */
    for (uint64_t i = 0; i < count; i++) {
        union gnttab_op op;
        if (compat_get_gnttab_op(v, compat, cmd, uop + i * size, &op))
            return -XEN_EFAULT;
        long rc = do_one(v, compat, cmd, &op);
        if (rc)
            return rc;
        if (compat_put_gnttab_op(v, compat, cmd, uop + i * size, &op)) {
            /* A mapping whose handle never reached the guest: nothing could unmap it. */
            if (cmd == GNTTABOP_map_grant_ref && op.map.status == GNTST_okay)
                unmap_one(v->domain, &(struct gnttab_unmap_grant_ref){
                    .host_addr = op.map.host_addr, .handle = op.map.handle });
            return hv_error(-XEN_EFAULT);
        }
    }
    return 0;
}
