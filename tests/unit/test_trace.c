/*
 * hv/trace.c: trace=errors names the check that chose an error, call lines
 * carry the arguments and result, the sub-op comes from args[0] or from
 * trace_subop(), and each domain's lines are rate-limited.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hv/domain.h"
#include "hv/hypercall.h"
#include "hv/printk.h"
#include "hv/time.h"
#include "hv/trace.h"
#include "public/errno.h"

CHECK_SUITE("trace");

static uint64_t now_ns = 1000;
static char printed[8192];
static unsigned lines;

uint64_t time_now_ns(void)
{
    return now_ns;
}

void printk(const char *fmt, ...)
{
    size_t used = strlen(printed);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(printed + used, sizeof printed - used, fmt, ap);
    va_end(ap);
    lines++;
}

static void clear(void)
{
    printed[0] = 0;
    lines = 0;
}

static struct domain dom = { .id = 3 };
static struct vcpu vcpu = { .domain = &dom, .id = 1 };
static const uint64_t args[HYPERCALL_ARGS] = { 5, 0x1000, 0, 0, 7 };

/* One traced call whose handler chose `err` through hv_error(); its line. */
static long failing_call(long err, unsigned *line)
{
    trace_call_begin();
    *line = __LINE__ + 1;
    long rc = hv_error(err);
    trace_call_end(&vcpu, "event_channel_op", 32, true, args, rc);
    return rc;
}

static void test_off(void)
{
    clear();
    CHECK("off/hv_error-is-the-error", hv_error(-XEN_EINVAL) == -XEN_EINVAL);
    CHECK("off/inactive", !trace_active && !trace_errors);
    trace_call_begin();
    trace_call_end(&vcpu, "xen_version", 17, true, args, -XEN_EINVAL);
    CHECK("off/prints-nothing", lines == 0);
}

static void test_errors(void)
{
    char want[160];
    unsigned line;

    trace_enable_errors();
    CHECK("errors/active", trace_active && trace_errors);

    clear();
    CHECK("errors/returns-error", failing_call(-XEN_EINVAL, &line) == -XEN_EINVAL);
    snprintf(want, sizeof want,
             "trace: d3v1 event_channel_op op 5: error -22 (EINVAL) at %s:%u\n", __FILE__, line);
    CHECK("errors/names-the-site", strcmp(printed, want) == 0);

    clear();
    trace_call_begin();
    trace_call_end(&vcpu, "xen_version", 17, true, args, -XEN_EFAULT);
    CHECK("errors/unrecorded-site", strstr(printed, "error -14 (EFAULT) at an unrecorded site"));

    clear();
    trace_call_begin();
    (void)hv_error(-XEN_EFAULT);        /* an inner error the handler replaced */
    trace_call_end(&vcpu, "xen_version", 17, true, args, -XEN_EINVAL);
    CHECK("errors/stale-site-not-named", strstr(printed, "(EINVAL) at an unrecorded site"));

    clear();
    trace_call_begin();
    trace_call_end(&vcpu, NULL, 99, false, args, hv_error(-XEN_ENOSYS));
    CHECK("errors/unknown-hypercall-by-number", strstr(printed, "d3v1 hypercall 99: error -38 (ENOSYS) at "));

    clear();
    trace_call_begin();
    trace_subop(12);
    trace_call_end(&vcpu, "domctl", 36, false, args, hv_error(-XEN_ESRCH));
    CHECK("errors/subop-from-request", strstr(printed, "d3v1 domctl op 12: error -3 (ESRCH)"));

    clear();
    trace_call_begin();
    trace_call_end(&vcpu, "domctl", 36, false, args, hv_error(-XEN_EACCES));
    CHECK("errors/no-subop-when-unread", strstr(printed, "d3v1 domctl: error -13 (EACCES)"));

    clear();
    trace_call_begin();
    trace_call_end(&vcpu, "sched_op", 29, true, args, HYPERCALL_RESTART);
    trace_call_end(&vcpu, "sched_op", 29, true, args, 0);
    CHECK("errors/restart-and-success-quiet", lines == 0);
}

static void test_calls(void)
{
    clear();
    dom.trace_hypercalls = true;
    trace_call_begin();
    trace_call_end(&vcpu, "event_channel_op", 32, true, args, 4);
    CHECK("calls/line", strcmp(printed, "trace: d3v1 event_channel_op op 5 "
                                        "(0x5, 0x1000, 0x0, 0x0, 0x7) = 4\n") == 0);
    clear();
    trace_call_begin();
    trace_call_end(&vcpu, "set_timer_op", 15, false, args, 0);
    CHECK("calls/no-subop", strstr(printed, "d3v1 set_timer_op (0x5, ") != NULL);
    clear();
    trace_call_begin();
    trace_call_end(&vcpu, "xen_version", 17, true, args, hv_error(-XEN_EINVAL));
    CHECK("calls/error-gets-both-lines", lines == 2 && strstr(printed, ") = -22\n") &&
                                             strstr(printed, "error -22 (EINVAL) at "));
    dom.trace_hypercalls = false;
}

static void test_rate_limit(void)
{
    unsigned line;

    now_ns += 2000000000ull;            /* a fresh window */
    clear();
    for (int i = 0; i < 40; i++)
        failing_call(-XEN_EINVAL, &line);
    CHECK("rate/32-lines-and-a-notice", lines == 33);
    CHECK("rate/notice", strstr(printed, "trace: d3: over 32 trace lines this second: the rest "
                                         "of it is dropped\n") != NULL);
    clear();
    now_ns += 1000000000ull;
    failing_call(-XEN_EINVAL, &line);
    CHECK("rate/next-second-counts-dropped",
          strncmp(printed, "trace: d3: 8 trace lines dropped (over 32 a second)\n", 52) == 0 &&
              lines == 2);
}

int main(void)
{
    test_off();
    test_errors();
    test_calls();
    test_rate_limit();
    CHECK_DONE();
}
