/*
 * domctl(arg): RDI = guest pointer to struct mica_domctl. dom0 only.
 *
 * Control of domains: their creation, pausing and destruction at run time,
 * their state, CPU time and runstates, their scheduling
 * weight and cap, its vCPUs' affinity, its hypercall policy, its
 * monitoring counters, where serial console input goes. Xen's domctl
 * is an unstable interface whose layouts change with every interface
 * version, so Mica keeps Xen's hypercall and sub-operation numbers but
 * defines its own layouts: a fixed
 * header, then one fixed-size structure per sub-operation, with guest
 * pointers only for data that does not fit it (load_kernel's image,
 * get_stats' counters). Every `pad` field must be 0; the input values of
 * OUT fields are ignored.
 */
#ifndef MICA_PUBLIC_DOMCTL_H
#define MICA_PUBLIC_DOMCTL_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "stats.h"

/* "MI" and a revision: no Xen interface version has this value. */
#define MICA_DOMCTL_INTERFACE_VERSION 0x4d490001u

#define XEN_DOMCTL_CREATEDOMAIN    1    /* u.createdomain; the new id comes back in `domain` */
#define XEN_DOMCTL_DESTROYDOMAIN   2    /* no argument */
#define XEN_DOMCTL_PAUSEDOMAIN     3    /* no argument */
#define XEN_DOMCTL_UNPAUSEDOMAIN   4    /* no argument; the first one starts a built domain */
#define XEN_DOMCTL_GETDOMAININFO   5
#define XEN_DOMCTL_SETVCPUAFFINITY 9
#define XEN_DOMCTL_MAX_MEM         11   /* u.max_mem */
#define XEN_DOMCTL_GETVCPUINFO     14
#define XEN_DOMCTL_SCHEDULER_OP    16
#define XEN_DOMCTL_GETVCPUAFFINITY 25

/*
 * Mica's own sub-operations, from 0x4d00 ("M" << 8), above every number Xen
 * uses; Xen has none of them (its XSM/Flask policy is set through xsm_op).
 * In a policy they share the sub-op bit MICA_POLICY_SUBOP_OTHER.
 */
#define MICA_DOMCTL_BASE          0x4d00
#define MICA_DOMCTL_GET_POLICY    0x4d00    /* u.policy (OUT) */
#define MICA_DOMCTL_SET_POLICY    0x4d01    /* u.policy (IN) */
#define MICA_DOMCTL_GET_DENIALS   0x4d02    /* u.denials (OUT) */
#define MICA_DOMCTL_LOAD_KERNEL   0x4d03    /* u.load_kernel (IN) */
#define MICA_DOMCTL_GET_REPORT    0x4d04    /* u.report (OUT) */
#define MICA_DOMCTL_GET_STATS     0x4d05    /* u.stats; the counters go to u.stats.buffer */
#define MICA_DOMCTL_CONSOLE       0x4d06    /* u.console */

/* CPU masks have one bit per CPU, CPU n in bit n. */
#define MICA_DOMCTL_MAX_CPUS 8

/* getdomaininfo: all OUT. */
#define MICA_DOMCTL_STATE_RUNNING  0
#define MICA_DOMCTL_STATE_SHUTDOWN 1    /* it asked to stop: see shutdown_reason */
#define MICA_DOMCTL_STATE_CRASHED  2    /* the hypervisor stopped it */
#define MICA_DOMCTL_STATE_BUILDING 3    /* created at run time, not started yet */
#define MICA_DOMCTL_STATE_DESTROYED 4   /* dom0 destroyed it while it ran */
#define MICA_DOMINF_PRIVILEGED (1u << 0)    /* dom0 */
#define MICA_DOMINF_DYING      (1u << 1)    /* stopped and its memory returned */
#define MICA_DOMINF_PAUSED     (1u << 2)    /* pausedomain, or built and never unpaused */
#define MICA_DOMINF_BLOCKED    (1u << 3)    /* running, and every vCPU up is blocked */
#define MICA_DOMCTL_NAME_LEN 32

struct mica_domctl_getdomaininfo {
    uint32_t domid;             /* its id (useful with DOMID_SELF) */
    uint32_t state;             /* MICA_DOMCTL_STATE_* */
    uint32_t shutdown_reason;   /* SHUTDOWN_* when state is SHUTDOWN, else 0 */
    uint32_t flags;             /* MICA_DOMINF_* */
    uint32_t nr_vcpus;
    uint32_t nr_online_vcpus;   /* vCPUs that are not down */
    uint32_t weight;            /* as scheduler_op getinfo */
    uint32_t cap;
    uint64_t cpu_time;          /* ns its vCPUs have run, up to now */
    uint64_t tot_pages;         /* RAM pages it owns now */
    uint64_t max_pages;         /* RAM pages it may have (max_mem) */
    char name[MICA_DOMCTL_NAME_LEN];    /* NUL-terminated */
};
_Static_assert(sizeof(struct mica_domctl_getdomaininfo) == 88, "getdomaininfo size");
_Static_assert(offsetof(struct mica_domctl_getdomaininfo, cpu_time) == 32, "cpu_time");

/* getvcpuinfo. */
struct mica_domctl_getvcpuinfo {
    uint32_t vcpu;              /* IN: below nr_vcpus */
    uint32_t pad;
    uint8_t online;             /* OUT: 1 if not down */
    uint8_t blocked;            /* OUT: 1 if waiting for an event */
    uint8_t running;            /* OUT: 1 if on a CPU now */
    uint8_t runstate;           /* OUT: RUNSTATE_* now */
    uint32_t cpu;               /* OUT: CPU it runs on, or ran on last */
    uint64_t cpu_time;          /* OUT: ns it has run up to now: runstate_time[RUNSTATE_RUNNING] */
    uint64_t runstate_time[4];  /* OUT: ns in each RUNSTATE_*, up to now */
};
_Static_assert(sizeof(struct mica_domctl_getvcpuinfo) == 56, "getvcpuinfo size");
_Static_assert(offsetof(struct mica_domctl_getvcpuinfo, cpu_time) == 16, "getvcpuinfo.cpu_time");

/* setvcpuaffinity (IN) and getvcpuaffinity (cpumap OUT): hard affinity. */
struct mica_domctl_vcpuaffinity {
    uint32_t vcpu;              /* IN: below nr_vcpus */
    uint32_t pad;
    uint64_t cpumap;            /* bit n: may run on CPU n; bits >= MICA_DOMCTL_MAX_CPUS are 0 */
};
_Static_assert(sizeof(struct mica_domctl_vcpuaffinity) == 16, "vcpuaffinity size");

/* scheduler_op: Xen's credit-scheduler parameters, per domain. */
#define XEN_SCHEDULER_CREDIT        5
#define XEN_DOMCTL_SCHEDOP_PUTINFO  0
#define XEN_DOMCTL_SCHEDOP_GETINFO  1
#define MICA_DOMCTL_MAX_WEIGHT      65535
#define MICA_DOMCTL_MAX_CAP         (100 * MICA_DOMCTL_MAX_CPUS)
#define MICA_DOMCTL_WEIGHT_UNCHANGED 0u         /* putinfo: keep the weight (as Xen) */
#define MICA_DOMCTL_CAP_UNCHANGED   0xffffffffu /* putinfo: keep the cap (Xen: 0xffff) */

struct mica_domctl_scheduler_op {
    uint32_t sched_id;          /* IN: XEN_SCHEDULER_CREDIT */
    uint32_t cmd;               /* IN: XEN_DOMCTL_SCHEDOP_* */
    uint32_t weight;            /* IN (putinfo) / OUT (getinfo): 1..MICA_DOMCTL_MAX_WEIGHT */
    uint32_t cap;               /* IN / OUT: percent of one CPU for the domain, 0 = none */
};
_Static_assert(sizeof(struct mica_domctl_scheduler_op) == 16, "scheduler_op size");

/*
 * createdomain. Everything is checked, and the memory it will need
 * reserved, before anything is allocated: a refused create changes
 * nothing. On success the new domain is BUILDING and paused: dom0 gives it
 * RAM (memory_op XENMEM_populate_physmap on its id), loads its kernel
 * (load_kernel) and starts it (unpausedomain). `domain` in the header asks
 * for an id (0: the next free one, as Xen's rover gives them) and returns
 * the one given. The number of vCPUs is fixed here, as in Xen since 4.12
 * (there is no XEN_DOMCTL_max_vcpus).
 */
#define XEN_DOMCTL_CDF_hvm (1u << 0)    /* accepted: a PVH domain is HVM ... */
#define XEN_DOMCTL_CDF_hap (1u << 1)    /* ... with hardware paging; both implied */
/* Mica's own, far above Xen's flags: an access to guest-physical memory that is
 * neither RAM nor a device crashes the domain, instead of reading all-ones
 * (docs/abi.md, "Unbacked guest-physical memory"; unbacked=crash in mica.cfg). */
#define MICA_DOMCTL_CDF_unbacked_crash (1u << 31)
/* Mica's own: the FIFO event-channel ABI is refused (-ENOSYS), as by a Xen
 * without it (docs/abi.md, "32 event_channel_op"; evtchn=2l in mica.cfg). */
#define MICA_DOMCTL_CDF_evtchn_2l (1u << 30)
#define MICA_DOMCTL_MAX_VCPUS 8
#define MICA_DOMCTL_ERROR_LEN 48

struct mica_domctl_createdomain {
    uint32_t flags;             /* IN: XEN_DOMCTL_CDF_hvm, _hap, MICA_DOMCTL_CDF_unbacked_crash,
                                   MICA_DOMCTL_CDF_evtchn_2l */
    uint32_t max_vcpus;         /* IN: 1..MICA_DOMCTL_MAX_VCPUS */
    uint64_t max_mem_kb;        /* IN: its RAM in KiB, a multiple of 4; 2 MiB..4 GiB */
    uint64_t cpumap;            /* IN: hard affinity of every vCPU; 0: every CPU */
    uint32_t weight;            /* IN: 1..MICA_DOMCTL_MAX_WEIGHT; 0: 256 */
    uint32_t cap;               /* IN: percent of one CPU; 0: none */
    uint32_t max_grant_frames;  /* IN: 1..the host's GRANT_MAX_FRAMES; 0: that */
    uint32_t max_evtchn_port;   /* IN: highest port, 1..the host's; 0: the host's */
    uint32_t max_maptrack;      /* IN: grant mappings at once (entries, not Xen's frames);
                                   0: the host's GRANT_MAX_MAPTRACK */
    uint32_t pad;
    char name[MICA_DOMCTL_NAME_LEN];    /* IN: NUL-terminated, unique; A-Z a-z 0-9 _ - */
    char error[MICA_DOMCTL_ERROR_LEN];  /* OUT, on refusal only: which resource, the numbers */
};
_Static_assert(sizeof(struct mica_domctl_createdomain) == 128, "createdomain size");

/* max_mem: the most RAM pages it may own from now (Xen's semantics: below
 * what it owns now is allowed, and only stops it from growing). */
struct mica_domctl_max_mem {
    uint64_t max_memkb;         /* IN: KiB, a multiple of 4 */
};
_Static_assert(sizeof(struct mica_domctl_max_mem) == 8, "max_mem size");

/*
 * load_kernel (Mica's own; Xen's toolstack writes the image through foreign
 * mappings instead). The caller hands the kernel file and command line by
 * guest-linear address in its own memory; the hypervisor copies them once,
 * validates the image as at boot (a PVH ELF whose segments fit the domain's
 * RAM), writes its segments, the start-info page and the console ring into
 * the domain and gives vCPU 0 the PVH entry state. The domain's RAM must be
 * populated first: all of [0, max_mem).
 */
#define MICA_DOMCTL_IMAGE_MAX (8u << 20)
struct mica_domctl_load_kernel {
    uint64_t image;             /* IN: guest-linear address of the ELF file */
    uint64_t image_size;        /* IN: bytes, 1..MICA_DOMCTL_IMAGE_MAX */
    uint64_t cmdline;           /* IN: guest-linear address of the command line, or 0 */
    uint32_t cmdline_len;       /* IN: bytes without a NUL, below 256 */
    uint32_t pad;
    char error[MICA_DOMCTL_ERROR_LEN];  /* OUT, on refusal only: why */
};
_Static_assert(sizeof(struct mica_domctl_load_kernel) == 80, "load_kernel size");

/* get_report: why a domain stopped, as the hypervisor's console said it. */
struct mica_domctl_report {
    char text[128];             /* OUT: NUL-terminated; "" if it has not stopped */
};

/*
 * get_stats: the monitoring counters (public/stats.h) of one vCPU, or
 * summed over all the domain's vCPUs. They do not fit the union, so they
 * go to a buffer in the caller's memory: sizeof(struct mica_stats) bytes
 * written once. The request itself is all IN and is not written back.
 */
#define MICA_STATS_ALL_VCPUS 0xffffffffu
struct mica_domctl_get_stats {
    uint32_t vcpu;              /* IN: below nr_vcpus, or MICA_STATS_ALL_VCPUS */
    uint32_t pad;
    uint64_t buffer;            /* IN: guest-linear address of a struct mica_stats (OUT) */
    uint64_t size;              /* IN: bytes at buffer, at least sizeof(struct mica_stats) */
};
_Static_assert(sizeof(struct mica_domctl_get_stats) == 24, "get_stats size");

/*
 * console: which domain gets what is typed on the hypervisor's serial
 * console. Normally dom0 (CONSOLEIO_read, VIRQ_CONSOLE). `attach` gives it
 * to the domU `domain` names instead: each byte goes into the `in` side of
 * its console ring (public/console_ring.h) and its console port is
 * notified; a byte that finds the ring full is dropped and counted. The
 * byte MICA_CONSOLE_DETACH_KEY (Ctrl-], as xl console has it) is not
 * passed on: it gives the input back to dom0, as `detach` does and as the
 * domU stopping does; dom0 then gets VIRQ_CONSOLE. getinfo says where
 * input goes now. (Xen's toolstack does this in dom0's console daemon;
 * Mica's hypervisor still owns the serial line.)
 */
#define MICA_CONSOLE_ATTACH      0  /* input to `domain`: a running domU with a console ring */
#define MICA_CONSOLE_DETACH      1  /* input back to dom0, from whichever domU had it */
#define MICA_CONSOLE_GETINFO     2  /* focus, attached, dropped (OUT) */
#define MICA_CONSOLE_DETACH_KEY  0x1d   /* Ctrl-] */

struct mica_domctl_console {
    uint32_t op;                /* IN: MICA_CONSOLE_* */
    uint32_t pad;               /* IN: 0 */
    uint32_t focus;             /* OUT (getinfo): the id input goes to: 0, or the attached domU */
    uint32_t attached;          /* OUT (getinfo): 1 if `domain` is the domU attached, else 0 */
    uint64_t dropped;           /* OUT (getinfo): bytes for `domain` its full ring dropped */
};
_Static_assert(sizeof(struct mica_domctl_console) == 24, "console size");

struct mica_domctl {
    uint32_t cmd;               /* IN: XEN_DOMCTL_* */
    uint32_t interface_version; /* IN: MICA_DOMCTL_INTERFACE_VERSION */
    uint16_t domain;            /* IN: a domain id, or DOMID_SELF */
    uint16_t pad[3];
    union {
        struct mica_domctl_getdomaininfo getdomaininfo;
        struct mica_domctl_getvcpuinfo getvcpuinfo;
        struct mica_domctl_vcpuaffinity vcpuaffinity;
        struct mica_domctl_scheduler_op scheduler_op;
        struct mica_domctl_createdomain createdomain;
        struct mica_domctl_max_mem max_mem;
        struct mica_domctl_load_kernel load_kernel;
        struct mica_domctl_report report;
        struct mica_policy policy;
        struct mica_policy_denials denials;
        struct mica_domctl_get_stats stats;
        struct mica_domctl_console console;
        uint8_t raw[128];       /* the size of the union, room to grow */
    } u;
};
_Static_assert(sizeof(struct mica_domctl) == 144, "mica_domctl size");
_Static_assert(offsetof(struct mica_domctl, u) == 16, "mica_domctl.u");

#endif
