/* The serial console an ACPI SPCR table names (Microsoft SPCR, revisions 1-4). */
#ifndef ARCH_SPCR_H
#define ARCH_SPCR_H

#include <stdbool.h>
#include <stdint.h>

struct spcr_uart {
    uint8_t interface;          /* DBG2 serial port subtype: a 16550 variant */
    bool mmio;                  /* the base address is in memory, not I/O space */
    uint64_t base;
    uint8_t reg_bits;           /* register width from the address structure */
    uint32_t baud;              /* 0: keep what the firmware programmed */
    uint32_t divisor;           /* for baud (UART clock / 16 / baud); 0 with baud 0 */
    bool has_gsi;               /* the UART's interrupt is an I/O APIC GSI */
    uint32_t gsi;
};

/*
 * Decode the SPCR at `table`, `len` bytes including its header. 0 when it
 * describes a 16550-compatible UART Mica can program (I/O or MMIO: the
 * caller decides what it drives); -1 with *why set when the table is short,
 * fails its checksum, disables redirection, or names another UART, an
 * address space other than memory or I/O, or a baud rate it cannot set.
 */
int spcr_parse(const void *table, uint32_t len, struct spcr_uart *out, const char **why);

#endif
