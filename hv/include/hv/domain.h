/* Domains and their virtual CPUs: the objects the core schedules and isolates. */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include "hv/types.h"
#include "mica/bootcfg.h"

#define MAX_DOMAINS 32
#define MAX_VCPUS_PER_DOMAIN 1   /* secondary vCPUs come with the SMP work */

enum domain_state {
    DOMAIN_BUILDING,
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN,            /* guest asked (sched_op shutdown): see shutdown_reason */
    DOMAIN_CRASHED,             /* the hypervisor stopped it: see crash_report */
};

enum vcpu_state {
    VCPU_RUNNABLE,
    VCPU_BLOCKED,               /* waiting for an event (HLT, sched_op block) */
    VCPU_DOWN,
};

struct domain;

struct vcpu {
    struct domain *domain;
    uint32_t id;
    enum vcpu_state state;
    bool need_resched;          /* leave the guest loop at the next chance */
    uint64_t runtime_ns;
    struct arch_vcpu *arch;     /* owned by arch/ */
};

struct domain {
    uint32_t id;
    char name[BOOTCFG_NAME_MAX];
    bool privileged;            /* dom0: may control other domains (later issues) */
    enum domain_state state;
    uint32_t shutdown_reason;   /* SHUTDOWN_* when state is DOMAIN_SHUTDOWN */
    char crash_report[256];     /* one line: why it was crashed */
    uint64_t ram_bytes;
    uint64_t frames_owned;      /* RAM frames mapped in its EPT */
    uint32_t nvcpus;
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN];
    struct arch_domain *arch;   /* owned by arch/ */
    bool destroyed;             /* resources returned; record kept for the summary */
    /* console_io output is gathered into whole lines so domains never interleave mid-line */
    uint32_t console_len;
    char console_line[120];
};

/* Build a domain from a boot-time description; NULL (with a message) if refused. */
struct domain *domain_create_boot(const struct bootcfg_domain *cfg, const void *image,
                                  uint64_t image_size);
/* Guest-requested shutdown (sched_op). */
void domain_shutdown(struct domain *d, uint32_t reason);
/* Stop a misbehaving domain: prints the report, nothing else is disturbed. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free everything a stopped domain holds; its record stays for the summary. */
void domain_destroy(struct domain *d);

/* The table of domains (index = id); NULL entries are free. */
struct domain *domain_by_id(uint32_t id);
uint32_t domain_count(void);
/* A domain refused at boot, kept only for the summary. */
void domain_note_refused(const char *name, const char *why);
/* One line per domain: name, id, how it ended. */
void domain_print_summary(void);

#endif
