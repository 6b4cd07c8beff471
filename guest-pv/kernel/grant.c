/*
 * Our grant table and the grant_table_op calls. The hypervisor reads an
 * entry's frame and domid once it sees GTF_permit_access, so those are
 * written first; it sets GTF_reading/GTF_writing while another domain uses
 * the grant, so ending one is a compare-exchange that only succeeds while
 * both are clear.
 */
#include <stdint.h>

#include <public/memory_op.h>

#include "console.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"

/* The hypervisor replaces these RAM pages with the table's frames. */
static union {
    struct grant_entry_v1 entry[GRANT_MAX_FRAMES * GRANT_ENTRIES_PER_FRAME];
    uint8_t bytes[GRANT_MAX_FRAMES][PAGE_SIZE];
} table __attribute__((aligned(PAGE_SIZE)));

static unsigned int frames_mapped;

bool grant_init(unsigned int nr_frames)
{
    if (nr_frames > GRANT_MAX_FRAMES) {
        printk("guest-pv: %u grant-table frames asked, at most %u\n", nr_frames,
               GRANT_MAX_FRAMES);
        return false;
    }
    while (frames_mapped < nr_frames) {
        struct xen_add_to_physmap map = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_GRANT_TABLE,
            .idx = frames_mapped,
            .gpfn = (uintptr_t)table.bytes[frames_mapped] / PAGE_SIZE,     /* identity mapped */
        };
        long rc = hyp_memory_op(XENMEM_ADD_TO_PHYSMAP, (unsigned long)&map);

        if (rc < 0) {
            printk("guest-pv: add_to_physmap(grant table frame %u, gpfn 0x%lx) = %ld\n",
                   frames_mapped, (unsigned long)map.gpfn, rc);
            return false;
        }
        frames_mapped++;
    }
    return true;
}

unsigned int grant_entries(void)
{
    return frames_mapped * GRANT_ENTRIES_PER_FRAME;
}

bool grant_access(grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly)
{
    struct grant_entry_v1 *e;

    if (ref >= grant_entries() || gfn > UINT32_MAX)
        return false;
    e = &table.entry[ref];
    if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) != 0)
        return false;
    WRITE_ONCE(e->frame, (uint32_t)gfn);
    WRITE_ONCE(e->domid, domid);
    /* Release: frame and domid are visible before the grant is. */
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
    return true;
}

bool grant_end(grant_ref_t ref)
{
    uint16_t flags;

    if (ref >= grant_entries())
        return false;
    flags = __atomic_load_n(&table.entry[ref].flags, __ATOMIC_ACQUIRE);
    /* A failed exchange reloads flags: the hypervisor may just have marked it in use. */
    do {
        if (flags & GTF_IN_USE)
            return false;
    } while (!__atomic_compare_exchange_n(&table.entry[ref].flags, &flags, 0, false,
                                          __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
    return true;
}

uint16_t grant_flags(grant_ref_t ref)
{
    if (ref >= grant_entries())
        return 0;
    return __atomic_load_n(&table.entry[ref].flags, __ATOMIC_ACQUIRE);
}

long grant_op(unsigned int cmd, void *ops, unsigned int count)
{
    return hyp_grant_table_op(cmd, (unsigned long)ops, count);
}

int grant_map(domid_t dom, grant_ref_t ref, uint64_t gpa, bool readonly, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = gpa,
        .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
        .ref = ref,
        .dom = dom,
    };
    long rc = grant_op(GNTTABOP_map_grant_ref, &op, 1);

    if (rc < 0) {
        printk("guest-pv: grant_table_op(map, dom %u ref %u) = %ld\n", dom, ref, rc);
        return GNTST_general_error;
    }
    if (op.status == GNTST_okay)
        *handle = op.handle;
    return op.status;
}

int grant_unmap(uint64_t gpa, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = gpa, .handle = handle };
    long rc = grant_op(GNTTABOP_unmap_grant_ref, &op, 1);

    if (rc < 0) {
        printk("guest-pv: grant_table_op(unmap, handle %u) = %ld\n", handle, rc);
        return GNTST_general_error;
    }
    return op.status;
}
