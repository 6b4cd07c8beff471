/*
 * Which domain gets what is typed on the serial console: dom0
 * (hv/console_input.c, CONSOLEIO_read) or the one domU dom0 has attached
 * it to (MICA_DOMCTL_CONSOLE, hv/domctl_console.c), whose console ring's
 * `in` side then receives it. Everything here runs under the hypervisor
 * lock.
 */
#ifndef HV_CONSOLE_FOCUS_H
#define HV_CONSOLE_FOCUS_H

#include "hv/domain.h"

/* The domU that has the input now, or NULL: dom0 has it. */
struct domain *console_focus(void);
/* Give the input to d (checked by the caller: a running domU with a ring). */
void console_focus_attach(struct domain *d);
/* Give it back to dom0, and tell dom0 (VIRQ_CONSOLE). Nothing attached: no-op. */
void console_focus_detach(void);
/* d stops: if it has the input, dom0 gets it back. */
void console_focus_stopped(const struct domain *d);
/* One typed byte: true if the attached domU took it (or it was the
 * detach key, or dropped for a full ring), false if it is dom0's. */
bool console_focus_input(char c);
/* After a batch of console_focus_input: notify the domU once. */
void console_focus_flush(void);

#endif
