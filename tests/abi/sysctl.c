/*
 * Family `sysctl` (docs/abi.md, "35 sysctl"): dom0 reads the machine; a
 * domU gets -EPERM for everything, before its argument is even read (so a
 * bad pointer is -EPERM too). The checks come in the documented order:
 * interface version, command, pad. dom0 reads each CPU's counters and sees
 * their VM exits grow by at least the calls it makes. Input values of OUT fields are ignored,
 * so every request here starts with them full of junk.
 */
#include <stdint.h>

#include <public/sysctl.h>
#include <public/xen_version.h>

#include "abi.h"
#include "console.h"
#include "control.h"
#include "lib.h"

#define F "sysctl"
#define JUNK 0xA5

static struct mica_sysctl req(uint32_t cmd)
{
    struct mica_sysctl op;

    memset(&op, JUNK, sizeof op);
    op.cmd = cmd;
    op.interface_version = MICA_SYSCTL_INTERFACE_VERSION;
    return op;
}

/* The marker line, found in the console's log read back in chunks from near its end. */
static bool log_has(const char *marker)
{
    struct mica_sysctl op = req(XEN_SYSCTL_READCONSOLE);
    static char text[4096];
    size_t got = 0, n = strlen(marker);

    op.u.readconsole.index = 0;
    op.u.readconsole.pad = 0;
    if (hyp_sysctl((uintptr_t)&op))
        return false;
    uint64_t index = op.u.readconsole.end > sizeof text ? op.u.readconsole.end - sizeof text : 0;
    while (got < sizeof text) {
        op = req(XEN_SYSCTL_READCONSOLE);
        op.u.readconsole.index = index;
        op.u.readconsole.pad = 0;
        if (hyp_sysctl((uintptr_t)&op) || op.u.readconsole.count == 0 ||
            op.u.readconsole.count > MICA_SYSCTL_READCONSOLE_CHUNK)
            break;
        size_t c = op.u.readconsole.count < sizeof text - got ? op.u.readconsole.count
                                                               : sizeof text - got;
        memcpy(text + got, op.u.readconsole.text, c);
        got += c;
        index = op.u.readconsole.index + op.u.readconsole.count;
    }
    for (size_t i = 0; i + n <= got; i++)
        if (memcmp(text + i, marker, n) == 0)
            return true;
    return false;
}

static void readconsole_cases(void)
{
    struct mica_sysctl op = req(XEN_SYSCTL_READCONSOLE);

    op.u.readconsole.pad = 0;
    op.u.readconsole.index = 0;
    long rc = hyp_sysctl((uintptr_t)&op);
    if (abi.privileged) {
        printk("sysctl readconsole marker %u\n", abi.self + 4242);
        abi_check(F, "readconsole", rc == 0 && op.u.readconsole.end > 0 && log_has("marker 4242"),
                  "rc", rc);
    } else {
        abi_expect(F, "readconsole", rc, -XEN_EPERM);
    }
    op = req(XEN_SYSCTL_READCONSOLE);
    op.u.readconsole.pad = 0;
    op.u.readconsole.index = ~0ull;
    rc = hyp_sysctl((uintptr_t)&op);
    if (abi.privileged)
        abi_check(F, "readconsole-past-end",
                  rc == 0 && op.u.readconsole.count == 0 &&
                      op.u.readconsole.index == op.u.readconsole.end,
                  "count", rc ? rc : (long)op.u.readconsole.count);
    else
        abi_expect(F, "readconsole-past-end", rc, -XEN_EPERM);
    op = req(XEN_SYSCTL_READCONSOLE);
    op.u.readconsole.pad = 1;
    abi_expect(F, "readconsole-pad", hyp_sysctl((uintptr_t)&op),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
}

static long badptr_call(uint64_t addr, void *ctx)
{
    (void)ctx;
    return hyp_sysctl(addr);
}

static long cpu_stats(uint32_t cpu, struct mica_sysctl_cpu_stats *out)
{
    struct mica_sysctl op = req(MICA_SYSCTL_GET_CPU_STATS);
    long rc;

    op.u.cpu_stats.cpu = cpu;
    rc = hyp_sysctl((uintptr_t)&op);
    *out = op.u.cpu_stats;
    return rc;
}

/* Every CPU's VM exits and scheduling decisions, added up; 0 or the error. */
static long all_cpus(uint32_t cpus, uint64_t *exits, uint64_t *picks)
{
    struct mica_sysctl_cpu_stats c;

    *exits = *picks = 0;
    for (uint32_t cpu = 0; cpu < cpus; cpu++) {
        long rc = cpu_stats(cpu, &c);
        if (rc)
            return rc;
        *exits += c.exits;
        *picks += c.sched_vcpu;
    }
    return 0;
}

static void get_cpu_stats_cases(uint32_t cpus)
{
    struct mica_sysctl_cpu_stats c;
    uint64_t exits, picks, exits2, picks2;
    long rc = cpu_stats(0, &c);

    if (abi.privileged)
        abi_check(F, "get_cpu_stats",
                  rc == 0 && c.cpu == 0 && c.nr_cpus == cpus && c.exits > 0 && c.sched_vcpu > 0 &&
                      c.sched_idle != 0xA5A5A5A5A5A5A5A5ull && c.idle_ns != 0xA5A5A5A5A5A5A5A5ull,
                  "rc or nr_cpus", rc ? rc : (long)c.nr_cpus);
    else
        abi_expect(F, "get_cpu_stats", rc, -XEN_EPERM);
    /* Every CPU answers; their exits grow by at least the calls we make. */
    rc = all_cpus(abi.privileged ? cpus : 1, &exits, &picks);
    if (rc == 0)
        for (int i = 0; i < 10; i++)
            hyp_xen_version(XENVER_VERSION, 0);
    rc = rc ? rc : all_cpus(cpus, &exits2, &picks2);
    if (abi.privileged)
        abi_check(F, "get_cpu_stats-grows",
                  rc == 0 && exits2 >= exits + 10 && picks2 >= picks && picks > 0,
                  "rc or exits", rc ? rc : (long)(exits2 - exits));
    else
        abi_expect(F, "get_cpu_stats-grows", rc, -XEN_EPERM);
    abi_expect(F, "get_cpu_stats-cpu-beyond-count", cpu_stats(abi.privileged ? cpus : 1, &c),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_expect(F, "get_cpu_stats-cpu-8", cpu_stats(MICA_SYSCTL_MAX_CPUS, &c),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_expect(F, "get_cpu_stats-cpu-max", cpu_stats(~0u, &c), abi_priv(-XEN_EINVAL, -XEN_EPERM));
}

void abi_sysctl_cases(void)
{
    struct mica_sysctl op = req(XEN_SYSCTL_PHYSINFO), init;
    struct mica_sysctl_physinfo phys;
    uint32_t cpus;
    long rc;

    rc = hyp_sysctl((uintptr_t)&op);
    phys = op.u.physinfo;
    cpus = phys.nr_cpus;
    if (abi.privileged)
        abi_check(F, "physinfo",
                  rc == 0 && cpus >= 1 && cpus <= MICA_SYSCTL_MAX_CPUS && phys.cpu_khz > 0 &&
                      phys.total_pages > 0 && phys.free_pages <= phys.total_pages &&
                      phys.migrations != 0xA5A5A5A5A5A5A5A5ull,
                  "rc or nr_cpus", rc ? rc : (long)cpus);
    else
        abi_expect(F, "physinfo", rc, -XEN_EPERM);

    op = req(XEN_SYSCTL_GETCPUINFO);
    op.u.getcpuinfo.pad = 0;
    rc = hyp_sysctl((uintptr_t)&op);
    if (abi.privileged) {
        bool zero_past = true;

        for (uint32_t i = cpus; i < MICA_SYSCTL_MAX_CPUS; i++)
            zero_past &= op.u.getcpuinfo.idle_ns[i] == 0;
        abi_check(F, "getcpuinfo", rc == 0 && op.u.getcpuinfo.nr_cpus == cpus && zero_past,
                  "rc or nr_cpus", rc ? rc : (long)op.u.getcpuinfo.nr_cpus);
    } else {
        abi_expect(F, "getcpuinfo", rc, -XEN_EPERM);
    }
    op = req(XEN_SYSCTL_GETCPUINFO);
    op.u.getcpuinfo.pad = 1;
    abi_expect(F, "getcpuinfo-pad", hyp_sysctl((uintptr_t)&op), abi_priv(-XEN_EINVAL, -XEN_EPERM));

    get_cpu_stats_cases(cpus);

    op = req(XEN_SYSCTL_PHYSINFO);
    op.interface_version = MICA_SYSCTL_INTERFACE_VERSION + 1;
    abi_expect(F, "physinfo-bad-version", hyp_sysctl((uintptr_t)&op),
               abi_priv(-XEN_EACCES, -XEN_EPERM));
    op = req(XEN_SYSCTL_PHYSINFO);
    op.interface_version = 0x00000013;          /* a Xen interface version: not ours */
    abi_expect(F, "physinfo-xen-version", hyp_sysctl((uintptr_t)&op),
               abi_priv(-XEN_EACCES, -XEN_EPERM));
    op = req(99);
    op.interface_version = 0;
    abi_expect(F, "bad-version-checked-before-cmd", hyp_sysctl((uintptr_t)&op),
               abi_priv(-XEN_EACCES, -XEN_EPERM));
    op = req(0);
    abi_expect(F, "unknown-cmd-0", hyp_sysctl((uintptr_t)&op), abi_priv(-XEN_ENOSYS, -XEN_EPERM));
    op = req(99);
    abi_expect(F, "unknown-cmd-99", hyp_sysctl((uintptr_t)&op), abi_priv(-XEN_ENOSYS, -XEN_EPERM));
    op = req(99);
    op.u.getcpuinfo.pad = 1;
    abi_expect(F, "cmd-checked-before-pad", hyp_sysctl((uintptr_t)&op),
               abi_priv(-XEN_ENOSYS, -XEN_EPERM));

    readconsole_cases();
    init = req(XEN_SYSCTL_PHYSINFO);
    abi_badptr_cases(F, "physinfo", true, &init, sizeof init, badptr_call, NULL,
                     abi_priv(-XEN_EFAULT, -XEN_EPERM));
    init = req(XEN_SYSCTL_GETCPUINFO);
    init.u.getcpuinfo.pad = 0;
    abi_badptr_cases(F, "getcpuinfo", true, &init, sizeof init, badptr_call, NULL,
                     abi_priv(-XEN_EFAULT, -XEN_EPERM));
    init = req(MICA_SYSCTL_GET_CPU_STATS);
    init.u.cpu_stats.cpu = 0;
    abi_badptr_cases(F, "get_cpu_stats", true, &init, sizeof init, badptr_call, NULL,
                     abi_priv(-XEN_EFAULT, -XEN_EPERM));
}
