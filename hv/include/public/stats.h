/*
 * Monitoring counters of a domain or one of its vCPUs, as domctl
 * MICA_DOMCTL_GET_STATS writes them to a buffer of dom0's (public/domctl.h;
 * docs/abi.md, "36 domctl"). Every counter starts at 0 when the domain is
 * created and only grows; the hypervisor counts with plain increments on
 * the paths themselves, so reading them costs those paths nothing more.
 */
#ifndef MICA_PUBLIC_STATS_H
#define MICA_PUBLIC_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * VM exits, by what caused them (the VMX basic exit reasons in brackets).
 * Every reason Mica handles has its own entry; the rest (a triple fault, a
 * failed VM entry, an instruction that is refused with #UD or #GP or needs
 * nothing done, one it does not expect) are counted as OTHER.
 */
#define MICA_STATS_EXIT_OTHER              0
#define MICA_STATS_EXIT_EXCEPTION_NMI      1    /* [0] an NMI (the watchdog's, a halt) */
#define MICA_STATS_EXIT_EXTERNAL_INTERRUPT 2    /* [1] the hypervisor's timer, a kick, a device */
#define MICA_STATS_EXIT_INTERRUPT_WINDOW   3    /* [7] the guest can take an upcall again */
#define MICA_STATS_EXIT_CPUID              4    /* [10] */
#define MICA_STATS_EXIT_HLT                5    /* [12] */
#define MICA_STATS_EXIT_HYPERCALL          6    /* [18] VMCALL */
#define MICA_STATS_EXIT_CR_ACCESS          7    /* [28] CR0, CR4 or CR8 */
#define MICA_STATS_EXIT_IO                 8    /* [30] IN, OUT, INS, OUTS */
#define MICA_STATS_EXIT_MSR_READ           9    /* [31] RDMSR */
#define MICA_STATS_EXIT_MSR_WRITE          10   /* [32] WRMSR */
#define MICA_STATS_EXIT_EPT                11   /* [48, 49] EPT violation, misconfiguration */
#define MICA_STATS_EXIT_PREEMPTION_TIMER   12   /* [52] the end of a time slice */
#define MICA_STATS_EXITS                   16   /* entries; those above 12 stay 0 */

/* Hypercalls by number: as many as there are numbers (public/hypercall.h). */
#define MICA_STATS_HYPERCALLS 64

struct mica_stats {
    uint32_t nr_vcpus;          /* vCPUs counted: the domain's, or 1 */
    uint32_t pad;               /* 0 */
    uint64_t runstate_time[4];  /* ns in each RUNSTATE_*, up to now */
    uint64_t cpu_time;          /* ns run: runstate_time[RUNSTATE_RUNNING] */
    uint64_t tot_pages;         /* RAM pages the domain owns now (the whole domain) */
    uint64_t max_pages;         /* ... and may own (max_mem) */
    uint64_t exits[MICA_STATS_EXITS];           /* VM exits, by MICA_STATS_EXIT_* */
    /* Calls that reached their handler (a restarted one each time), by
     * number; those the policy refused are get_denials' to count. */
    uint64_t hypercalls[MICA_STATS_HYPERCALLS];
    uint64_t evtchn_sends;      /* EVTCHNOP_send calls that succeeded */
    uint64_t grant_maps;        /* GNTTABOP_map_grant_ref entries that mapped (GNTST_okay) */
    uint64_t grant_copies;      /* GNTTABOP_copy entries that copied (GNTST_okay) */
};
_Static_assert(sizeof(struct mica_stats) == 728, "mica_stats size");
_Static_assert(offsetof(struct mica_stats, exits) == 64, "mica_stats.exits");
_Static_assert(offsetof(struct mica_stats, hypercalls) == 192, "mica_stats.hypercalls");
_Static_assert(offsetof(struct mica_stats, evtchn_sends) == 704, "mica_stats.evtchn_sends");

#endif
