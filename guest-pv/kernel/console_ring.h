/* A domU's console ring (public/console_ring.h): we write `out`, drained by
 * the hypervisor, and read `in`, what is typed while dom0 has attached the
 * serial console to us (MICA_DOMCTL_CONSOLE). */
#ifndef GUEST_CONSOLE_RING_H
#define GUEST_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>

#include "evtchn.h"

/* Look up the ring page and its port; false if the domain has no ring. */
bool console_ring_init(void);
/* Queue len bytes and notify; false if the hypervisor stopped draining. */
bool console_ring_write(const char *s, size_t len);
/* Take input events on the ring's port: `on_input` runs for each (NULL:
 * they only wake us). Needs console_ring_init; false if there is no ring. */
bool console_ring_listen(evtchn_handler_t on_input);
/* Up to `max` typed bytes from `in`; 0 when none has come. */
size_t console_ring_read(char *buf, size_t max);

#endif
