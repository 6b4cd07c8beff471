/* Wake-up latency under load (test_latency.c). */
#ifndef GUEST_TEST_LATENCY_H
#define GUEST_TEST_LATENCY_H

#include "tests.h"

void test_latency_ping(const struct guest_env *env);
void test_latency_pong(const struct guest_env *env);

#endif
