/* Domains and their virtual CPUs: the objects the core schedules and isolates. */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include "hv/types.h"
#include "mica/bootcfg.h"
#include "hv/event_fifo.h"
#include "hv/grant_table.h"
#include "hv/physmap.h"
#include "hv/rate_window.h"
#include "hv/sched_policy.h"
#include "hv/start_info.h"
#include "hv/vlapic.h"
#include "public/hypercall.h"
#include "public/policy.h"
#include "public/stats.h"
#include "public/vcpu_op.h"

#define MAX_DOMAINS 32
#define MAX_VCPUS_PER_DOMAIN 8

enum domain_state {
    DOMAIN_BUILDING,
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN,            /* guest asked (sched_op shutdown): see shutdown_reason */
    DOMAIN_CRASHED,             /* the hypervisor stopped it: see crash_report */
    DOMAIN_KILLED,              /* dom0 destroyed it while it ran (destroydomain) */
};

enum vcpu_state {
    VCPU_RUNNABLE,
    VCPU_BLOCKED,               /* waiting for an event (HLT, sched_op block) */
    VCPU_DOWN,
};

struct domain;

/* console_io text a domain may have waiting to be printed: one CONSOLEIO_WRITE_MAX. */
#define CONSOLE_QUEUE_SIZE 4096

/* A domain's console text reaches the serial console by two paths: console_io
 * and its console ring (hv/domain_console.c). */
enum console_path { CONSOLE_FROM_IO, CONSOLE_FROM_RING, CONSOLE_PATHS };
#define CONSOLE_LINE_MAX 120
#define CONSOLE_RECENT_LINES 4

struct console_line {
    uint32_t len;
    uint32_t col;               /* where the next character goes (a CR moves it to 0) */
    char text[CONSOLE_LINE_MAX];
};

/* The last lines one path printed that the other path has not printed too. */
struct console_recent {
    uint32_t n;
    struct console_line line[CONSOLE_RECENT_LINES];   /* oldest first; col unused */
};

/* Per-domain limits of the event-channel table (2-level ABI allows 4096). */
#define EVTCHN_MAX_PORTS 64
#define NR_VIRQS 24

enum evtchn_state {
    EVTCHN_FREE = 0,
    EVTCHN_UNBOUND,             /* allocated, offered to remote_dom, not yet bound */
    EVTCHN_INTERDOMAIN,         /* connected to remote_dom:remote_port */
    EVTCHN_VIRQ,                /* bound to a VIRQ of one vCPU */
    EVTCHN_IPI,                 /* sends go to this domain's own `vcpu` */
    EVTCHN_CONSOLE,             /* the console ring's port: the hypervisor is the other end */
    EVTCHN_PIRQ,                /* a physical interrupt line (hv/pirq.c) */
};

struct evtchn {
    enum evtchn_state state;
    uint32_t vcpu;              /* vCPU the event is delivered to */
    uint32_t virq;              /* EVTCHN_VIRQ */
    uint32_t pirq;              /* EVTCHN_PIRQ */
    uint16_t remote_dom;        /* EVTCHN_UNBOUND, EVTCHN_INTERDOMAIN */
    uint32_t remote_port;       /* EVTCHN_INTERDOMAIN */
    struct evtchn_fifo_port fifo;   /* its priority and queue under the FIFO ABI */
};

/*
 * Monitoring counters (domctl MICA_DOMCTL_GET_STATS): each a plain
 * increment on its path, which holds the hypervisor lock already.
 */
struct vcpu_stats {
    uint64_t exits[MICA_STATS_EXITS];           /* by MICA_STATS_EXIT_* (arch's exit dispatch) */
    uint64_t hypercalls[HYPERCALL_COUNT];       /* by number: dispatched to a handler */
    uint64_t evtchn_sends;                      /* EVTCHNOP_send that succeeded */
    uint64_t grant_maps;                        /* grant mappings made */
    uint64_t grant_copies;                      /* grant copies done */
};
_Static_assert(HYPERCALL_COUNT == MICA_STATS_HYPERCALLS, "a counter for every number");

struct vcpu {
    struct domain *domain;
    uint32_t id;
    enum vcpu_state state;
    /* Has a start state (Xen's is_initialised): vCPU 0 from the domain
     * builder, the others from VCPUOP_initialise. Only then may it come up. */
    bool initialised;
    bool need_resched;          /* leave the guest loop at the next chance */
    uint64_t runtime_ns;
    struct sched_vcpu sched;    /* the scheduler's bookkeeping (hv/sched_policy.c) */
    struct arch_vcpu *arch;     /* owned by arch/ */

    /* Events: set when evtchn_upcall_pending went 0 -> 1; the arch injects
     * the callback vector and clears it. */
    bool upcall_needed;
    bool vcpu_info_moved;       /* register_vcpu_info done (once only) */
    gpaddr_t vcpu_info_gpa;     /* where it moved to, when vcpu_info_moved */
    uint16_t virq_port[NR_VIRQS];   /* 0: not bound */
    struct evtchn_fifo_vcpu fifo;   /* its control block and queues (FIFO ABI) */

    /* One-shot timer: system time (ns) of expiry, 0 when not armed. */
    uint64_t timer_deadline;
    /* The emulated local APIC (hv/vlapic.h); its timer is a second deadline. */
    struct vlapic vlapic;

    /* SCHEDOP_poll: while blocked in poll, wake on any of these ports. */
    uint32_t poll_nr;
    uint32_t poll_ports[128];
    uint64_t poll_deadline;     /* 0: no timeout */

    /* Runstate accounting (always on) and the optional guest copy. */
    struct vcpu_runstate_info runstate;
    gvaddr_t runstate_gva;      /* 0: not registered */

    struct vcpu_stats stats;
};

struct domain {
    uint32_t id;
    char name[BOOTCFG_NAME_MAX];
    bool privileged;            /* dom0: may control other domains (later issues) */
    enum domain_state state;
    uint32_t shutdown_reason;   /* SHUTDOWN_* when state is DOMAIN_SHUTDOWN */
    char crash_report[256];     /* one line: why it was crashed */
    uint64_t ram_bytes;         /* its guest-physical RAM, [0, ram_bytes) for a domU */
    uint64_t max_pages;         /* RAM pages it may own (XEN_DOMCTL_max_mem) */
    /* Paused by dom0 (pausedomain, counted as in Xen), or created at run
     * time and not started (count 1): its vCPUs keep their state but none
     * is scheduled (hv/domain_pause.c). */
    uint32_t pause_count;
    /* Created at run time: frames set aside for it at createdomain (so the
     * build cannot run out), and those its build has taken so far. */
    uint64_t claim_frames;
    uint64_t claim_used;
    bool kernel_loaded;         /* run-time build: load_kernel done ... */
    uint32_t entry;             /* ... and its PVH entry point */
    /* Its guest-physical layout, as the start-info page and XENMEM_memory_map
     * give it: [0, ram_bytes) with the hole for a domU, the identity-mapped
     * runs for the device owner (hv/identity_ram.c). */
    struct hvm_memmap_table_entry memmap[START_INFO_MEMMAP_MAX];
    uint32_t memmap_entries;
    gpaddr_t start_info_gpa;
    gpaddr_t ram_top;           /* end of its highest RAM range */
    uint64_t frames_owned;      /* RAM frames mapped in its EPT */
    uint32_t nvcpus;
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN];
    struct arch_domain *arch;   /* owned by arch/ */
    struct sched_domain sched;  /* weight and cap */
    bool destroyed;             /* resources returned; record kept for the summary */
    uint64_t frames_returned;   /* frames back in the allocator from its destruction */
    uint64_t frames_free_after; /* free frames right after it */

    /* Xen PVH state. */
    paddr_t shared_info_frame;  /* host frame of the shared-info page */
    struct shared_info *shared_info;
    struct physmap_slot shared_info_slot;   /* where the guest mapped it, if it did */
    /* Xen's has_32bit_shinfo: shared info (and the runstate area) in the
     * 32-bit layout, latched by hv/compat.c's shinfo_latch. */
    bool shinfo_compat;
    uint64_t callback_irq;      /* HVM_PARAM_CALLBACK_IRQ as set by the guest */
    uint8_t callback_vector;    /* 0: no upcall vector registered */
    uint32_t console_port;      /* HVM_PARAM_CONSOLE_EVTCHN (0 for dom0) */
    gpaddr_t console_ring_gpa;  /* HVM_PARAM_CONSOLE_PFN << 12 (0 for dom0) */
    uint64_t console_in_dropped;    /* typed bytes its full `in` ring dropped (console attach) */
    gpaddr_t store_ring_gpa;    /* HVM_PARAM_STORE_PFN << 12 (0 for dom0) */
    uint32_t store_port;        /* HVM_PARAM_STORE_EVTCHN, as dom0 set it (0: not yet) */
    uint32_t shutdown_code;     /* SCHEDOP_shutdown_code, SHUTDOWN_* or ~0 */
    uint32_t max_evtchn_port;   /* ports above this are refused (createdomain) */
    struct evtchn evtchn[EVTCHN_MAX_PORTS];
    /* evtchn=2l: the FIFO ABI is refused (-ENOSYS), as by a Xen without it. */
    bool evtchn_2l_only;
    struct evtchn_fifo fifo;    /* its event array, once init_control switched it */
    struct evtchn_fifo_lastq fifo_lastq[EVTCHN_MAX_PORTS];
    struct grant_table gnttab;
    /* Console text is gathered into whole lines, one per path, so domains
     * never interleave mid-line and a line both paths print shows once. */
    struct console_line console_line[CONSOLE_PATHS];
    struct console_recent console_recent[CONSOLE_PATHS];
    uint64_t console_twins;     /* lines not printed again: the other path had printed them */
    bool console_live;          /* dom0's partial console_io line is shown: characters print at once */
    struct rate_window console_rate;    /* console_rate= bytes a second */
    bool console_ring_more;     /* its ring holds more than the last drain printed */
    /* console_io text not printed yet: printed a line at a time (hv/domain_console.c) */
    uint32_t console_queue_len;
    char console_queue[CONSOLE_QUEUE_SIZE];
    /* An access to guest-physical memory that is neither RAM nor a device
     * crashes it (unbacked=crash); otherwise reads are all-ones, writes dropped. */
    bool unbacked_crash;
    /* trace=hypercalls (hv/trace.c), and the trace lines' rate limit */
    bool trace_hypercalls;
    struct rate_window trace_rate;
    /* Hypercall policy (hv/policy.c): as set; the per-number masks the
     * dispatcher tests, derived from it; denials counted, and those printed. */
    struct mica_policy policy;
    uint64_t policy_mask[HYPERCALL_COUNT];
    struct mica_policy_denials denials;
    struct mica_policy denials_printed;
};

/* TSC ticks spent zeroing domain RAM so far (boot benchmarks report it apart). */
uint64_t domain_scrub_ticks(void);
/* Build a domain from a boot-time description; NULL (with a message) if refused. */
struct domain *domain_create_boot(const struct bootcfg_domain *cfg, const void *image,
                                  uint64_t image_size);
/*
 * Map the domain's shared-info page at guest-physical `gpa` (page aligned,
 * below 2^48). A RAM page there is unmapped and freed; a previous mapping of
 * the shared-info page elsewhere is removed. 0, or -XEN_EINVAL / -XEN_ENOMEM.
 */
int domain_map_shared_info(struct domain *d, gpaddr_t gpa);
/* Guest-requested shutdown (sched_op). */
void domain_shutdown(struct domain *d, uint32_t reason);
/* Stop a misbehaving domain: prints the report, nothing else is disturbed. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* dom0's destroydomain of a running domain: stopped like a crash, reason "destroyed by dom0". */
void domain_kill(struct domain *d);
/* Free everything a stopped domain holds; its record stays for the summary. */
void domain_destroy(struct domain *d);
/* How it stands or why it stopped, one line: "shut down (poweroff)", "crashed: ...". */
void domain_report(const struct domain *d, char *buf, size_t len);

/*
 * The domain a hypercall's `domid` names: DOMID_SELF or the caller's own id
 * give the caller's domain; any other live domain only to a privileged caller.
 * 0, -XEN_EPERM (unprivileged, checked first) or -XEN_ESRCH.
 */
long domain_target(struct vcpu *v, uint16_t domid, struct domain **out);
/* The table of domains (index = id); NULL entries are free. */
struct domain *domain_by_id(uint32_t id);
/* `d` exists (NULL does not) and runs: not stopped, not destroyed. What event
 * channels and grant operations require of the domain at the other end. */
static inline bool domain_is_running(const struct domain *d)
{
    return d && !d->destroyed && d->state == DOMAIN_RUNNING;
}
uint32_t domain_count(void);
static inline bool domain_paused(const struct domain *d)
{
    return d->pause_count != 0;
}
/* A domain refused at boot, kept only for the summary. */
void domain_note_refused(const char *name, const char *why);
/* One line per domain: name, id, how it ended. */
void domain_print_summary(void);
/* One line per destroyed domain: frames its destruction returned, free after. */
void domain_print_destroyed(void);

/* The device owner (dom0) shut down with SHUTDOWN_reboot: the machine is
 * reset, not powered off, once every domain has ended. */
bool domain_owner_asked_reboot(void);
/* Zero a frame about to become a domain's RAM (timed apart: bench boot_scrub). */
void domain_scrub_frame(paddr_t frame);

/* Owns the machine's devices (ports, PCI, BARs, interrupts): dom0 (docs/devices.md). */
static inline bool domain_owns_devices(const struct domain *d)
{
    return d->privileged;
}

#endif
