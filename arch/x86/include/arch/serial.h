#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#include <stddef.h>

/* 16550 on COM1 (115200 8N1), mirrored byte for byte to the 0xE9 debug port. */
void serial_init(void);
void serial_write(const char *s, size_t len);
/* One received byte, or -1 when none is waiting (never blocks). */
int serial_read_byte(void);

#endif
