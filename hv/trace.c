/*
 * trace=errors and trace=hypercalls (hv/include/hv/trace.h). One hypercall
 * runs at a time under the hypervisor lock (docs/architecture.md), so the
 * record of the call in progress is one static; it becomes per CPU when
 * that lock is split.
 *
 * The console is synchronous (a line costs a CPU several milliseconds at
 * 115200 baud), so each domain may print at most TRACE_LINES_PER_SEC trace
 * lines a second; the first line over says so, and the count of the rest is
 * printed when the next second opens.
 */
#include "hv/trace.h"
#include "hv/domain.h"
#include "hv/hypercall.h"
#include "hv/printk.h"
#include "hv/rate_window.h"
#include "hv/time.h"
#include "public/errno.h"

#define TRACE_LINES_PER_SEC 32
#define SUBOP_NONE          (~0ull)

bool trace_active;
bool trace_errors;

static struct {
    long err;                   /* the error hv_error() last chose, 0: none */
    const char *file;
    unsigned int line;
    uint64_t subop;             /* trace_subop(), SUBOP_NONE if not named */
} call;

void trace_enable_errors(void)
{
    trace_errors = true;
    trace_active = true;
}

void trace_enable_hypercalls(void)
{
    trace_active = true;
}

void trace_error_site(long err, const char *file, unsigned int line)
{
    call.err = err;
    call.file = file;
    call.line = line;
}

void trace_subop(uint64_t subop)
{
    call.subop = subop;
}

void trace_call_begin(void)
{
    call.err = 0;
    call.subop = SUBOP_NONE;
}

static const char *const errno_names[] = {
    [XEN_EPERM] = "EPERM",   [XEN_ENOENT] = "ENOENT", [XEN_ESRCH] = "ESRCH",
    [XEN_EAGAIN] = "EAGAIN", [XEN_ENOMEM] = "ENOMEM", [XEN_EACCES] = "EACCES",
    [XEN_EFAULT] = "EFAULT", [XEN_EBUSY] = "EBUSY",   [XEN_EEXIST] = "EEXIST",
    [XEN_EINVAL] = "EINVAL", [XEN_ENOSPC] = "ENOSPC", [XEN_ENOSYS] = "ENOSYS",
    [XEN_ETIME] = "ETIME",   [XEN_EOPNOTSUPP] = "EOPNOTSUPP",
};

static const char *errno_name(long rc)
{
    uint64_t e = 0 - (uint64_t)rc;
    return e < ARRAY_SIZE(errno_names) && errno_names[e] ? errno_names[e] : "?";
}

/* May `d` print one more trace line now? */
static bool line_allowed(struct domain *d)
{
    uint64_t closed;
    bool ok = rate_window_take(&d->trace_rate, time_now_ns(), 1, TRACE_LINES_PER_SEC, &closed);

    if (closed)
        printk("trace: d%u: %lu trace lines dropped (over %u a second)\n", d->id, closed,
               TRACE_LINES_PER_SEC);
    if (!ok && d->trace_rate.dropped == 1)
        printk("trace: d%u: over %u trace lines this second: the rest of it is dropped\n",
               d->id, TRACE_LINES_PER_SEC);
    return ok;
}

void trace_call_end(struct vcpu *v, const char *name, uint64_t nr, bool subop_in_arg0,
                    const uint64_t args[], long rc)
{
    struct domain *d = v->domain;
    bool error = trace_errors && rc < 0 && rc != HYPERCALL_RESTART;
    uint64_t subop = subop_in_arg0 ? args[0] : call.subop;
    char call_name[48];
    char site[96] = "at an unrecorded site";

    if ((!error && !d->trace_hypercalls) || !line_allowed(d))
        return;
    if (!name)
        snprintf(call_name, sizeof call_name, "hypercall %lu", nr);
    else if (subop != SUBOP_NONE)
        snprintf(call_name, sizeof call_name, "%s op %lu", name, subop);
    else
        snprintf(call_name, sizeof call_name, "%s", name);

    if (d->trace_hypercalls)
        printk("trace: d%uv%u %s (0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %ld\n", d->id, v->id,
               call_name, args[0], args[1], args[2], args[3], args[4], rc);
    if (!error)
        return;
    if (call.err == rc)
        snprintf(site, sizeof site, "at %s:%u", call.file, call.line);
    printk("trace: d%uv%u %s: error %ld (%s) %s\n", d->id, v->id, call_name, rc,
           errno_name(rc), site);
}

void trace_refused(struct vcpu *v, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    if (!line_allowed(v->domain))
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    printk("trace: d%uv%u %s\n", v->domain->id, v->id, what);
}
