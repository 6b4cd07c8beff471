/*
 * dom0's console input: the bytes typed on the hypervisor's serial console,
 * read with console_io(CONSOLEIO_read); VIRQ_CONSOLE says more have come
 * (docs/abi.md). Only dom0 may read; call these on vCPU 0.
 */
#ifndef GUEST_CONSOLE_INPUT_H
#define GUEST_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bind VIRQ_CONSOLE. False (after printing why) on failure. Once bound, the
 * hypervisor looks for input while idle instead of ending blocked domains. */
bool console_input_start(void);
/*
 * Up to `max` bytes typed so far into buf; 0 when none has come within
 * `timeout_ns` (waiting idle for VIRQ_CONSOLE), -errno on error.
 */
long console_input_read(char *buf, size_t max, uint64_t timeout_ns);

#endif
