/*
 * Shims that stand in for the hypervisor's environment in host unit tests.
 * List the matching shim_*.c file in a test's .sources to use one.
 */
#ifndef MICA_TEST_SHIM_H
#define MICA_TEST_SHIM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * shim_panic.c: panic_at() records its message and, inside shim_panics(),
 * unwinds back to the caller; outside it, prints the message and aborts.
 */
extern char shim_panic_msg[256];
/* True if fn(arg) called panic_at(); false if it returned normally. */
bool shim_panics(void (*fn)(uint64_t), uint64_t arg);

/*
 * shim_frames.c: frame_alloc/frame_free over a heap arena of SHIM_FRAMES
 * page-aligned 4 KiB pages that pretends to be physical memory at
 * [SHIM_PHYS_BASE, SHIM_PHYS_BASE + SHIM_FRAMES * 4096); phys_to_virt and
 * virt_to_phys translate only inside it (anything else aborts the test).
 * Newly allocated frames are filled with junk, not zeroed.
 */
#define SHIM_PHYS_BASE 0x100000ull
#define SHIM_FRAMES    256

struct shim_frame_stats {
    uint64_t allocs;            /* successful frame_alloc() calls */
    uint64_t frees;             /* valid frame_free() calls */
    uint64_t bad_frees;         /* frees of a frame not currently allocated */
    uint64_t failed_allocs;     /* frame_alloc() calls that returned 0 */
};
extern struct shim_frame_stats shim_frames;
/* Let `n` more allocations succeed, then fail; negative: never fail. */
void shim_frames_fail_after(long n);
/* Every frame free again, counters zeroed, failures off. */
void shim_frames_reset(void);
/* Frames currently allocated. */
uint64_t shim_frames_live(void);
bool shim_frame_is_live(uint64_t pa);

#endif
