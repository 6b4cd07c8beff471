/*
 * test=bench (dom0) and test=bench-peer (its partner domU): path lengths of
 * the hypervisor's hot paths, printed as `bench: <key> <value> ...` lines
 * for scripts/bench.sh. test_bench.c says what each figure includes.
 */
#ifndef GUEST_TEST_BENCH_H
#define GUEST_TEST_BENCH_H

#include <stdint.h>

#include "tests.h"

/* Written by bench_wake.asm: the TSC at a woken vCPU's first instruction. */
extern uint64_t bench_wake_tsc;

void test_bench(const struct guest_env *env);
void test_bench_peer(const struct guest_env *env);

#endif
