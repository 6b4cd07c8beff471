/* dom0's console input for the shell: CONSOLEIO_read, woken by VIRQ_CONSOLE. */
#ifndef TOOLSTACK_CONSOLE_IN_H
#define TOOLSTACK_CONSOLE_IN_H

#include <stdbool.h>
#include <stddef.h>

/* Bind VIRQ_CONSOLE; false (after saying why) if it cannot be. */
bool console_in_init(void);
/*
 * Up to `size` bytes typed, waiting for at least one; returns 0 early
 * when `stop()` holds (checked after every event), which a caller uses to
 * handle other work (a domain that stopped) between keystrokes.
 */
size_t console_in_read(char *buf, size_t size, bool (*stop)(void));

#endif
