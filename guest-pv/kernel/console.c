/*
 * Console output. dom0, and any domain before console_init() or without a
 * ring, uses console_io(CONSOLEIO_WRITE); a domU writes into its console
 * ring. Buffer pointers are guest-linear; our identity map makes them equal
 * to the physical address, but the hypervisor walks our page tables anyway.
 * One vCPU writes at a time, so the lines of different vCPUs never mix.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "console.h"
#include "console_ring.h"
#include "hypercall.h"
#include "lib.h"
#include "percpu.h"

static bool use_ring;
/* The writing vCPU's id + 1, 0 when free. */
static uint32_t writer;

void console_init(void)
{
#if !GUEST_DOM0
    use_ring = console_ring_init();
#endif
}

void console_use_hypercall(void)
{
    use_ring = false;
}

static void console_io_write(const char *s, size_t len)
{
    /* Errors are dropped: the console is the only place to report them. */
    while (len) {
        size_t chunk = len < CONSOLEIO_WRITE_MAX ? len : CONSOLEIO_WRITE_MAX;

        hyp_console_io(CONSOLEIO_WRITE, chunk, (unsigned long)s);
        s += chunk;
        len -= chunk;
    }
}

static void write_locked(const char *s, size_t len)
{
    static const char stuck[] = "guest-pv: console ring not drained, using console_io\n";

    if (use_ring) {
        if (console_ring_write(s, len))
            return;
        use_ring = false;
        console_io_write(stuck, sizeof(stuck) - 1);
    }
    console_io_write(s, len);
}

/*
 * A vCPU that already holds the lock (a fault report from inside a write)
 * goes on without it. Everything runs with interrupts off, so the holder is
 * never interrupted by its own upcall; a holder preempted by the hypervisor
 * just makes the others spin until it runs again.
 */
void console_write(const char *s, size_t len)
{
    uint32_t me = this_cpu()->id + 1, free = 0;
    bool nested = __atomic_load_n(&writer, __ATOMIC_ACQUIRE) == me;

    while (!nested && !__atomic_compare_exchange_n(&writer, &free, me, false, __ATOMIC_ACQUIRE,
                                                   __ATOMIC_RELAXED)) {
        free = 0;
        cpu_relax();
    }
    write_locked(s, len);
    if (!nested)
        __atomic_store_n(&writer, 0, __ATOMIC_RELEASE);
}

/* Formatting collects into a small buffer and flushes it when full. */
struct out_buf {
    char data[256];
    size_t used;
};

static void out_flush(struct out_buf *out)
{
    console_write(out->data, out->used);
    out->used = 0;
}

static void out_char(struct out_buf *out, char c)
{
    if (out->used == sizeof(out->data))
        out_flush(out);
    out->data[out->used++] = c;
}

static void out_str(struct out_buf *out, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        out_char(out, *s++);
}

static void out_unsigned(struct out_buf *out, uint64_t v, unsigned int base)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[20];               /* 2^64 - 1 has 20 decimal digits */
    int n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    while (n)
        out_char(out, tmp[--n]);
}

static void out_signed(struct out_buf *out, int64_t v)
{
    if (v < 0) {
        out_char(out, '-');
        out_unsigned(out, -(uint64_t)v, 10);   /* well defined for INT64_MIN */
    } else {
        out_unsigned(out, (uint64_t)v, 10);
    }
}

void printk(const char *fmt, ...)
{
    struct out_buf out;
    va_list ap;

    out.used = 0;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        bool is_long = false;

        if (*fmt != '%') {
            out_char(&out, *fmt);
            continue;
        }
        if (*++fmt == 'l') {
            is_long = true;
            fmt++;
        }
        switch (*fmt) {
        case 's':
            out_str(&out, va_arg(ap, const char *));
            break;
        case 'c':
            out_char(&out, (char)va_arg(ap, int));
            break;
        case 'd':
            out_signed(&out, is_long ? va_arg(ap, long) : va_arg(ap, int));
            break;
        case 'u':
            out_unsigned(&out, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 10);
            break;
        case 'x':
            out_unsigned(&out, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 16);
            break;
        case 'p':
            out_str(&out, "0x");
            out_unsigned(&out, (uintptr_t)va_arg(ap, void *), 16);
            break;
        case '%':
            out_char(&out, '%');
            break;
        case '\0':              /* a lone '%' at the end: stop, do not overrun */
            fmt--;
            break;
        default:                /* unknown conversion: show it as written */
            out_char(&out, '%');
            out_char(&out, *fmt);
            break;
        }
    }
    va_end(ap);
    if (out.used)
        out_flush(&out);
}
