/*
 * The balloon: a domU gives RAM back to the hypervisor and takes it again
 * (XENMEM_decrease_reservation / XENMEM_populate_physmap), as Xen's balloon
 * drivers do when the toolstack changes memory/target. guest-pv allocates
 * nothing at run time, so the balloon is the top of its highest RAM range:
 * it grows downwards, never below BALLOON_KEEP_BYTES past the image.
 */
#ifndef GUEST_BALLOON_H
#define GUEST_BALLOON_H

#include <stdint.h>

#include <public/hvm_start_info.h>

#define BALLOON_KEEP_BYTES (1ull << 20)     /* kept above the image's end */

/* Learn the RAM from the start-of-day memory map; nothing is given back yet. */
void balloon_init(const struct hvm_start_info *si);
/*
 * Give back or take pages until the domain owns `pages` of RAM, or as close
 * as it can: no lower than the floor above, no higher than it was built
 * with, nor than the hypervisor grants (max_mem, free memory). Returns the
 * pages it owns afterwards (XENMEM_current_reservation), or -errno.
 */
long balloon_set_target(uint64_t pages);
/* Pages in the balloon (given back) now. */
uint64_t balloon_pages(void);

#endif
