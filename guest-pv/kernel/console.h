/* Console output: the console ring of a domU, console_io otherwise. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

/* Switch a domU to its console ring, if it has one (needs hypercalls). */
void console_init(void);
/* Back to console_io, e.g. to report a fault that may have broken the ring. */
void console_use_hypercall(void);
void console_write(const char *s, size_t len);

/*
 * printf subset: %s %c %d %u %x %ld %lu %lx %p %%. One call is sent as few
 * hypercalls as possible so a line reaches the log in one piece.
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
