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

#include "shim_printk.h"
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
 * On result 0 it also sets d->shared_info_slot, as the real one does. */
struct shim_map_shared_info {
    unsigned calls;
    struct domain *d;
    gpaddr_t gpa;
    int result;
};
extern struct shim_map_shared_info shim_map_shared_info;

/* What arch_vcpu_compat() answers: the caller is in 32-bit mode (reset: false). */
extern bool shim_guest_compat;

/* Forget all domains, refill guest memory, zero all counters and records. */
void shim_guest_reset(void);
void shim_guest_clear_stats(void);

/* Host pointer to guest bytes [va, va + len), which must lie in one region
 * (aborts otherwise). Tests use it to set up and inspect guest memory, also
 * read-only memory; it counts as no copy. */
void *shim_guest_mem(gvaddr_t va, size_t len);

/*
 * A zeroed domain with one vCPU (id 0, RUNNABLE, initialised) in table slot `id`
 * (< MAX_DOMAINS, free), state RUNNING, ram_bytes and frames_owned =
 * ram_bytes / 4096. Returns its vCPU.
 */
struct vcpu *shim_domain_create(uint32_t id, bool privileged, uint64_t ram_bytes);
/* Give a domain of shim_domain_create() its next vCPU (id = nvcpus): zeroed,
 * DOWN and not initialised, as the domain builder leaves a secondary vCPU. */
struct vcpu *shim_vcpu_add(struct domain *d);

/* Snapshot the whole fake world (guest memory, domains, vCPUs, the table);
 * shim_world_unchanged() compares against the latest snapshot. */
void shim_world_snapshot(void);
bool shim_world_unchanged(void);
/* Domains, vCPUs and the table only: for calls that may leave a partial
 * copy-out in guest memory. */
bool shim_domains_unchanged(void);

/* True when every one of `len` bytes equals `value` (host memory, or guest
 * memory through shim_guest_mem). */
bool shim_bytes_are(const void *p, size_t len, uint8_t value);
bool shim_guest_bytes_are(gvaddr_t va, size_t len, uint8_t value);
/* printf into a static buffer, for CHECK names built in loops. */
const char *shim_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));


/* ---- companion shims: link the named .c file to use one ------------------ */

/*
 * shim_time.c: the arch clock behind the real hv/time.c. System time is
 * shim_now_ns (set it freely); the TSC runs at 1 tick per ns from
 * SHIM_TSC_AT_BOOT (scale mul 2^31, shift 1), so a pvclock record written at
 * system time T has system_time T; shim_time_reset() also clears what
 * printk() printed (shim_printk.c, which the tests using this link too).
 */
#define SHIM_TIME_START   1000000000ull     /* shim_time_reset(): 1 s after boot */
#define SHIM_TSC_AT_BOOT  5000ull
#define SHIM_TSC_MUL      0x80000000u
#define SHIM_TSC_SHIFT    1
#define SHIM_WALLCLOCK    1700000000ull
extern uint64_t shim_now_ns;
void shim_time_reset(void);

/*
 * shim_arch_mem.c: host "physical" memory and one guest-physical RAM space
 * shared by all fake domains. GFN [0, SHIM_GPA_PAGES) is RAM (each can be
 * turned into a hole); anything above is not. Host page g backs GFN g at
 * host-physical SHIM_HPA_BASE + g * 4096; after them comes one shared-info
 * page per domain id. arch_domain_gpa_to_hpa / phys_to_virt / virt_to_phys
 * translate over it (phys_to_virt of anything else aborts). All of it starts
 * out filled with SHIM_FILL, shared-info pages zeroed.
 */
#define SHIM_GPA_PAGES 16
#define SHIM_HPA_BASE  0x80000000ull
struct shim_arch_mem_stats {
    unsigned gpa_to_hpa_calls;
    gpaddr_t last_gpa;
    bool last_write;
};
extern struct shim_arch_mem_stats shim_arch_mem;
void shim_arch_mem_reset(void);
/* Make GFN `gfn` (< SHIM_GPA_PAGES) the domains' RAM or a hole. */
void shim_gfn_set_ram(uint64_t gfn, bool ram);
/* Host pointer to guest-physical bytes [gpa, gpa + len), inside the RAM range. */
void *shim_gpa_mem(gpaddr_t gpa, size_t len);
/* Give d a zeroed shared-info page (d->shared_info_frame, d->shared_info). */
struct shared_info *shim_shared_info_create(struct domain *d);
/* Snapshot and compare all of this memory (guest RAM and shared-info pages). */
void shim_arch_mem_snapshot(void);
bool shim_arch_mem_unchanged(void);

/*
 * shim_console.c: console_ring_drain and domain_console_write record their
 * calls instead of printing.
 */
struct shim_console_stats {
    unsigned drain_calls;
    struct domain *drain_last;
    unsigned write_calls;
    struct domain *write_last;
    size_t written_len;
    char written[4096];
};
extern struct shim_console_stats shim_console;
void shim_console_reset(void);

/*
 * shim_vcpu.c: the seams vcpu_op's up, down and initialise go through.
 * vcpu_bring_up and vcpu_take_down record their calls and change the state
 * and runstate as hv/sched.c does; domain_shutdown records its call and stops
 * the domain's vCPUs as hv/domain.c does; arch_vcpu_set_context records the
 * context it was given (a copy) and returns shim_vcpu.set_context_result.
 */
#define SHIM_VCPU_CALLS 16
struct shim_vcpu_stats {
    unsigned up_calls, down_calls, shutdown_calls, set_context_calls;
    struct vcpu *up[SHIM_VCPU_CALLS], *down[SHIM_VCPU_CALLS];   /* in call order */
    struct domain *shutdown_domain;
    uint32_t shutdown_reason;
    struct vcpu *set_context_vcpu;
    uint8_t set_context_ctx[128];   /* struct vcpu_hvm_context */
    int set_context_result;
};
extern struct shim_vcpu_stats shim_vcpu;
void shim_vcpu_reset(void);

#endif
