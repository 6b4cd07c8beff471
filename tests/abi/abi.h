/*
 * The hypercall ABI conformance suite (test=conformance): every call and
 * sub-operation of docs/abi.md, its success path and what it changes, each
 * documented error with its exact errno, the caller's privilege, bad guest
 * pointers, and isolation between domains. The same cases run in dom0 and
 * in a domU; expectations that depend on the caller say so.
 *
 * Each case prints exactly one line:
 *   abi: <family>.<case>: PASS
 *   abi: <family>.<case>: FAIL: <detail>
 *   abi: <family>.<case>: SKIP: <reason>
 * and the suite ends with `abi: N passed, N failed, N skipped`. A family is
 * a hypercall's name (or `hypercall` for dispatch and calling convention);
 * its cases live in tests/abi/<family>.c, which docs/abi.md's coverage
 * table names and tests/abi-doc/coverage.sh checks.
 */
#ifndef ABI_ABI_H
#define ABI_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>

#include "tests.h"

/* What every family may use: who we are and what the suite set up. */
struct abi_env {
    const struct guest_env *env;
    bool privileged;            /* dom0 */
    domid_t self;               /* our id (CPUID leaf), never DOMID_SELF */
    domid_t peer;               /* the other domain running the suite (peer=) */
    domid_t gone;               /* a domain that powers off at once (gone=) */
    domid_t restricted;         /* the domain running test=restricted (restricted=) */
    domid_t absent;             /* an id with no domain */
    uint32_t nvcpus;            /* our vCPUs: the suite wants 3 */
    uint64_t ram_end;           /* first guest-physical address past our RAM */
    uint64_t ram_pages;         /* pages of RAM we were given: every map entry's
                                 * (a domU's reserved hole and dom0's start-info
                                 * page are backed too) */
    evtchn_port_t meeting;      /* our end of the channel to the peer */
    evtchn_port_t peer_meeting; /* the peer's end */
    evtchn_port_t held;         /* unbound, offered to ourselves, all of phase 1 */
};
extern struct abi_env abi;

/* Ports per domain (docs/abi.md, "32 event_channel_op": 1-63 exist, 0 never). */
#define ABI_EVTCHN_PORTS 64

/* Grants every domain offers its peer before the two meet (conformance.c). */
#define ABI_REF_PEER_RO    10   /* page abi_grant_page(0), read-only to the peer */
#define ABI_REF_PEER_RW    11   /* page abi_grant_page(1), writable by the peer */
#define ABI_REF_NOT_PEER   12   /* page abi_grant_page(2), granted to ourselves only */
#define ABI_REF_INVALID    13   /* never written: GTF_invalid */
#define ABI_REF_BADPTR_RO  14   /* badptr.c: our own page, read-only to ourselves */
#define ABI_GRANT_PAGES    4
/* The pattern in the peer-visible pages, from the granter's id and the page. */
uint64_t abi_grant_seed(domid_t granter, unsigned int page);
void *abi_grant_page(unsigned int i);

/* Guest-physical pages above our RAM where grants are mapped: slot 0 is
 * ABI_MAP_GAP pages past the end of RAM, so the page right after RAM stays
 * empty for the straddling bad pointers. */
#define ABI_MAP_GAP   16
#define ABI_MAP_SLOTS 1100
uint64_t abi_map_addr(unsigned int slot);

/* ---- results (report.c) ---- */

void abi_pass(const char *family, const char *name);
void abi_skip(const char *family, const char *name, const char *reason);
/* PASS if got == want, else FAIL "got <got> expected <want>". */
bool abi_expect(const char *family, const char *name, long got, long want);
/* PASS if ok, else FAIL "<what> (<value>)". */
bool abi_check(const char *family, const char *name, bool ok, const char *what, long value);
/* The same with a suffix appended to the case name (`name-suffix`). */
bool abi_expect_sfx(const char *family, const char *name, const char *suffix, long got,
                    long want);
/* Prints the closing count line; the number of failed cases. */
unsigned int abi_summary(void);

/* The expectation that depends on the caller: dom0's or a domU's. */
static inline long abi_priv(long dom0, long domu)
{
    return abi.privileged ? dom0 : domu;
}

/* ---- bad guest pointers (badptr.c) ---- */

/* Set up the aliases the kinds below need (a private page-table branch,
 * CR0.WP, a read-only grant mapping of our own). False after a FAIL line. */
bool abi_badptr_init(void);

/*
 * One hypercall with the argument at `addr`; returns RAX. `ctx` is the
 * family's own.
 */
typedef long (*abi_call_fn)(uint64_t addr, void *ctx);

/*
 * Run `call` once per kind of bad pointer and expect `want` (-XEN_EFAULT, or
 * what a check made before the pointer is read returns). The argument is
 * `size` bytes; where a kind has a readable part, `init` (a valid request)
 * is put there first, so only the bad part can be at fault. Kinds whose
 * memory is readable but not writable run only when `output`. Each kind is
 * one case, `<name>-<kind>`: unmapped, noncanonical, high-half,
 * straddle-pt, straddle-ept, mmio, hv-phys, and for outputs readonly-pt and
 * readonly-ept.
 */
void abi_badptr_cases(const char *family, const char *name, bool output, const void *init,
                      size_t size, abi_call_fn call, void *ctx, long want);

/* A linear page whose successor no page table maps (for batches that run
 * off it): its address, and *backing = the same memory, writable. */
uint64_t abi_edge_page(void **backing);
/* A linear page mapped read-only (CR0.WP is set): its address, and
 * *backing = the same memory, writable. */
uint64_t abi_readonly_page(void **backing);

/* A pointer no page table maps (4 GiB: past our identity map). */
#define ABI_UNMAPPED 0x100000000ull
/* The lowest non-canonical address with 48-bit linear addresses. */
#define ABI_NONCANONICAL 0x0000800000000000ull

/* ---- the families, in the order they run (tests/abi/<family>.c) ---- */

void abi_hypercall_cases(void);
/* After the vcpu_op family: vCPU 2 makes calls in 32-bit mode. */
void abi_hypercall_compat32_cases(void);
/* The compat-layout calls vCPU 2 makes (hypercall-compat32.c): set up before
 * it starts, checked after it has finished. */
void abi_compat32_prepare(void);
void abi_compat32_check(void);
/* After it: vCPU 3 switches tasks in 32-bit mode (task_switch.c). */
void abi_task_switch_cases(void);
void abi_xen_version_cases(void);
void abi_console_io_cases(void);
void abi_memory_op_cases(void);
void abi_hvm_op_cases(void);
void abi_set_timer_op_cases(void);
void abi_vcpu_op_cases(void);
void abi_sched_op_cases(void);
void abi_event_channel_op_cases(void);
/* The FIFO ABI (event_channel_op-fifo.c): refusals that leave the domain 2-level;
 * in `restricted` (evtchn=2l), the sub-ops unknown. */
void abi_event_channel_op_fifo_error_cases(void);
void abi_event_channel_op_fifo_2l_cases(void);
void abi_physdev_op_cases(void);
void abi_grant_table_op_cases(void);
void abi_sysctl_cases(void);
void abi_domctl_cases(void);
void abi_domctl_lifecycle_cases(void);   /* domctl-lifecycle.c */
void abi_domctl_console_cases(void);     /* domctl-console.c */
/* After both domains are done: dom0 acts on the waiting peer; the peer sees it. */
void abi_event_channel_op_dom0_acts(void);
void abi_event_channel_op_domu_sees(void);

/*
 * test=restricted (hypercall.c): a domain booted with this deny= list
 * (tests/system/conformance.cfg says it again) makes these many calls its
 * policy refuses, per call, then waits (at most ABI_RESTRICTED_WAIT_NS) for
 * dom0 to deny it xen_version pagesize too, and is refused that once; dom0
 * reads them back (domctl.c).
 */
#define ABI_RESTRICTED_DENY "event_channel_op:alloc_unbound,grant_table_op,sched_op:poll"
#define ABI_RESTRICTED_EVTCHN_DENIALS  3
#define ABI_RESTRICTED_GRANT_DENIALS   3
#define ABI_RESTRICTED_SCHED_DENIALS   1
#define ABI_RESTRICTED_XENVER_DENIALS  1
#define ABI_RESTRICTED_WAIT_NS (240 * NSEC_PER_SEC)

/* ---- helpers the families share (conformance.c) ---- */

/* A flat 32-bit protected-mode context entering at `eip`, paging off, as at
 * the PVH entry (hypercall.c). */
struct vcpu_hvm_context;
void abi_flat32_context(struct vcpu_hvm_context *c, uint32_t eip);
/* Wait up to `ns` for pred(arg), yielding; true if it held. Needs no timer. */
bool abi_wait(bool (*pred)(void *arg), void *arg, uint64_t ns);
/* Let a pending upcall in and handle it (interrupts are off elsewhere). */
void abi_take_events(void);
/* The lowest port a new binding would get now (allocated and closed again). */
long abi_lowest_free_port(void);
/* Is our `port`'s pending (mask) bit set in shared_info? */
bool abi_port_pending(evtchn_port_t port);
bool abi_port_masked(evtchn_port_t port);
void abi_clear_pending(evtchn_port_t port);

#endif
