#ifndef HV_DOMAIN_CONSOLE_H
#define HV_DOMAIN_CONSOLE_H

#include "hv/domain.h"

/* Print guest text as "[name] line" (sanitised, rate-limited; see the .c file). */
void domain_console_write(struct domain *d, const char *buf, size_t n);
/* Print the next line of a domU's console ring (its console port was
 * notified); d->console_ring_more says whether more is waiting. */
void console_ring_drain(struct domain *d);
/* The scheduling loop: one more line from a ring with more waiting whose
 * domain has no runnable vCPU to print it. */
void console_rings_continue(void);
/* Is such a ring waiting for console_rings_continue? */
bool console_rings_waiting(void);
/* Everything left in d's ring (it has ended: its last words). */
void console_ring_flush(struct domain *d);

#endif
