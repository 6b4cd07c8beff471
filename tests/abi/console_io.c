/*
 * Family `console_io` (docs/abi.md, "18 console_io"): write from any
 * domain (lengths 0, 4096, 4097, bad buffers), read from dom0 only. The
 * Bochs run types nothing, so a read finds no input: it returns 0 and never
 * touches its buffer, which is also why a bad read buffer cannot give
 * -EFAULT here (that needs bytes waiting).
 */
#include <stdint.h>

#include <public/console_io.h>

#include "abi.h"
#include "hypercall.h"
#include "lib.h"

#define F "console_io"
#define FILLER_LINE 64          /* bytes per line of the maximal write, newline included */

static char big[CONSOLEIO_WRITE_MAX + 1];

static long call(unsigned long cmd, unsigned long count, uint64_t buf)
{
    return hypercall3(HYPERCALL_CONSOLE_IO, cmd, count, buf);
}

static long write_badptr(uint64_t addr, void *ctx)
{
    (void)ctx;
    return call(CONSOLEIO_WRITE, 16, addr);
}

/* 4096 bytes that print as 64 lines no system test mistakes for a result. */
static void fill_big(void)
{
    static const char digits[] = "0123456789";

    for (unsigned int i = 0; i < sizeof big; i++) {
        unsigned int col = i % FILLER_LINE;

        big[i] = col == FILLER_LINE - 1 ? '\n' : col < 13 ? "conformance: "[col]
                                                          : digits[col % 10];
    }
}

static void write_cases(void)
{
    static const char line[] = "conformance: console_io write returns the count\n";
    static const char partial[] = "conformance: ";

    abi_expect(F, "write", call(CONSOLEIO_WRITE, sizeof line - 1, (uintptr_t)line),
               sizeof line - 1);
    abi_expect(F, "write-zero", call(CONSOLEIO_WRITE, 0, (uintptr_t)line), 0);
    abi_expect(F, "write-zero-badptr", call(CONSOLEIO_WRITE, 0, ABI_NONCANONICAL), 0);
    fill_big();
    abi_expect(F, "write-max", call(CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX, (uintptr_t)big),
               CONSOLEIO_WRITE_MAX);
    abi_expect(F, "write-too-long", call(CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX + 1, (uintptr_t)big),
               -XEN_EINVAL);
    abi_expect(F, "write-too-long-badptr",
               call(CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX + 1, ABI_UNMAPPED), -XEN_EINVAL);
    abi_expect(F, "write-count-max", call(CONSOLEIO_WRITE, ~0ul, (uintptr_t)big), -XEN_EINVAL);
    abi_badptr_cases(F, "write", false, partial, 16, write_badptr, NULL, -XEN_EFAULT);
    /* The bad-pointer writes printed nothing: this starts a line of its own. */
    abi_expect(F, "write-after-refusals", call(CONSOLEIO_WRITE, 1, (uintptr_t)"\n"), 1);
}

static void read_cases(void)
{
    static char in[CONSOLEIO_WRITE_MAX + 1];

    in[0] = 0x5A;
    abi_expect(F, "read", call(CONSOLEIO_READ, 16, (uintptr_t)in), abi_priv(0, -XEN_EPERM));
    abi_expect(F, "read-nothing-written", (uint8_t)in[0], 0x5A);
    abi_expect(F, "read-zero", call(CONSOLEIO_READ, 0, (uintptr_t)in), abi_priv(0, -XEN_EPERM));
    abi_expect(F, "read-max", call(CONSOLEIO_READ, CONSOLEIO_WRITE_MAX, (uintptr_t)in),
               abi_priv(0, -XEN_EPERM));
    abi_expect(F, "read-too-long", call(CONSOLEIO_READ, CONSOLEIO_WRITE_MAX + 1, (uintptr_t)in),
               abi_priv(-XEN_EINVAL, -XEN_EPERM));
    abi_expect(F, "read-badptr-empty", call(CONSOLEIO_READ, 16, ABI_NONCANONICAL),
               abi_priv(0, -XEN_EPERM));
}

void abi_console_io_cases(void)
{
    write_cases();
    read_cases();
    abi_expect(F, "unknown-cmd-2", call(2, 1, (uintptr_t)"x"), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, 1, (uintptr_t)"x"), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits", call((1ul << 32) | CONSOLEIO_WRITE, 1,
                                                    (uintptr_t)"x"), -XEN_ENOSYS);
}
