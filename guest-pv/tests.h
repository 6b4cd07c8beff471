/*
 * Test actions selected by `test=<action>` on the command line. Each prints
 * one parseable line per case (`PASS: ...` / `FAIL: ...`) for the system
 * tests to grep, and may end the domain itself (e.g. ept-probe).
 */
#ifndef GUEST_TESTS_H
#define GUEST_TESTS_H

#include <stdbool.h>

#include <public/hvm_start_info.h>

/* Runs the named action; false if no such action exists. */
bool tests_run(const char *action, const struct hvm_start_info *si);

#endif
