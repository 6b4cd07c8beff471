/*
 * Hostile domains: each action misbehaves in one way for a bounded time
 * (`seconds=`), prints `PASS: hostile/<action>/<case>` or
 * `FAIL: hostile/<action>/<case> (got N)` for what it can see itself, and
 * shuts down. tests/system/hostile.sh runs them all at once beside
 * well-behaved domains and checks from the log that each hurt only itself.
 *
 *   test_hostile.c          flood-console, flood-events, punctual (the
 *                           well-behaved timing check), the dispatcher
 *   test_hostile_exhaust.c  exhaust-evtchn, exhaust-grants
 *   test_hostile_ptloop.c   pt-loop
 */
#ifndef GUEST_TEST_HOSTILE_H
#define GUEST_TEST_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "tests.h"

/* Runs the hostile action named `action`; false if it is not one of them. */
bool test_hostile_run(const char *action, const struct guest_env *env);

/* One result line of the running action: PASS, or FAIL with `got`. */
void hostile_report(bool ok, const char *what, long got);
/* The command line's `seconds=`, or `seconds` without one. */
uint32_t hostile_seconds(const struct guest_env *env, uint32_t seconds);
/* System time hostile_seconds() from now. */
uint64_t hostile_deadline(const struct guest_env *env, uint32_t seconds);

void test_exhaust_evtchn(const struct guest_env *env);
void test_exhaust_grants(const struct guest_env *env);
void test_pt_loop(const struct guest_env *env);

#endif
