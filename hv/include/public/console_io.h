/*
 * console_io(cmd, count, buffer): RDI = cmd, RSI = count, RDX = buffer
 * (guest-linear address of `count` bytes).
 */
#ifndef MICA_PUBLIC_CONSOLE_IO_H
#define MICA_PUBLIC_CONSOLE_IO_H

#define CONSOLEIO_WRITE 0
#define CONSOLEIO_READ  1

/* Largest count accepted by one CONSOLEIO_WRITE; longer writes get -EINVAL. */
#define CONSOLEIO_WRITE_MAX 4096

#endif
