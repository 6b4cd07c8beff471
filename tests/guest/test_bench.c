/*
 * Path-length benchmarks. In Bochs the TSC advances one tick per emulated
 * instruction (a VM exit and a VM entry count one each), so an RDTSC delta
 * is the number of instructions on a path, the same on every run.
 *
 * Each figure is the median over `reps` repetitions (reps=N on the command
 * line, default and at most BENCH_MAX_REPS) of t1 - t0, less the baseline:
 * the median of an empty measurement, t0 and t1 taken back to back. Both
 * stamps are the same three instructions (rdtsc, then two stores), so a
 * figure counts exactly the instructions between them. min and max are
 * baseline-subtracted too. Lines (scripts/bench.sh parses them):
 *
 *   bench: baseline <median>
 *   bench: guest_entry_tsc <TSC at this kernel's first instruction>
 *   bench: <key> <median> (reps <N>, min <min>, max <max>)
 *   bench: done
 *
 * null_hypercall         `mov $17, %eax; vmcall`: xen_version(XENVER_VERSION)
 *                        issued directly (the mov because rdtsc takes EAX).
 * hypercall_page_call    the same through the hypercall page: call, the stub's
 *                        mov and vmcall, ret.
 * evtchn_send_self       sti; EVTCHNOP_send on an IPI port bound to ourselves;
 *                        the upcall injected as the call returns (entry stub,
 *                        dispatch, a handler that sets a flag, iret); cli.
 * grant_copy_4k          GNTTABOP_copy of 4096 bytes from a grant of our own
 *                        page to ourselves into another of our pages.
 * timer_wakeup           from the TSC value at which a one-shot timer's
 *                        deadline falls (the pvclock inverted) to the first
 *                        instruction the halted vCPU executes when woken: the
 *                        upcall stub, which reads the TSC first. No rdtsc
 *                        pair, so no baseline is subtracted. Each
 *                        repetition sleeps 1 ms, which Bochs skips quickly.
 *                        Constant within a boot, but it moves by up to one
 *                        LAPIC timer tick (16 TSC ticks in Bochs) with the
 *                        hypervisor's TSC calibration at boot.
 * evtchn_pingpong_oneway half of: send to the peer; it wakes, its handler
 *                        sends back; we wake and see the reply's flag. Two
 *                        sends, two vCPU switches, two upcalls, two hlts.
 * vcpu_switch            half of one SCHEDOP_yield of ours while the peer
 *                        yields in a loop: two switches and its loop.
 *
 * Other domains must be idle: dom0 first waits until every domain but the
 * peer has gone, and the peer sits in `sti; hlt` except in the two phases
 * it takes part in. Phases move on by events on a control channel.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hypercall.h>
#include <public/sched_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "guest.h"
#include "hypercall.h"
#include "idt.h"
#include "lib.h"
#include "test_bench.h"
#include "test_ipc.h"
#include "timer.h"

#define BENCH_MAX_REPS     10000u
#define BENCH_DEFAULT_REPS BENCH_MAX_REPS
#define TIMER_DELAY_NS     NSEC_PER_MSEC
/* Unmeasured rounds before a two-domain phase, to get both sides into step. */
#define WARMUP_ROUNDS      16u
/* Domain ids probed for domains that must be gone (the hypervisor's MAX_DOMAINS). */
#define PROBE_DOMAINS      32u
#define QUIET_TIMEOUT_NS   (120 * NSEC_PER_SEC)
#define SELF_GREF          GNTTAB_NR_RESERVED_ENTRIES    /* the first free one */
#define COPY_SEED          0xbe4cull

/* The peer's phases, advanced by one event on the control channel each. */
enum { PHASE_ECHO, PHASE_YIELD, PHASE_DONE };

static int64_t samples[BENCH_MAX_REPS];
static struct {
    uint32_t lo, hi;
} stamp[2];
uint64_t bench_wake_tsc;
extern char bench_wake_entry[];     /* bench_wake.asm */

static bool self_flag, pong_flag;
static unsigned int peer_phase;
static evtchn_port_t peer_ping;

/* The TSC into stamp[i]: rdtsc and two stores, identical for t0 and t1. */
#define STAMP(i)                                                                   \
    __asm__ volatile("rdtsc\n\tmovl %%eax, %0\n\tmovl %%edx, %1"                   \
                     : "=m"(stamp[i].lo), "=m"(stamp[i].hi) : : "rax", "rdx", "memory")

static int64_t stamp_delta(void)
{
    uint64_t t0 = (uint64_t)stamp[0].hi << 32 | stamp[0].lo;
    uint64_t t1 = (uint64_t)stamp[1].hi << 32 | stamp[1].lo;

    return (int64_t)(t1 - t0);
}

/* ---- statistics ---------------------------------------------------------- */

static void sift_down(int64_t *a, unsigned int root, unsigned int n)
{
    for (;;) {
        unsigned int child = 2 * root + 1;
        int64_t tmp;

        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        tmp = a[root];
        a[root] = a[child];
        a[child] = tmp;
        root = child;
    }
}

/* Heapsort: O(n log n) and in place, so 10,000 samples sort quickly in Bochs. */
static void sort_samples(unsigned int n)
{
    for (unsigned int i = n / 2; i-- > 0;)
        sift_down(samples, i, n);
    for (unsigned int end = n; end-- > 1;) {
        int64_t tmp = samples[0];

        samples[0] = samples[end];
        samples[end] = tmp;
        sift_down(samples, 0, end);
    }
}

/* Sorts samples[0..n) and returns the median (the mean of the middle two for even n). */
static int64_t median(unsigned int n)
{
    sort_samples(n);
    return (samples[(n - 1) / 2] + samples[n / 2]) / 2;
}

/* One figure: (median - baseline) / per, min and max likewise. */
static void report(const char *key, unsigned int n, int64_t baseline, int64_t per)
{
    int64_t med = median(n);

    printk("bench: %s %ld (reps %u, min %ld, max %ld)\n", key, (med - baseline) / per, n,
           (samples[0] - baseline) / per, (samples[n - 1] - baseline) / per);
}

static void fail(const char *key, const char *why, long value)
{
    printk("FAIL: bench/%s %s (%ld)\n", key, why, value);
}

/* ---- single-domain figures ----------------------------------------------- */

static int64_t measure_baseline(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        STAMP(0);
        STAMP(1);
        samples[i] = stamp_delta();
    }
    return median(n);
}

static void measure_null_hypercall(unsigned int n, int64_t baseline)
{
    long rc = hypercall5_direct(HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0);

    if (rc <= 0) {
        fail("null_hypercall", "xen_version(XENVER_VERSION) by vmcall failed", rc);
        return;
    }
    for (unsigned int i = 0; i < n; i++) {
        register unsigned long r10 __asm__("r10") = 0;
        register unsigned long r8 __asm__("r8") = 0;
        unsigned long cmd = XENVER_VERSION, arg = 0;

        /* One asm: nothing the compiler schedules can land between the stamps. */
        __asm__ volatile("rdtsc\n\t"
                         "movl %%eax, %[t0lo]\n\t"
                         "movl %%edx, %[t0hi]\n\t"
                         "movl %[nr], %%eax\n\t"
                         "vmcall\n\t"
                         "rdtsc\n\t"
                         "movl %%eax, %[t1lo]\n\t"
                         "movl %%edx, %[t1hi]"
                         : [t0lo] "=m"(stamp[0].lo), [t0hi] "=m"(stamp[0].hi),
                           [t1lo] "=m"(stamp[1].lo), [t1hi] "=m"(stamp[1].hi),
                           "+D"(cmd), "+S"(arg), "+r"(r10), "+r"(r8)
                         : [nr] "i"(HYPERCALL_XEN_VERSION)
                         : "rax", "rdx", "memory");
        samples[i] = stamp_delta();
    }
    report("null_hypercall", n, baseline, 1);
}

static void measure_hypercall_page(unsigned int n, int64_t baseline)
{
    if (!hypercall_page_ready) {
        fail("hypercall_page_call", "no hypercall page", 0);
        return;
    }
    for (unsigned int i = 0; i < n; i++) {
        register unsigned long r10 __asm__("r10") = 0;
        register unsigned long r8 __asm__("r8") = 0;
        unsigned long cmd = XENVER_VERSION, arg = 0;
        /* In RCX: rdtsc overwrites RAX and RDX, the stub overwrites EAX. */
        unsigned long stub = (uintptr_t)(hypercall_page + HYPERCALL_XEN_VERSION * HYPERCALL_STUB_SIZE);

        __asm__ volatile("rdtsc\n\t"
                         "movl %%eax, %[t0lo]\n\t"
                         "movl %%edx, %[t0hi]\n\t"
                         "call *%[stub]\n\t"
                         "rdtsc\n\t"
                         "movl %%eax, %[t1lo]\n\t"
                         "movl %%edx, %[t1hi]"
                         : [t0lo] "=m"(stamp[0].lo), [t0hi] "=m"(stamp[0].hi),
                           [t1lo] "=m"(stamp[1].lo), [t1hi] "=m"(stamp[1].hi),
                           [stub] "+c"(stub), "+D"(cmd), "+S"(arg), "+r"(r10), "+r"(r8)
                         :
                         : "rax", "rdx", "memory");
        samples[i] = stamp_delta();
    }
    report("hypercall_page_call", n, baseline, 1);
}

static void on_self_event(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(self_flag, true);
}

static void measure_evtchn_send_self(unsigned int n, int64_t baseline)
{
    long port = evtchn_bind_ipi(0, on_self_event);

    if (port < 0) {
        fail("evtchn_send_self", "bind_ipi failed", port);
        return;
    }
    for (unsigned int i = 0; i < n; i++) {
        WRITE_ONCE(self_flag, false);
        STAMP(0);
        sti();
        evtchn_send((evtchn_port_t)port);
        cli();
        /* Normally already set: the upcall came in as the call returned. */
        while (!READ_ONCE(self_flag))
            sti_nop_cli();
        STAMP(1);
        samples[i] = stamp_delta();
    }
    evtchn_close((evtchn_port_t)port);
    report("evtchn_send_self", n, baseline, 1);
}

static void measure_grant_copy(unsigned int n, int64_t baseline)
{
    void *src = ipc_page(0), *dst = ipc_page(1);
    uint16_t self = xen_domid();
    struct gnttab_copy op = {
        .source = grant_copy_gref(DOMID_SELF, SELF_GREF, 0),
        .dest = grant_copy_local(ipc_gfn(dst), 0),
        .len = PAGE_SIZE,
        .flags = GNTCOPY_source_gref,
    };
    long rc;

    ipc_fill(src, COPY_SEED);
    if (self == DOMID_SELF || !grant_access(SELF_GREF, self, ipc_gfn(src), true)) {
        fail("grant_copy_4k", "cannot grant our page to ourselves; domid", self);
        return;
    }
    rc = grant_op(GNTTABOP_copy, &op, 1);
    if (rc < 0 || op.status != GNTST_okay) {
        fail("grant_copy_4k", "copy from our own grant failed; rc or status",
             rc < 0 ? rc : op.status);
        grant_end(SELF_GREF);
        return;
    }
    if ((rc = ipc_check(dst, COPY_SEED)) != -1) {
        fail("grant_copy_4k", "copied page differs at offset", rc);
        grant_end(SELF_GREF);
        return;
    }
    for (unsigned int i = 0; i < n; i++) {
        STAMP(0);
        grant_op(GNTTABOP_copy, &op, 1);
        STAMP(1);
        samples[i] = stamp_delta();
        if (op.status != GNTST_okay) {
            fail("grant_copy_4k", "copy failed; status", op.status);
            grant_end(SELF_GREF);
            return;
        }
    }
    grant_end(SELF_GREF);
    report("grant_copy_4k", n, baseline, 1);
}

/*
 * sti; hlt; cli for the timer figure. The upcall that wakes us enters
 * through bench_wake_entry, whose rdtsc overwrites RAX and RDX.
 */
static void wake_hlt(void)
{
    __asm__ volatile("sti; hlt; cli" : : : "rax", "rdx", "memory");
}

static void measure_timer_wakeup(unsigned int n)
{
    idt_set_upcall_entry(bench_wake_entry);
    for (unsigned int i = 0; i < n; i++) {
        uint64_t seen, deadline, due;
        long rc;

        seen = timer_virqs();
        deadline = clock_now_ns() + TIMER_DELAY_NS;
        rc = timer_set_singleshot(deadline, VCPU_SSHOTTMR_FUTURE);
        if (rc < 0) {
            idt_set_upcall_entry(NULL);
            fail("timer_wakeup", "set_singleshot_timer failed", rc);
            return;
        }
        due = clock_tsc_at(deadline);
        while (timer_virqs() == seen)
            wake_hlt();
        samples[i] = (int64_t)(READ_ONCE(bench_wake_tsc) - due);
    }
    idt_set_upcall_entry(NULL);
    report("timer_wakeup", n, 0, 1);
}

/* ---- figures with the peer ----------------------------------------------- */

static void on_pong(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(pong_flag, true);
}

static void measure_pingpong(evtchn_port_t ping, unsigned int n, int64_t baseline)
{
    /* Unmeasured rounds, counted by ipc_listen's handler, with a timeout. */
    for (unsigned int w = 0; w < WARMUP_ROUNDS; w++) {
        uint64_t seen = ipc_events(ping);

        ipc_notify(ping, "bench");
        if (!ipc_wait_event(ping, seen)) {
            fail("evtchn_pingpong_oneway", "no reply from the peer; port", ping);
            return;
        }
    }
    evtchn_set_handler(ping, on_pong);
    for (unsigned int i = 0; i < n; i++) {
        WRITE_ONCE(pong_flag, false);
        STAMP(0);
        evtchn_send(ping);
        while (!READ_ONCE(pong_flag)) {
            sti_hlt();
            cli();
        }
        STAMP(1);
        samples[i] = stamp_delta();
    }
    evtchn_set_handler(ping, ipc_count_event);
    report("evtchn_pingpong_oneway", n, baseline, 2);
}

static void measure_vcpu_switch(evtchn_port_t control, unsigned int n, int64_t baseline)
{
    /* The peer leaves its idle loop for its yield loop once it has run. */
    ipc_notify(control, "bench");
    for (unsigned int w = 0; w < WARMUP_ROUNDS; w++)
        hyp_sched_op(SCHEDOP_YIELD, 0);
    for (unsigned int i = 0; i < n; i++) {
        STAMP(0);
        hyp_sched_op(SCHEDOP_YIELD, 0);
        STAMP(1);
        samples[i] = stamp_delta();
    }
    report("vcpu_switch", n, baseline, 2);
}

/* Wait until every domain but us and the peer has gone (status: -ESRCH). */
static void wait_for_quiet(domid_t peer)
{
    uint64_t deadline = clock_now_ns() + QUIET_TIMEOUT_NS;

    for (uint16_t id = 1; id < PROBE_DOMAINS; id++) {
        struct evtchn_status st;
        long rc;

        if (id == peer)
            continue;
        while ((rc = evtchn_status(id, 1, &st)) != -XEN_ESRCH) {
            if (rc == -XEN_EPERM) {
                printk("bench-note: not privileged, cannot see other domains\n");
                return;
            }
            if (clock_now_ns() >= deadline) {
                printk("bench-note: domain %u still there; measuring anyway\n", id);
                break;
            }
            sleep_ns(NSEC_PER_MSEC);
        }
    }
}

static unsigned int reps_from(const struct guest_env *env)
{
    uint32_t reps = BENCH_DEFAULT_REPS;

    if (cmdline_get_uint(env->cmdline, "reps", &reps) && reps > BENCH_MAX_REPS) {
        printk("bench-note: reps=%u capped at %u\n", reps, BENCH_MAX_REPS);
        reps = BENCH_MAX_REPS;
    }
    return reps ? reps : 1;
}

void test_bench(const struct guest_env *env)
{
    domid_t peer = ipc_start(env, "bench");
    unsigned int reps = reps_from(env);
    evtchn_port_t ping, control;
    int64_t baseline;

    /* One channel at a time, so the peer's first bind can only take ping. */
    ping = ipc_listen(peer, "bench");
    if (!ipc_wait_status(ping, EVTCHNSTAT_interdomain))
        ipc_abort("bench", "peer did not bind the ping channel; port", ping);
    control = ipc_listen(peer, "bench");
    if (!ipc_wait_status(control, EVTCHNSTAT_interdomain))
        ipc_abort("bench", "peer did not bind the control channel; port", control);
    wait_for_quiet(peer);
    sti_nop_cli();      /* nothing stale left to arrive inside a measurement */

    baseline = measure_baseline(reps);
    printk("bench: baseline %ld\n", baseline);
    printk("bench: guest_entry_tsc %lu\n", (unsigned long)guest_entry_tsc);

    measure_null_hypercall(reps, baseline);
    measure_hypercall_page(reps, baseline);
    measure_evtchn_send_self(reps, baseline);
    measure_grant_copy(reps, baseline);
    measure_timer_wakeup(reps);
    measure_pingpong(ping, reps, baseline);
    measure_vcpu_switch(control, reps, baseline);

    ipc_notify(control, "bench");       /* the peer's yield loop ends */
    printk("bench: done\n");
}

/* ---- the peer ------------------------------------------------------------ */

static void peer_on_ping(evtchn_port_t port)
{
    (void)port;
    if (READ_ONCE(peer_phase) == PHASE_ECHO)
        evtchn_send(peer_ping);
}

static void peer_on_control(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(peer_phase, READ_ONCE(peer_phase) + 1);
}

void test_bench_peer(const struct guest_env *env)
{
    domid_t peer = ipc_start(env, "bench-peer");
    evtchn_port_t control;

    peer_ping = ipc_connect(peer, "bench-peer");
    evtchn_set_handler(peer_ping, peer_on_ping);
    control = ipc_connect(peer, "bench-peer");
    evtchn_set_handler(control, peer_on_control);

    /* Idle; every ping is answered from the handler. */
    while (READ_ONCE(peer_phase) == PHASE_ECHO) {
        sti_hlt();
        cli();
    }
    /* Yield back at once, until told to stop. */
    sti();
    while (READ_ONCE(peer_phase) == PHASE_YIELD)
        hyp_sched_op(SCHEDOP_YIELD, 0);
    cli();
    printk("bench-peer: done\n");
}
