/*
 * Tracing off (hv/include/hv/trace.h), for tests that compile hypercall
 * handlers without hv/trace.c; tests/unit/test_trace.c tests the real one.
 */
#include <stdlib.h>

#include "hv/trace.h"

bool trace_active;
bool trace_errors;

/* Only reached under trace=errors, which these tests never turn on. */
void trace_error_site(long err, const char *file, unsigned int line)
{
    (void)err, (void)file, (void)line;
    abort();
}

void trace_subop(uint64_t subop)
{
    (void)subop;
}

/* hv/hypercall.c's traced path: only with trace_active, never set here. */
void trace_call_begin(void)
{
    abort();
}

void trace_call_end(struct vcpu *v, const char *name, uint64_t nr, bool subop_in_arg0,
                    const uint64_t args[], long rc)
{
    (void)v, (void)name, (void)nr, (void)subop_in_arg0, (void)args, (void)rc;
    abort();
}
