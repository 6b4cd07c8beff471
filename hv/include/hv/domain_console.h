#ifndef HV_DOMAIN_CONSOLE_H
#define HV_DOMAIN_CONSOLE_H

#include "hv/domain.h"

/* Bytes each domain may print per second (docs/abi.md, console_io); the
 * hypervisor option console_rate= sets it within these bounds. */
#define CONSOLE_RATE_DEFAULT 16384
#define CONSOLE_RATE_MIN     128
#define CONSOLE_RATE_MAX     1048576
void domain_console_set_rate(uint32_t bytes_per_second);

/* dom0 waits for console input: show its partial line (its prompt) now,
 * and what it writes on that line as it comes (hv/domain_console.c). */
void domain_console_show_partial(struct domain *d);
/* The hypervisor prints a line of its own: end that partial line first. */
void domain_console_break_live(void);
/* Print text from d's console ring as "[name] line" (sanitised, rate-limited,
 * once if console_io printed it too; see the .c file). */
void domain_console_write(struct domain *d, const char *buf, size_t n);
/* A hypervisor report the domain caused, `n` bytes long: charged to its
 * console rate like its own text. True if it may be printed now. */
bool domain_console_charge(struct domain *d, size_t n);

/* console_io's queue: is there room for `n` more bytes? */
bool domain_console_room(const struct domain *d, size_t n);
/* Queue `n` bytes (room checked first), less what is over the rate. */
void domain_console_queue(struct domain *d, const char *buf, size_t n);
/* Print the queue's next line (up to a newline, at most a line's length);
 * true if more is waiting. */
bool domain_console_next_line(struct domain *d);

/* Print the next line of a domU's console ring (its console port was
 * notified); d->console_ring_more says whether more is waiting. */
void console_ring_drain(struct domain *d);
/* hv/console_ring_in.c. Put up to `n` typed bytes into the `in` side of d's
 * console ring; returns how many it took (0 for no ring or a corrupt one).
 * Does not notify: the caller does, once for a batch. */
uint32_t console_ring_put_input(struct domain *d, const char *buf, uint32_t n);

/* hv/console_pending.c. Has d console output waiting, in its queue or its ring? */
bool domain_console_waiting(const struct domain *d);
/* Print d's next waiting line, from its queue first, then its ring. */
void domain_console_continue(struct domain *d);
/* The scheduling loop: one more line of a domain with output waiting
 * (domain_console_waiting) and no runnable vCPU to print it. */
void domain_consoles_continue(void);
/* Is such a domain waiting for domain_consoles_continue? */
bool domain_consoles_waiting(void);
/* Everything left in d's queue and ring (it has ended: its last words). */
void domain_console_flush(struct domain *d);

#endif
