/*
 * Host unit test for the FIFO event-channel ABI: hv/event_fifo_op.c (the
 * sub-ops' checks) and hv/event_fifo.c (linking, priorities, masking) through
 * the real hv/event_channel_op.c and hv/event.c, over the fake guest
 * (shim_guest.c) and fake guest-physical RAM (shim_arch_mem.c: GFN 0-15).
 */
#include <pthread.h>
#include <string.h>
#include "check.h"
#include "shim_guest.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/shared_info.h"

CHECK_SUITE("evtchn_fifo");

#define ARG (SHIM_RW_BASE + 0x1000)
#define CB_GFN     2            /* vCPU 0's control block page */
#define CB_OFFSET  0x40
#define CB1_GFN    3            /* vCPU 1's */
#define ARRAY_GFN  4            /* the event array's first page */
#define HOLE_GFN   5            /* made a hole */
#define BEYOND_GFN 40           /* past the fake RAM */
#define P(bit) (1u << EVTCHN_FIFO_##bit)

static struct vcpu *v0, *v1;
static struct domain *d;
static struct shared_info *si;

static void setup(void)
{
    shim_guest_reset();
    shim_arch_mem_reset();
    shim_time_reset();
    v0 = shim_domain_create(1, false, MiB(16));
    d = v0->domain;
    v1 = shim_vcpu_add(d);
    si = shim_shared_info_create(d);
    shim_gfn_set_ram(HOLE_GFN, false);
    memset(shim_gpa_mem(0, SHIM_GPA_PAGES * PAGE_SIZE), 0, SHIM_GPA_PAGES * PAGE_SIZE);
}

static long evop(struct vcpu *v, uint64_t cmd, const void *arg, size_t size)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, ARG, 0, 0, 0 };
    memcpy(shim_guest_mem(ARG, size), arg, size);
    return do_event_channel_op(v, args);
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu)
{
    struct evtchn_init_control c = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };
    return evop(v0, EVTCHNOP_INIT_CONTROL, &c, sizeof c);
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array a = { .array_gfn = gfn };
    return evop(v0, EVTCHNOP_EXPAND_ARRAY, &a, sizeof a);
}

static long set_priority(uint32_t port, uint32_t priority)
{
    struct evtchn_set_priority s = { .port = port, .priority = priority };
    return evop(v0, EVTCHNOP_SET_PRIORITY, &s, sizeof s);
}

static long port_op(uint64_t cmd, uint32_t port)
{
    struct evtchn_port_arg a = { .port = port };
    return evop(v0, cmd, &a, sizeof a);
}

static uint32_t bind_ipi(uint32_t vcpu)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    if (evop(v0, EVTCHNOP_BIND_IPI, &b, sizeof b))
        return 0;
    memcpy(&b, shim_guest_mem(ARG, sizeof b), sizeof b);
    return b.port;
}

static struct evtchn_fifo_control_block *block(uint64_t gfn)
{
    return shim_gpa_mem(gfn * PAGE_SIZE + CB_OFFSET, sizeof(struct evtchn_fifo_control_block));
}

static event_word_t *word(uint32_t port)
{
    return shim_gpa_mem(ARRAY_GFN * PAGE_SIZE + port * 4, 4);
}

static uint8_t upcall(uint32_t vcpu)
{
    return si->vcpu_info[vcpu].evtchn_upcall_pending;
}

/* init_control for vCPUs 0 and 1 and one array page. */
static bool fifo_ready(void)
{
    return init_control(CB_GFN, CB_OFFSET, 0) == 0 && init_control(CB1_GFN, CB_OFFSET, 1) == 0 &&
           expand(ARRAY_GFN) == 0;
}

static void snapshot(void)
{
    shim_world_snapshot();
    shim_arch_mem_snapshot();
}

static bool unchanged(void)
{
    return shim_domains_unchanged() && shim_arch_mem_unchanged() && !d->fifo.active;
}

/* ---- the sub-ops' checks --------------------------------------------------- */

static void test_init_control_errors(void)
{
    setup();
    snapshot();
    CHECK("vcpu beyond the domain's -> ENOENT", init_control(CB_GFN, 0, 2) == -XEN_ENOENT);
    CHECK("vcpu ~0 -> ENOENT", init_control(CB_GFN, 0, ~0u) == -XEN_ENOENT);
    CHECK("block crossing the page (offset 4032) -> EINVAL",
          init_control(CB_GFN, PAGE_SIZE - 64, 0) == -XEN_EINVAL);
    CHECK("offset 2^32-8 -> EINVAL", init_control(CB_GFN, 0xfffffff8u, 0) == -XEN_EINVAL);
    CHECK("offset not 8-byte aligned -> EINVAL", init_control(CB_GFN, 4, 0) == -XEN_EINVAL);
    CHECK("gfn past RAM -> EINVAL", init_control(BEYOND_GFN, 0, 0) == -XEN_EINVAL);
    CHECK("gfn a hole -> EINVAL", init_control(HOLE_GFN, 0, 0) == -XEN_EINVAL);
    CHECK("gfn 2^52 (would wrap) -> EINVAL", init_control(1ull << 52, 0, 0) == -XEN_EINVAL);
    CHECK("gfn ~0 -> EINVAL", init_control(~0ull, 0, 0) == -XEN_EINVAL);
    CHECK("refusals change nothing, stay 2-level", unchanged());

    const uint64_t args[HYPERCALL_ARGS] = { EVTCHNOP_INIT_CONTROL, SHIM_UNMAPPED, 0, 0, 0 };
    CHECK("unreadable argument -> EFAULT", do_event_channel_op(v0, args) == -XEN_EFAULT);
    struct evtchn_init_control c = { .control_gfn = CB_GFN, .offset = 0, .vcpu = 0 };
    memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof c), &c, sizeof c);
    const uint64_t ro[HYPERCALL_ARGS] = { EVTCHNOP_INIT_CONTROL, SHIM_RO_BASE, 0, 0, 0 };
    CHECK("read-only argument (link_bits unwritable) -> EFAULT",
          do_event_channel_op(v0, ro) == -XEN_EFAULT);
    CHECK("... and the domain stays 2-level", !d->fifo.active && !v0->fifo.has_block);
}

static void test_init_control(void)
{
    setup();
    CHECK("last offset that fits (4024) -> 0",
          init_control(CB_GFN, PAGE_SIZE - sizeof(struct evtchn_fifo_control_block), 0) == 0);
    struct evtchn_init_control out;
    memcpy(&out, shim_guest_mem(ARG, sizeof out), sizeof out);
    CHECK("link_bits written back: 17", out.link_bits == EVTCHN_FIFO_LINK_BITS &&
          out.control_gfn == CB_GFN && out.vcpu == 0);
    CHECK("the domain is FIFO now", d->fifo.active && v0->fifo.has_block && !v1->fifo.has_block);
    CHECK("again for vCPU 0 -> EINVAL", init_control(CB1_GFN, 0, 0) == -XEN_EINVAL);
    CHECK("... its block unmoved", v0->fifo.block_gpa == CB_GFN * PAGE_SIZE + 4024);
    CHECK("vCPU 1 -> 0", init_control(CB1_GFN, 0, 1) == 0 && v1->fifo.has_block);

    CHECK("reset -> 0", evop(v0, EVTCHNOP_RESET, &(struct evtchn_reset){ .dom = DOMID_SELF },
                             sizeof(struct evtchn_reset)) == 0);
    CHECK("reset: back to 2-level, no blocks",
          !d->fifo.active && !v0->fifo.has_block && !v1->fifo.has_block);
    CHECK("init_control again after reset -> 0", init_control(CB_GFN, 0, 0) == 0);
}

static void test_expand_array(void)
{
    setup();
    CHECK("expand before init_control -> EOPNOTSUPP", expand(ARRAY_GFN) == -XEN_EOPNOTSUPP);
    init_control(CB_GFN, CB_OFFSET, 0);
    CHECK("expand with a gfn past RAM -> EINVAL", expand(BEYOND_GFN) == -XEN_EINVAL);
    CHECK("expand with a hole -> EINVAL", expand(HOLE_GFN) == -XEN_EINVAL);
    CHECK("expand with gfn ~0 -> EINVAL", expand(~0ull) == -XEN_EINVAL);
    CHECK("refused expands add no page", d->fifo.array_pages == 0);
    CHECK("expand -> 0", expand(ARRAY_GFN) == 0 && d->fifo.array_pages == 1);
    CHECK("port 1's word is in it", evtchn_fifo_word(d, 1) == word(1));
    CHECK("no word for port 64 (beyond the domain's ports)", !evtchn_fifo_word(d, 64));
    bool ok = true;
    for (uint32_t i = 1; i < EVTCHN_FIFO_ARRAY_PAGES_LIMIT; i++)
        ok &= expand(HOLE_GFN + 1 + i % 8) == 0;
    CHECK("127 more pages -> 0 (Xen's limit: 128)", ok && d->fifo.array_pages == 128);
    CHECK("the 129th -> ENOSPC", expand(ARRAY_GFN) == -XEN_ENOSPC && d->fifo.array_pages == 128);
    CHECK("port 1's word still in the first", evtchn_fifo_word(d, 1) == word(1));
}

static void test_set_priority_errors(void)
{
    setup();
    uint32_t p = bind_ipi(0);
    CHECK("set_priority under 2-level -> ENOSYS", set_priority(p, 3) == -XEN_ENOSYS);
    CHECK("... port 0 -> EINVAL first", set_priority(0, 3) == -XEN_EINVAL);
    fifo_ready();
    CHECK("port 0 -> EINVAL", set_priority(0, 3) == -XEN_EINVAL);
    CHECK("port 64 -> EINVAL", set_priority(EVTCHN_MAX_PORTS, 3) == -XEN_EINVAL);
    CHECK("port ~0 -> EINVAL", set_priority(~0u, 3) == -XEN_EINVAL);
    CHECK("a free port -> EACCES", set_priority(p + 1, 3) == -XEN_EACCES);
    CHECK("priority 16 -> EINVAL", set_priority(p, 16) == -XEN_EINVAL);
    CHECK("priority ~0 -> EINVAL", set_priority(p, ~0u) == -XEN_EINVAL);
    CHECK("refusals keep the default", evtchn_fifo_priority(&d->evtchn[p].fifo) == 7);
    CHECK("priority 15 (lowest) -> 0", set_priority(p, EVTCHN_FIFO_PRIORITY_MIN) == 0 &&
          evtchn_fifo_priority(&d->evtchn[p].fifo) == 15);
    CHECK("priority 0 (highest) -> 0", set_priority(p, 0) == 0 &&
          evtchn_fifo_priority(&d->evtchn[p].fifo) == 0);
}

/* ---- delivery -------------------------------------------------------------- */

static void test_link(void)
{
    setup();
    fifo_ready();
    uint32_t a = bind_ipi(0), b = bind_ipi(0), c = bind_ipi(1);
    struct evtchn_fifo_control_block *cb = block(CB_GFN), *cb1 = block(CB1_GFN);

    CHECK("send a -> 0", port_op(EVTCHNOP_SEND, a) == 0);
    CHECK("a: PENDING and LINKED, no link", *word(a) == (P(PENDING) | P(LINKED)));
    CHECK("a at the head of queue 7, ready bit 7", cb->head[7] == a && cb->ready == 1u << 7);
    CHECK("vCPU 0's upcall raised", upcall(0) == 1 && v0->upcall_needed);
    CHECK("no 2-level bits",
          si->evtchn_pending[0] == 0 && si->vcpu_info[0].evtchn_pending_sel == 0);
    CHECK("vCPU 1 untouched", upcall(1) == 0 && cb1->ready == 0);

    si->vcpu_info[0].evtchn_upcall_pending = 0;
    v0->upcall_needed = false;
    CHECK("send b -> 0", port_op(EVTCHNOP_SEND, b) == 0);
    CHECK("a links to b", (*word(a) & EVTCHN_FIFO_LINK_MASK) == b && (*word(a) & P(LINKED)));
    CHECK("b: PENDING and LINKED", *word(b) == (P(PENDING) | P(LINKED)));
    CHECK("head unchanged, no new upcall (queue was not empty)",
          cb->head[7] == a && upcall(0) == 0 && !v0->upcall_needed);
    CHECK("send b again: nothing changes", port_op(EVTCHNOP_SEND, b) == 0 &&
          *word(b) == (P(PENDING) | P(LINKED)) && (*word(a) & EVTCHN_FIFO_LINK_MASK) == b);

    CHECK("send c (vCPU 1) -> 0", port_op(EVTCHNOP_SEND, c) == 0);
    CHECK("c on vCPU 1's queue 7, its upcall", cb1->head[7] == c && cb1->ready == 1u << 7 &&
          upcall(1) == 1 && cb->head[7] == a);

    /* The guest consumes the queue: a, then b; the queue is empty then. */
    __atomic_fetch_and(word(a), ~(P(LINKED) | EVTCHN_FIFO_LINK_MASK | P(PENDING)),
                       __ATOMIC_SEQ_CST);
    __atomic_fetch_and(word(b), ~(P(LINKED) | P(PENDING)), __ATOMIC_SEQ_CST);
    cb->ready = 0;
    si->vcpu_info[0].evtchn_upcall_pending = 0;
    CHECK("send a after consumption -> 0", port_op(EVTCHNOP_SEND, a) == 0);
    CHECK("a is the head again (b, the tail, was unlinked), ready and upcall again",
          cb->head[7] == a && cb->ready == 1u << 7 && upcall(0) == 1 &&
          (*word(b) & EVTCHN_FIFO_LINK_MASK) == 0);
    CHECK("poll sees a pending", evtchn_is_pending(d, a) && !evtchn_is_pending(d, b));
    CHECK("close a -> 0, PENDING cleared", port_op(EVTCHNOP_CLOSE, a) == 0 &&
          !(*word(a) & P(PENDING)) && !evtchn_is_pending(d, a));
}

static void test_priorities(void)
{
    setup();
    fifo_ready();
    uint32_t a = bind_ipi(0), b = bind_ipi(0);
    struct evtchn_fifo_control_block *cb = block(CB_GFN);
    set_priority(b, 2);
    port_op(EVTCHNOP_SEND, a);
    port_op(EVTCHNOP_SEND, b);
    CHECK("a on queue 7, b on queue 2: two heads, two ready bits",
          cb->head[7] == a && cb->head[2] == b && cb->ready == ((1u << 7) | (1u << 2)));
    CHECK("not linked to each other", (*word(a) & EVTCHN_FIFO_LINK_MASK) == 0);

    /* While linked, a new priority applies to later links only. */
    set_priority(a, 2);
    port_op(EVTCHNOP_SEND, a);
    CHECK("a already linked: stays on queue 7", (*word(b) & EVTCHN_FIFO_LINK_MASK) == 0);
    *word(a) = 0;               /* consumed */
    *word(b) = 0;
    cb->ready = 0;
    cb->head[2] = cb->head[7] = 0;
    port_op(EVTCHNOP_SEND, a);
    CHECK("next time a goes to queue 2", cb->head[2] == a && cb->head[7] == 0 &&
          cb->ready == 1u << 2);
    port_op(EVTCHNOP_SEND, b);
    CHECK("b after a on queue 2 (its tail is a now, not b)",
          (*word(a) & EVTCHN_FIFO_LINK_MASK) == b && cb->head[2] == a);
}

static void test_mask(void)
{
    setup();
    fifo_ready();
    uint32_t a = bind_ipi(0);
    struct evtchn_fifo_control_block *cb = block(CB_GFN);
    *word(a) = P(MASKED);
    CHECK("send masked -> 0", port_op(EVTCHNOP_SEND, a) == 0);
    CHECK("masked: PENDING only, not linked, no ready, no upcall",
          *word(a) == (P(MASKED) | P(PENDING)) && cb->head[7] == 0 && cb->ready == 0 &&
          upcall(0) == 0);
    CHECK("unmask -> 0", port_op(EVTCHNOP_UNMASK, a) == 0);
    CHECK("unmask relinks it: LINKED, head, ready, upcall",
          *word(a) == (P(PENDING) | P(LINKED)) && cb->head[7] == a && cb->ready == 1u << 7 &&
          upcall(0) == 1);
    *word(a) = P(MASKED);
    cb->ready = 0;
    si->vcpu_info[0].evtchn_upcall_pending = 0;
    CHECK("unmask of a port not pending: just unmasked",
          port_op(EVTCHNOP_UNMASK, a) == 0 && *word(a) == 0 && cb->ready == 0 && upcall(0) == 0);
    CHECK("unmask port 0 / 64 -> EINVAL", port_op(EVTCHNOP_UNMASK, 0) == -XEN_EINVAL &&
          port_op(EVTCHNOP_UNMASK, 64) == -XEN_EINVAL);
    *word(a + 1) = P(MASKED) | P(PENDING);
    CHECK("unmask of a free port: ignored, as in Xen",
          port_op(EVTCHNOP_UNMASK, a + 1) == 0 && *word(a + 1) == (P(MASKED) | P(PENDING)));
}

/* ---- what the guest may break ---------------------------------------------- */

static void test_hostile(void)
{
    setup();
    fifo_ready();
    uint32_t a = bind_ipi(0), b = bind_ipi(0);
    struct evtchn_fifo_control_block *cb = block(CB_GFN);
    port_op(EVTCHNOP_SEND, a);
    /* The guest scribbles a wild link and BUSY into the tail: never followed. */
    *word(a) = P(LINKED) | P(BUSY) | EVTCHN_FIFO_LINK_MASK;
    port_op(EVTCHNOP_SEND, b);
    CHECK("a wild tail link is overwritten with b, BUSY cleared",
          *word(a) == (P(LINKED) | b) && *word(b) == (P(PENDING) | P(LINKED)));
    /* A corrupt head is the guest's own: the hypervisor never reads it. */
    cb->head[7] = 0xdeadbeef;
    *word(b) = 0;
    *word(a) = 0;
    port_op(EVTCHNOP_SEND, b);
    CHECK("tail unlinked by the guest: b to the head", cb->head[7] == b);

    /* Its block page given up: events for that vCPU are dropped, nothing written. */
    *word(a) = 0;
    *word(b) = 0;
    shim_gfn_set_ram(CB_GFN, false);
    snapshot();
    port_op(EVTCHNOP_SEND, a);
    CHECK("block no longer RAM: dropped, nothing written", shim_arch_mem_unchanged());
    shim_gfn_set_ram(CB_GFN, true);
    /* Its array page given up: remembered, not written. */
    shim_gfn_set_ram(ARRAY_GFN, false);
    snapshot();
    port_op(EVTCHNOP_SEND, b);
    CHECK("array page no longer RAM: nothing written", shim_arch_mem_unchanged());
    CHECK("... not pending for poll", !evtchn_is_pending(d, b));
}

/* Raised before its page exists (or under 2-level): delivered when it does. */
static void test_saved(void)
{
    setup();
    uint32_t a = bind_ipi(0), b = bind_ipi(0);
    evtchn_set_pending(d, a);                   /* 2-level */
    CHECK("a pending under 2-level", si->evtchn_pending[0] >> a & 1);
    init_control(CB_GFN, CB_OFFSET, 0);
    port_op(EVTCHNOP_SEND, b);                  /* FIFO, no array page yet */
    CHECK("no page: both remembered", d->evtchn[a].fifo.pending && d->evtchn[b].fifo.pending);
    struct evtchn_fifo_control_block *cb = block(CB_GFN);
    CHECK("expand -> 0", expand(ARRAY_GFN) == 0);
    CHECK("both linked on queue 7, a first",
          cb->head[7] == a && (*word(a) & EVTCHN_FIFO_LINK_MASK) == b &&
          (*word(b) & P(PENDING)) && cb->ready == 1u << 7 && upcall(0) == 1);
    CHECK("remembered no more", !d->evtchn[a].fifo.pending && !d->evtchn[b].fifo.pending);
}

/* A port moved to another vCPU leaves an empty queue behind. */
static void test_moved(void)
{
    setup();
    fifo_ready();
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    evop(v0, EVTCHNOP_ALLOC_UNBOUND, &u, sizeof u);
    memcpy(&u, shim_guest_mem(ARG, sizeof u), sizeof u);
    uint32_t p = u.port, q = bind_ipi(0);
    struct evtchn_fifo_control_block *cb = block(CB_GFN), *cb1 = block(CB1_GFN);
    evtchn_set_pending(d, p);
    CHECK("p at vCPU 0's head", cb->head[7] == p && v0->fifo.tail[7] == p);
    *word(p) = 0;                               /* consumed */
    struct evtchn_bind_vcpu bv = { .port = p, .vcpu = 1 };
    CHECK("bind_vcpu p to vCPU 1 -> 0", evop(v0, EVTCHNOP_BIND_VCPU, &bv, sizeof bv) == 0);
    evtchn_set_pending(d, p);
    CHECK("p on vCPU 1's queue", cb1->head[7] == p && v1->fifo.tail[7] == p);
    CHECK("vCPU 0's queue forgot it", v0->fifo.tail[7] == 0);
    cb->head[7] = 0;
    port_op(EVTCHNOP_SEND, q);
    CHECK("q goes to vCPU 0's head, not after p", cb->head[7] == q &&
          (*word(p) & EVTCHN_FIFO_LINK_MASK) == 0);
}

/*
 * Another vCPU rewrites the tail word without pause while events are linked
 * after it: each link attempt must end (the retry loop is bounded) and only
 * ever write the new port into the link field.
 */
static volatile bool scribbling;
static unsigned long scribbles;

static void *scribbler(void *arg)
{
    event_word_t *w = arg;
    uint32_t x = 1;
    while (scribbling) {
        __atomic_fetch_add(&scribbles, 1, __ATOMIC_SEQ_CST);
        x = x * 1103515245u + 12345u;
        switch (x >> 30) {
        case 0:
            __atomic_fetch_xor(w, P(MASKED), __ATOMIC_SEQ_CST);
            break;
        case 1:
            __atomic_fetch_and(w, ~P(BUSY), __ATOMIC_SEQ_CST);     /* ignores BUSY */
            break;
        case 2:
            __atomic_store_n(w, P(LINKED) | (x & EVTCHN_FIFO_LINK_MASK), __ATOMIC_SEQ_CST);
            break;
        default:
            __atomic_fetch_xor(w, P(PENDING) | P(LINKED), __ATOMIC_SEQ_CST);
        }
    }
    return NULL;
}

static void test_racing_tail(void)
{
    setup();
    fifo_ready();
    uint32_t a = bind_ipi(0), b = bind_ipi(0);
    struct evtchn_fifo_control_block *cb = block(CB_GFN);
    pthread_t t;
    unsigned sends = 0;
    scribbling = true;
    *word(a) = P(LINKED);
    CHECK("scribbler started", pthread_create(&t, NULL, scribbler, word(a)) == 0);
    while (__atomic_load_n(&scribbles, __ATOMIC_SEQ_CST) == 0)
        ;
    for (unsigned i = 0; i < 200000; i++) {
        *word(b) = 0;
        cb->head[7] = 0;
        v0->fifo.tail[7] = a;           /* a is the tail every time */
        evtchn_set_pending(d, b);
        sends++;
    }
    unsigned long during = __atomic_load_n(&scribbles, __ATOMIC_SEQ_CST);
    scribbling = false;
    pthread_join(t, NULL);
    CHECK("every link attempt ended", sends == 200000);
    CHECK("the tail word was rewritten meanwhile", during > 1);
    CHECK("b's own word is the hypervisor's: PENDING|LINKED, no link",
          *word(b) == (P(PENDING) | P(LINKED)));
}

int main(void)
{
    test_init_control_errors();
    test_init_control();
    test_expand_array();
    test_set_priority_errors();
    test_link();
    test_priorities();
    test_mask();
    test_hostile();
    test_saved();
    test_moved();
    test_racing_tail();
    CHECK_DONE();
}
