/*
 * Domains dom0 creates at run time (hv/domain_runtime.c): admission, RAM,
 * kernel, start. The domctl and memory_op glue (hv/domctl_lifecycle.c,
 * hv/memory_op.c) copies and checks the guest's arguments; these functions
 * check what depends on the machine's state.
 */
#ifndef HV_DOMAIN_RUNTIME_H
#define HV_DOMAIN_RUNTIME_H

#include "hv/domain.h"

struct domain_request {
    uint32_t id;                        /* 0: the next free one */
    char name[BOOTCFG_NAME_MAX];        /* NUL-terminated */
    uint64_t ram_bytes;
    uint32_t nvcpus;
    uint64_t cpumap;                    /* 0: every CPU */
    uint32_t weight;                    /* 0: the default */
    uint32_t cap;
    uint32_t max_grant_frames;          /* 0: the host's limit, as the others */
    uint32_t max_evtchn_port;
    uint32_t max_maptrack;
    bool unbacked_crash;                /* MICA_DOMCTL_CDF_unbacked_crash */
    bool evtchn_2l_only;                /* MICA_DOMCTL_CDF_evtchn_2l */
};

/*
 * Every check first, then the record: a BUILDING domain, paused once, with
 * every frame it can need set aside. 0 and *out; or -XEN_EINVAL, -XEN_EEXIST,
 * -XEN_ENOSPC or -XEN_ENOMEM with `error` naming the resource and the
 * numbers, and nothing changed.
 */
int domain_runtime_create(const struct domain_request *r, struct domain **out,
                          char *error, size_t error_len);
/* Free frames that no domain being built has set aside. */
uint64_t domain_runtime_frames_available(void);
/*
 * Zeroed RAM for the extent of 2^order pages at gpfn; 0 when done, -1 when
 * it cannot be (out of range, already there, beyond max_pages, no memory).
 */
int domain_runtime_populate(struct domain *d, uint64_t gpfn, uint32_t order);
/*
 * Load a validated PVH kernel (a local copy) with this command line into a
 * BUILDING domain whose RAM is all there; its vCPUs get their start state.
 * 0, or -XEN_EINVAL / -XEN_ENOMEM with *why saying why.
 */
int domain_runtime_load(struct domain *d, const void *image, uint64_t size,
                        const char *cmdline, const char **why);
/* The first unpause of a domain being built: 0, or -XEN_EINVAL if no kernel is loaded. */
int domain_runtime_start(struct domain *d);

#endif
