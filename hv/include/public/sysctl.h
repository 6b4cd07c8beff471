/*
 * sysctl(arg): RDI = guest pointer to struct mica_sysctl. dom0 only.
 *
 * The machine as the hypervisor sees it: CPUs, TSC frequency, memory,
 * per-CPU idle time and counters. As for domctl (public/domctl.h), Mica
 * keeps Xen's numbers but defines its own fixed layouts, with no guest
 * pointers inside.
 * Every `pad` field must be 0; the input values of OUT fields are ignored.
 */
#ifndef MICA_PUBLIC_SYSCTL_H
#define MICA_PUBLIC_SYSCTL_H

#include <stddef.h>
#include <stdint.h>

/* "MI" and a revision: no Xen interface version has this value. */
#define MICA_SYSCTL_INTERFACE_VERSION 0x4d490001u

#define XEN_SYSCTL_READCONSOLE 1
#define XEN_SYSCTL_PHYSINFO   3
#define XEN_SYSCTL_GETCPUINFO 8

/*
 * Mica's own, from 0x4d00 ("M" << 8) as domctl's (public/domctl.h), above
 * every number Xen uses. In a policy they share the sub-op bit
 * MICA_POLICY_SUBOP_OTHER.
 */
#define MICA_SYSCTL_BASE          0x4d00
#define MICA_SYSCTL_GET_CPU_STATS 0x4d00    /* u.cpu_stats */

/* Per-CPU arrays have room for this many CPUs. */
#define MICA_SYSCTL_MAX_CPUS 8

/* physinfo: all OUT. */
struct mica_sysctl_physinfo {
    uint32_t nr_cpus;           /* CPUs that run vCPUs: 1..MICA_SYSCTL_MAX_CPUS */
    uint32_t cpu_khz;           /* TSC frequency */
    uint64_t total_pages;       /* 4 KiB frames the hypervisor's allocator manages */
    uint64_t free_pages;        /* ... of which free now */
    uint64_t migrations;        /* times a vCPU moved to another CPU since boot */
};
_Static_assert(sizeof(struct mica_sysctl_physinfo) == 32, "physinfo size");

/* getcpuinfo. */
struct mica_sysctl_getcpuinfo {
    uint32_t nr_cpus;           /* OUT: entries of idle_ns that are CPUs */
    uint32_t pad;
    uint64_t idle_ns[MICA_SYSCTL_MAX_CPUS];    /* OUT: ns CPU n idled since boot; 0 past nr_cpus */
};
_Static_assert(sizeof(struct mica_sysctl_getcpuinfo) == 72, "getcpuinfo size");

/*
 * readconsole: the hypervisor console's log (what it printed, its own lines
 * and the domains'), in chunks. Bytes are named by their offset since boot;
 * the log keeps the last 16 KiB.
 */
#define MICA_SYSCTL_READCONSOLE_CHUNK 104
struct mica_sysctl_readconsole {
    uint64_t index;             /* IN: offset of the first byte wanted; OUT: of the first
                                   given (later, if those were overwritten) */
    uint64_t end;               /* OUT: offset after the last byte printed so far */
    uint32_t count;             /* OUT: bytes in text */
    uint32_t pad;
    char text[MICA_SYSCTL_READCONSOLE_CHUNK];  /* OUT: not NUL-terminated */
};
_Static_assert(sizeof(struct mica_sysctl_readconsole) == 128, "readconsole size");

/* get_cpu_stats: one CPU's counters since boot. */
struct mica_sysctl_cpu_stats {
    uint32_t cpu;               /* IN: below nr_cpus */
    uint32_t nr_cpus;           /* OUT: as physinfo */
    uint64_t idle_ns;           /* OUT: ns it had nothing to run, as getcpuinfo */
    uint64_t exits;             /* OUT: VM exits it handled, of any vCPU */
    uint64_t sched_vcpu;        /* OUT: scheduling decisions that chose a vCPU ... */
    uint64_t sched_idle;        /* OUT: ... and that found none to run (it idled) */
};
_Static_assert(sizeof(struct mica_sysctl_cpu_stats) == 40, "cpu_stats size");

struct mica_sysctl {
    uint32_t cmd;               /* IN: XEN_SYSCTL_* */
    uint32_t interface_version; /* IN: MICA_SYSCTL_INTERFACE_VERSION */
    union {
        struct mica_sysctl_physinfo physinfo;
        struct mica_sysctl_getcpuinfo getcpuinfo;
        struct mica_sysctl_readconsole readconsole;
        struct mica_sysctl_cpu_stats cpu_stats;
        uint8_t raw[128];       /* the size of the union, room to grow */
    } u;
};
_Static_assert(sizeof(struct mica_sysctl) == 136, "mica_sysctl size");
_Static_assert(offsetof(struct mica_sysctl, u) == 8, "mica_sysctl.u");

#endif
