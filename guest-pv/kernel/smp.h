/*
 * Secondary vCPUs: finding them, bringing them up with VCPUOP_initialise
 * and VCPUOP_up, and giving them work. Call these on vCPU 0 only.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include <public/hvm_vcpu.h>

/* How long vCPU 0 waits for a secondary before it calls it stuck (system time). */
#define SMP_TIMEOUT_NS (5 * 1000000000ull)

/* The domain's vCPUs: VCPUOP_is_up answers below the count and fails from it
 * on (at most MAX_VCPUS are used). */
uint32_t smp_vcpu_count(void);

/*
 * The steps of bringing up secondary `id`, for the tests to check between:
 * smp_prepare sets up its per-vCPU data, vcpu_info and IPI ports (0 or
 * -errno, printed); smp_start_context fills the 64-bit start state it is
 * initialised with; smp_wait_online waits until it runs (false on timeout).
 */
long smp_prepare(uint32_t id);
void smp_start_context(uint32_t id, struct vcpu_hvm_context *ctx);
bool smp_wait_online(uint32_t id);
/* All of it: prepare, initialise, up, wait online. 0 or -errno (printed). */
long smp_bring_up(uint32_t id);
/* Bring up every secondary; the vCPU count, or 0 after printing what failed. */
uint32_t smp_bring_up_all(void);

/* Give idle secondary `id` a function to run; smp_wait_idle waits until it
 * has returned (false on timeout). */
void smp_run(uint32_t id, void (*fn)(void));
bool smp_wait_idle(uint32_t id);

/* Called by entry.asm on a new secondary vCPU. */
void smp_secondary_main(uint32_t id) __attribute__((noreturn));

#endif
