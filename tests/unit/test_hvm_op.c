/* Host unit test for hv/hvm_op.c, against the fake guest of shim_guest.c. */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/hvm_op.h"
#include "public/memory_op.h"

CHECK_SUITE("hvm_op");

/* dom0 privileged; dom1, dom2 not; dom3 destroyed; slot 4 empty. */
static struct vcpu *dom0, *dom1, *dom2;

#define VECTOR_CB(vec) ((2ull << 56) | (vec))

static void setup(void)
{
    shim_guest_reset();
    dom0 = shim_domain_create(0, true, MiB(64));
    dom1 = shim_domain_create(1, false, MiB(32));
    dom2 = shim_domain_create(2, false, MiB(16));
    shim_domain_create(3, false, MiB(8))->domain->destroyed = true;
    /* what the domain builder would have set */
    dom1->domain->console_ring_gpa = 0xfe000;
    dom1->domain->console_port = 3;
    dom2->domain->console_ring_gpa = 0x7f000;
    dom2->domain->console_port = 5;
    dom2->domain->callback_irq = VECTOR_CB(0xe0);
    dom2->domain->callback_vector = 0xe0;
    dom1->domain->store_ring_gpa = 0xa1000;
    dom1->domain->max_evtchn_port = 63;
    dom2->domain->store_ring_gpa = 0xa1000;
    dom2->domain->store_port = 9;
}

#define ARG (SHIM_RW_BASE + 0x1000)

static long hvm(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_hvm_op(v, args);
}

static void put_param(gvaddr_t where, uint16_t domid, uint16_t pad, uint32_t index,
                      uint64_t value)
{
    struct xen_hvm_param p = { .domid = domid, .pad = pad, .index = index, .value = value };
    memcpy(shim_guest_mem(where, sizeof p), &p, sizeof p);
}

static struct xen_hvm_param param_at(gvaddr_t where)
{
    struct xen_hvm_param p;
    memcpy(&p, shim_guest_mem(where, sizeof p), sizeof p);
    return p;
}

static long set(struct vcpu *v, uint16_t domid, uint32_t index, uint64_t value)
{
    put_param(ARG, domid, 0, index, value);
    return hvm(v, HVMOP_SET_PARAM, ARG);
}

/* GET into ARG (value pre-filled with junk); the value read back, or ~0 on error. */
static uint64_t get(struct vcpu *v, uint16_t domid, uint32_t index)
{
    put_param(ARG, domid, 0, index, 0xa5a5a5a5a5a5a5a5ull);
    return hvm(v, HVMOP_GET_PARAM, ARG) == 0 ? param_at(ARG).value : ~0ull;
}

/* ---- SET_PARAM ------------------------------------------------------------ */

static void test_set_callback(void)
{
    struct domain *d;

    setup();
    d = dom1->domain;
    CHECK("set vector 0xf3", set(dom1, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0xf3)) == 0);
    CHECK("callback_irq stored", d->callback_irq == VECTOR_CB(0xf3));
    CHECK("callback_vector 0xf3", d->callback_vector == 0xf3);
    CHECK("SET reads once, writes nothing",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 16 &&
          shim_guest.to_calls == 0);
    CHECK("other domains untouched", dom0->domain->callback_vector == 0 &&
          dom2->domain->callback_vector == 0xe0);

    CHECK("lowest vector 0x10", set(dom1, 1, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0x10)) == 0 && d->callback_vector == 0x10);
    CHECK("vector 0xff", set(dom1, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0xff)) == 0 && d->callback_vector == 0xff &&
          d->callback_irq == VECTOR_CB(0xff));
    CHECK("value 0 disables", set(dom1, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0) == 0);
    CHECK("disabled: irq 0, vector 0", d->callback_irq == 0 && d->callback_vector == 0);

    put_param(SHIM_RO_BASE, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0x20));
    CHECK("SET from a read-only page", hvm(dom1, HVMOP_SET_PARAM, SHIM_RO_BASE) == 0 &&
          d->callback_vector == 0x20);

    CHECK("dom0 sets dom1's vector", set(dom0, 1, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0x30)) == 0 && d->callback_vector == 0x30 &&
          d->callback_irq == VECTOR_CB(0x30));
    CHECK("... and not its own", dom0->domain->callback_irq == 0 &&
          dom0->domain->callback_vector == 0);

    /* The store's port is the toolstack's choice (Xen): dom0 sets a domU's. */
    CHECK("dom0 sets dom1's STORE_EVTCHN", set(dom0, 1, HVM_PARAM_STORE_EVTCHN, 7) == 0 &&
          d->store_port == 7);
    CHECK("dom1 reads it", get(dom1, DOMID_SELF, HVM_PARAM_STORE_EVTCHN) == 7);
    CHECK("highest port", set(dom0, 1, HVM_PARAM_STORE_EVTCHN, 63) == 0 && d->store_port == 63);
    CHECK("dom2's untouched", dom2->domain->store_port == 9);
    CHECK("dom0 clears dom2's vector", set(dom0, 2, HVM_PARAM_CALLBACK_IRQ, 0) == 0 &&
          dom2->domain->callback_vector == 0 && dom2->domain->callback_irq == 0);
}

static void test_set_errors(void)
{
    static const struct {
        const char *name;
        int caller;
        uint16_t domid, pad;
        uint32_t index;
        uint64_t value;
        long rc;
    } cases[] = {
        { "vector 0x0f", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0x0f), -XEN_EINVAL },
        { "vector 0", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0), -XEN_EINVAL },
        { "type 0 (GSI)", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, 0x20, -XEN_EINVAL },
        { "type 1 (PCI INTx)", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ,
          (1ull << 56) | 0x20, -XEN_EINVAL },
        { "type 3", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, (3ull << 56) | 0x20, -XEN_EINVAL },
        { "type 0x82", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ,
          (0x82ull << 56) | 0x20, -XEN_EINVAL },
        { "bit 8 set", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0x120), -XEN_EINVAL },
        { "bit 55 set", 1, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ,
          VECTOR_CB(0x20) | (1ull << 55), -XEN_EINVAL },
        { "STORE_PFN", 1, DOMID_SELF, 0, HVM_PARAM_STORE_PFN, 0x80, -XEN_EPERM },
        { "STORE_EVTCHN", 1, DOMID_SELF, 0, HVM_PARAM_STORE_EVTCHN, 1, -XEN_EPERM },
        { "CONSOLE_PFN", 1, DOMID_SELF, 0, HVM_PARAM_CONSOLE_PFN, 0x80, -XEN_EPERM },
        { "CONSOLE_EVTCHN", 1, DOMID_SELF, 0, HVM_PARAM_CONSOLE_EVTCHN, 1, -XEN_EPERM },
        { "dom0 CONSOLE_PFN of dom1", 0, 1, 0, HVM_PARAM_CONSOLE_PFN, 0x80, -XEN_EPERM },
        { "dom0 own STORE_PFN", 0, DOMID_SELF, 0, HVM_PARAM_STORE_PFN, 0x80, -XEN_EPERM },
        { "dom0 STORE_PFN of dom1", 0, 1, 0, HVM_PARAM_STORE_PFN, 0x80, -XEN_EPERM },
        { "dom0 own STORE_EVTCHN", 0, DOMID_SELF, 0, HVM_PARAM_STORE_EVTCHN, 1, -XEN_EPERM },
        { "dom1 STORE_EVTCHN of itself by id", 1, 1, 0, HVM_PARAM_STORE_EVTCHN, 1, -XEN_EPERM },
        { "dom0 STORE_EVTCHN 0 of dom1", 0, 1, 0, HVM_PARAM_STORE_EVTCHN, 0, -XEN_EINVAL },
        { "dom0 STORE_EVTCHN past dom1's ports", 0, 1, 0, HVM_PARAM_STORE_EVTCHN, 64,
          -XEN_EINVAL },
        { "dom0 STORE_EVTCHN 2^32+1 of dom1", 0, 1, 0, HVM_PARAM_STORE_EVTCHN, (1ull << 32) | 1,
          -XEN_EINVAL },
        { "index 3", 1, DOMID_SELF, 0, 3, 0, -XEN_EINVAL },
        { "index 16", 1, DOMID_SELF, 0, 16, 0, -XEN_EINVAL },
        { "index 19", 1, DOMID_SELF, 0, 19, 0, -XEN_EINVAL },
        { "index ~0", 1, DOMID_SELF, 0, 0xffffffffu, 0, -XEN_EINVAL },
        { "pad 1", 1, DOMID_SELF, 1, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0x20), -XEN_EINVAL },
        { "pad 0x8000", 1, DOMID_SELF, 0x8000, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_EINVAL },
        { "dom1 sets dom0", 1, 0, 0, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0x20), -XEN_EPERM },
        { "dom1 sets dom2", 1, 2, 0, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_EPERM },
        { "dom1 sets a free slot", 1, 4, 0, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_EPERM },
        { "dom0 sets a free slot", 0, 4, 0, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_ESRCH },
        { "dom0 sets a destroyed domain", 0, 3, 0, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_ESRCH },
        { "dom0 sets id MAX_DOMAINS", 0, MAX_DOMAINS, 0, HVM_PARAM_CALLBACK_IRQ, 0,
          -XEN_ESRCH },
        { "dom0 sets 0xffff", 0, 0xffff, 0, HVM_PARAM_CALLBACK_IRQ, 0, -XEN_ESRCH },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        /* a vector already set, so clearing it by mistake would show */
        dom1->domain->callback_irq = VECTOR_CB(0xf3);
        dom1->domain->callback_vector = 0xf3;
        put_param(ARG, cases[i].domid, cases[i].pad, cases[i].index, cases[i].value);
        shim_world_snapshot();
        long rc = hvm(cases[i].caller ? dom1 : dom0, HVMOP_SET_PARAM, ARG);
        CHECK(shim_name("SET %s -> %ld", cases[i].name, cases[i].rc), rc == cases[i].rc);
        CHECK(shim_name("SET %s changes nothing", cases[i].name), shim_world_unchanged());
    }
}

/* ---- GET_PARAM ------------------------------------------------------------ */

static void test_get(void)
{
    struct xen_hvm_param p;

    setup();
    dom1->domain->callback_irq = VECTOR_CB(0xf3);
    dom1->domain->callback_vector = 0xf3;
    shim_world_snapshot();
    put_param(ARG, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, 0xa5a5a5a5a5a5a5a5ull);
    CHECK("GET CALLBACK_IRQ ok", hvm(dom1, HVMOP_GET_PARAM, ARG) == 0);
    p = param_at(ARG);
    CHECK("GET CALLBACK_IRQ value", p.value == VECTOR_CB(0xf3));
    CHECK("GET writes the request back as it was",
          p.domid == DOMID_SELF && p.pad == 0 && p.index == HVM_PARAM_CALLBACK_IRQ);
    CHECK("GET reads once, writes 16 bytes once",
          shim_guest.from_calls == 1 && shim_guest.to_calls == 1 &&
          shim_guest.to_bytes == 16);
    CHECK("GET writes nothing past the struct",
          *(uint8_t *)shim_guest_mem(ARG + 16, 1) == SHIM_FILL);

    CHECK("GET CONSOLE_PFN", get(dom1, DOMID_SELF, HVM_PARAM_CONSOLE_PFN) == 0xfe);
    CHECK("GET CONSOLE_EVTCHN", get(dom1, 1, HVM_PARAM_CONSOLE_EVTCHN) == 3);
    CHECK("GET STORE_PFN", get(dom1, DOMID_SELF, HVM_PARAM_STORE_PFN) == 0xa1);
    CHECK("GET STORE_EVTCHN 0 until dom0 sets it",
          get(dom1, DOMID_SELF, HVM_PARAM_STORE_EVTCHN) == 0);
    CHECK("GET STORE_EVTCHN as set", get(dom2, DOMID_SELF, HVM_PARAM_STORE_EVTCHN) == 9);
    CHECK("dom0 GETs dom2's STORE_PFN", get(dom0, 2, HVM_PARAM_STORE_PFN) == 0xa1);
    CHECK("dom0 has no store ring", get(dom0, DOMID_SELF, HVM_PARAM_STORE_PFN) == 0 &&
          get(dom0, DOMID_SELF, HVM_PARAM_STORE_EVTCHN) == 0);
    CHECK("dom0 GET: no console (0)", get(dom0, DOMID_SELF, HVM_PARAM_CONSOLE_PFN) == 0 &&
          get(dom0, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ) == 0);
    CHECK("dom0 GETs dom2's CALLBACK_IRQ",
          get(dom0, 2, HVM_PARAM_CALLBACK_IRQ) == VECTOR_CB(0xe0));
    CHECK("dom0 GETs dom2's CONSOLE_PFN", get(dom0, 2, HVM_PARAM_CONSOLE_PFN) == 0x7f);
    CHECK("dom0 GETs dom2's CONSOLE_EVTCHN", get(dom0, 2, HVM_PARAM_CONSOLE_EVTCHN) == 5);
    CHECK("GET request read from the upper half",
          (put_param(SHIM_HI_BASE, DOMID_SELF, 0, HVM_PARAM_CONSOLE_EVTCHN, 0),
           hvm(dom2, HVMOP_GET_PARAM, SHIM_HI_BASE)) == 0 &&
          param_at(SHIM_HI_BASE).value == 5);
    CHECK("GETs change no domain", shim_domains_unchanged());
}

static void test_get_errors(void)
{
    static const struct {
        const char *name;
        int caller;
        uint16_t domid, pad;
        uint32_t index;
        long rc;
    } cases[] = {
        { "index 3", 1, DOMID_SELF, 0, 3, -XEN_EINVAL },
        { "index 19", 1, DOMID_SELF, 0, 19, -XEN_EINVAL },
        { "index ~0", 1, DOMID_SELF, 0, 0xffffffffu, -XEN_EINVAL },
        { "pad 1", 1, DOMID_SELF, 1, HVM_PARAM_CALLBACK_IRQ, -XEN_EINVAL },
        { "dom1 reads dom0", 1, 0, 0, HVM_PARAM_CALLBACK_IRQ, -XEN_EPERM },
        { "dom1 reads dom2", 1, 2, 0, HVM_PARAM_CONSOLE_PFN, -XEN_EPERM },
        { "dom1 reads a free slot", 1, 4, 0, HVM_PARAM_CALLBACK_IRQ, -XEN_EPERM },
        { "dom0 reads a free slot", 0, 4, 0, HVM_PARAM_CALLBACK_IRQ, -XEN_ESRCH },
        { "dom0 reads a destroyed domain", 0, 3, 0, HVM_PARAM_CALLBACK_IRQ, -XEN_ESRCH },
        { "dom0 reads id MAX_DOMAINS", 0, MAX_DOMAINS, 0, HVM_PARAM_CALLBACK_IRQ,
          -XEN_ESRCH },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        put_param(ARG, cases[i].domid, cases[i].pad, cases[i].index, 0x1234);
        shim_world_snapshot();
        long rc = hvm(cases[i].caller ? dom1 : dom0, HVMOP_GET_PARAM, ARG);
        CHECK(shim_name("GET %s -> %ld", cases[i].name, cases[i].rc), rc == cases[i].rc);
        CHECK(shim_name("GET %s writes nothing back", cases[i].name),
              shim_guest.to_calls == 0);
        CHECK(shim_name("GET %s changes nothing", cases[i].name), shim_world_unchanged());
    }

    /* A readable but read-only request: nothing can be written back. */
    setup();
    put_param(SHIM_RO_BASE, DOMID_SELF, 0, HVM_PARAM_CONSOLE_PFN, 0x1234);
    shim_world_snapshot();
    CHECK("GET read-only request -> EFAULT",
          hvm(dom1, HVMOP_GET_PARAM, SHIM_RO_BASE) == -XEN_EFAULT);
    CHECK("GET read-only request changes nothing", shim_world_unchanged());
}

/* ---- bad pointers, unknown commands -------------------------------------- */

static void test_bad_pointers(void)
{
    static const uint64_t cmds[] = { HVMOP_SET_PARAM, HVMOP_GET_PARAM };
    /* valid for both: its first half is domid SELF, pad 0, CALLBACK_IRQ */
    const struct xen_hvm_param good = {
        .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ, .value = VECTOR_CB(0x20),
    };

    for (size_t c = 0; c < 2; c++)
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
            const char *op = c ? "GET" : "SET";
            setup();
            bad_pointers_put_valid(&good, sizeof good);
            shim_world_snapshot();
            CHECK(shim_name("%s %s -> EFAULT", op, b->what), hvm(dom1, cmds[c], b->va) == -XEN_EFAULT);
            CHECK(shim_name("%s %s changes nothing", op, b->what), shim_world_unchanged());
        }
}

static void test_unknown(void)
{
    static const uint64_t cmds[] = { 2, 3, 0x100, 1ull << 32, ~0ull };

    setup();
    put_param(ARG, DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, VECTOR_CB(0x20));
    shim_world_snapshot();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              hvm(dom1, cmds[i], ARG) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", shim_world_unchanged());
}

int main(void)
{
    test_set_callback();
    test_set_errors();
    test_get();
    test_get_errors();
    test_bad_pointers();
    test_unknown();
    CHECK_DONE();
}
