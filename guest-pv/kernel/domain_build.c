/* dom0's domain building calls (domain_build.h). */
#include <stdint.h>

#include <public/errno.h>
#include <public/memory_op.h>
#include <public/sched_op.h>

#include "control.h"
#include "domain_build.h"
#include "hypercall.h"
#include "lib.h"

#define EXTENTS_PER_CALL 64
#define ORDER_2M 9

static struct mica_domctl request(uint32_t cmd, domid_t dom)
{
    return (struct mica_domctl){
        .cmd = cmd, .interface_version = MICA_DOMCTL_INTERFACE_VERSION, .domain = dom,
    };
}

/* At most MICA_DOMCTL_ERROR_LEN - 1 bytes of `from`, NUL-terminated. */
static void copy_error(char *to, const char *from)
{
    size_t n = 0;
    while (n < MICA_DOMCTL_ERROR_LEN - 1 && from[n])
        n++;
    memcpy(to, from, n);
    to[n] = 0;
}

long dom_create(const struct domain_spec *s, domid_t *id, char error[MICA_DOMCTL_ERROR_LEN])
{
    struct mica_domctl op = request(XEN_DOMCTL_CREATEDOMAIN, 0);
    struct mica_domctl_createdomain *c = &op.u.createdomain;

    c->flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap |
               (s->unbacked_crash ? MICA_DOMCTL_CDF_unbacked_crash : 0) |
               (s->evtchn_2l ? MICA_DOMCTL_CDF_evtchn_2l : 0);
    c->max_vcpus = s->vcpus ? s->vcpus : 1;
    c->max_mem_kb = (uint64_t)s->memory_mib << 10;
    c->cpumap = s->cpumap;
    c->weight = s->weight;
    c->cap = s->cap;
    size_t n = strlen(s->name);
    memcpy(c->name, s->name, n < sizeof c->name ? n : sizeof c->name);   /* unterminated: refused */
    long rc = hyp_domctl((unsigned long)&op);
    error[0] = 0;
    if (rc)
        copy_error(error, c->error);
    else
        *id = op.domain;
    return rc;
}

/* One call: `n` extents of 2^order pages from gpfn `first`; the number done. */
static long populate_run(domid_t id, uint64_t first, uint64_t n, uint32_t order)
{
    uint64_t gpfns[EXTENTS_PER_CALL];
    for (uint64_t i = 0; i < n; i++)
        gpfns[i] = first + (i << order);
    struct xen_memory_reservation r = {
        .extent_start = (uint64_t)(uintptr_t)gpfns, .nr_extents = n, .extent_order = order,
        .domid = id,
    };
    return hyp_memory_op(XENMEM_POPULATE_PHYSMAP, (unsigned long)&r);
}

long dom_populate(domid_t id, uint64_t pages)
{
    uint64_t gpfn = 0;
    while (gpfn < pages) {
        uint32_t order = pages - gpfn >= (1u << ORDER_2M) ? ORDER_2M : 0;
        uint64_t left = (pages - gpfn) >> order;
        uint64_t n = left < EXTENTS_PER_CALL ? left : EXTENTS_PER_CALL;
        long done = populate_run(id, gpfn, n, order);
        if (done < 0)
            return done;
        if (done == 0)
            return -XEN_ENOMEM;     /* not even one extent: the hypervisor refused it */
        gpfn += (uint64_t)done << order;
    }
    return 0;
}

long dom_load_kernel(domid_t id, const void *image, uint64_t size, const char *cmdline,
                     char error[MICA_DOMCTL_ERROR_LEN])
{
    struct mica_domctl op = request(MICA_DOMCTL_LOAD_KERNEL, id);
    struct mica_domctl_load_kernel *k = &op.u.load_kernel;

    k->image = (uint64_t)(uintptr_t)image;
    k->image_size = size;
    if (cmdline) {
        k->cmdline = (uint64_t)(uintptr_t)cmdline;
        k->cmdline_len = (uint32_t)strlen(cmdline);
    }
    long rc = hyp_domctl((unsigned long)&op);
    error[0] = 0;
    if (rc)
        copy_error(error, k->error);
    return rc;
}

static long simple(uint32_t cmd, domid_t id)
{
    struct mica_domctl op = request(cmd, id);
    return hyp_domctl((unsigned long)&op);
}

long dom_pause(domid_t id)
{
    return simple(XEN_DOMCTL_PAUSEDOMAIN, id);
}

long dom_unpause(domid_t id)
{
    return simple(XEN_DOMCTL_UNPAUSEDOMAIN, id);
}

long dom_destroy(domid_t id)
{
    long rc;
    while ((rc = simple(XEN_DOMCTL_DESTROYDOMAIN, id)) == -XEN_EAGAIN)
        hyp_sched_op(SCHEDOP_YIELD, 0);     /* a vCPU of it is leaving its CPU */
    return rc;
}

long dom_shutdown(domid_t id, uint32_t reason)
{
    struct sched_remote_shutdown r = { .domain_id = id, .reason = reason };
    return hyp_sched_op(SCHEDOP_REMOTE_SHUTDOWN, (unsigned long)&r);
}

long dom_report(domid_t id, char text[128])
{
    struct mica_domctl op = request(MICA_DOMCTL_GET_REPORT, id);
    long rc = hyp_domctl((unsigned long)&op);
    text[0] = 0;
    if (rc == 0)
        memcpy(text, op.u.report.text, sizeof op.u.report.text);
    return rc;
}

long dom_build(const struct domain_spec *s, const void *image, uint64_t size, domid_t *id,
               char error[MICA_DOMCTL_ERROR_LEN])
{
    long rc = dom_create(s, id, error);
    if (rc)
        return rc;
    rc = dom_populate(*id, (uint64_t)s->memory_mib << (20 - 12));
    if (rc) {
        copy_error(error, "memory: populating its RAM failed");
    } else if ((rc = dom_load_kernel(*id, image, size, s->cmdline, error)) == 0 &&
               (rc = dom_unpause(*id)) != 0) {
        copy_error(error, "starting it failed");
    }
    if (rc)
        dom_destroy(*id);
    return rc;
}
