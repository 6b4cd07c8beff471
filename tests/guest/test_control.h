/* dom0's run-time scheduler control, end to end (test_control.c). */
#ifndef GUEST_TEST_CONTROL_H
#define GUEST_TEST_CONTROL_H

#include "tests.h"

void test_control(const struct guest_env *env);

#endif
