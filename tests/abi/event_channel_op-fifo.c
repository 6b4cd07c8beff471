/*
 * Family `event_channel_op`, the FIFO ABI (docs/abi.md, "32
 * event_channel_op"): init_control, expand_array, set_priority. Switching
 * to FIFO changes how every port of the domain is delivered, so the suite's
 * domains (whose guest-pv kernel consumes 2-level events) run only the
 * refusals, which change nothing (abi_event_channel_op_fifo_error_cases);
 * the working run is test=evtchn-fifo, in a domain of its own that polls
 * its control block with interrupts off and powers off when done; and the
 * domain `restricted`, booted with evtchn=2l, sees the sub-ops unknown.
 */
#include <stdint.h>

#include <public/memory_op.h>
#include <public/sched_op.h>

#include "abi.h"
#include "clock.h"
#include "console.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"
#include "timer.h"

#define F "event_channel_op"
#define LINKED  (1u << EVTCHN_FIFO_LINKED)
#define PENDING (1u << EVTCHN_FIFO_PENDING)
#define MASKED  (1u << EVTCHN_FIFO_MASKED)
#define CB_OFFSET 0x80          /* the block need not start a page */
#define TIMER_WAIT_NS (10ull * NSEC_PER_SEC)
#define POLL_TIMEOUT_NS NSEC_PER_SEC
/* Queues no port of guest-pv's own uses (they stay at the default, 7). */
#define PRIO_A 3
#define PRIO_B 2

static uint8_t block_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t block1_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static event_word_t array_page[EVTCHN_FIFO_WORDS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));

static long op(unsigned int cmd, void *arg)
{
    return hyp_event_channel_op(cmd, (unsigned long)arg);
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return hyp_event_channel_op(*(unsigned int *)ctx, addr);
}

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;   /* guest-pv maps its RAM at its own addresses */
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu,
                         struct evtchn_init_control *out)
{
    struct evtchn_init_control c = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };
    long rc = op(EVTCHNOP_INIT_CONTROL, &c);

    if (out)
        *out = c;
    return rc;
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array a = { .array_gfn = gfn };
    return op(EVTCHNOP_EXPAND_ARRAY, &a);
}

static long set_priority(evtchn_port_t port, uint32_t priority)
{
    struct evtchn_set_priority s = { .port = port, .priority = priority };
    return op(EVTCHNOP_SET_PRIORITY, &s);
}

static long send(evtchn_port_t port)
{
    struct evtchn_port_arg a = { .port = port };
    return op(EVTCHNOP_SEND, &a);
}

static long unmask(evtchn_port_t port)
{
    struct evtchn_port_arg a = { .port = port };
    return op(EVTCHNOP_UNMASK, &a);
}

static long bind_ipi(uint32_t vcpu)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = op(EVTCHNOP_BIND_IPI, &b);
    return rc < 0 ? rc : b.port;
}

/* A send on an IPI port lands in shared_info: the domain is still 2-level. */
static bool still_2l(void)
{
    long port = bind_ipi(0);
    bool pending;

    if (port <= 0)
        return false;
    evtchn_mask((evtchn_port_t)port);
    send((evtchn_port_t)port);
    pending = abi_port_pending((evtchn_port_t)port);
    evtchn_close((evtchn_port_t)port);
    return pending;
}

/* ---- in the suite's domains: refusals only --------------------------------- */

void abi_event_channel_op_fifo_error_cases(void)
{
    uint64_t past_ram = abi.ram_end / PAGE_SIZE + 1;     /* nothing there (abi.h) */
    uint64_t gfn = gfn_of(block_page);
    struct evtchn_init_control valid = { .control_gfn = gfn, .vcpu = 0 };
    struct evtchn_expand_array ex = { .array_gfn = gfn_of(array_page) };
    struct evtchn_set_priority sp = { .port = 1, .priority = 0 };
    unsigned int cmd;

    abi_expect(F, "init_control-vcpu-beyond-count", init_control(gfn, 0, abi.nvcpus, NULL),
               -XEN_ENOENT);
    abi_expect(F, "init_control-vcpu-max", init_control(gfn, 0, ~0u, NULL), -XEN_ENOENT);
    abi_expect(F, "init_control-vcpu-before-offset", init_control(gfn, 3, abi.nvcpus, NULL),
               -XEN_ENOENT);
    abi_expect(F, "init_control-offset-crosses-page",
               init_control(gfn, PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) + 8, 0,
                            NULL), -XEN_EINVAL);
    abi_expect(F, "init_control-offset-max", init_control(gfn, ~0u - 7, 0, NULL), -XEN_EINVAL);
    abi_expect(F, "init_control-offset-misaligned", init_control(gfn, 4, 0, NULL), -XEN_EINVAL);
    abi_expect(F, "init_control-gfn-past-ram", init_control(past_ram, 0, 0, NULL), -XEN_EINVAL);
    abi_expect(F, "init_control-gfn-max", init_control(~0ull, 0, 0, NULL), -XEN_EINVAL);
    /* XTF's xsa-188: gfn -2 is refused, and expand_array after it finds no FIFO state. */
    abi_expect(F, "init_control-gfn-xsa-188", init_control((uint64_t)-2, 0, 0, NULL),
               -XEN_EINVAL);
    /* The request is valid: only writing link_bits back can fail. */
    cmd = EVTCHNOP_INIT_CONTROL;
    abi_badptr_cases(F, "init_control", true, &valid, sizeof valid, badptr_call, &cmd,
                     -XEN_EFAULT);
    abi_check(F, "init_control-refusals-stay-2l", still_2l(), "pending bit", 0);

    abi_expect(F, "expand_array-before-init_control", expand(gfn_of(array_page)),
               -XEN_EOPNOTSUPP);
    cmd = EVTCHNOP_EXPAND_ARRAY;
    abi_badptr_cases(F, "expand_array", false, &ex, sizeof ex, badptr_call, &cmd, -XEN_EFAULT);
    abi_expect(F, "set_priority-2l", set_priority(abi.held, 0), -XEN_ENOSYS);
    abi_expect(F, "set_priority-port-0", set_priority(0, 0), -XEN_EINVAL);
    abi_expect(F, "set_priority-port-64", set_priority(ABI_EVTCHN_PORTS, 0), -XEN_EINVAL);
    cmd = EVTCHNOP_SET_PRIORITY;
    abi_badptr_cases(F, "set_priority", false, &sp, sizeof sp, badptr_call, &cmd, -XEN_EFAULT);
    abi_check(F, "set_priority-refusals-stay-2l", still_2l(), "pending bit", 0);
}

/* ---- in `restricted` (evtchn=2l): unknown, before the argument is read ---- */

void abi_event_channel_op_fifo_2l_cases(void)
{
    struct evtchn_init_control c = { .control_gfn = gfn_of(block_page) };

    abi_expect(F, "fifo-2l-init_control", op(EVTCHNOP_INIT_CONTROL, &c), -XEN_ENOSYS);
    abi_expect(F, "fifo-2l-init_control-unread",
               hyp_event_channel_op(EVTCHNOP_INIT_CONTROL, ABI_UNMAPPED), -XEN_ENOSYS);
    abi_expect(F, "fifo-2l-expand_array", expand(gfn_of(array_page)), -XEN_ENOSYS);
    abi_expect(F, "fifo-2l-set_priority", set_priority(1, 0), -XEN_ENOSYS);
}

/* ---- test=evtchn-fifo: a domain of its own switches ------------------------- */

static struct evtchn_fifo_control_block *cb, *cb1;

static event_word_t word(evtchn_port_t port)
{
    return __atomic_load_n(&array_page[port], __ATOMIC_SEQ_CST);
}

/*
 * Take queue q's ports as a guest does: from the head, clearing LINKED (and
 * the link) with one atomic step per word and PENDING once handled; the
 * ready bit goes when the chain ends. Bounded by the ports a domain has: a
 * corrupt queue cannot hang us. The ports taken, in order, into got[].
 */
static unsigned int consume(struct evtchn_fifo_control_block *b, unsigned int q,
                            evtchn_port_t got[ABI_EVTCHN_PORTS])
{
    uint32_t port = READ_ONCE(b->head[q]);
    unsigned int n = 0;

    if (!(__atomic_load_n(&b->ready, __ATOMIC_SEQ_CST) & (1u << q)))
        return 0;
    while (port && port < ABI_EVTCHN_PORTS && n < ABI_EVTCHN_PORTS) {
        event_word_t old = __atomic_fetch_and(&array_page[port],
                                              ~(LINKED | EVTCHN_FIFO_LINK_MASK), __ATOMIC_SEQ_CST);
        __atomic_fetch_and(&array_page[port], ~PENDING, __ATOMIC_SEQ_CST);
        got[n++] = port;
        port = old & EVTCHN_FIFO_LINK_MASK;
    }
    __atomic_fetch_and(&b->ready, ~(1u << q), __ATOMIC_SEQ_CST);
    return n;
}

static bool upcall_pending(void)
{
    return READ_ONCE(this_vcpu_info()->evtchn_upcall_pending);
}

static void clear_upcall(void)
{
    __atomic_store_n(&this_vcpu_info()->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
}

static bool switch_cases(void)
{
    struct evtchn_init_control out;
    long rc = init_control(gfn_of(block_page), CB_OFFSET, 0, &out);

    cb = (struct evtchn_fifo_control_block *)(block_page + CB_OFFSET);
    cb1 = (struct evtchn_fifo_control_block *)block1_page;
    if (!abi_expect(F, "fifo-init_control", rc, 0))
        return false;
    abi_expect(F, "fifo-init_control-link_bits", out.link_bits, EVTCHN_FIFO_LINK_BITS);
    abi_expect(F, "fifo-init_control-again", init_control(gfn_of(block1_page), 0, 0, NULL),
               -XEN_EINVAL);
    abi_expect(F, "fifo-init_control-vcpu-1", init_control(gfn_of(block1_page), 0, 1, NULL), 0);
    abi_expect(F, "fifo-init_control-vcpu-1-again",
               init_control(gfn_of(block1_page), 0, 1, NULL), -XEN_EINVAL);
    abi_expect(F, "fifo-expand_array-bad-gfn", expand(~0ull), -XEN_EINVAL);
    return abi_expect(F, "fifo-expand_array", expand(gfn_of(array_page)), 0);
}

/* Two IPI ports on queue PRIO_A: head, link, ready bit, upcall; consumed in order. */
static void link_cases(evtchn_port_t a, evtchn_port_t b)
{
    evtchn_port_t got[ABI_EVTCHN_PORTS];

    clear_upcall();
    abi_expect(F, "fifo-send", send(a), 0);
    abi_check(F, "fifo-send-word", word(a) == (PENDING | LINKED), "word", word(a));
    abi_check(F, "fifo-send-head", READ_ONCE(cb->head[PRIO_A]) == a, "head",
              READ_ONCE(cb->head[PRIO_A]));
    abi_check(F, "fifo-send-ready", READ_ONCE(cb->ready) & (1u << PRIO_A), "ready",
              READ_ONCE(cb->ready));
    abi_check(F, "fifo-send-upcall", upcall_pending(), "upcall", 0);
    abi_check(F, "fifo-send-not-2l", !abi_port_pending(a), "2-level pending bit", 1);
    clear_upcall();
    abi_expect(F, "fifo-send-second", send(b), 0);
    abi_check(F, "fifo-send-second-linked",
              (word(a) & EVTCHN_FIFO_LINK_MASK) == b && word(b) == (PENDING | LINKED) &&
                  READ_ONCE(cb->head[PRIO_A]) == a,
              "first word", word(a));
    abi_check(F, "fifo-send-second-no-upcall", !upcall_pending(), "upcall", 1);
    unsigned int n = consume(cb, PRIO_A, got);
    abi_check(F, "fifo-consume-in-order", n == 2 && got[0] == a && got[1] == b, "ports", n);
    abi_check(F, "fifo-consume-words-clear", word(a) == 0 && word(b) == 0, "word", word(a));
    /* The queue is empty again: the next event is its head. */
    send(b);
    abi_check(F, "fifo-send-after-consume-head",
              READ_ONCE(cb->head[PRIO_A]) == b && (READ_ONCE(cb->ready) & (1u << PRIO_A)),
              "head", READ_ONCE(cb->head[PRIO_A]));
    consume(cb, PRIO_A, got);
}

static void priority_cases(evtchn_port_t a, evtchn_port_t free_port)
{
    evtchn_port_t got[ABI_EVTCHN_PORTS];

    abi_expect(F, "fifo-set_priority-free-port", set_priority(free_port, 0), -XEN_EACCES);
    abi_expect(F, "fifo-set_priority-16", set_priority(a, EVTCHN_FIFO_PRIORITY_MIN + 1),
               -XEN_EINVAL);
    abi_expect(F, "fifo-set_priority-port-0", set_priority(0, 0), -XEN_EINVAL);
    abi_expect(F, "fifo-set_priority-port-64", set_priority(ABI_EVTCHN_PORTS, 0), -XEN_EINVAL);
    abi_expect(F, "fifo-set_priority", set_priority(a, PRIO_B), 0);
    send(a);
    abi_check(F, "fifo-set_priority-moves-queue",
              READ_ONCE(cb->head[PRIO_B]) == a && (READ_ONCE(cb->ready) & (1u << PRIO_B)) &&
                  !(READ_ONCE(cb->ready) & (1u << PRIO_A)),
              "ready", READ_ONCE(cb->ready));
    abi_check(F, "fifo-set_priority-consumed", consume(cb, PRIO_B, got) == 1 && got[0] == a,
              "head", READ_ONCE(cb->head[PRIO_B]));
    set_priority(a, PRIO_A);
}

static void mask_cases(evtchn_port_t a)
{
    evtchn_port_t got[ABI_EVTCHN_PORTS];

    __atomic_fetch_or(&array_page[a], MASKED, __ATOMIC_SEQ_CST);
    clear_upcall();
    send(a);
    abi_check(F, "fifo-masked-pending-not-linked",
              word(a) == (MASKED | PENDING) && !(READ_ONCE(cb->ready) & (1u << PRIO_A)) &&
                  !upcall_pending(),
              "word", word(a));
    /* SCHEDOP_poll reads PENDING in the event word: it returns at once. */
    uint32_t ports[1] = { a };
    uint64_t t0 = clock_now_ns();
    struct sched_poll p = { .ports = (uintptr_t)ports, .nr_ports = 1,
                            .timeout = t0 + POLL_TIMEOUT_NS };
    long rc = hyp_sched_op(SCHEDOP_POLL, (unsigned long)&p);
    abi_check(F, "fifo-poll-sees-pending", rc == 0 && clock_now_ns() - t0 < POLL_TIMEOUT_NS / 2,
              "rc", rc);
    /* The guest's protocol: clear MASKED itself unless PENDING; else ask. */
    abi_expect(F, "fifo-unmask", unmask(a), 0);
    abi_check(F, "fifo-unmask-relinks",
              word(a) == (PENDING | LINKED) && READ_ONCE(cb->head[PRIO_A]) == a &&
                  (READ_ONCE(cb->ready) & (1u << PRIO_A)) && upcall_pending(),
              "word", word(a));
    abi_check(F, "fifo-unmask-consumed", consume(cb, PRIO_A, got) == 1 && got[0] == a, "word",
              word(a));
}

/* The other vCPU's block gets its IPI port's events. */
static void vcpu_1_cases(void)
{
    evtchn_port_t got[ABI_EVTCHN_PORTS];
    long p = bind_ipi(1);

    if (!abi_check(F, "fifo-vcpu-1-bind", p > 0, "bind_ipi", p))
        return;
    set_priority((evtchn_port_t)p, PRIO_A);
    send((evtchn_port_t)p);
    abi_check(F, "fifo-vcpu-1-delivered",
              READ_ONCE(cb1->head[PRIO_A]) == p && (READ_ONCE(cb1->ready) & (1u << PRIO_A)) &&
                  !(READ_ONCE(cb->ready) & (1u << PRIO_A)),
              "head", READ_ONCE(cb1->head[PRIO_A]));
    consume(cb1, PRIO_A, got);
    evtchn_close((evtchn_port_t)p);
}

static bool timer_linked(void *arg)
{
    evtchn_port_t port = *(evtchn_port_t *)arg;
    return (word(port) & PENDING) && (READ_ONCE(cb->ready) & (1u << EVTCHN_FIFO_PRIORITY_DEFAULT));
}

/* A port bound before the switch (guest-pv's VIRQ_TIMER) is delivered by FIFO now. */
static void bound_before_cases(void)
{
    evtchn_port_t port = timer_port(), got[ABI_EVTCHN_PORTS];

    if (!abi_check(F, "fifo-timer-port", port > 0, "port", port))
        return;
    timer_set_singleshot(clock_now_ns() + 1000000, 0);
    abi_check(F, "fifo-timer-delivered", abi_wait(timer_linked, &port, TIMER_WAIT_NS), "word",
              word(port));
    unsigned int n = consume(cb, EVTCHN_FIFO_PRIORITY_DEFAULT, got);
    bool found = false;
    for (unsigned int i = 0; i < n; i++)
        found |= got[i] == port;
    abi_check(F, "fifo-timer-in-default-queue", found, "ports taken", n);
}

static void limit_cases(void)
{
    long rc = 0;
    unsigned int added = 1;

    while (rc == 0 && added < EVTCHN_FIFO_ARRAY_PAGES_LIMIT) {
        rc = expand(gfn_of(block1_page));     /* past our ports: never written */
        added += rc == 0;
    }
    abi_check(F, "fifo-expand_array-up-to-128", rc == 0 && added == EVTCHN_FIFO_ARRAY_PAGES_LIMIT,
              "pages", added);
    abi_expect(F, "fifo-expand_array-beyond-128", expand(gfn_of(array_page)), -XEN_ENOSPC);
}

/* EVTCHNOP_reset closes every port and puts the domain back on the 2-level ABI. */
static void reset_cases(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };

    abi_expect(F, "fifo-reset", op(EVTCHNOP_RESET, &r), 0);
    abi_check(F, "fifo-reset-back-to-2l", still_2l(), "pending bit", 0);
    abi_expect(F, "fifo-reset-set_priority-2l", set_priority(1, 0), -XEN_ENOSYS);
    abi_expect(F, "fifo-reset-init_control-again",
               init_control(gfn_of(block_page), CB_OFFSET, 0, NULL), 0);
}

void test_evtchn_fifo(const struct guest_env *env)
{
    long max_gfn = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0);

    printk("evtchn-fifo: as %s\n", env->name);
    abi.ram_end = ((uint64_t)max_gfn + 1) * PAGE_SIZE;
    abi.nvcpus = 2;
    abi_expect(F, "fifo-init_control-gfn-past-ram",
               init_control(abi.ram_end / PAGE_SIZE + 1, 0, 0, NULL), -XEN_EINVAL);
    if (switch_cases()) {
        long a = bind_ipi(0), b = bind_ipi(0);
        if (abi_check(F, "fifo-bind_ipi", a > 0 && b > 0, "ports", a < 0 ? a : b)) {
            set_priority((evtchn_port_t)a, PRIO_A);
            set_priority((evtchn_port_t)b, PRIO_A);
            link_cases((evtchn_port_t)a, (evtchn_port_t)b);
            priority_cases((evtchn_port_t)a, (evtchn_port_t)abi_lowest_free_port());
            mask_cases((evtchn_port_t)a);
        }
        vcpu_1_cases();
        bound_before_cases();
        limit_cases();
        reset_cases();
    }
    abi_summary();
}
