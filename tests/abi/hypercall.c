/*
 * Family `hypercall`: dispatch and the calling convention (docs/abi.md,
 * "Calling convention", "Hypercalls"): unknown numbers, the hypercall page,
 * which registers a call may change (none but RAX), and Xen's 32-bit
 * convention, run by vCPU 2 from tests/abi/compat32.asm. Also the action
 * of the domain whose hypercall policy its boot line narrows
 * (test=restricted): what the policy denies gets -EPERM, the rest works.
 */
#include <stdint.h>

#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm_vcpu.h>
#include <public/sched_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "abi.h"
#include "arch.h"
#include "clock.h"
#include "console.h"
#include "control.h"
#include "hypercall.h"
#include "lib.h"
#include "timer.h"

#define F "hypercall"
#define VERSION ((MICA_XEN_VERSION_MAJOR << 16) | MICA_XEN_VERSION_MINOR)
#define COMPAT32_VCPU 2
#define STUB_INT3 0xCC
#define STUB_CODE_LEN 9                 /* B8 imm32, 0F 01 C1, C3 */
#define RESTRICTED_POLL_NS (10 * NSEC_PER_MSEC)

extern char abi_compat32_entry[];
extern volatile uint32_t abi_compat32_results[8];
extern volatile struct vcpu_runstate_info abi_compat32_runstate;     /* 48 bytes */

/* The numbers of the dispatch table (hv/hypercall.c), as docs/abi.md lists them. */
static bool known(unsigned long nr)
{
    switch (nr) {
    case HYPERCALL_MEMORY_OP: case HYPERCALL_SET_TIMER_OP: case HYPERCALL_XEN_VERSION:
    case HYPERCALL_CONSOLE_IO: case HYPERCALL_GRANT_TABLE_OP: case HYPERCALL_VCPU_OP:
    case HYPERCALL_SCHED_OP: case HYPERCALL_EVENT_CHANNEL_OP: case HYPERCALL_PHYSDEV_OP:
    case HYPERCALL_HVM_OP:
    case HYPERCALL_SYSCTL: case HYPERCALL_DOMCTL:
        return true;
    default:
        return false;
    }
}

static void unknown_cases(void)
{
    long first_bad = -1, got = 0;

    /* Every number in the table's range that has no handler, both ways in. */
    for (unsigned long nr = 0; nr < HYPERCALL_COUNT && first_bad < 0; nr++) {
        if (known(nr))
            continue;
        got = hypercall5_direct(nr, 0, 0, 0, 0, 0);
        if (got == -XEN_ENOSYS)
            got = hypercall5_page(nr, 0, 0, 0, 0, 0);
        if (got != -XEN_ENOSYS)
            first_bad = (long)nr;
    }
    abi_check(F, "unknown-numbers-below-64", first_bad < 0, "number", first_bad);
    abi_expect(F, "unknown-64", hypercall5_direct(HYPERCALL_COUNT, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-127-page", hypercall5_page(127, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-1000", hypercall5_direct(1000, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    /* Numbers are 64 bits wide in 64-bit mode: 2^32 + 17 is not xen_version. */
    abi_expect(F, "unknown-above-32-bits",
               hypercall5_direct((1ul << 32) | HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0),
               -XEN_ENOSYS);
    abi_expect(F, "unknown-max", hypercall5_direct(~0ul, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}

/* Stub N reads "mov eax, N; vmcall; ret" and int3 to its end. */
static bool stub_ok(unsigned int n)
{
    const uint8_t *s = hypercall_page + n * HYPERCALL_STUB_SIZE;
    uint32_t imm = s[1] | s[2] << 8 | s[3] << 16 | (uint32_t)s[4] << 24;

    if (s[0] != 0xB8 || imm != n || s[5] != 0x0F || s[6] != 0x01 || s[7] != 0xC1 || s[8] != 0xC3)
        return false;
    for (unsigned int i = STUB_CODE_LEN; i < HYPERCALL_STUB_SIZE; i++)
        if (s[i] != STUB_INT3)
            return false;
    return true;
}

static void page_cases(void)
{
    long first_bad = -1;

    for (unsigned int n = 0; n < HYPERCALL_PAGE_STUBS && first_bad < 0; n++)
        if (!stub_ok(n))
            first_bad = n;
    abi_check(F, "page-stubs", first_bad < 0, "first wrong stub", first_bad);
    abi_expect(F, "page-matches-vmcall",
               hypercall5_page(HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0),
               hypercall5_direct(HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0));
}

/* The registers of one call: none may change but RAX. */
static void registers_case(const char *name, unsigned long nr, unsigned long cmd, long want)
{
    struct hypercall_regs before = {
        .rbx = 0x1111111111111111ul, .rcx = 0x2222222222222222ul, .rdx = 0x3333333333333333ul,
        .rsi = 0x4444444444444444ul, .rdi = cmd, .r8 = 0x5555555555555555ul,
        .r9 = 0x6666666666666666ul, .r10 = 0x7777777777777777ul, .r11 = 0x8888888888888888ul,
        .r12 = 0x9999999999999999ul, .r13 = 0xAAAAAAAAAAAAAAAAul, .r14 = 0xBBBBBBBBBBBBBBBBul,
        .r15 = 0xCCCCCCCCCCCCCCCCul,
    };
    struct hypercall_regs after = before;
    const unsigned long *b = (const unsigned long *)&before, *a = (const unsigned long *)&after;
    long rc = hypercall_direct_regs(nr, &after), changed = -1;

    for (unsigned int i = 0; i < sizeof before / sizeof *b && changed < 0; i++)
        if (a[i] != b[i])
            changed = i;
    if (rc != want)
        abi_expect(F, name, rc, want);
    else
        abi_check(F, name, changed < 0,
                  "register changed (0 rbx 1 rcx 2 rdx 3 rsi 4 rdi 5 r8 .. 12 r15)", changed);
}

void abi_hypercall_cases(void)
{
    unknown_cases();
    page_cases();
    registers_case("registers-preserved", HYPERCALL_XEN_VERSION, XENVER_VERSION, VERSION);
    registers_case("registers-preserved-on-error", HYPERCALL_XEN_VERSION, 99, -XEN_ENOSYS);
    registers_case("registers-preserved-unknown", 63, 0, -XEN_ENOSYS);
}

/* ---- the 32-bit convention, on vCPU 2 -------------------------------------- */

void abi_flat32_context(struct vcpu_hvm_context *c, uint32_t eip)
{
    *c = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_32B };
    c->cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eip = eip, .eflags = 2, .cr0 = 0x11,
        .cs_limit = 0xffffffff, .ds_limit = 0xffffffff, .ss_limit = 0xffffffff,
        .es_limit = 0xffffffff, .tr_limit = 0x67,
        .cs_ar = 0xc9b, .ds_ar = 0xc93, .ss_ar = 0xc93, .es_ar = 0xc93, .tr_ar = 0x8b,
    };
}

static bool compat32_down(void *arg)
{
    (void)arg;
    return hyp_vcpu_op(VCPUOP_IS_UP, COMPAT32_VCPU, 0) == 0;
}

void abi_hypercall_compat32_cases(void)
{
    struct vcpu_hvm_context c;
    long rc;

    if (abi.nvcpus <= COMPAT32_VCPU) {
        abi_check(F, "compat32-started", false, "needs vcpus=3, have", abi.nvcpus);
        return;
    }
    abi_flat32_context(&c, (uint32_t)(uintptr_t)abi_compat32_entry);
    abi_compat32_prepare();     /* the compat-layout calls (hypercall-compat32.c) */
    rc = hyp_vcpu_op(VCPUOP_INITIALISE, COMPAT32_VCPU, (unsigned long)&c);
    if (rc == 0)
        rc = hyp_vcpu_op(VCPUOP_UP, COMPAT32_VCPU, 0);
    if (!abi_expect(F, "compat32-started", rc, 0))
        return;
    if (!abi_check(F, "compat32-finished", abi_wait(compat32_down, NULL, 10 * NSEC_PER_SEC),
                   "is_up", hyp_vcpu_op(VCPUOP_IS_UP, COMPAT32_VCPU, 0)))
        return;
    abi_expect(F, "compat32-result-in-eax", abi_compat32_results[0], VERSION);
    abi_expect(F, "compat32-args-ebx-ecx-edx", abi_compat32_results[1], 0);
    abi_expect(F, "compat32-output-written", abi_compat32_runstate.state, RUNSTATE_RUNNING);
    abi_expect(F, "compat32-error-in-eax", abi_compat32_results[2], (uint32_t)-XEN_ENOSYS);
    abi_check(F, "compat32-registers-preserved",
              abi_compat32_results[3] == 99 && abi_compat32_results[4] == 0x11111111 &&
                  abi_compat32_results[5] == 0x22222222 && abi_compat32_results[6] == 0x33333333 &&
                  abi_compat32_results[7] == 0x44444444,
              "ebx after", abi_compat32_results[3]);
    abi_compat32_check();
}

/*
 * test=restricted: a domain booted with the deny= of ABI_RESTRICTED_DENY
 * (tests/system/conformance.cfg) makes each denied call the number of times
 * dom0 then finds counted (domctl.get_denials-restricted), checks that the
 * calls the policy leaves alone still reach their handlers, then waits for
 * dom0 to deny it xen_version pagesize as well (domctl.set_policy-restricted)
 * and powers off.
 */
void test_restricted(const struct guest_env *env)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    evtchn_port_t port = 1;
    struct sched_poll poll = { .ports = (uintptr_t)&port, .nr_ports = 1, .timeout = 1 };
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 0 };
    struct mica_domctl_getdomaininfo info;

    printk("restricted: as %s, deny=%s\n", env->name, ABI_RESTRICTED_DENY);
    /* ABI_RESTRICTED_EVTCHN_DENIALS (3) event_channel_op alloc_unbound. */
    abi_expect(F, "restricted-denied-sub-op",
               hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&alloc), -XEN_EPERM);
    abi_expect(F, "restricted-denied-sub-op-again",
               hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&alloc), -XEN_EPERM);
    abi_expect(F, "restricted-denied-before-arguments-read",
               hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, ABI_UNMAPPED), -XEN_EPERM);
    /* ABI_RESTRICTED_GRANT_DENIALS (3) grant_table_op, any sub-op. */
    abi_expect(F, "restricted-denied-call",
               hyp_grant_table_op(GNTTABOP_query_size, (unsigned long)&qs, 1), -XEN_EPERM);
    abi_expect(F, "restricted-denied-call-other-sub-op",
               hyp_grant_table_op(GNTTABOP_get_version, (unsigned long)&gv, 1), -XEN_EPERM);
    abi_expect(F, "restricted-denied-call-unknown-sub-op", hyp_grant_table_op(99, 0, 0),
               -XEN_EPERM);
    /* ABI_RESTRICTED_SCHED_DENIALS (1) sched_op poll. */
    abi_expect(F, "restricted-denied-poll", hyp_sched_op(SCHEDOP_POLL, (unsigned long)&poll),
               -XEN_EPERM);

    /* Not denied: these reach their handlers and get their usual answers. */
    abi_expect(F, "restricted-allowed-sub-op",
               hyp_event_channel_op(EVTCHNOP_STATUS, (unsigned long)&st), -XEN_EINVAL);
    abi_expect(F, "restricted-allowed-same-family", hyp_sched_op(SCHEDOP_YIELD, 0), 0);
    abi_expect(F, "restricted-allowed-call", hyp_xen_version(XENVER_VERSION, 0), VERSION);
    abi_expect(F, "restricted-unknown-sub-op-still-enosys", hyp_sched_op(99, 0), -XEN_ENOSYS);
    abi_expect(F, "restricted-unknown-number-still-enosys",
               hypercall5_direct(HYPERCALL_COUNT - 1, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    /* The table's privilege check, not the policy's: not counted. */
    abi_expect(F, "restricted-privileged-still-eperm",
               domctl_get_domaininfo(DOMID_SELF, &info), -XEN_EPERM);
    /* Booted with evtchn=2l too (tests/system/conformance.cfg). */
    abi_event_channel_op_fifo_2l_cases();

    /* dom0 narrows the policy while we run: the first -EPERM ends the wait
     * and is the one xen_version denial dom0 then counts. */
    uint64_t end = clock_now_ns() + ABI_RESTRICTED_WAIT_NS;
    long rc = hyp_xen_version(XENVER_PAGESIZE, 0);
    while (rc == PAGE_SIZE && clock_now_ns() < end) {
        sleep_ns(RESTRICTED_POLL_NS);
        rc = hyp_xen_version(XENVER_PAGESIZE, 0);
    }
    abi_expect(F, "restricted-denied-at-run-time", rc, -XEN_EPERM);
    abi_expect(F, "restricted-at-run-time-rest-allowed", hyp_xen_version(XENVER_VERSION, 0),
               VERSION);
    abi_summary();
}
