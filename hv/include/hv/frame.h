/*
 * The physical frame allocator. Fed only from memory the firmware reported as
 * free; never hands out firmware, ACPI, MMIO, loader or hypervisor frames, nor
 * anything below 1 MiB (kept for real-mode trampolines).
 */
#ifndef HV_FRAME_H
#define HV_FRAME_H

#include "hv/types.h"
#include "mica/bootinfo.h"

/* Highest physical address the allocator manages (larger RAM is ignored). */
#define FRAME_MAX_PHYS GiB(64)
#define FRAME_LOW_RESERVED MiB(1)

/*
 * Add every MICA_MEM_USABLE range of `map`, minus [hv_start, hv_end).
 * When `include_boot_reclaim`, MICA_MEM_BOOT_RECLAIM ranges too (only once the
 * firmware's page tables and stacks are no longer in use).
 */
void frame_add_from_map(const struct mica_memrange *map, size_t n, paddr_t hv_start,
                        paddr_t hv_end, bool include_boot_reclaim);
/* One 4 KiB frame, contents undefined; 0 when none is left. */
paddr_t frame_alloc(void);
/* For one-time boot structures only: running out there is fatal. */
paddr_t frame_alloc_or_panic(void);
void frame_free(paddr_t frame);
/* Take this very frame if it is free (a domain whose RAM is identity-mapped). */
bool frame_take(paddr_t frame);
/* `n` consecutive free frames, the first such run where allocation stands; 0 if none. */
paddr_t frame_alloc_run(uint64_t n);
/*
 * A frame a domain owned comes back (its RAM as it dies, or a RAM page its
 * physmap replaced): freed now, unless another domain still maps it through
 * a grant; then the last unmap frees it (hv/frame_release.c).
 */
void domain_release_frame(paddr_t frame);
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);

#endif
