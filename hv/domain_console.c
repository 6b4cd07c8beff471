/*
 * Guest console output on the hypervisor console, from console_io and from
 * a domU's console ring alike. Text is gathered per domain into whole lines,
 * each printed with the domain's name as prefix, so domains never interleave
 * mid-line. Control characters other than newline and tab become '?', so a
 * guest cannot drive the terminal. Each domain may print at most
 * CONSOLE_RATE_BYTES per second; the excess is dropped and counted, so a
 * flooding guest cannot stall the others.
 */
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "hv/time.h"

#define CONSOLE_RATE_BYTES  16384
#define RATE_WINDOW_NS      1000000000ull

static void flush_line(struct domain *d)
{
    char line[BOOTCFG_NAME_MAX + 4 + sizeof d->console_line + 1];
    int n = snprintf(line, sizeof line, "[%s] %.*s\n", d->name, (int)d->console_len,
                     d->console_line);
    console_write_whole(line, MIN((size_t)n, sizeof line - 1));
    d->console_len = 0;
}

static void put_char(struct domain *d, char c)
{
    if (c == '\n') {
        flush_line(d);
        return;
    }
    if ((c < ' ' && c != '\t') || c == 0x7f)
        c = '?';
    d->console_line[d->console_len++] = c;
    if (d->console_len == sizeof d->console_line)
        flush_line(d);          /* an over-long line is split, never dropped */
}

/* How many of `n` bytes the domain may print now. */
static size_t rate_allowance(struct domain *d, size_t n)
{
    uint64_t now = time_now_ns();
    if (now - d->console_window_start >= RATE_WINDOW_NS) {
        if (d->console_dropped)
            printk("domain '%s': %lu console bytes dropped (over %u bytes/s)\n", d->name,
                   d->console_dropped, CONSOLE_RATE_BYTES);
        d->console_window_start = now;
        d->console_window_bytes = 0;
        d->console_dropped = 0;
    }
    size_t left = CONSOLE_RATE_BYTES - d->console_window_bytes;
    size_t ok = n < left ? n : left;
    d->console_window_bytes += ok;
    d->console_dropped += n - ok;
    return ok;
}

void domain_console_write(struct domain *d, const char *buf, size_t n)
{
    n = rate_allowance(d, n);
    for (size_t i = 0; i < n; i++)
        put_char(d, buf[i]);
}
