/* COM1 16550 UART driver: polled transmit only; the hypervisor never reads it. */
#include "arch/serial.h"
#include "arch/x86.h"

#define COM1       0x3f8
#define DEBUG_PORT 0xe9         /* Bochs/QEMU debug console */

enum uart_reg { UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3,
                UART_MCR = 4, UART_LSR = 5 };
#define LCR_DLAB     0x80
#define LCR_8N1      0x03
#define LSR_THR_EMPTY 0x20
#define LSR_DATA_READY 0x01
#define BAUD_DIVISOR 1          /* 115200 baud */

void serial_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, BAUD_DIVISOR & 0xff);
    outb(COM1 + UART_IER, BAUD_DIVISOR >> 8);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, 0xc7);        /* enable and clear FIFOs */
    outb(COM1 + UART_MCR, 0x03);        /* DTR, RTS */
}

static void serial_putc(char c)
{
    /* Bounded wait: a missing UART (reads 0xff) must not hang the hypervisor. */
    for (int spins = 0; spins < 100000; spins++)
        if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(COM1 + UART_DATA, (uint8_t)c);
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
    if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(COM1 + UART_DATA);
}
