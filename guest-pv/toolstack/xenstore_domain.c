/*
 * A domain's entry in the store, as Xen's toolstack makes it (libxl's
 * layout and permissions): /local/domain/<id> belongs to dom0 and the
 * domain may read it ("n0", "r<id>"); inside it the domain owns what it
 * is meant to write: data/ and control/shutdown. /vm/<id> holds what
 * outlives one run of the domain (Xen keys it by UUID; Mica has none).
 */
#include <stdint.h>

#include <public/event_channel.h>
#include <public/hvm_op.h>

#include "console.h"
#include "control.h"
#include "hypercall.h"
#include "lib.h"
#include "xenstored.h"

#define PATH_MAX_LEN 64

/* "<base><id><rest>" into buf. */
const char *xenstore_path(char *buf, const char *base, domid_t id, const char *rest)
{
    size_t n = strlen(base);
    memcpy(buf, base, n);
    n += fmt_u64(buf + n, id);
    size_t r = strlen(rest);
    memcpy(buf + n, rest, r + 1);
    return buf;
}

static int set_perms(const char *p, const char *owner, const char *other)
{
    char reply[8];
    uint32_t n;
    return xenstored_callv(XS_SET_PERMS, reply, sizeof reply, &n, p, owner, other, NULL);
}

static int write_node(domid_t id, const char *base, const char *rest, const char *value)
{
    char p[PATH_MAX_LEN];
    return xenstored_write(xenstore_path(p, base, id, rest), value);
}

/* Every node, all or nothing (the caller removes what was made on failure). */
static int write_nodes(domid_t id, const struct mica_domctl_getdomaininfo *i)
{
    char p[PATH_MAX_LEN], dom0_none[] = "n0", domu_read[8] = "r", domu_owns[8] = "n", v[24];
    fmt_u64(domu_read + 1, id);
    fmt_u64(domu_owns + 1, id);
    int err = 0;

    /* dom0's, readable by the domain: the home, and /vm/<id>. */
    err = err ? err : write_node(id, "/local/domain/", "", "");
    err = err ? err : set_perms(xenstore_path(p, "/local/domain/", id, ""), dom0_none, domu_read);
    err = err ? err : write_node(id, "/vm/", "", "");
    err = err ? err : set_perms(xenstore_path(p, "/vm/", id, ""), dom0_none, domu_read);
    err = err ? err : write_node(id, "/vm/", "/name", i->name);
    /* Below the home, nodes dom0 makes take the home's permissions. */
    err = err ? err : write_node(id, "/local/domain/", "/name", i->name);
    fmt_u64(v, id);
    err = err ? err : write_node(id, "/local/domain/", "/domid", v);
    err = err ? err : write_node(id, "/local/domain/", "/vm", xenstore_path(p, "/vm/", id, ""));
    fmt_u64(v, i->max_pages * 4);       /* KiB, as Xen's memory/ nodes */
    err = err ? err : write_node(id, "/local/domain/", "/memory/static-max", v);
    /* What it was given (Xen: the balloon target, memory= of its line). */
    fmt_u64(v, i->max_pages * 4);
    err = err ? err : write_node(id, "/local/domain/", "/memory/target", v);
    err = err ? err : write_node(id, "/local/domain/", "/device", "");
    err = err ? err : write_node(id, "/local/domain/", "/control", "");
    /* What the domain writes: its answer to a shutdown request, its own data. */
    err = err ? err : write_node(id, "/local/domain/", "/control/shutdown", "");
    err = err ? err : set_perms(xenstore_path(p, "/local/domain/", id, "/control/shutdown"), domu_owns,
                                dom0_none);
    err = err ? err : write_node(id, "/local/domain/", "/data", "");
    err = err ? err : set_perms(xenstore_path(p, "/local/domain/", id, "/data"), domu_owns, dom0_none);
    return err;
}

static void remove_nodes(domid_t id)
{
    char p[PATH_MAX_LEN], reply[8];
    uint32_t n;
    xenstored_callv(XS_RM, reply, sizeof reply, &n, xenstore_path(p, "/local/domain/", id, ""), NULL);
    xenstored_callv(XS_RM, reply, sizeof reply, &n, xenstore_path(p, "/vm/", id, ""), NULL);
}

/* An unbound port of the domain's for dom0, named in its STORE_EVTCHN. */
static long offer_port(domid_t id, uint64_t *gfn)
{
    struct evtchn_alloc_unbound a = { .dom = id, .remote_dom = 0 };
    long rc = hyp_event_channel_op(EVTCHNOP_ALLOC_UNBOUND, (unsigned long)&a);
    if (rc)
        return rc;
    struct xen_hvm_param p = { .domid = id, .index = HVM_PARAM_STORE_EVTCHN, .value = a.port };
    if ((rc = hyp_hvm_op(HVMOP_SET_PARAM, (unsigned long)&p)))
        return rc;
    p = (struct xen_hvm_param){ .domid = id, .index = HVM_PARAM_STORE_PFN };
    if ((rc = hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p)))
        return rc;
    *gfn = p.value;
    return a.port;
}

int xenstored_domain_new(domid_t id)
{
    struct mica_domctl_getdomaininfo i;
    char reply[8], d[8], g[24], pt[12];
    uint32_t n;
    uint64_t gfn = 0;

    long port = domctl_get_domaininfo(id, &i);
    if (port == 0)
        port = offer_port(id, &gfn);
    if (port < 0) {
        printk("xenstore: domain %u: no store port (%ld)\n", id, port);
        return -1;
    }
    if (gfn == 0) {
        printk("xenstore: domain %u has no store ring\n", id);
        return -1;
    }
    int err = write_nodes(id, &i);
    if (!err) {
        fmt_u64(d, id);
        fmt_u64(g, gfn);
        fmt_u64(pt, (uint64_t)port);
        err = xenstored_callv(XS_INTRODUCE, reply, sizeof reply, &n, d, g, pt, NULL);
    }
    if (err) {
        printk("xenstore: domain %u not connected (error %d)\n", id, err);
        remove_nodes(id);
        return -1;
    }
    return 0;
}

void xenstored_domain_gone(domid_t id)
{
    xenstored_forget(id);
    remove_nodes(id);
}
