/*
 * test=smp: a domain's vCPUs, Xen's way. vCPU 0 counts the vCPUs (and
 * checks the count against `vcpus=N` on the command line, if given), checks
 * that the secondaries start down and that bad contexts change nothing,
 * brings each up step by step, has every vCPU count, pings each by IPI and
 * waits for its acknowledgement, has each take a timer interrupt of its
 * own, takes them down (vCPU 1 itself, then all of them from vCPU 0), and
 * last takes itself down: as the domain's last vCPU up, that ends the
 * domain (poweroff). One line per case: `PASS: smp/<case>` or
 * `FAIL: smp/<case> got <value> expected <value>`.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hvm_vcpu.h>
#include <public/vcpu_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "percpu.h"
#include "smp.h"
#include "tests.h"
#include "timer.h"

#define NO_VCPU        UINT32_MAX
#define COUNT          300000
#define TIMER_DELAY_NS (5 * NSEC_PER_MSEC)
#define CR0_PG         (1ull << 31)
#define CR4_VMXE       (1ull << 13)
#define RFLAGS_BIT3    (1ull << 3)

static uint32_t nvcpus;
static evtchn_port_t ping_port[MAX_VCPUS];      /* IPI to vCPU i */
static evtchn_port_t ack_port[MAX_VCPUS];       /* IPI from vCPU i to vCPU 0 */
static evtchn_port_t vcpu_timer_port[MAX_VCPUS];     /* VIRQ_TIMER of vCPU i */
static uint64_t counts[MAX_VCPUS];
static uint32_t pings[MAX_VCPUS], acks[MAX_VCPUS], timer_events[MAX_VCPUS];
static bool resumed[MAX_VCPUS];
static bool wrong_vcpu;                         /* an event handled on a vCPU it is not for */

static void report(const char *what, uint32_t vcpu, bool ok, long got, long want)
{
    if (ok && vcpu == NO_VCPU)
        printk("PASS: smp/%s\n", what);
    else if (ok)
        printk("PASS: smp/vcpu-%u-%s\n", vcpu, what);
    else if (vcpu == NO_VCPU)
        printk("FAIL: smp/%s got %ld expected %ld\n", what, got, want);
    else
        printk("FAIL: smp/vcpu-%u-%s got %ld expected %ld\n", vcpu, what, got, want);
}

static void expect(const char *what, uint32_t vcpu, long got, long want)
{
    report(what, vcpu, got == want, got, want);
}

static void check(const char *what, uint32_t vcpu, bool ok)
{
    report(what, vcpu, ok, ok, 1);
}

static long vcpu_op(unsigned int cmd, uint32_t vcpu, const void *arg)
{
    return hyp_vcpu_op(cmd, vcpu, (unsigned long)arg);
}

static uint32_t vcpu_of(const evtchn_port_t *ports, evtchn_port_t port)
{
    for (uint32_t i = 0; i < nvcpus; i++)
        if (ports[i] == port)
            return i;
    return NO_VCPU;
}

/* ---- what the secondaries run ------------------------------------------ */

/* On the pinged vCPU: acknowledge to vCPU 0. */
static void on_ping(evtchn_port_t port)
{
    uint32_t me = this_cpu()->id;

    if (vcpu_of(ping_port, port) != me)
        wrong_vcpu = true;
    pings[me]++;
    evtchn_send(ack_port[me]);
}

/* On vCPU 0. */
static void on_ack(evtchn_port_t port)
{
    uint32_t from = vcpu_of(ack_port, port);

    if (this_cpu()->id != 0 || from == NO_VCPU)
        wrong_vcpu = true;
    else
        acks[from]++;
}

static void on_timer(evtchn_port_t port)
{
    uint32_t me = this_cpu()->id;

    if (vcpu_timer_port[me] != port)
        wrong_vcpu = true;
    timer_events[me]++;
}

static void count_work(void)
{
    uint32_t me = this_cpu()->id;

    for (uint32_t i = 0; i < COUNT; i++)
        WRITE_ONCE(counts[me], counts[me] + 1);
}

/* Bind our own VIRQ_TIMER, arm our own one-shot timer, sleep until it fires. */
static void timer_work(void)
{
    uint32_t me = this_cpu()->id;
    struct vcpu_set_singleshot_timer t;
    long rc = evtchn_bind_virq(VIRQ_TIMER, me, on_timer);

    if (rc < 0)
        return;
    vcpu_timer_port[me] = (evtchn_port_t)rc;
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + TIMER_DELAY_NS };
    if (vcpu_op(VCPUOP_SET_SINGLESHOT_TIMER, me, &t) < 0)
        return;
    while (!READ_ONCE(timer_events[me])) {
        sti_hlt();
        cli();
    }
}

/* Down from inside: the call returns only once vCPU 0 brings us up again. */
static void down_self_work(void)
{
    uint32_t me = this_cpu()->id;

    if (vcpu_op(VCPUOP_DOWN, me, NULL) == 0)
        WRITE_ONCE(resumed[me], true);
}

/* ---- vCPU 0's waits ------------------------------------------------------- */

struct above {
    const uint32_t *counter;
    uint32_t value;
};

static bool is_above(void *arg)
{
    const struct above *a = arg;

    return READ_ONCE(*a->counter) > a->value;
}

/* A vCPU that takes itself down sends no event: look every millisecond. */
static bool wait_down(uint32_t id)
{
    uint64_t end = clock_now_ns() + SMP_TIMEOUT_NS;

    while (vcpu_op(VCPUOP_IS_UP, id, NULL) != 0) {
        if (clock_now_ns() > end)
            return false;
        sleep_ns(NSEC_PER_MSEC);
    }
    return true;
}

/* ---- the cases -------------------------------------------------------------- */

static void start_cases(void)
{
    for (uint32_t i = 1; i < nvcpus; i++)
        expect("down-at-start", i, vcpu_op(VCPUOP_IS_UP, i, NULL), 0);
    expect("is-up-beyond-count", NO_VCPU, vcpu_op(VCPUOP_IS_UP, nvcpus, NULL), -XEN_EINVAL);
    expect("up-before-initialise", NO_VCPU, vcpu_op(VCPUOP_UP, 1, NULL), -XEN_EINVAL);
    expect("down-never-initialised", NO_VCPU, vcpu_op(VCPUOP_DOWN, 1, NULL), 0);
}

/* A flat 32-bit protected-mode context, as at the PVH entry. */
static void flat32(struct vcpu_hvm_context *c)
{
    *c = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_32B };
    c->cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eip = 0x100000, .eflags = 2, .cr0 = 0x11,
        .cs_limit = 0xffffffff, .ds_limit = 0xffffffff, .ss_limit = 0xffffffff,
        .es_limit = 0xffffffff, .tr_limit = 0x67,
        .cs_ar = 0xc9b, .ds_ar = 0xc93, .ss_ar = 0xc93, .es_ar = 0xc93, .tr_ar = 0x8b,
    };
}

/* Contexts the hypervisor must refuse before it changes anything (vCPU 1 stays down). */
static void bad_context_cases(void)
{
    struct vcpu_hvm_context c;

    smp_start_context(1, &c);
    c.mode = 7;
    expect("initialise-bad-mode", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.pad = 1;
    expect("initialise-bad-pad", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.cr0 &= ~CR0_PG;
    expect("initialise-64-bit-without-paging", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c),
           -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.rip = 0x0000800000000000ull;
    expect("initialise-noncanonical-rip", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.cr4 |= CR4_VMXE;
    expect("initialise-cr4-vmxe", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.rflags |= RFLAGS_BIT3;
    expect("initialise-reserved-rflags", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.cs_ar |= 1u << 12;
    expect("initialise-32-bit-bad-attribute", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c),
           -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.pad2[1] = 1;
    expect("initialise-32-bit-bad-pad2", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.cs_limit = 0xfffff;
    c.cpu_regs.x86_32.cs_ar = 0x49b;            /* byte granular, so the limit fits */
    expect("initialise-32-bit-eip-beyond-cs", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 1, &c),
           -XEN_EINVAL);
    expect("initialise-unreadable-context", NO_VCPU,
           hyp_vcpu_op(VCPUOP_INITIALISE, 1, IDENTITY_MAP_END), -XEN_EFAULT);
    smp_start_context(1, &c);
    expect("initialise-beyond-count", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, nvcpus, &c), -XEN_EINVAL);
    expect("initialise-vcpu-0", NO_VCPU, vcpu_op(VCPUOP_INITIALISE, 0, &c), -XEN_EEXIST);
    expect("down-after-refusals", 1, vcpu_op(VCPUOP_IS_UP, 1, NULL), 0);
    expect("up-after-refusals", 1, vcpu_op(VCPUOP_UP, 1, NULL), -XEN_EINVAL);
}

static void bring_up_cases(void)
{
    for (uint32_t i = 1; i < nvcpus; i++) {
        struct vcpu_hvm_context c;

        expect("prepare", i, smp_prepare(i), 0);
        smp_start_context(i, &c);
        expect("initialise", i, vcpu_op(VCPUOP_INITIALISE, i, &c), 0);
        expect("down-after-initialise", i, vcpu_op(VCPUOP_IS_UP, i, NULL), 0);
        expect("initialise-twice", i, vcpu_op(VCPUOP_INITIALISE, i, &c), -XEN_EEXIST);
        expect("up", i, vcpu_op(VCPUOP_UP, i, NULL), 0);
        check("online", i, smp_wait_online(i));
        expect("is-up", i, vcpu_op(VCPUOP_IS_UP, i, NULL), 1);
        expect("up-twice", i, vcpu_op(VCPUOP_UP, i, NULL), 0);
        expect("initialise-while-up", i, vcpu_op(VCPUOP_INITIALISE, i, &c), -XEN_EEXIST);
    }
}

static void count_cases(void)
{
    for (uint32_t i = 1; i < nvcpus; i++)
        smp_run(i, count_work);
    count_work();
    for (uint32_t i = 1; i < nvcpus; i++)
        check("count-done", i, smp_wait_idle(i));
    for (uint32_t i = 0; i < nvcpus; i++) {
        struct vcpu_runstate_info r;

        expect("counted", i, (long)READ_ONCE(counts[i]), COUNT);
        if (vcpu_op(VCPUOP_GET_RUNSTATE_INFO, i, &r) == 0 && r.time[RUNSTATE_RUNNING] > 0)
            printk("PASS: smp/vcpu-%u-ran %lu ns\n", i, (unsigned long)r.time[RUNSTATE_RUNNING]);
        else
            printk("FAIL: smp/vcpu-%u-ran no running time\n", i);
    }
}

static void ipi_cases(void)
{
    for (uint32_t i = 1; i < nvcpus; i++) {
        long rc = evtchn_bind_ipi(i, on_ping);

        if (rc >= 0) {
            ping_port[i] = (evtchn_port_t)rc;
            rc = evtchn_bind_ipi(0, on_ack);
        }
        expect("bind-ipi", i, rc < 0 ? rc : 0, 0);
        if (rc < 0)
            return;
        ack_port[i] = (evtchn_port_t)rc;
    }
    for (uint32_t i = 1; i < nvcpus; i++) {
        struct above acked = { &acks[i], acks[i] };

        expect("ping-send", i, evtchn_send(ping_port[i]), 0);
        check("ping-acknowledged", i, wait_until(is_above, &acked, SMP_TIMEOUT_NS));
        expect("pings-taken", i, (long)READ_ONCE(pings[i]), 1);
    }
    check("ipis-handled-on-their-vcpus", NO_VCPU, !READ_ONCE(wrong_vcpu));
    expect("bind-ipi-beyond-count", NO_VCPU, evtchn_bind_ipi(nvcpus, NULL), -XEN_ENOENT);
}

static void timer_cases(void)
{
    for (uint32_t i = 1; i < nvcpus; i++)
        smp_run(i, timer_work);
    for (uint32_t i = 1; i < nvcpus; i++) {
        check("timer-done", i, smp_wait_idle(i));
        expect("timer-events", i, (long)READ_ONCE(timer_events[i]), 1);
    }
    check("timers-handled-on-their-vcpus", NO_VCPU, !READ_ONCE(wrong_vcpu));
}

static void down_cases(void)
{
    struct vcpu_hvm_context c;

    smp_run(1, down_self_work);
    check("down-itself", 1, wait_down(1));
    smp_start_context(1, &c);
    expect("initialise-after-down", 1, vcpu_op(VCPUOP_INITIALISE, 1, &c), -XEN_EEXIST);
    expect("up-again", 1, vcpu_op(VCPUOP_UP, 1, NULL), 0);
    check("resumes-after-up", 1, smp_wait_idle(1) && READ_ONCE(resumed[1]));

    for (uint32_t i = 1; i < nvcpus; i++) {
        expect("down", i, vcpu_op(VCPUOP_DOWN, i, NULL), 0);
        expect("is-down", i, vcpu_op(VCPUOP_IS_UP, i, NULL), 0);
    }
    expect("down-twice", 1, vcpu_op(VCPUOP_DOWN, 1, NULL), 0);
    expect("is-up", 0, vcpu_op(VCPUOP_IS_UP, 0, NULL), 1);
}

void test_smp(const struct guest_env *env)
{
    uint32_t want;
    long rc;

    nvcpus = smp_vcpu_count();
    if (cmdline_get_uint(env->cmdline, "vcpus", &want))
        expect("vcpu-count", NO_VCPU, nvcpus, want);
    if (nvcpus < 2) {
        printk("FAIL: smp/needs-two-vcpus got %u\n", nvcpus);
        return;
    }
    start_cases();
    bad_context_cases();
    bring_up_cases();
    count_cases();
    ipi_cases();
    timer_cases();
    down_cases();
    printk("smp: done\n");

    /* The last vCPU up going down ends the domain (poweroff), as in Xen. */
    printk("smp: vCPU 0 goes down last\n");
    rc = vcpu_op(VCPUOP_DOWN, 0, NULL);
    printk("FAIL: smp/last-vcpu-down-ends-domain got %ld and still running\n", rc);
    guest_exit(SHUTDOWN_CRASH);
}
