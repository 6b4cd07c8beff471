/*
 * Host unit test for hv/sysctl.c with the real scheduling policy
 * (hv/sched_policy.c), over the fake guest (shim_guest.c), the fake clock's
 * TSC frequency (shim_time.c: 1 GHz), the idle and scheduling counters of
 * shim_sched.c and the frame and VM-exit counters below.
 */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "shim_sched.h"
#include "hv/frame.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/sysctl.h"
#include "hv/console_log.h"

CHECK_SUITE("sysctl");

static uint64_t frames_total, frames_free;
static uint64_t cpu_exits[SCHED_MAX_CPUS];
static uint32_t max_exits_cpu;

uint64_t arch_cpu_exits(uint32_t cpu)
{
    if (cpu > max_exits_cpu)
        max_exits_cpu = cpu;
    return cpu < SCHED_MAX_CPUS ? cpu_exits[cpu] : 0;
}

uint64_t frame_total_count(void)
{
    return frames_total;
}

uint64_t frame_free_count(void)
{
    return frames_free;
}

/* dom0 privileged, dom1 not. */
static struct vcpu *v0, *v1;
static struct shim_sched sched_snap;
static uint64_t migrations_snap;

/* A vCPU of its own that the policy moves from CPU 0 to CPU 1. */
static void migrate_once(void)
{
    static struct sched_domain sd;
    static struct sched_vcpu sv;
    uint32_t kick;

    sched_domain_init(&sd);
    sched_vcpu_init(&sv, &sd, 0);
    sched_wake(&sv, 1000);
    sched_set_affinity(&sv, 0x2, &kick);
}

#define ARG (SHIM_RW_BASE + 0x1000)

static void setup(void)
{
    shim_guest_reset();
    shim_time_reset();
    shim_sched_reset();
    v0 = shim_domain_create(0, true, MiB(64));
    v1 = shim_domain_create(1, false, MiB(32));
    frames_total = 262144;
    frames_free = 100000;
    sched_policy_init(3, 0);
    migrate_once();
    for (uint32_t cpu = 0; cpu < SCHED_MAX_CPUS; cpu++)
        shim_sched.idle_ns[cpu] = 1000000ull * (cpu + 1) + cpu;
}

static void snapshot(void)
{
    shim_world_snapshot();
    sched_snap = shim_sched;
    migrations_snap = sched_migrations();
}

static bool unchanged(void)
{
    return shim_world_unchanged() && shim_sched.kick_calls == sched_snap.kick_calls &&
           sched_migrations() == migrations_snap;
}

static struct mica_sysctl req(uint32_t cmd)
{
    return (struct mica_sysctl){ .cmd = cmd, .interface_version = MICA_SYSCTL_INTERFACE_VERSION };
}

static long call_at(struct vcpu *v, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { arg, 0x4949, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_sysctl(v, args);
}

static long sctl(struct vcpu *v, const struct mica_sysctl *op)
{
    memcpy(shim_guest_mem(ARG, sizeof *op), op, sizeof *op);
    snapshot();
    return call_at(v, ARG);
}

static struct mica_sysctl result(void)
{
    struct mica_sysctl op;
    memcpy(&op, shim_guest_mem(ARG, sizeof op), sizeof op);
    return op;
}

static bool read_and_written_once(void)
{
    return shim_guest.from_calls == 1 && shim_guest.from_bytes == sizeof(struct mica_sysctl) &&
           shim_guest.to_calls == 1 && shim_guest.to_bytes == sizeof(struct mica_sysctl) &&
           shim_guest.last_to == ARG;
}

/* Valid as req() leaves them (get_cpu_stats: CPU 0). */
#define NR_CMDS 3
static const uint32_t cmds[NR_CMDS] = { XEN_SYSCTL_PHYSINFO, XEN_SYSCTL_GETCPUINFO,
                                        MICA_SYSCTL_GET_CPU_STATS };
static const char *const cmd_name[NR_CMDS] = { "physinfo", "getcpuinfo", "get_cpu_stats" };

static void test_errors(void)
{
    for (size_t i = 0; i < NR_CMDS; i++) {
        setup();
        struct mica_sysctl op = req(cmds[i]);
        CHECK(shim_name("%s from a domU -> EPERM", cmd_name[i]), sctl(v1, &op) == -XEN_EPERM);
        CHECK(shim_name("%s from a domU: argument not even read", cmd_name[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0 && unchanged());
    }
    setup();
    CHECK("domU with an unmapped pointer -> EPERM",
          call_at(v1, SHIM_UNMAPPED) == -XEN_EPERM && shim_guest.from_calls == 0);

    const struct mica_sysctl good = req(cmds[0]);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof good); b->what; b++) {
        setup();
        bad_pointers_put_valid(&good, sizeof good);
        snapshot();
        CHECK(shim_name("request at %s -> EFAULT", b->what), call_at(v0, b->va) == -XEN_EFAULT);
        CHECK(shim_name("request at %s: nothing written", b->what),
              shim_guest.to_calls == 0 && unchanged());
    }
    for (size_t i = 0; i < NR_CMDS; i++) {
        setup();
        struct mica_sysctl op = req(cmds[i]);
        memcpy(shim_guest_mem(SHIM_RO_BASE, sizeof op), &op, sizeof op);
        snapshot();
        CHECK(shim_name("%s in read-only memory -> EFAULT", cmd_name[i]),
              call_at(v0, SHIM_RO_BASE) == -XEN_EFAULT && unchanged());
    }

    static const uint32_t versions[] = {
        0, 0x8, 0xa, 0x13, 0x15, MICA_SYSCTL_INTERFACE_VERSION - 1,
        MICA_SYSCTL_INTERFACE_VERSION + 1, MICA_SYSCTL_INTERFACE_VERSION | 0x80000000u, ~0u,
    };
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        for (size_t i = 0; i < NR_CMDS; i++) {
            setup();
            struct mica_sysctl op = req(cmds[i]);
            op.interface_version = versions[v];
            CHECK(shim_name("%s with version 0x%x -> EACCES", cmd_name[i], versions[v]),
                  sctl(v0, &op) == -XEN_EACCES && shim_guest.to_calls == 0 && unchanged());
        }
    }
    setup();
    struct mica_sysctl op = req(999);
    op.interface_version = 0x8;
    CHECK("bad version beats unknown cmd", sctl(v0, &op) == -XEN_EACCES);

    static const uint32_t unknown[] = { 0, 2, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 100,
                                        0x4cff, 0x4d01, 0x4e00, 0x80000003u, ~0u };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        setup();
        op = req(unknown[i]);
        CHECK(shim_name("cmd %u -> ENOSYS", unknown[i]), sctl(v0, &op) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %u: nothing written", unknown[i]),
              shim_guest.to_calls == 0 && unchanged());
    }

    static const uint32_t pads[] = { 1, 0x100, 1u << 31, ~0u };
    for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
        setup();
        op = req(XEN_SYSCTL_GETCPUINFO);
        op.u.getcpuinfo.pad = pads[i];
        CHECK(shim_name("getcpuinfo pad 0x%x -> EINVAL", pads[i]),
              sctl(v0, &op) == -XEN_EINVAL && shim_guest.to_calls == 0 && unchanged());
    }
}

static void test_physinfo(void)
{
    setup();
    struct mica_sysctl op = req(XEN_SYSCTL_PHYSINFO);
    memset(&op.u, 0xee, sizeof op.u);       /* OUT fields: input ignored */
    CHECK("physinfo -> 0", sctl(v0, &op) == 0);
    CHECK("physinfo: read once, written once", read_and_written_once());
    struct mica_sysctl r = result();
    const struct mica_sysctl_physinfo *p = &r.u.physinfo;
    CHECK("header as given",
          r.cmd == XEN_SYSCTL_PHYSINFO && r.interface_version == MICA_SYSCTL_INTERFACE_VERSION);
    CHECK("3 CPUs", p->nr_cpus == 3);
    CHECK("TSC 1 GHz = 1000000 kHz", p->cpu_khz == 1000000);
    CHECK("pages: total and free", p->total_pages == 262144 && p->free_pages == 100000);
    CHECK("migrations", p->migrations == 1);
    CHECK("the rest of the union as the caller left it",
          shim_bytes_are(r.u.raw + sizeof *p, sizeof r.u.raw - sizeof *p, 0xee));
    CHECK("physinfo changes nothing in the domains", shim_domains_unchanged());

    frames_free = 99999;
    sched_policy_init(8, 0);
    op = req(XEN_SYSCTL_PHYSINFO);
    CHECK("physinfo again -> 0", sctl(v0, &op) == 0);
    r = result();
    CHECK("follows the counters", p->nr_cpus == 8 && p->free_pages == 99999 && p->migrations == 0);
}

static void test_getcpuinfo(void)
{
    setup();
    struct mica_sysctl op = req(XEN_SYSCTL_GETCPUINFO);
    memset(op.u.getcpuinfo.idle_ns, 0xee, sizeof op.u.getcpuinfo.idle_ns);
    op.u.getcpuinfo.nr_cpus = 77;
    CHECK("getcpuinfo -> 0", sctl(v0, &op) == 0);
    CHECK("getcpuinfo: read once, written once", read_and_written_once());
    struct mica_sysctl r = result();
    const struct mica_sysctl_getcpuinfo *c = &r.u.getcpuinfo;
    CHECK("3 CPUs", c->nr_cpus == 3 && c->pad == 0);
    CHECK("idle time of each CPU",
          c->idle_ns[0] == 1000000 && c->idle_ns[1] == 2000001 && c->idle_ns[2] == 3000002);
    bool zero = true;
    for (int cpu = 3; cpu < MICA_SYSCTL_MAX_CPUS; cpu++)
        zero = zero && c->idle_ns[cpu] == 0;
    CHECK("0 past the last CPU", zero);
    CHECK("only CPUs that exist asked about",
          shim_sched.idle_calls == 3 && shim_sched.max_idle_cpu == 2);

    /* Every CPU; a count beyond the array is never followed past it. */
    for (uint32_t n = SCHED_MAX_CPUS; n <= SCHED_MAX_CPUS + 1; n++) {
        setup();
        sched_policy_init(n, 0);    /* more than it can have: it keeps 8 */
        op = req(XEN_SYSCTL_GETCPUINFO);
        CHECK(shim_name("%u CPUs -> 0", n), sctl(v0, &op) == 0);
        r = result();
        CHECK(shim_name("%u CPUs: 8 reported, the last one's idle time", n),
              c->nr_cpus == MICA_SYSCTL_MAX_CPUS &&
              c->idle_ns[MICA_SYSCTL_MAX_CPUS - 1] == 8000007 &&
              shim_sched.max_idle_cpu == MICA_SYSCTL_MAX_CPUS - 1);
    }
}

static struct mica_sysctl_readconsole readconsole_at(uint64_t index)
{
    struct mica_sysctl op = req(XEN_SYSCTL_READCONSOLE);
    op.u.readconsole.index = index;
    op.u.readconsole.count = 999;
    sctl(v0, &op);
    return result().u.readconsole;
}

/* The console's log, by offset: a chunk at a time, the oldest part overwritten. */
static void test_readconsole(void)
{
    setup();
    uint64_t base = console_log_end();
    console_log_append("hello log\n", 10);
    struct mica_sysctl_readconsole r = readconsole_at(base);
    CHECK("readconsole: the bytes from index", r.count == 10 && !memcmp(r.text, "hello log\n", 10) &&
                                                r.index == base && r.end == base + 10);
    r = readconsole_at(base + 10);
    CHECK("readconsole at the end: none", r.count == 0 && r.end == base + 10);
    r = readconsole_at(base + 1000);
    CHECK("readconsole past the end: none, index at the end", r.count == 0 && r.index == base + 10);
    static char big[CONSOLE_LOG_SIZE + 300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    console_log_append(big, sizeof big);
    r = readconsole_at(0);
    uint64_t oldest = console_log_end() - CONSOLE_LOG_SIZE;
    CHECK("readconsole of overwritten bytes starts at the oldest kept",
          r.index == oldest && r.count == MICA_SYSCTL_READCONSOLE_CHUNK &&
          !memcmp(r.text, big + 300, MICA_SYSCTL_READCONSOLE_CHUNK));
    struct mica_sysctl op = req(XEN_SYSCTL_READCONSOLE);
    op.u.readconsole.pad = 1;
    CHECK("readconsole pad -> EINVAL", sctl(v0, &op) == -XEN_EINVAL && unchanged());
    op.u.readconsole.pad = 0;
    CHECK("readconsole from a domU -> EPERM", sctl(v1, &op) == -XEN_EPERM);
}

static void test_get_cpu_stats(void)
{
    setup();
    for (uint32_t cpu = 0; cpu < SCHED_MAX_CPUS; cpu++) {
        shim_sched.cpu_stats[cpu] = (struct sched_cpu_stats){
            .sched_vcpu = 20 + cpu, .sched_idle = 30 + cpu,
        };
        cpu_exits[cpu] = 100 + cpu;
    }
    max_exits_cpu = 0;
    struct mica_sysctl op = req(MICA_SYSCTL_GET_CPU_STATS);
    memset(&op.u, 0xee, sizeof op.u);
    op.u.cpu_stats.cpu = 2;
    CHECK("get_cpu_stats CPU 2 -> 0", sctl(v0, &op) == 0);
    CHECK("get_cpu_stats: read once, written once", read_and_written_once());
    struct mica_sysctl r = result();
    const struct mica_sysctl_cpu_stats *c = &r.u.cpu_stats;
    CHECK("CPU 2 of 3", c->cpu == 2 && c->nr_cpus == 3);
    CHECK("CPU 2: its idle time and counters",
          c->idle_ns == 3000002 && c->exits == 102 && c->sched_vcpu == 22 && c->sched_idle == 32);
    CHECK("the rest of the union as the caller left it",
          shim_bytes_are(r.u.raw + sizeof *c, sizeof r.u.raw - sizeof *c, 0xee));
    CHECK("get_cpu_stats changes nothing in the domains", shim_domains_unchanged());

    op = req(MICA_SYSCTL_GET_CPU_STATS);
    CHECK("get_cpu_stats CPU 0 -> 0", sctl(v0, &op) == 0);
    r = result();
    CHECK("CPU 0: its counters", c->cpu == 0 && c->exits == 100 && c->sched_idle == 30);

    static const uint32_t bad[] = { 3, 7, 8, 1u << 31, ~0u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        op = req(MICA_SYSCTL_GET_CPU_STATS);
        op.u.cpu_stats.cpu = bad[i];
        CHECK(shim_name("get_cpu_stats CPU %u of 3 -> EINVAL", bad[i]),
              sctl(v0, &op) == -XEN_EINVAL && shim_guest.to_calls == 0 && unchanged());
        CHECK(shim_name("get_cpu_stats CPU %u: no counters asked for", bad[i]),
              shim_sched.cpu_stats_calls == 0 && max_exits_cpu <= 2);
    }
    setup();
    sched_policy_init(SCHED_MAX_CPUS + 1, 0);   /* it keeps 8 */
    op = req(MICA_SYSCTL_GET_CPU_STATS);
    op.u.cpu_stats.cpu = SCHED_MAX_CPUS - 1;
    CHECK("8 CPUs: the last one -> 0", sctl(v0, &op) == 0 && result().u.cpu_stats.nr_cpus == 8);
    op.u.cpu_stats.cpu = SCHED_MAX_CPUS;
    CHECK("8 CPUs: CPU 8 -> EINVAL", sctl(v0, &op) == -XEN_EINVAL);
}

int main(void)
{
    test_errors();
    test_readconsole();
    test_physinfo();
    test_getcpuinfo();
    test_get_cpu_stats();
    CHECK_DONE();
}
