/*
 * Tracing for people porting guests to Mica (docs/boot-config.md):
 *
 *  - `hypervisor trace=errors`: every error a hypercall returns to a guest
 *    is printed with the domain, vCPU, hypercall, sub-op, the errno and the
 *    file:line of the check that chose it;
 *  - `domain ... trace=hypercalls`: every hypercall that domain makes, with
 *    its arguments and result.
 *
 * Both are off by default. Off, a hypercall pays one load and one branch
 * (hypercall_dispatch tests trace_active); an error pays one more.
 */
#ifndef HV_TRACE_H
#define HV_TRACE_H

#include "hv/types.h"

struct vcpu;

/* trace=errors is on, or some domain traces its hypercalls. */
extern bool trace_active;
/* trace=errors is on. */
extern bool trace_errors;

/*
 * `return hv_error(-XEN_EINVAL);` wherever a check chooses the errno a
 * guest will see: under trace=errors the site is remembered for the call
 * in progress. Evaluates to the error itself.
 */
#define hv_error(err) hv_error_at((err), __FILE__, __LINE__)

void trace_error_site(long err, const char *file, unsigned int line);
static inline long hv_error_at(long err, const char *file, unsigned int line)
{
    if (__builtin_expect(trace_errors, 0))
        trace_error_site(err, file, line);
    return err;
}

/* Turn trace=errors on (hypervisor option) / a domain's call trace on. */
void trace_enable_errors(void);
void trace_enable_hypercalls(void);

/*
 * A handler whose sub-op is inside the request it copies (domctl, sysctl)
 * names it once it has it, for the trace line.
 */
void trace_subop(uint64_t subop);

/* hypercall_dispatch, when trace_active: before and after the handler. */
void trace_call_begin(void);
void trace_call_end(struct vcpu *v, const char *name, uint64_t nr, bool subop_in_arg0,
                    const uint64_t args[], long rc);

/*
 * A device access the hypervisor refused (a port it keeps, a BAR placed
 * over RAM): always printed, within the domain's trace-line budget.
 */
void trace_refused(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
