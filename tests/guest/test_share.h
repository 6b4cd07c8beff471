/* A CPU-bound domain that measures its own CPU share (test_share.c). */
#ifndef GUEST_TEST_SHARE_H
#define GUEST_TEST_SHARE_H

#include "tests.h"

void test_share(const struct guest_env *env);

#endif
