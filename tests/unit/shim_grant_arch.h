/*
 * shim_grant_arch.c: a fake EPT per domain for tests of hv/grant_table.c,
 * used together with shim_frames.c (frame_alloc/frame_free/phys_to_virt over
 * its arena). Each domain's physmap is a sparse list of pages:
 * gpa -> (host frame, ARCH_PAGE_* flags). arch_domain_set_page,
 * arch_domain_owned_frame and arch_domain_gpa_to_hpa behave like the real
 * ones in arch/x86/vmx/domain_ept.c over it:
 *   - set_page replaces the page at gpa (frame 0: removes it) and returns the
 *     replaced frame in *released only if that page was ARCH_PAGE_OWNED;
 *   - owned_frame: the frame at gpa if it is ARCH_PAGE_OWNED, else 0;
 *   - gpa_to_hpa: any mapped page, but not a read-only one for a write.
 */
#ifndef MICA_TEST_SHIM_GRANT_ARCH_H
#define MICA_TEST_SHIM_GRANT_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/domain.h"

#define SHIM_EPT_PAGES 4096         /* pages over all domains */

struct shim_ept_stats {
    unsigned set_calls;             /* arch_domain_set_page calls (failed ones too) */
    unsigned set_failures;          /* ... of which returned -1 */
    struct domain *last_d;          /* arguments of the latest set_page call */
    gpaddr_t last_gpa;
    paddr_t last_frame;
    unsigned last_flags;
};
extern struct shim_ept_stats shim_ept;

/* Forget every mapping (frames are not freed) and the counters. */
void shim_ept_reset(void);
/* Let `n` more arch_domain_set_page calls succeed, then fail; negative: never fail. */
void shim_ept_fail_after(long n);
/* Give d a fresh RAM page (frame_alloc'ed, ARCH_PAGE_OWNED) at gfn; its frame. */
paddr_t shim_ept_add_ram(struct domain *d, uint64_t gfn);
/* The page at gpa: true with its frame and flags, false if unmapped. */
bool shim_ept_lookup(struct domain *d, gpaddr_t gpa, paddr_t *frame, unsigned *flags);
/* Pages mapped for d. */
unsigned shim_ept_count(struct domain *d);
/* What arch_domain_destroy does: every owned frame to domain_release_frame,
 * then the whole physmap is gone. */
void shim_ept_destroy(struct domain *d);

#endif
