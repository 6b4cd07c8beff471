/* A domU's console ring (public/console_ring.h), drained by the hypervisor. */
#ifndef GUEST_CONSOLE_RING_H
#define GUEST_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>

/* Look up the ring page and its port; false if the domain has no ring. */
bool console_ring_init(void);
/* Queue len bytes and notify; false if the hypervisor stopped draining. */
bool console_ring_write(const char *s, size_t len);

#endif
