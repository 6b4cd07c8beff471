/*
 * Hostile domains (see test_hostile.h): the console and event floods, the
 * well-behaved timing check that runs beside them, and the dispatcher.
 *
 * test=flood-console writes 4 KiB blocks of 64-byte lines by console_io and,
 * as a domU, through its console ring, for `seconds=` (default 3). The
 * hypervisor must keep returning the count while it drops what is over the
 * domain's rate and makes the writer wait for the console (docs/abi.md,
 * console_io), so the flood mostly slows itself. Then it publishes corrupt ring
 * indices CORRUPT_ROUNDS times (each must be skipped), waits for a new rate
 * window so its report is not dropped, and reports.
 *
 * test=flood-events binds a loopback channel and an IPI port, then sends on
 * every port number 0..63 and beyond in a tight loop for `seconds=`
 * (default 3): each send must return what docs/abi.md says for that port's
 * state, the own ports must deliver, and as a domU every other domain's
 * ports must be refused.
 *
 * test=punctual (well-behaved) sleeps 50 ms at a time for `seconds=`
 * (default 5) and reports its worst lateness, which the system test bounds.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/console_ring.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"
#include "test_hostile.h"
#include "timer.h"

#define FLOOD_LINE        64
#define CORRUPT_ROUNDS    1000
#define NEW_WINDOW_NS     (1200 * NSEC_PER_MSEC)   /* past the hypervisor's 1 s rate window */
#define PORTS             64                        /* docs/abi.md: ports 1..63 exist */
#define FOREIGN_DOMIDS    40                        /* ids probed: beyond MAX_DOMAINS (32) too */
#define PUNCTUAL_PERIOD   (50 * NSEC_PER_MSEC)

static const char *scenario = "?";

void hostile_report(bool ok, const char *what, long got)
{
    if (ok)
        printk("PASS: hostile/%s/%s\n", scenario, what);
    else
        printk("FAIL: hostile/%s/%s (got %ld)\n", scenario, what, got);
}

uint32_t hostile_seconds(const struct guest_env *env, uint32_t seconds)
{
    cmdline_get_uint(env->cmdline, "seconds", &seconds);
    return seconds;
}

uint64_t hostile_deadline(const struct guest_env *env, uint32_t seconds)
{
    return clock_now_ns() + (uint64_t)hostile_seconds(env, seconds) * NSEC_PER_SEC;
}

/* ---- flood-console ------------------------------------------------------- */

static char flood_buf[CONSOLEIO_WRITE_MAX];

/* Whole lines "flood: <name> <filler>\n"; the first also carries an ANSI
 * escape and a bell, which must reach the log as '?'. */
static void flood_fill(const char *name)
{
    static const char filler[] = "0123456789abcdefghijklmnopqrstuvwxyz";

    for (size_t line = 0; line < sizeof flood_buf / FLOOD_LINE; line++) {
        char *l = &flood_buf[line * FLOOD_LINE];
        size_t n = 0;

        for (const char *p = "flood: "; *p; p++)
            l[n++] = *p;
        for (const char *p = name; *p && n < 32; p++)
            l[n++] = *p;
        l[n++] = ' ';
        for (; n < FLOOD_LINE - 1; n++)
            l[n] = filler[n % (sizeof filler - 1)];
        l[FLOOD_LINE - 1] = '\n';
    }
    memcpy(&flood_buf[40], "\x1b[2J\a", 5);
}

#if !GUEST_DOM0
static uint64_t hvm_param(uint32_t index)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

    return hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p) < 0 ? 0 : p.value;
}

/* Publish an out_prod three ring sizes ahead and notify: the hypervisor must
 * report the ring corrupt and skip to it. How many of `rounds` it skipped. */
static uint32_t corrupt_ring(uint32_t rounds)
{
    uint64_t pfn = hvm_param(HVM_PARAM_CONSOLE_PFN), port = hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
    struct xencons_interface *ring = (struct xencons_interface *)(uintptr_t)(pfn * PAGE_SIZE);
    uint32_t skipped = 0;

    if (pfn == 0 || pfn * PAGE_SIZE >= IDENTITY_MAP_END || port == 0)
        return 0;
    for (uint32_t i = 0; i < rounds; i++) {
        uint32_t bad = READ_ONCE(ring->out_cons) + 3 * XENCONS_OUT_SIZE;

        WRITE_ONCE(ring->out_prod, bad);
        if (evtchn_send((evtchn_port_t)port) == 0 && READ_ONCE(ring->out_cons) == bad)
            skipped++;
    }
    return skipped;             /* out_prod == out_cons again: printk goes on as before */
}
#endif

static void test_flood_console(const struct guest_env *env)
{
    uint32_t seconds = hostile_seconds(env, 3);
    uint64_t start = clock_now_ns(), end = start + seconds * NSEC_PER_SEC, took;
    uint64_t by_io = 0, by_ring = 0, calls = 0, wrong = 0;
    long wrong_rc = 0;

    flood_fill(env->name);
    printk("flood-console: %s floods for %u s\n", env->name, seconds);
    while (clock_now_ns() < end) {
        long rc = hyp_console_io(CONSOLEIO_WRITE, sizeof flood_buf, (unsigned long)flood_buf);

        calls++;
        if (rc != (long)sizeof flood_buf) {
            wrong++;
            wrong_rc = rc;
        }
        by_io += sizeof flood_buf;
#if !GUEST_DOM0
        console_write(flood_buf, sizeof flood_buf);     /* through the ring */
        by_ring += sizeof flood_buf;
#endif
    }
    took = clock_now_ns() - start;
#if !GUEST_DOM0
    uint32_t skipped = corrupt_ring(CORRUPT_ROUNDS);
#endif
    /* A fresh rate window: what follows must not be dropped with the flood. */
    sleep_ns(NEW_WINDOW_NS);
    printk("flood-console: %s offered %lu bytes in %lu ms (%lu by console_io in %lu calls, "
           "%lu through the ring)\n", env->name, (unsigned long)(by_io + by_ring),
           (unsigned long)(took / NSEC_PER_MSEC), (unsigned long)by_io,
           (unsigned long)calls, (unsigned long)by_ring);
    hostile_report(wrong == 0 && calls > 0, "console_io-returns-count", wrong_rc);
#if !GUEST_DOM0
    hostile_report(skipped == CORRUPT_ROUNDS, "corrupt-ring-indices-skipped", skipped);
#endif
}

/* ---- flood-events -------------------------------------------------------- */

static const uint32_t wild_ports[] = {
    64, 65, 127, 128, 1023, 4095, 4096, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
};
static uint64_t events_seen[PORTS];

static void count_event(evtchn_port_t port)
{
    if (port < PORTS)
        events_seen[port]++;
}

/* docs/abi.md, EVTCHNOP_send: 0 on a channel, an IPI or the console port
 * (interdomain with DOMID_XEN); -EINVAL on free and VIRQ ports, 0, >= 64. */
static long send_result(uint32_t port)
{
    if (port == 0 || port >= PORTS)
        return -XEN_EINVAL;
    switch (evtchn_port_status(port)) {
    case EVTCHNSTAT_unbound:
    case EVTCHNSTAT_interdomain:
    case EVTCHNSTAT_ipi:
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

#if !GUEST_DOM0
/* Another domain's ports through every call that names a domain: -EPERM for a domU. */
static unsigned int foreign_calls_allowed(uint16_t me, long *got)
{
    unsigned int allowed = 0;

    for (uint16_t dom = 0; dom < FOREIGN_DOMIDS; dom++) {
        struct evtchn_status st;
        struct evtchn_alloc_unbound au = { .dom = dom, .remote_dom = DOMID_SELF };
        struct evtchn_reset rs = { .dom = dom };
        long rc[3];

        if (dom == me)
            continue;
        rc[0] = evtchn_status(dom, 1, &st);
        rc[1] = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&au);
        rc[2] = hyp_event_channel_op(EVTCHNOP_RESET, (unsigned long)&rs);
        for (unsigned int i = 0; i < 3; i++) {
            if (rc[i] != -XEN_EPERM) {
                allowed++;
                *got = rc[i];
            }
        }
    }
    return allowed;
}
#endif

static void test_flood_events(const struct guest_env *env)
{
    uint32_t seconds = hostile_seconds(env, 3);
    uint64_t end = clock_now_ns() + seconds * NSEC_PER_SEC, sends = 0, wrong = 0;
    long want[PORTS], wrong_rc = 0, a, b, c;

    /* A loopback channel (a <-> b) and an IPI port (c), all delivering to us. */
    a = evtchn_alloc_unbound(DOMID_SELF, count_event);
    b = a > 0 ? evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, count_event) : a;
    c = evtchn_bind_ipi(0, count_event);
    hostile_report(a > 0 && b > 0 && c > 0, "own-ports-bound", a <= 0 ? a : b <= 0 ? b : c);
    if (a <= 0 || b <= 0 || c <= 0)
        return;
    for (uint32_t p = 0; p < PORTS; p++)
        want[p] = send_result(p);
    printk("flood-events: %s sends on every port for %u s\n", env->name, seconds);

    while (clock_now_ns() < end) {
        for (uint32_t p = 0; p < PORTS; p++) {
            long rc = evtchn_send(p);

            if (rc != want[p]) {
                wrong++;
                wrong_rc = rc;
            }
        }
        for (size_t i = 0; i < sizeof wild_ports / sizeof wild_ports[0]; i++) {
            long rc = evtchn_send(wild_ports[i]);

            if (rc != -XEN_EINVAL) {
                wrong++;
                wrong_rc = rc;
            }
        }
        sends += PORTS + sizeof wild_ports / sizeof wild_ports[0];
        sti_nop_cli();          /* take the upcalls of our own ports */
    }
    printk("flood-events: %s made %lu sends\n", env->name, (unsigned long)sends);
    hostile_report(wrong == 0, "send-results-as-documented", wrong_rc);
    hostile_report(events_seen[a] && events_seen[b] && events_seen[c], "own-ports-delivered",
                   (long)(events_seen[a] + events_seen[b] + events_seen[c]));
#if !GUEST_DOM0
    long got = DOMID_SELF;
    /* Without our own id, EVTCHNOP_reset of "another" domain could be our own. */
    unsigned int allowed = xen_domid() == DOMID_SELF ? 1 : foreign_calls_allowed(xen_domid(), &got);

    hostile_report(allowed == 0, "other-domains-ports-refused-with-EPERM", got);
#endif
}

/* ---- punctual (well-behaved) --------------------------------------------- */

static void test_punctual(const struct guest_env *env)
{
    uint64_t end = hostile_deadline(env, 5), worst = 0, worst_at = 0, total = 0;
    uint32_t sleeps = 0, early = 0;

    while (clock_now_ns() < end) {
        uint64_t t0 = clock_now_ns(), took;

        sleep_ns(PUNCTUAL_PERIOD);
        took = clock_now_ns() - t0;
        sleeps++;
        if (took < PUNCTUAL_PERIOD) {
            early++;
            continue;
        }
        total += took - PUNCTUAL_PERIOD;
        if (took - PUNCTUAL_PERIOD > worst) {
            worst = took - PUNCTUAL_PERIOD;
            worst_at = t0 + took;
        }
    }
    printk("punctual: %s %u sleeps of %lu ms, worst lateness %lu us (ending at %lu ms), "
           "mean %lu us\n", env->name, sleeps, (unsigned long)(PUNCTUAL_PERIOD / NSEC_PER_MSEC),
           (unsigned long)(worst / NSEC_PER_USEC), (unsigned long)(worst_at / NSEC_PER_MSEC),
           (unsigned long)(sleeps ? total / sleeps / NSEC_PER_USEC : 0));
    hostile_report(early == 0 && sleeps > 0, "never-early", early);
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct {
    const char *name;
    void (*run)(const struct guest_env *env);
} hostile_actions[] = {
    { "flood-console",  test_flood_console },
    { "flood-events",   test_flood_events },
    { "exhaust-evtchn", test_exhaust_evtchn },
    { "exhaust-grants", test_exhaust_grants },
    { "pt-loop",        test_pt_loop },
    { "punctual",       test_punctual },
};

bool test_hostile_run(const char *action, const struct guest_env *env)
{
    for (size_t i = 0; i < sizeof hostile_actions / sizeof hostile_actions[0]; i++) {
        if (strcmp(action, hostile_actions[i].name) == 0) {
            scenario = hostile_actions[i].name;
            hostile_actions[i].run(env);
            return true;
        }
    }
    return false;
}
