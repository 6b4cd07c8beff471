/* CPU-state, CR8 and string I/O actions (test_cpu_state.c). */
#ifndef GUEST_TEST_CPU_STATE_H
#define GUEST_TEST_CPU_STATE_H

#include <stdbool.h>

#include "guest.h"

/* Run `action` if it is one of them; false if it is not. */
bool test_cpu_state_run(const char *action, const struct guest_env *env);

#endif
