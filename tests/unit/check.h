/*
 * Minimal host unit-test support. Every check prints one line,
 * "PASS: <suite>/<case>" or "FAIL: <suite>/<case> (file:line: expr)";
 * tests/run-tests.sh counts those lines across all suites.
 */
#ifndef MICA_TEST_CHECK_H
#define MICA_TEST_CHECK_H

#include <stdio.h>

extern const char *check_suite;
extern int check_failures;

#define CHECK(name, cond)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            printf("PASS: %s/%s\n", check_suite, (name));                      \
        } else {                                                               \
            printf("FAIL: %s/%s (%s:%d: %s)\n", check_suite, (name), __FILE__, \
                   __LINE__, #cond);                                           \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

/* Use once per test program, at file scope. */
#define CHECK_SUITE(suite_name)                                                \
    const char *check_suite = suite_name;                                      \
    int check_failures

/* main() ends with this: exit status 1 if any check failed. */
#define CHECK_DONE() return check_failures ? 1 : 0

#endif
