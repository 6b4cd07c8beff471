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
