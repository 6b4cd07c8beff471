/*
 * Grant tables, v1 (public/grant_table.h). Our own table, through which we
 * offer pages to other domains, lives in frames the hypervisor maps over
 * pages of our .bss (XENMEM_add_to_physmap); the grant_table_op calls use
 * the grants other domains offer us.
 */
#ifndef GUEST_GRANT_H
#define GUEST_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/grant_table.h>

/* The flags the hypervisor sets while another domain uses a grant. */
#define GTF_IN_USE (GTF_reading | GTF_writing)

/* Map table frames 0..nr_frames-1 (at most GRANT_MAX_FRAMES); false after printing why. */
bool grant_init(unsigned int nr_frames);
/* Entries in the frames mapped so far: refs below this can be granted. */
unsigned int grant_entries(void);

/*
 * Offer our page `gfn` to `domid`. False if ref is beyond the table or
 * still granted: end a grant before reusing its entry.
 */
bool grant_access(grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly);
/* End the grant unless it is in use (GTF_reading or GTF_writing): true when ended. */
bool grant_end(grant_ref_t ref);
/* The entry's flags now (GTF_*), 0 for a ref beyond the table. */
uint16_t grant_flags(grant_ref_t ref);

/*
 * grant_table_op(cmd) on `count` operations at `ops`: 0, or -errno when the
 * call as a whole failed. Each operation's own result is in its status.
 */
long grant_op(unsigned int cmd, void *ops, unsigned int count);

/*
 * Map `dom`'s grant `ref` at guest-physical `gpa` (page aligned, not our
 * RAM). Returns GNTST_* and on success the handle for grant_unmap. A call
 * that fails as a whole is reported and counts as GNTST_general_error.
 */
int grant_map(domid_t dom, grant_ref_t ref, uint64_t gpa, bool readonly, grant_handle_t *handle);
int grant_unmap(uint64_t gpa, grant_handle_t handle);

/* The two kinds of side of a GNTTABOP_copy (GNTCOPY_*_gref says which is which). */
static inline struct gnttab_copy_ptr grant_copy_gref(domid_t domid, grant_ref_t ref,
                                                     uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = domid, .offset = offset };
}
static inline struct gnttab_copy_ptr grant_copy_local(uint64_t gfn, uint16_t offset)
{
    return (struct gnttab_copy_ptr){ .u.gmfn = gfn, .domid = DOMID_SELF, .offset = offset };
}

#endif
