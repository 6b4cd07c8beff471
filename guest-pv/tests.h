/*
 * Test actions selected by `test=<action>` on the command line. Each prints
 * one parseable line per case (`PASS: <group>/<case>` or
 * `FAIL: <group>/<case> <details>`) for the system tests to grep, and may
 * end the domain itself (e.g. ept-probe).
 */
#ifndef GUEST_TESTS_H
#define GUEST_TESTS_H

#include <stdbool.h>

#include <public/hvm_start_info.h>

struct test_env {
    const struct hvm_start_info *si;
    const char *name;           /* the domain's name= from the command line */
    const char *cmdline;        /* the whole command line, NULL if none */
};

/* Runs the named action; false if no such action exists. */
bool tests_run(const char *action, const struct test_env *env);

/* entry.asm identity-maps [0, 4 GiB); addresses past it are unmapped for us. */
#define IDENTITY_MAP_END 0x100000000ull

/* Actions that live in their own files. */
void test_abi(const struct test_env *env);
void test_sleep(const struct test_env *env);
void test_smp(const struct test_env *env);
void test_cpu_hog(const struct test_env *env);
/* The hypercall ABI conformance suite: tests/abi/conformance.c. */
void test_conformance(const struct test_env *env);
void test_fuzz(const struct test_env *env);       /* test_fuzz.c */

#endif
