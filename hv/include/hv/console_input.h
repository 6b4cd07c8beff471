/*
 * Console input for dom0: bytes typed on the hypervisor's serial console are
 * polled into a small ring, VIRQ_CONSOLE tells dom0, and CONSOLEIO_read takes
 * them out. When the ring is full, further input is dropped.
 */
#ifndef HV_CONSOLE_INPUT_H
#define HV_CONSOLE_INPUT_H

#include "hv/types.h"

#define CONSOLE_INPUT_SIZE 256
#define CONSOLE_INPUT_POLL_NS 10000000ull   /* how often an idle CPU looks for input */

/* Move waiting bytes from the console into the ring; raise VIRQ_CONSOLE. */
void console_input_poll(void);
/* Up to `max` buffered bytes, left in the ring until console_input_consume. */
size_t console_input_peek(char *buf, size_t max);
void console_input_consume(size_t n);
/* True when dom0 is waiting for console input (it bound VIRQ_CONSOLE). */
bool console_input_awaited(void);

#endif
