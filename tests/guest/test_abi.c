/*
 * test=abi (alias hypercall-errors): every documented error path of the
 * calls this kernel knows, and the results a Xen PVH guest relies on. One
 * line per case: `hc/` for the original console_io and sched_op cases,
 * `abi/` for the Xen PVH calls.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "arch.h"
#include "console.h"
#include "hypercall.h"
#include "idt.h"
#include "tests.h"
#include "timer.h"

/* Lowest non-canonical address with 48-bit linear addresses. */
#define NONCANONICAL_ADDR  0x0000800000000000ull
/* A sub-operation number no call defines. */
#define BAD_CMD            99
/* An HVM parameter index no hypervisor defines. */
#define BAD_HVM_PARAM      9999
/* A port no one binds: this kernel binds VIRQ_TIMER and gets the console port. */
#define UNBOUND_PORT       63
#define BAD_VIRQ           99
#define MAP_CAPACITY       8

#define CALLBACK_VALUE (((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << HVM_PARAM_CALLBACK_TYPE_SHIFT) | \
                        EVTCHN_UPCALL_VECTOR)

static void expect_in(const char *group, const char *name, long got, long expected)
{
    if (got == expected)
        printk("PASS: %s/%s\n", group, name);
    else
        printk("FAIL: %s/%s got %ld expected %ld\n", group, name, got, expected);
}

static void expect(const char *name, long got, long expected)
{
    expect_in("hc", name, got, expected);
}

static void expect_abi(const char *name, long got, long expected)
{
    expect_in("abi", name, got, expected);
}

/* The original console_io and sched_op cases. */
static void hc_cases(void)
{
    static const char probe[] = "x";
    static char oversized[CONSOLEIO_WRITE_MAX + 1];     /* mapped, just too long */
    static const char line[] = "console_io returns the count\n";
    struct sched_shutdown poweroff = { .reason = SHUTDOWN_POWEROFF };
    struct sched_shutdown bad_reason = { .reason = 99 };

    /* Unknown numbers: inside the table, at its end, far beyond, all ones. */
    expect("unknown-63", hypercall3(63, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-64", hypercall3(HYPERCALL_COUNT, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-1000", hypercall3(1000, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-max", hypercall3(~0ul, 0, 0, 0), -XEN_ENOSYS);

    /* Buffers no page-table walk can translate. */
    expect("console-noncanonical",
           hyp_console_io(CONSOLEIO_WRITE, 16, NONCANONICAL_ADDR), -XEN_EFAULT);
    expect("console-unmapped",
           hyp_console_io(CONSOLEIO_WRITE, 16, IDENTITY_MAP_END), -XEN_EFAULT);

    /* Valid buffers, so only the command or the length can be at fault. */
    expect("console-badcmd", hyp_console_io(7, 1, (unsigned long)probe), -XEN_ENOSYS);
    expect("console-toolong",
           hyp_console_io(CONSOLEIO_WRITE, sizeof(oversized), (unsigned long)oversized),
           -XEN_EINVAL);
    expect("sched-badcmd", hyp_sched_op(BAD_CMD, (unsigned long)&poweroff), -XEN_ENOSYS);
    expect("sched-shutdown-badptr", hyp_sched_op(SCHEDOP_SHUTDOWN, IDENTITY_MAP_END),
           -XEN_EFAULT);

    /* A buffer whose first half is mapped and second half is not: all or nothing. */
    expect("console-straddle",
           hyp_console_io(CONSOLEIO_WRITE, 16, IDENTITY_MAP_END - 8), -XEN_EFAULT);
    expect("console-zero", hyp_console_io(CONSOLEIO_WRITE, 0, (unsigned long)probe), 0);
    expect("console-returns-count",
           hyp_console_io(CONSOLEIO_WRITE, sizeof(line) - 1, (unsigned long)line),
           (long)sizeof(line) - 1);
    expect("sched-shutdown-badreason",
           hyp_sched_op(SCHEDOP_SHUTDOWN, (unsigned long)&bad_reason), -XEN_EINVAL);
    expect("sched-yield", hyp_sched_op(SCHEDOP_YIELD, 0), 0);
}

/* Stub N must read "mov eax, N; vmcall; ret" (B8 N32, 0F 01 C1, C3). */
static bool stub_ok(unsigned int n)
{
    const uint8_t *s = hypercall_page + n * HYPERCALL_STUB_SIZE;
    uint32_t imm = s[1] | s[2] << 8 | s[3] << 16 | (uint32_t)s[4] << 24;

    return s[0] == 0xB8 && imm == n && s[5] == 0x0F && s[6] == 0x01 && s[7] == 0xC1 &&
           s[8] == 0xC3;
}

static void hypercall_page_cases(void)
{
    const long version = (MICA_XEN_VERSION_MAJOR << 16) | MICA_XEN_VERSION_MINOR;
    long via_page, direct;
    unsigned int bad = 0, first_bad = 0;

    for (unsigned int n = 0; n < HYPERCALL_PAGE_STUBS; n++) {
        if (!stub_ok(n) && bad++ == 0)
            first_bad = n;
    }
    if (bad == 0)
        printk("PASS: abi/hypercall-page-stubs\n");
    else
        printk("FAIL: abi/hypercall-page-stubs %u of %u stubs wrong, first %u\n", bad,
               (unsigned int)HYPERCALL_PAGE_STUBS, first_bad);

    via_page = hypercall5_page(HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0);
    direct = hypercall5_direct(HYPERCALL_XEN_VERSION, XENVER_VERSION, 0, 0, 0, 0);
    if (via_page == direct && direct == version)
        printk("PASS: abi/page-matches-vmcall\n");
    else
        printk("FAIL: abi/page-matches-vmcall page %ld vmcall %ld expected %ld\n", via_page,
               direct, version);
}

static void xen_version_cases(void)
{
    const uint32_t want = 1u << XENFEAT_WRITABLE_PAGE_TABLES |
                          1u << XENFEAT_AUTO_TRANSLATED_PHYSMAP |
                          1u << XENFEAT_HVM_CALLBACK_VECTOR | 1u << XENFEAT_HVM_SAFE_PVCLOCK;
    struct xen_feature_info fi = { .submap_idx = 0 };
    char extra[XEN_EXTRAVERSION_LEN];
    long rc;

    expect_abi("version", hyp_xen_version(XENVER_VERSION, 0),
               (MICA_XEN_VERSION_MAJOR << 16) | MICA_XEN_VERSION_MINOR);

    rc = hyp_xen_version(XENVER_GET_FEATURES, (unsigned long)&fi);
    if (rc == 0 && (fi.submap & want) == want)
        printk("PASS: abi/features-0\n");
    else
        printk("FAIL: abi/features-0 rc %ld submap 0x%x lacks 0x%x\n", rc, fi.submap,
               want & ~fi.submap);
    fi = (struct xen_feature_info){ .submap_idx = 1 };
    expect_abi("features-1", hyp_xen_version(XENVER_GET_FEATURES, (unsigned long)&fi),
               -XEN_EINVAL);

    expect_abi("pagesize", hyp_xen_version(XENVER_PAGESIZE, 0), PAGE_SIZE);
    expect_abi("extraversion", hyp_xen_version(XENVER_EXTRAVERSION, (unsigned long)extra), 0);
    expect_abi("extraversion-unmapped", hyp_xen_version(XENVER_EXTRAVERSION, IDENTITY_MAP_END),
               -XEN_EFAULT);
    expect_abi("xen-version-badcmd", hyp_xen_version(BAD_CMD, (unsigned long)extra),
               -XEN_ENOSYS);
}

/* Do the first n entries of e820[] equal the start-info map's? */
static bool map_matches(const struct hvm_start_info *si, const struct e820_entry *e820,
                        uint32_t n)
{
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;

    if (n > si->memmap_entries)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (e820[i].addr != map[i].addr || e820[i].size != map[i].size ||
            e820[i].type != map[i].type)
            return false;
    }
    return true;
}

static void memory_map_case(const char *name, const struct hvm_start_info *si, uint32_t capacity,
                            uint32_t expected)
{
    struct e820_entry e820[MAP_CAPACITY] = { 0 };
    struct xen_memory_map mm = { .nr_entries = capacity, .buffer = (uintptr_t)e820 };
    long rc = hyp_memory_op(XENMEM_MEMORY_MAP, (unsigned long)&mm);

    if (rc == 0 && mm.nr_entries == expected && map_matches(si, e820, expected))
        printk("PASS: abi/%s\n", name);
    else
        printk("FAIL: abi/%s rc %ld entries %u expected %u (start info has %u)%s\n", name, rc,
               mm.nr_entries, expected, si->memmap_entries,
               rc == 0 && mm.nr_entries == expected ? ", contents differ" : "");
}

static void memory_op_cases(const struct hvm_start_info *si)
{
    struct xen_memory_map mm = { .nr_entries = MAP_CAPACITY, .buffer = IDENTITY_MAP_END };
    struct xen_memory_map probe = { 0 };

    memory_map_case("memory-map", si, MAP_CAPACITY, si->memmap_entries);
    memory_map_case("memory-map-short", si, 1, 1);
    expect_abi("memory-map-badbuf", hyp_memory_op(XENMEM_MEMORY_MAP, (unsigned long)&mm),
               -XEN_EFAULT);
    expect_abi("memory-op-badcmd", hyp_memory_op(BAD_CMD, (unsigned long)&probe), -XEN_ENOSYS);
}

static long hvm_param(unsigned int cmd, uint16_t domid, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = domid, .index = index, .value = *value };
    long rc = hyp_hvm_op(cmd, (unsigned long)&p);

    *value = p.value;
    return rc;
}

static void hvm_op_cases(const struct hvm_start_info *si)
{
    uint64_t v = 0;
    long rc;

    rc = hvm_param(HVMOP_GET_PARAM, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &v);
    if (rc == 0 && v == CALLBACK_VALUE)
        printk("PASS: abi/callback-get\n");
    else
        printk("FAIL: abi/callback-get rc %ld value 0x%lx expected 0x%lx\n", rc,
               (unsigned long)v, (unsigned long)CALLBACK_VALUE);

    /* Type 0 (GSI) is not offered, and vector 5 is an exception anyway. */
    v = 5;
    expect_abi("callback-gsi", hvm_param(HVMOP_SET_PARAM, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &v),
               -XEN_EINVAL);
    v = 0;
    rc = hvm_param(HVMOP_GET_PARAM, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &v);
    if (rc == 0 && v == CALLBACK_VALUE)
        printk("PASS: abi/callback-unchanged\n");
    else
        printk("FAIL: abi/callback-unchanged rc %ld value 0x%lx\n", rc, (unsigned long)v);

    v = 0x1234;
    expect_abi("console-pfn-set", hvm_param(HVMOP_SET_PARAM, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, &v),
               -XEN_EPERM);
    v = 0;
    expect_abi("param-unknown", hvm_param(HVMOP_GET_PARAM, DOMID_SELF, BAD_HVM_PARAM, &v),
               -XEN_EINVAL);

    /* dom0 may read another domain's parameters (domain 1 is a domU in the
     * system tests); a domU may not look at another domain at all. */
    if (si->flags & SIF_PRIVILEGED) {
        v = 0;
        expect_abi("hvm-other-domain-dom0",
                   hvm_param(HVMOP_GET_PARAM, 1, HVM_PARAM_CONSOLE_PFN, &v), 0);
        expect_abi("hvm-other-domain-dom0-value", (long)v, 0xA0);
        expect_abi("hvm-missing-domain-dom0",
                   hvm_param(HVMOP_GET_PARAM, 30, HVM_PARAM_CONSOLE_PFN, &v), -XEN_ESRCH);
    } else {
        uint16_t other = xen_domid() == 0 ? 1 : 0;

        v = 0;
        expect_abi("hvm-other-domain",
                   hvm_param(HVMOP_GET_PARAM, other, HVM_PARAM_CALLBACK_IRQ, &v), -XEN_EPERM);
    }
    /* Console input is dom0's: nothing has been typed in the tests. */
    static char input[16];
    expect_abi("console-read", hyp_console_io(CONSOLEIO_READ, sizeof input, (unsigned long)input),
               (si->flags & SIF_PRIVILEGED) ? 0 : -XEN_EPERM);
    v = 0;
    expect_abi("hvm-op-badcmd", hvm_param(BAD_CMD, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &v),
               -XEN_ENOSYS);
}

static void vcpu_op_cases(void)
{
    struct vcpu_set_singleshot_timer past = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_FUTURE };

    expect_abi("vcpu-1-absent", hyp_vcpu_op(VCPUOP_STOP_SINGLESHOT_TIMER, 1, 0), -XEN_EINVAL);
    expect_abi("singleshot-past",
               hyp_vcpu_op(VCPUOP_SET_SINGLESHOT_TIMER, 0, (unsigned long)&past), -XEN_ETIME);
    expect_abi("vcpu-op-badcmd", hyp_vcpu_op(BAD_CMD, 0, (unsigned long)&past), -XEN_ENOSYS);
}

static void event_channel_cases(void)
{
    struct evtchn_port_arg unbound = { .port = UNBOUND_PORT };
    struct evtchn_port_arg timer = { .port = timer_port() };
    struct evtchn_bind_virq bad = { .virq = BAD_VIRQ, .vcpu = 0 };

    expect_abi("evtchn-send-unbound", hyp_event_channel_op(EVTCHNOP_SEND, (unsigned long)&unbound),
               -XEN_EINVAL);
    expect_abi("evtchn-bind-virq-99", hyp_event_channel_op(EVTCHNOP_BIND_VIRQ, (unsigned long)&bad),
               -XEN_EINVAL);
    expect_abi("evtchn-unmask-timer", hyp_event_channel_op(EVTCHNOP_UNMASK, (unsigned long)&timer),
               0);
    expect_abi("evtchn-op-badcmd", hyp_event_channel_op(BAD_CMD, (unsigned long)&timer),
               -XEN_ENOSYS);
}

void test_abi(const struct guest_env *env)
{
    hc_cases();
    hypercall_page_cases();
    xen_version_cases();
    memory_op_cases(env->si);
    hvm_op_cases(env->si);
    vcpu_op_cases();
    event_channel_cases();
    printk("abi: done\n");
}
