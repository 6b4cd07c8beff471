/*
 * Family `hvm_op` (docs/abi.md, "34 hvm_op"): every parameter read back,
 * the callback vector set (and turned off and on again), the read-only
 * parameters, the checks on value, index, pad and domain, bad pointers,
 * and another domain's parameters (dom0 only).
 */
#include <stdint.h>

#include <public/hvm_op.h>

#include "abi.h"
#include "evtchn.h"
#include "hypercall.h"
#include "idt.h"

#define F "hvm_op"
#define BAD_INDEX 9999
#define CONSOLE_RING_PFN 0xA0
#define STORE_RING_PFN 0xA1
#define CALLBACK_TYPE(t) ((uint64_t)(t) << HVM_PARAM_CALLBACK_TYPE_SHIFT)
#define OUR_CALLBACK (CALLBACK_TYPE(HVM_PARAM_CALLBACK_TYPE_VECTOR) | EVTCHN_UPCALL_VECTOR)

static long call(unsigned long cmd, uint64_t arg)
{
    return hypercall3(HYPERCALL_HVM_OP, cmd, arg, 0);
}

static long param(unsigned long cmd, domid_t dom, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = dom, .index = index, .value = *value };
    long rc = call(cmd, (uintptr_t)&p);

    *value = p.value;
    return rc;
}

static long get(domid_t dom, uint32_t index, uint64_t *value)
{
    *value = 0xdeadbeefdeadbeefull;
    return param(HVMOP_GET_PARAM, dom, index, value);
}

static long set(domid_t dom, uint32_t index, uint64_t value)
{
    return param(HVMOP_SET_PARAM, dom, index, &value);
}

/* get `index` of `dom` must return `want` with value `value`. */
static void expect_get(const char *name, domid_t dom, uint32_t index, long want, uint64_t value)
{
    uint64_t v;
    long rc = get(dom, index, &v);

    if (rc != want || want != 0)
        abi_expect(F, name, rc, want);
    else
        abi_check(F, name, v == value, "value", (long)v);
}

static void get_cases(void)
{
    uint64_t port;

    expect_get("get_param-callback", DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0, OUR_CALLBACK);
    expect_get("get_param-callback-own-id", abi.self, HVM_PARAM_CALLBACK_IRQ, 0, OUR_CALLBACK);
    expect_get("get_param-store-pfn", DOMID_SELF, HVM_PARAM_STORE_PFN, 0,
               abi_priv(0, STORE_RING_PFN));
    /* dom0 has no store ring; dom0-test is no toolstack and sets no domU's port. */
    expect_get("get_param-store-evtchn", DOMID_SELF, HVM_PARAM_STORE_EVTCHN, 0, 0);
    expect_get("get_param-console-pfn", DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 0,
               abi_priv(0, CONSOLE_RING_PFN));
    if (abi.privileged) {
        expect_get("get_param-console-evtchn", DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, 0, 0);
    } else {
        /* The console ring's port: interdomain with the hypervisor. */
        struct evtchn_status st;
        long rc = get(DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, &port);

        if (rc == 0)
            rc = evtchn_status(DOMID_SELF, (evtchn_port_t)port, &st);
        abi_check(F, "get_param-console-evtchn",
                  port > 0 && rc == EVTCHNSTAT_interdomain && st.u.interdomain.dom == DOMID_XEN,
                  "port status", rc);
    }
    expect_get("get_param-unknown-index", DOMID_SELF, BAD_INDEX, -XEN_EINVAL, 0);
    expect_get("get_param-index-3", DOMID_SELF, 3, -XEN_EINVAL, 0);
    expect_get("get_param-index-max", DOMID_SELF, 0xffffffff, -XEN_EINVAL, 0);
}

static void set_cases(void)
{
    long rc;

    abi_expect(F, "set_param-callback", set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, OUR_CALLBACK), 0);
    /* Only the vector type, vectors 0x10-0xFF, no stray bits. */
    abi_expect(F, "set_param-callback-gsi", set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0x20),
               -XEN_EINVAL);
    abi_expect(F, "set_param-callback-pci-intx",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, CALLBACK_TYPE(1) | 0x20), -XEN_EINVAL);
    abi_expect(F, "set_param-callback-type-3",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, CALLBACK_TYPE(3) | 0x20), -XEN_EINVAL);
    abi_expect(F, "set_param-callback-vector-0xf",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, CALLBACK_TYPE(2) | 0x0f), -XEN_EINVAL);
    abi_expect(F, "set_param-callback-vector-0",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, CALLBACK_TYPE(2)), -XEN_EINVAL);
    abi_expect(F, "set_param-callback-stray-bits",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, OUR_CALLBACK | 0x100), -XEN_EINVAL);
    abi_expect(F, "set_param-callback-vector-0x10",
               set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, CALLBACK_TYPE(2) | 0x10), 0);
    expect_get("set_param-callback-reads-back", DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0,
               CALLBACK_TYPE(2) | 0x10);
    /* 0 turns the upcall off; our vector again on (events meanwhile are
     * taken by hand, abi_take_events). */
    abi_expect(F, "set_param-callback-off", set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0), 0);
    expect_get("set_param-callback-off-reads-back", DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0, 0);
    rc = set(DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, OUR_CALLBACK);
    abi_take_events();
    abi_expect(F, "set_param-callback-restored", rc, 0);
    expect_get("set_param-refusals-change-nothing", DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0,
               OUR_CALLBACK);

    /* Set by the hypervisor at build, read-only to guests (dom0 included);
     * STORE_EVTCHN is dom0's to set for a domU (domctl.store-evtchn-set-by-dom0). */
    abi_expect(F, "set_param-store-pfn", set(DOMID_SELF, HVM_PARAM_STORE_PFN, 0x1234), -XEN_EPERM);
    abi_expect(F, "set_param-store-evtchn", set(DOMID_SELF, HVM_PARAM_STORE_EVTCHN, 1), -XEN_EPERM);
    abi_expect(F, "set_param-console-pfn", set(DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 0x1234),
               -XEN_EPERM);
    abi_expect(F, "set_param-console-evtchn", set(DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, 1),
               -XEN_EPERM);
    expect_get("set_param-console-pfn-unchanged", DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 0,
               abi_priv(0, CONSOLE_RING_PFN));
    abi_expect(F, "set_param-unknown-index", set(DOMID_SELF, BAD_INDEX, 0), -XEN_EINVAL);
}

static long pad_call(unsigned long cmd)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .pad = 1, .index = HVM_PARAM_CALLBACK_IRQ,
                               .value = OUR_CALLBACK };

    return call(cmd, (uintptr_t)&p);
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr);
}

/* Another domain's parameters: dom0's to read and set, never a domU's. */
static void domain_cases(void)
{
    uint64_t cb = 0;

    if (abi.privileged) {
        expect_get("get_param-peer", abi.peer, HVM_PARAM_CONSOLE_PFN, 0, CONSOLE_RING_PFN);
        /* Set the peer's callback to what it is already: allowed, harmless. */
        long rc = get(abi.peer, HVM_PARAM_CALLBACK_IRQ, &cb);
        if (rc == 0)
            rc = set(abi.peer, HVM_PARAM_CALLBACK_IRQ, cb);
        abi_check(F, "set_param-peer", rc == 0 && cb == OUR_CALLBACK, "rc or value",
                  rc ? rc : (long)cb);
        abi_expect(F, "set_param-peer-read-only-param",
                   set(abi.peer, HVM_PARAM_CONSOLE_PFN, 0x1234), -XEN_EPERM);
    } else {
        abi_expect(F, "get_param-peer", get(abi.peer, HVM_PARAM_CONSOLE_PFN, &cb), -XEN_EPERM);
        abi_expect(F, "set_param-peer", set(abi.peer, HVM_PARAM_CALLBACK_IRQ, 0), -XEN_EPERM);
        abi_expect(F, "set_param-peer-read-only-param",
                   set(abi.peer, HVM_PARAM_CONSOLE_PFN, 0x1234), -XEN_EPERM);
    }
    abi_expect(F, "get_param-absent", get(abi.absent, HVM_PARAM_CALLBACK_IRQ, &cb),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "set_param-absent", set(abi.absent, HVM_PARAM_CALLBACK_IRQ, 0),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "get_param-gone", get(abi.gone, HVM_PARAM_CALLBACK_IRQ, &cb),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    abi_expect(F, "set_param-gone", set(abi.gone, HVM_PARAM_CALLBACK_IRQ, 0),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
    /* The domain is checked before pad: a domU learns nothing about others. */
    abi_expect(F, "get_param-domid-max", get(0xffff, HVM_PARAM_CALLBACK_IRQ, &cb),
               abi_priv(-XEN_ESRCH, -XEN_EPERM));
}

void abi_hvm_op_cases(void)
{
    static const unsigned long get_cmd = HVMOP_GET_PARAM, set_cmd = HVMOP_SET_PARAM;
    struct xen_hvm_param get_req = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ };
    struct xen_hvm_param set_req = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
                                     .value = OUR_CALLBACK };

    get_cases();
    set_cases();
    abi_expect(F, "get_param-pad", pad_call(HVMOP_GET_PARAM), -XEN_EINVAL);
    abi_expect(F, "set_param-pad", pad_call(HVMOP_SET_PARAM), -XEN_EINVAL);
    abi_badptr_cases(F, "get_param", true, &get_req, sizeof get_req, badptr_call,
                     (void *)&get_cmd, -XEN_EFAULT);
    /* set writes nothing back: read-only memory is fine for it. */
    abi_badptr_cases(F, "set_param", false, &set_req, sizeof set_req, badptr_call,
                     (void *)&set_cmd, -XEN_EFAULT);
    {
        void *backing;
        uint64_t ro = abi_readonly_page(&backing);

        *(struct xen_hvm_param *)backing = set_req;
        abi_expect(F, "set_param-readonly-arg", call(HVMOP_SET_PARAM, ro), 0);
    }
    domain_cases();
    abi_expect(F, "unknown-cmd-2", call(2, (uintptr_t)&get_req), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, (uintptr_t)&get_req), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-badptr", call(99, ABI_UNMAPPED), -XEN_ENOSYS);
}
