#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1            0x3f8
#define SERIAL_DIVISOR_115200  1

/* A 16550 (8N1) on COM1 at 115200 from serial_init, mirrored byte for byte
 * to the 0xE9 debug port. */
void serial_init(void);
void serial_write(const char *s, size_t len);
/* One received byte, or -1 when none is waiting (never blocks). */
int serial_read_byte(void);
/* Move the console to the UART at I/O port `base`; divisor 0 keeps its rate. */
void serial_use(uint16_t base, uint16_t divisor);
/* The console UART's I/O base. */
uint16_t serial_port(void);

/* The console the ACPI SPCR names, if usable (serial_choose.c), else COM1;
 * prints the choice and why. */
void serial_choose(void);
/* The SPCR UART's interrupt when the console moved there, else false. */
bool serial_console_gsi(uint32_t *gsi);

#endif
