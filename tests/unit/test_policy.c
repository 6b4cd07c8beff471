/*
 * Host unit test for the hypercall policy: hv/policy.c behind the real
 * dispatcher (hv/hypercall.c) with stub handlers (shim_hypercalls.c) that
 * record whether they ran; printk goes to shim_printk_text (shim_time.c).
 */
#include <string.h>
#include "check.h"
#include "shim_guest.h"
#include "shim_hypercalls.h"
#include "hv/hypercall.h"
#include "hv/policy.h"
#include "mica/hypercall_names.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/hypercall.h"
#include "public/sched_op.h"

CHECK_SUITE("policy");

static struct vcpu *v0, *v1;
static struct domain *d0, *d1;
static const struct mica_policy no_deny;

#define DOMU_CALLS                                                                         \
    ((1ull << 12) | (1ull << 15) | (1ull << 17) | (1ull << 18) | (1ull << 20) |            \
     (1ull << 24) | (1ull << 29) | (1ull << 32) | (1ull << 34))
#define DOM0_CALLS (DOMU_CALLS | (1ull << 33) | (1ull << 35) | (1ull << 36))

static void setup(const struct mica_policy *deny1)
{
    shim_guest_reset();
    shim_time_reset();
    v0 = shim_domain_create(0, true, MiB(16));
    v1 = shim_domain_create(1, false, MiB(16));
    d0 = v0->domain, d1 = v1->domain;
    policy_init(d0, &no_deny);
    policy_init(d1, deny1);
    shim_handler_runs = 0;
}

static long call(struct vcpu *v, uint64_t nr, uint64_t arg0)
{
    const uint64_t args[HYPERCALL_ARGS] = { arg0, 1, 2, 3, 4 };
    return hypercall_dispatch(v, nr, args);
}

/* How many times `needle` occurs in what printk printed. */
static int printed(const char *needle)
{
    int n = 0;
    for (const char *p = shim_printk_text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_names(void)
{
    bool ok = true;
    for (uint32_t nr = 0; nr < HYPERCALL_COUNT; nr++) {
        const struct mica_hypercall_names *h = &mica_hypercall_names[nr];
        /* Every number the table dispatches has a name, and nothing else does. */
        if ((hypercall_name(nr) != NULL) != ((DOM0_CALLS >> nr) & 1) ||
            (h->name != NULL) != ((DOM0_CALLS >> nr) & 1))
            ok = false;
        if (h->name && (h->slot >= MICA_POLICY_SLOTS || h->nsubops > MICA_POLICY_SUBOP_OTHER))
            ok = false;
        for (uint32_t o = 0; h->name && o < nr; o++)
            if (mica_hypercall_names[o].name && mica_hypercall_names[o].slot == h->slot)
                ok = false;
    }
    CHECK("names: exactly the dispatched calls, each its own slot, sub-ops below 63", ok);
    CHECK("names: lookups", mica_hypercall_by_name("sched_op", 8) == HYPERCALL_SCHED_OP &&
                                mica_hypercall_by_name("sched_o", 7) == -1 &&
                                mica_subop_by_name(HYPERCALL_SCHED_OP, "poll", 4) == SCHEDOP_POLL &&
                                mica_subop_by_name(HYPERCALL_SET_TIMER_OP, "x", 1) == -1);
}

static void test_default(void)
{
    setup(&no_deny);
    CHECK("default: a domU may make the table's unprivileged calls",
          d1->policy.calls == DOMU_CALLS);
    CHECK("default: dom0 every call", d0->policy.calls == DOM0_CALLS);
    CHECK("default: every sub-op of the calls it may make; set_timer_op and a domU's physdev_op 0",
          d1->policy.subops[MICA_POLICY_SLOT_SCHED_OP] == ~0ull &&
              d1->policy.subops[MICA_POLICY_SLOT_DOMCTL] == 0 &&
              d0->policy.subops[MICA_POLICY_SLOT_DOMCTL] == ~0ull &&
              d1->policy.subops[MICA_POLICY_SLOT_SET_TIMER_OP] == 0 &&
              d1->policy.subops[MICA_POLICY_SLOTS - 1] == 0);
    CHECK("default: calls reach their handler",
          call(v1, HYPERCALL_SCHED_OP, SCHEDOP_POLL) == HYPERCALL_SCHED_OP &&
              call(v1, HYPERCALL_SET_TIMER_OP, ~0ull) == HYPERCALL_SET_TIMER_OP &&
              call(v0, HYPERCALL_DOMCTL, 0x1000) == HYPERCALL_DOMCTL &&
              call(v1, HYPERCALL_XEN_VERSION, 1000) == HYPERCALL_XEN_VERSION &&
              shim_handler_runs == 4);
    shim_handler_runs = 0;
    CHECK("default: unknown numbers -ENOSYS, privileged ones -EPERM, as before",
          call(v1, 0, 0) == -XEN_ENOSYS && call(v1, 63, 0) == -XEN_ENOSYS &&
              call(v1, 64, 0) == -XEN_ENOSYS && call(v1, ~0ull, 0) == -XEN_ENOSYS &&
              call(v1, HYPERCALL_DOMCTL, 0) == -XEN_EPERM &&
              call(v1, HYPERCALL_SYSCTL, 0) == -XEN_EPERM && shim_handler_runs == 0);
    CHECK("default: those are not policy denials (not counted, not printed)",
          d1->denials.total == 0 && shim_printk_text[0] == 0);
}

static void test_deny(void)
{
    struct mica_policy deny = { .calls = 1ull << HYPERCALL_GRANT_TABLE_OP };
    deny.subops[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] = 1ull << EVTCHNOP_ALLOC_UNBOUND;
    deny.subops[MICA_POLICY_SLOT_SCHED_OP] = 1ull << SCHEDOP_POLL;
    setup(&deny);

    policy_print_denied(d1);
    CHECK("deny: the build line names what is denied",
          !strcmp(shim_printk_text, "policy: domain 'dom1' (id 1) may not call: grant_table_op "
                                    "sched_op:poll event_channel_op:alloc_unbound\n"));
    policy_print_denied(d0);
    CHECK("deny: nothing for a domain with nothing denied", printed("dom0") == 0);
    shim_printk_text[0] = 0;
    CHECK("deny: a denied call -> EPERM, the handler does not run",
          call(v1, HYPERCALL_GRANT_TABLE_OP, GNTTABOP_copy) == -XEN_EPERM &&
              shim_handler_runs == 0);
    CHECK("deny: every sub-op of it, any number",
          call(v1, HYPERCALL_GRANT_TABLE_OP, GNTTABOP_query_size) == -XEN_EPERM &&
              call(v1, HYPERCALL_GRANT_TABLE_OP, 99) == -XEN_EPERM && shim_handler_runs == 0);
    CHECK("deny: a denied sub-op -> EPERM",
          call(v1, HYPERCALL_EVENT_CHANNEL_OP, EVTCHNOP_ALLOC_UNBOUND) == -XEN_EPERM &&
              call(v1, HYPERCALL_SCHED_OP, SCHEDOP_POLL) == -XEN_EPERM && shim_handler_runs == 0);
    CHECK("deny: other sub-ops of the family still run",
          call(v1, HYPERCALL_EVENT_CHANNEL_OP, EVTCHNOP_SEND) == HYPERCALL_EVENT_CHANNEL_OP &&
              call(v1, HYPERCALL_SCHED_OP, SCHEDOP_YIELD) == HYPERCALL_SCHED_OP &&
              call(v1, HYPERCALL_SCHED_OP, 99) == HYPERCALL_SCHED_OP && shim_handler_runs == 3);
    CHECK("deny: a sub-op number above 32 bits is its own sub-op, not poll",
          call(v1, HYPERCALL_SCHED_OP, (1ull << 32) | SCHEDOP_POLL) == HYPERCALL_SCHED_OP);
    CHECK("deny: the other domain is not affected",
          call(v0, HYPERCALL_GRANT_TABLE_OP, 0) == HYPERCALL_GRANT_TABLE_OP &&
              call(v0, HYPERCALL_SCHED_OP, SCHEDOP_POLL) == HYPERCALL_SCHED_OP);
    CHECK("deny: counted per call", d1->denials.total == 5 &&
          d1->denials.calls[MICA_POLICY_SLOT_GRANT_TABLE_OP] == 3 &&
          d1->denials.calls[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] == 1 &&
          d1->denials.calls[MICA_POLICY_SLOT_SCHED_OP] == 1 && d0->denials.total == 0);
    CHECK("deny: a denied call is printed once",
          printed("denied grant_table_op") == 1 &&
              printed("policy: domain 'dom1' (id 1) denied grant_table_op op 5 (copy), the "
                      "whole call: -EPERM, counted from now on\n") == 1);
    CHECK("deny: each denied sub-op once",
          printed("denied event_channel_op op 6 (alloc_unbound): -EPERM") == 1 &&
              printed("denied sched_op op 3 (poll): -EPERM") == 1);
    for (int i = 0; i < 100; i++)
        call(v1, HYPERCALL_SCHED_OP, SCHEDOP_POLL);
    CHECK("deny: repeated denials are counted, not printed",
          printed("denied sched_op") == 1 && d1->denials.calls[MICA_POLICY_SLOT_SCHED_OP] == 101);

    /* Sub-ops from 63 up share one bit. */
    deny = (struct mica_policy){ 0 };
    deny.subops[MICA_POLICY_SLOT_XEN_VERSION] = 1ull << MICA_POLICY_SUBOP_OTHER;
    setup(&deny);
    CHECK("other: sub-ops 63, 64 and 2^40 share bit 63",
          call(v1, HYPERCALL_XEN_VERSION, 63) == -XEN_EPERM &&
              call(v1, HYPERCALL_XEN_VERSION, 64) == -XEN_EPERM &&
              call(v1, HYPERCALL_XEN_VERSION, 1ull << 40) == -XEN_EPERM &&
              call(v1, HYPERCALL_XEN_VERSION, 62) == HYPERCALL_XEN_VERSION);
    CHECK("other: printed once, named as the shared bit",
          printed("denied xen_version op 63 (sub-ops 63 and up)") == 1 &&
              printed("denied xen_version") == 1);
}

static void test_control_subops(void)
{
    setup(&no_deny);
    struct mica_policy p = d0->policy;
    p.subops[MICA_POLICY_SLOT_DOMCTL] &= ~(1ull << 5);
    policy_commit(d0, &p);
    CHECK("control: a denied domctl cmd -> EPERM",
          policy_check_subop(v0, HYPERCALL_DOMCTL, 5) == -XEN_EPERM && d0->denials.total == 1);
    CHECK("control: others allowed", policy_check_subop(v0, HYPERCALL_DOMCTL, 16) == 0 &&
          policy_check_subop(v0, HYPERCALL_DOMCTL, 0x4d00) == 0 &&
          policy_check_subop(v0, HYPERCALL_SYSCTL, 3) == 0);
    CHECK("control: the dispatcher leaves the cmd to the handler",
          call(v0, HYPERCALL_DOMCTL, 5) == HYPERCALL_DOMCTL);
}

static void test_validate(void)
{
    setup(&no_deny);
    struct mica_policy p = d1->policy, before = d1->policy;

    CHECK("validate: the current policy", policy_validate(d1, &p) == 0);
    p.calls = 0;
    CHECK("validate: nothing at all", policy_validate(d1, &p) == 0);
    p = before;
    p.calls |= 1ull << HYPERCALL_DOMCTL;
    CHECK("validate: a privileged call for a domU -> EPERM", policy_validate(d1, &p) == -XEN_EPERM);
    CHECK("validate: the same for dom0 is fine", policy_validate(d0, &p) == 0);
    static const uint64_t no_call[] = { 1ull << 0, 1ull << 13, 1ull << 37, 1ull << 63 };
    for (size_t i = 0; i < sizeof no_call / sizeof no_call[0]; i++) {
        p = before;
        p.calls |= no_call[i];
        CHECK(shim_name("validate: a number with no hypercall (0x%lx) -> EINVAL", no_call[i]),
              policy_validate(d0, &p) == -XEN_EINVAL);
    }
    p = before;
    p.calls |= (1ull << HYPERCALL_DOMCTL) | 1;
    CHECK("validate: EINVAL before EPERM", policy_validate(d1, &p) == -XEN_EINVAL);
    p = before;
    p.subops[MICA_POLICY_SLOT_SET_TIMER_OP] = 1;
    CHECK("validate: a sub-op bit for set_timer_op -> EINVAL",
          policy_validate(d1, &p) == -XEN_EINVAL);
    p = before;
    p.calls |= 1ull << HYPERCALL_PHYSDEV_OP;
    CHECK("validate: physdev_op for a domU -> EPERM", policy_validate(d1, &p) == -XEN_EPERM);
    CHECK("validate: changes nothing", !memcmp(&d1->policy, &before, sizeof before));

    p = before;
    p.calls &= ~(1ull << HYPERCALL_HVM_OP);
    p.subops[MICA_POLICY_SLOT_VCPU_OP] = 0;
    policy_commit(d1, &p);
    CHECK("commit: takes effect at once",
          call(v1, HYPERCALL_HVM_OP, 0) == -XEN_EPERM &&
              call(v1, HYPERCALL_VCPU_OP, 0) == -XEN_EPERM &&
              call(v1, HYPERCALL_SCHED_OP, 0) == HYPERCALL_SCHED_OP);
    /* vcpu_op's call bit is set but every sub-op denied: counted as sub-op denials. */
    CHECK("commit: a call with every sub-op denied is printed per sub-op",
          printed("denied vcpu_op op 0 (initialise): -EPERM") == 1);
    policy_commit(d1, &before);
    CHECK("commit: and can be undone", call(v1, HYPERCALL_HVM_OP, 0) == HYPERCALL_HVM_OP);

    /* A whole call without a sub-op in args[0] names none. */
    p = before;
    p.calls &= ~(1ull << HYPERCALL_SET_TIMER_OP);
    policy_commit(d1, &p);
    CHECK("commit: set_timer_op denied, its argument is not called a sub-op",
          call(v1, HYPERCALL_SET_TIMER_OP, 12345) == -XEN_EPERM &&
              printed("denied set_timer_op, the whole call: -EPERM") == 1);
    shim_printk_text[0] = 0;
    policy_print_denied(d1);
    CHECK("commit: the build line for it",
          !strcmp(shim_printk_text, "policy: domain 'dom1' (id 1) may not call: set_timer_op\n"));
}

int main(void)
{
    test_names();
    test_default();
    test_deny();
    test_control_subops();
    test_validate();
    CHECK_DONE();
}
