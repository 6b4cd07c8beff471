/*
 * 16550 UART driver: polled transmit only, port I/O only. It starts on COM1
 * at 115200 baud; once the ACPI tables are readable, serial_choose()
 * (serial_choose.c) may move it to the UART the SPCR names.
 */
#include "arch/serial.h"
#include "arch/x86.h"

#define DEBUG_PORT 0xe9         /* Bochs/QEMU debug console */

enum uart_reg { UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3,
                UART_MCR = 4, UART_LSR = 5 };
#define LCR_DLAB     0x80
#define LCR_8N1      0x03
#define LSR_THR_EMPTY 0x20
#define LSR_DATA_READY 0x01

static uint16_t port = SERIAL_COM1;

uint16_t serial_port(void)
{
    return port;
}

void serial_use(uint16_t base, uint16_t divisor)
{
    port = base;
    outb(port + UART_IER, 0);
    if (divisor) {
        outb(port + UART_LCR, LCR_DLAB);
        outb(port + UART_DATA, divisor & 0xff);
        outb(port + UART_IER, divisor >> 8);
    }
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, 0xc7);        /* enable and clear FIFOs */
    outb(port + UART_MCR, 0x03);        /* DTR, RTS */
}

void serial_init(void)
{
    serial_use(SERIAL_COM1, SERIAL_DIVISOR_115200);
}

static void serial_putc(char c)
{
    /* Bounded wait: a missing UART (reads 0xff) must not hang the hypervisor. */
    for (int spins = 0; spins < 100000; spins++)
        if (inb(port + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(port + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        outb(DEBUG_PORT, (uint8_t)s[i]);
    }
}

int serial_read_byte(void)
{
    if (!(inb(port + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(port + UART_DATA);
}
