/*
 * dom0 builds a domain at run time (docs/abi.md, "Domains at run time"):
 * createdomain, populate_physmap of all its RAM, load_kernel, the first
 * unpausedomain. Each call returns 0 or a negative XEN_E* errno; where the
 * hypervisor says why (createdomain, load_kernel), `error` gets its text.
 */
#ifndef GUEST_DOMAIN_BUILD_H
#define GUEST_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/domctl.h>

struct domain_spec {
    const char *name;
    uint32_t memory_mib;
    uint32_t vcpus;             /* 0: 1 */
    uint64_t cpumap;            /* 0: every CPU */
    uint32_t weight;            /* 0: the default */
    uint32_t cap;
    const char *cmdline;        /* may be NULL */
    bool unbacked_crash;        /* unbacked=crash (MICA_DOMCTL_CDF_unbacked_crash) */
    bool evtchn_2l;             /* evtchn=2l (MICA_DOMCTL_CDF_evtchn_2l) */
};

/* createdomain: a paused domain being built, its id in *id. */
long dom_create(const struct domain_spec *s, domid_t *id, char error[MICA_DOMCTL_ERROR_LEN]);
/* populate_physmap of all of [0, pages): 2 MiB extents where they fit. */
long dom_populate(domid_t id, uint64_t pages);
long dom_load_kernel(domid_t id, const void *image, uint64_t size, const char *cmdline,
                     char error[MICA_DOMCTL_ERROR_LEN]);
long dom_pause(domid_t id);
long dom_unpause(domid_t id);
/* destroydomain, called again while the hypervisor answers -EAGAIN. */
long dom_destroy(domid_t id);
/* SCHEDOP_remote_shutdown with a SHUTDOWN_* reason. */
long dom_shutdown(domid_t id, uint32_t reason);
/* Why it stopped ("" while it runs). */
long dom_report(domid_t id, char text[128]);
/* All of it: on any failure the half-built domain is destroyed again. */
long dom_build(const struct domain_spec *s, const void *image, uint64_t size, domid_t *id,
               char error[MICA_DOMCTL_ERROR_LEN]);

#endif
