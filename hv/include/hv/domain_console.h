#ifndef HV_DOMAIN_CONSOLE_H
#define HV_DOMAIN_CONSOLE_H

#include "hv/domain.h"

/* Print guest text as "[name] line" (sanitised, rate-limited; see the .c file). */
void domain_console_write(struct domain *d, const char *buf, size_t n);
/* Drain a domU's console ring page (its console port was notified). */
void console_ring_drain(struct domain *d);

#endif
