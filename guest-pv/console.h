/* Console output through the console_io hypercall. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

void console_write(const char *s, size_t len);

/*
 * printf subset: %s %c %d %u %x %ld %lu %lx %p %%. One call is sent as few
 * hypercalls as possible so a line reaches the log in one piece.
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
