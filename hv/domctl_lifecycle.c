/*
 * The domctl sub-ops of a domain's life at run time: createdomain,
 * load_kernel, pausedomain, unpausedomain (the first one starts a new
 * domain), destroydomain, max_mem and get_report. Each reads only the local
 * copy do_domctl made; the machine-dependent checks are in
 * hv/domain_runtime.c. docs/abi.md lists every error.
 */
#include "hv/arch.h"
#include "hv/domain_build.h"
#include "hv/domain_console.h"
#include "hv/domain_pause.h"
#include "hv/domain_runtime.h"
#include "hv/domctl_lifecycle.h"
#include "hv/frame.h"
#include "hv/start_info.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/abi.h"
#include "public/errno.h"

_Static_assert(MICA_DOMCTL_MAX_VCPUS == MAX_VCPUS_PER_DOMAIN, "vCPUs a domain may have");

#define CDF_KNOWN (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | MICA_DOMCTL_CDF_unbacked_crash | \
                   MICA_DOMCTL_CDF_evtchn_2l)

static long copy_back(struct vcpu *v, gvaddr_t arg, const struct mica_domctl *op)
{
    return copy_to_guest(v, arg, op, sizeof *op) ? hv_error(-XEN_EFAULT) : 0;
}

/* A refusal with its reason for the caller: the error text is written back. */
static long refused(struct vcpu *v, gvaddr_t arg, struct mica_domctl *op, char *error,
                    const char *why, long rc)
{
    strlcpy(error, why, MICA_DOMCTL_ERROR_LEN);
    return copy_back(v, arg, op) ? hv_error(-XEN_EFAULT) : hv_error(rc);
}

/* dom0 may not pause, unpause or destroy itself (Xen: -EINVAL). */
static bool is_caller(const struct vcpu *v, const struct domain *d)
{
    return d == v->domain;
}

long domctl_createdomain(struct vcpu *v, gvaddr_t arg, struct domain *none,
                         struct mica_domctl *op)
{
    struct mica_domctl_createdomain *c = &op->u.createdomain;
    char error[MICA_DOMCTL_ERROR_LEN] = "";
    struct domain *d;

    if ((c->flags & ~CDF_KNOWN) || c->pad || (c->max_mem_kb & 3) ||
        c->max_mem_kb > (UINT64_MAX >> 10))
        return refused(v, arg, op, c->error, "flags, pad or memory not valid", -XEN_EINVAL);
    if (strnlen(c->name, sizeof c->name) == sizeof c->name)
        return refused(v, arg, op, c->error, "name: not NUL-terminated", -XEN_EINVAL);
    struct domain_request r = {
        /* Xen's convention: 0 or a reserved id (DOMID_SELF and up) asks for any. */
        .id = op->domain < DOMID_SELF ? op->domain : 0,
        .ram_bytes = c->max_mem_kb << 10,
        .nvcpus = c->max_vcpus,
        .cpumap = c->cpumap,
        .weight = c->weight,
        .cap = c->cap,
        .max_grant_frames = c->max_grant_frames,
        .max_evtchn_port = c->max_evtchn_port,
        .max_maptrack = c->max_maptrack,
        .unbacked_crash = (c->flags & MICA_DOMCTL_CDF_unbacked_crash) != 0,
        .evtchn_2l_only = (c->flags & MICA_DOMCTL_CDF_evtchn_2l) != 0,
    };
    memcpy(r.name, c->name, sizeof r.name);
    int rc = domain_runtime_create(&r, &d, error, sizeof error);
    if (rc)
        return refused(v, arg, op, c->error, error, rc);
    op->domain = (uint16_t)d->id;
    memset(c->error, 0, sizeof c->error);
    if (copy_back(v, arg, op)) {
        domain_destroy(d);      /* the caller cannot learn its id: undo */
        domain_forget(d);
        return hv_error(-XEN_EFAULT);
    }
    return 0;
}

/* The image is copied once into frames of the hypervisor's own, checked there. */
long domctl_load_kernel(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_load_kernel *k = &op->u.load_kernel;
    char cmdline[START_INFO_CMDLINE_MAX] = "";
    const char *why = NULL;

    if (d->state != DOMAIN_BUILDING)
        return refused(v, arg, op, k->error, "not a domain being built", -XEN_EINVAL);
    if (k->pad || k->image_size == 0 || k->image_size > MICA_DOMCTL_IMAGE_MAX ||
        k->cmdline_len >= sizeof cmdline || (k->cmdline_len && !k->cmdline))
        return refused(v, arg, op, k->error, "image size, command line or pad not valid",
                       -XEN_EINVAL);
    if (k->cmdline_len && copy_from_guest(v, cmdline, k->cmdline, k->cmdline_len))
        return hv_error(-XEN_EFAULT);
    if (strnlen(cmdline, sizeof cmdline) != k->cmdline_len)
        return refused(v, arg, op, k->error, "command line holds a NUL", -XEN_EINVAL);

    uint64_t pages = (k->image_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    paddr_t copy = pages <= domain_runtime_frames_available() ? frame_alloc_run(pages) : 0;
    if (!copy)
        return refused(v, arg, op, k->error, "memory: no room to copy the image",
                       -XEN_ENOMEM);
    long rc = 0;
    void *image = phys_to_virt(copy);
    if (copy_from_guest(v, image, k->image, k->image_size))
        rc = hv_error(-XEN_EFAULT);
    else
        rc = domain_runtime_load(d, image, k->image_size, cmdline, &why);
    for (uint64_t i = 0; i < pages; i++)
        frame_free(copy + (i << PAGE_SHIFT));
    if (rc && why)
        return refused(v, arg, op, k->error, why, rc);
    return rc ? hv_error(rc) : 0;
}

long domctl_pausedomain(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    if (is_caller(v, d) || (d->state != DOMAIN_RUNNING && d->state != DOMAIN_BUILDING))
        return hv_error(-XEN_EINVAL);
    int rc = domain_pause(d);
    return rc ? hv_error(rc) : 0;
}

long domctl_unpausedomain(struct vcpu *v, gvaddr_t arg, struct domain *d,
                          struct mica_domctl *op)
{
    int rc = -XEN_EINVAL;
    if (is_caller(v, d))
        return hv_error(-XEN_EINVAL);
    if (d->state == DOMAIN_BUILDING && d->pause_count == 1)
        rc = domain_runtime_start(d);   /* its first run: the pause it was created with */
    else if (d->state == DOMAIN_BUILDING || d->state == DOMAIN_RUNNING)
        rc = domain_unpause(d);         /* a pause dom0 added */
    return rc ? hv_error(rc) : 0;
}

/*
 * Xen's semantics: the domain is killed at once, and the call returns
 * -EAGAIN until its memory is back (a vCPU of it may still be leaving
 * another CPU); the toolstack calls again. Then its id and name are free.
 */
long domctl_destroydomain(struct vcpu *v, gvaddr_t arg, struct domain *d,
                          struct mica_domctl *op)
{
    if (is_caller(v, d) || d->privileged)
        return hv_error(-XEN_EINVAL);
    domain_kill(d);
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (d->vcpus[i]->sched.running)
            return hv_error(-XEN_EAGAIN);
    if (!d->destroyed) {
        domain_console_flush(d);
        domain_destroy(d);
    }
    domain_forget(d);
    return 0;
}

long domctl_max_mem(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
    return 0;
}

long domctl_get_report(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op)
{
    struct mica_domctl_report *r = &op->u.report;
    memset(r->text, 0, sizeof r->text);
    if (d->state != DOMAIN_RUNNING && d->state != DOMAIN_BUILDING)
        domain_report(d, r->text, sizeof r->text);
    return copy_back(v, arg, op);
}
