/*
 * shim_guest.c: a fake guest for host tests of hypercall handlers. It
 * provides copy_from_guest/copy_to_guest over a small guest-linear address
 * space, a table of fake domains behind domain_by_id, and a recording
 * domain_map_shared_info. All vCPUs share the one address space.
 *
 *   [SHIM_RW_BASE, SHIM_RW_END)   read/write
 *   [SHIM_RO_BASE, SHIM_RO_END)   read-only (copy_to_guest faults)
 *   [SHIM_HI_BASE, SHIM_HI_END)   read/write, in the upper canonical half
 *   everything else               unmapped, non-canonical addresses included
 *
 * Copies go page by page like arch/x86/guest_copy.c: a copy that runs into a
 * page it may not access returns -XEN_EFAULT, and a copy-out has then already
 * written the part before that page (the real helper does the same).
 * Zero-length copies succeed at any address. Mapped memory starts out filled
 * with SHIM_FILL so that a test sees every byte a handler wrote.
 */
#ifndef MICA_TEST_SHIM_GUEST_H
#define MICA_TEST_SHIM_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/domain.h"

#define SHIM_RW_BASE 0x10000ull
#define SHIM_RW_END  0x30000ull
#define SHIM_RO_BASE 0x40000ull
#define SHIM_RO_END  0x41000ull
#define SHIM_HI_BASE 0xffffffff80000000ull
#define SHIM_HI_END  0xffffffff80001000ull

/* Handy bad pointers: unmapped (gap between RW and RO), and non-canonical. */
#define SHIM_UNMAPPED    0x30000ull
#define SHIM_NONCANON    0x0000800000000000ull
#define SHIM_NONCANON_HI 0xffff7ffffffff000ull

#define SHIM_FILL 0xa5

/* Counters since the last shim_guest_reset() or shim_guest_clear_stats(). */
struct shim_guest_stats {
    unsigned from_calls, to_calls;      /* copy_from_guest / copy_to_guest calls */
    unsigned from_faults, to_faults;    /* ... of which returned -XEN_EFAULT */
    uint64_t from_bytes, to_bytes;      /* bytes requested by successful calls */
    gvaddr_t last_from, last_to;        /* address of the latest call of each kind */
};
extern struct shim_guest_stats shim_guest;

/* What domain_map_shared_info() was last asked; `result` is what it returns.
 * On result 0 it also sets d->shared_info_gpa, as the real one does. */
struct shim_map_shared_info {
    unsigned calls;
    struct domain *d;
    gpaddr_t gpa;
    int result;
};
extern struct shim_map_shared_info shim_map_shared_info;

/* Forget all domains, refill guest memory, zero all counters and records. */
void shim_guest_reset(void);
void shim_guest_clear_stats(void);

/* Host pointer to guest bytes [va, va + len), which must lie in one region
 * (aborts otherwise). Tests use it to set up and inspect guest memory, also
 * read-only memory; it counts as no copy. */
void *shim_guest_mem(gvaddr_t va, size_t len);

/*
 * A zeroed domain with one vCPU (id 0, RUNNABLE) in table slot `id`
 * (< MAX_DOMAINS, free), state RUNNING, ram_bytes and frames_owned =
 * ram_bytes / 4096. Returns its vCPU.
 */
struct vcpu *shim_domain_create(uint32_t id, bool privileged, uint64_t ram_bytes);

/* Snapshot the whole fake world (guest memory, domains, vCPUs, the table);
 * shim_world_unchanged() compares against the latest snapshot. */
void shim_world_snapshot(void);
bool shim_world_unchanged(void);
/* Domains, vCPUs and the table only: for calls that may leave a partial
 * copy-out in guest memory. */
bool shim_domains_unchanged(void);

/* printf into a static buffer, for CHECK names built in loops. */
const char *shim_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
