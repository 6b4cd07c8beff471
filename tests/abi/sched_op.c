/*
 * Family `sched_op` (docs/abi.md, "29 sched_op"): yield; block and poll,
 * each returning at once when something is pending and sleeping until an
 * event or timeout otherwise; shutdown_code; shutdown's refusals. The
 * successful shutdown ends the domain: the system test checks it
 * (conformance/<domain>-powered-off). Nothing names another domain.
 */
#include <stdint.h>

#include <public/sched_op.h>

#include "abi.h"
#include "arch.h"
#include "clock.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"
#include "smp.h"
#include "timer.h"

#define F "sched_op"
#define DELAY_NS (3 * NSEC_PER_MSEC)

static uint64_t ipi_events;

static long call(unsigned long cmd, uint64_t arg)
{
    return hypercall3(HYPERCALL_SCHED_OP, cmd, arg, 0);
}

static void on_ipi(evtchn_port_t port)
{
    (void)port;
    ipi_events++;
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr);
}

static long poll(uint32_t nr, uint64_t ports, uint64_t timeout)
{
    struct sched_poll p = { .ports = ports, .nr_ports = nr, .timeout = timeout };

    return call(SCHEDOP_POLL, (uintptr_t)&p);
}

static long poll_ports_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return poll(2, addr, 1);
}

static void shutdown_cases(void)
{
    static const unsigned long shutdown = SCHEDOP_SHUTDOWN, code = SCHEDOP_SHUTDOWN_CODE;
    struct sched_shutdown bad = { .reason = SHUTDOWN_WATCHDOG + 1 };
    struct sched_shutdown max = { .reason = 0xffffffff };
    struct sched_shutdown poweroff = { .reason = SHUTDOWN_POWEROFF };

    abi_expect(F, "shutdown-bad-reason", call(SCHEDOP_SHUTDOWN, (uintptr_t)&bad), -XEN_EINVAL);
    abi_expect(F, "shutdown-reason-max", call(SCHEDOP_SHUTDOWN, (uintptr_t)&max), -XEN_EINVAL);
    abi_badptr_cases(F, "shutdown", false, &poweroff, sizeof poweroff, badptr_call,
                     (void *)&shutdown, -XEN_EFAULT);
    abi_pass(F, "shutdown-refusals-keep-running");

    /* Records a reason and goes on; we end with poweroff anyway. */
    abi_expect(F, "shutdown_code", call(SCHEDOP_SHUTDOWN_CODE, (uintptr_t)&poweroff), 0);
    abi_pass(F, "shutdown_code-keeps-running");
    abi_expect(F, "shutdown_code-bad-reason", call(SCHEDOP_SHUTDOWN_CODE, (uintptr_t)&bad),
               -XEN_EINVAL);
    abi_badptr_cases(F, "shutdown_code", false, &poweroff, sizeof poweroff, badptr_call,
                     (void *)&code, -XEN_EFAULT);
}

static void block_cases(evtchn_port_t ipi)
{
    uint64_t start, seen = ipi_events;
    long rc;

    /* Pending (interrupts off, so not taken yet): block returns at once. */
    evtchn_send(ipi);
    abi_check(F, "block-event-pending",
              READ_ONCE(this_vcpu_info()->evtchn_upcall_pending) &&
                  call(SCHEDOP_BLOCK, 0) == 0,
              "upcall pending", READ_ONCE(this_vcpu_info()->evtchn_upcall_pending));
    abi_take_events();
    abi_expect(F, "block-event-taken", (long)(ipi_events - seen), 1);

    /* Nothing pending: sleeps until the timer's event. */
    start = clock_now_ns();
    rc = timer_set_singleshot(start + DELAY_NS, 0);
    if (rc == 0)
        rc = call(SCHEDOP_BLOCK, 0);
    abi_check(F, "block-sleeps-until-event", rc == 0 && clock_now_ns() >= start + DELAY_NS,
              "rc, or woke after ns", rc ? rc : (long)(clock_now_ns() - start));
    abi_take_events();
    rc = timer_set_singleshot(clock_now_ns() + DELAY_NS, 0);
    abi_expect(F, "block-ignores-arg", rc ? rc : call(SCHEDOP_BLOCK, ABI_NONCANONICAL), 0);
    abi_take_events();
}

static void poll_cases(evtchn_port_t ipi)
{
    static uint32_t ports[SCHED_POLL_MAX_PORTS + 1];
    static const unsigned long cmd = SCHEDOP_POLL;
    struct sched_poll ok;
    uint64_t start;
    long rc;

    for (unsigned int i = 0; i < sizeof ports / sizeof ports[0]; i++)
        ports[i] = ipi;
    ok = (struct sched_poll){ .ports = (uintptr_t)ports, .nr_ports = 1, .timeout = 1 };

    /* Masked, so only its pending bit is set: poll must see that. */
    evtchn_mask(ipi);
    evtchn_send(ipi);
    abi_expect(F, "poll-port-pending", poll(1, (uintptr_t)ports, 0), 0);
    abi_clear_pending(ipi);
    evtchn_unmask(ipi);
    abi_expect(F, "poll-timeout-passed", poll(1, (uintptr_t)ports, 1), 0);
    start = clock_now_ns();
    rc = poll(1, (uintptr_t)ports, start + DELAY_NS);
    abi_check(F, "poll-sleeps-until-timeout", rc == 0 && clock_now_ns() >= start + DELAY_NS,
              "rc, or woke after ns", rc ? rc : (long)(clock_now_ns() - start));
    abi_expect(F, "poll-max-ports", poll(SCHED_POLL_MAX_PORTS, (uintptr_t)ports, 1), 0);
    abi_expect(F, "poll-too-many-ports", poll(SCHED_POLL_MAX_PORTS + 1, (uintptr_t)ports, 1),
               -XEN_EINVAL);
    abi_expect(F, "poll-nr-ports-max", poll(0xffffffff, (uintptr_t)ports, 1), -XEN_EINVAL);
    abi_expect(F, "poll-nothing-to-wait-for", poll(0, (uintptr_t)ports, 0), -XEN_EINVAL);
    /* No ports, a timeout: the ports pointer is never read. */
    abi_expect(F, "poll-zero-ports-badptr", poll(0, ABI_NONCANONICAL, 1), 0);
    ports[1] = ABI_EVTCHN_PORTS;
    abi_expect(F, "poll-port-64", poll(2, (uintptr_t)ports, 1), -XEN_EINVAL);
    ports[1] = 0xffffffff;
    abi_expect(F, "poll-port-max", poll(2, (uintptr_t)ports, 1), -XEN_EINVAL);
    ports[1] = ipi;
    abi_badptr_cases(F, "poll", false, &ok, sizeof ok, badptr_call, (void *)&cmd, -XEN_EFAULT);
    abi_badptr_cases(F, "poll-ports", false, ports, 2 * sizeof ports[0], poll_ports_badptr, NULL,
                     -XEN_EFAULT);
}

/*
 * No double fetch: vCPU 1 keeps rewriting a poll request (nr_ports 1, a
 * valid request, or SCHED_POLL_MAX_PORTS + 1, an invalid one) while vCPU 0
 * polls with it for CHANGING_NS. The hypervisor copies the request once and
 * judges that copy, so each call must answer for one whole version: 0 or
 * -EINVAL, nothing else. Both answers must be seen, or vCPU 1 never got
 * to change the request while vCPU 0 polled and the case proves nothing.
 *
 * On one CPU vCPU 1 only changes the request between vCPU 0's time slices,
 * and a slice is a fixed number of instructions in Bochs: with a loop of
 * fixed length it could stop on the same version every time. So each
 * version stays for a pseudo-random number of pauses, and vCPU 0 polls on
 * (up to CHANGING_MAX_NS) until it has seen both.
 */
#define CHANGING_NS     (200 * NSEC_PER_MSEC)
#define CHANGING_MAX_NS (2000 * NSEC_PER_MSEC)

static struct sched_poll changing;
static volatile bool changing_stop;

static void dwell(uint32_t *lcg)
{
    *lcg = *lcg * 1103515245u + 12345u;
    for (uint32_t n = (*lcg >> 16) % 61; n; n--)
        cpu_relax();
}

static void rewrite_request(void)
{
    uint32_t lcg = 1;

    while (!READ_ONCE(changing_stop)) {
        WRITE_ONCE(changing.nr_ports, 1);
        dwell(&lcg);
        WRITE_ONCE(changing.nr_ports, SCHED_POLL_MAX_PORTS + 1);
        dwell(&lcg);
    }
    WRITE_ONCE(changing.nr_ports, 1);
}

static void changing_request_cases(evtchn_port_t ipi)
{
    static uint32_t port[1];
    long valid = 0, invalid = 0, other = 0, other_rc = 0;

    if (abi.nvcpus < 2) {
        abi_skip(F, "poll-request-changing", "one vCPU: nothing can change the request meanwhile");
        return;
    }
    port[0] = ipi;
    changing = (struct sched_poll){ .ports = (uintptr_t)port, .nr_ports = 1, .timeout = 1 };
    WRITE_ONCE(changing_stop, false);
    smp_run(1, rewrite_request);
    uint64_t start = clock_now_ns();
    for (uint64_t now = start; now < start + CHANGING_MAX_NS &&
                               (now < start + CHANGING_NS || !valid || !invalid);
         now = clock_now_ns()) {
        long rc = call(SCHEDOP_POLL, (uintptr_t)&changing);
        if (rc == 0)
            valid++;
        else if (rc == -XEN_EINVAL)
            invalid++;
        else
            other++, other_rc = rc;
    }
    WRITE_ONCE(changing_stop, true);
    bool stopped = smp_wait_idle(1);
    abi_check(F, "poll-request-changing-one-version", other == 0, "other result", other_rc);
    abi_check(F, "poll-request-changing-both-seen", valid > 0 && invalid > 0 && stopped,
              "valid, or invalid if none", valid ? invalid : valid);
}

void abi_sched_op_cases(void)
{
    long ipi;

    abi_expect(F, "yield", call(SCHEDOP_YIELD, 0), 0);
    abi_expect(F, "yield-ignores-arg", call(SCHEDOP_YIELD, ABI_UNMAPPED), 0);
    ipi = evtchn_bind_ipi(0, on_ipi);
    if (abi_check(F, "setup-ipi", ipi > 0, "bind_ipi", ipi)) {
        block_cases((evtchn_port_t)ipi);
        poll_cases((evtchn_port_t)ipi);
        changing_request_cases((evtchn_port_t)ipi);
        evtchn_close((evtchn_port_t)ipi);
    }
    shutdown_cases();
    abi_expect(F, "unknown-cmd-6", call(6, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits", call((1ul << 32) | SCHEDOP_YIELD, 0), -XEN_ENOSYS);
}
