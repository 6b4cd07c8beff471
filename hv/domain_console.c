/*
 * Guest console output on the hypervisor console, from console_io and from
 * a domU's console ring alike. Text is gathered per domain into whole lines,
 * each printed with the domain's name as prefix, so domains never interleave
 * mid-line. A carriage return and a backspace move within the line as on a
 * terminal (so "\r\n" ends a line, and what follows a lone CR overwrites
 * it); other control characters than newline and tab become '?', so a
 * guest cannot drive the terminal. Each domain may print at most
 * CONSOLE_RATE_DEFAULT bytes per second (the console_rate= option); the
 * excess is dropped and counted.
 *
 * Printing is synchronous and slow (a line holds the CPU, and the hypervisor
 * lock, for ~10 ms at 115200 baud), so nothing prints more than a line or two
 * at a time: console_io's text waits in the domain's queue, and each call, or
 * each time one of its vCPUs is about to run, prints its next line (as for
 * the console ring, hv/console_ring.c). A flooding guest stalls only itself.
 */
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "hv/string.h"
#include "hv/time.h"

static uint32_t rate_bytes = CONSOLE_RATE_DEFAULT;

void domain_console_set_rate(uint32_t bytes_per_second)
{
    rate_bytes = bytes_per_second;
}

static void put_char_buffered(struct domain *d, char c);

/* The domain whose partial line is on the terminal now, if any. */
static struct domain *live_line;

/* Another domain's line is about to be printed: end the live line on the
 * terminal first. Its text is kept, and shown again at dom0's next read. */
static void break_live_line(const struct domain *d)
{
    if (!live_line || live_line == d)
        return;
    console_write_whole("\n", 1);
    live_line->console_live = false;
    live_line = NULL;
}

void domain_console_break_live(void)
{
    break_live_line(NULL);
}

static void flush_line(struct domain *d)
{
    break_live_line(d);
    char line[BOOTCFG_NAME_MAX + 4 + sizeof d->console_line + 1];
    int n = snprintf(line, sizeof line, "[%s] %.*s\n", d->name, (int)d->console_len,
                     d->console_line);
    console_write_whole(line, MIN((size_t)n, sizeof line - 1));
    d->console_len = 0;
    d->console_col = 0;
}

/*
 * A line being typed at dom0's shell: dom0 reads the console while its
 * prompt is on a partial line, so that line is shown at once and what dom0
 * writes to it after appears as it comes, backspaces included (its line
 * editor's echo). dom0 is trusted with the terminal as the hypervisor is.
 */
static void live_char(struct domain *d, char c)
{
    switch (c) {
    case '\n':
        console_write_whole("\n", 1);
        d->console_len = d->console_col = 0;
        d->console_live = false;
        live_line = NULL;
        return;
    case '\r':
        return;                 /* the prefix is on the line: stay after it */
    case '\b':
        if (d->console_col) {
            d->console_col--;
            console_write_whole("\b", 1);
        }
        return;
    default:
        if ((c < ' ' && c != '\t') || c == 0x7f)
            c = '?';
    }
    if (d->console_col == sizeof d->console_line) {
        console_write_whole("\n", 1);  /* over-long: go on as a new line */
        d->console_len = d->console_col = 0;
        d->console_live = false;
        live_line = NULL;
        put_char_buffered(d, c);
        return;
    }
    d->console_line[d->console_col++] = c;
    d->console_len = MAX(d->console_len, d->console_col);
    console_write_whole(&c, 1);
}

void domain_console_show_partial(struct domain *d)
{
    if (d->console_live || d->console_len == 0)
        return;
    break_live_line(d);
    char line[BOOTCFG_NAME_MAX + 4 + sizeof d->console_line];
    int n = snprintf(line, sizeof line, "[%s] %.*s", d->name, (int)d->console_len,
                     d->console_line);
    console_write_whole(line, MIN((size_t)n, sizeof line - 1));
    d->console_col = d->console_len;
    d->console_live = true;
    live_line = d;
}

static void put_char(struct domain *d, char c)
{
    if (d->console_live)
        live_char(d, c);
    else
        put_char_buffered(d, c);
}

static void put_char_buffered(struct domain *d, char c)
{
    switch (c) {
    case '\n':
        flush_line(d);
        return;
    case '\r':
        d->console_col = 0;
        return;
    case '\b':
        if (d->console_col)
            d->console_col--;
        return;
    default:
        if ((c < ' ' && c != '\t') || c == 0x7f)
            c = '?';
    }
    d->console_line[d->console_col++] = c;
    d->console_len = MAX(d->console_len, d->console_col);
    if (d->console_col == sizeof d->console_line)
        flush_line(d);          /* an over-long line is split, never dropped */
}

/* How many of `n` bytes the domain may print now. */
static size_t rate_allowance(struct domain *d, size_t n)
{
    uint64_t closed;
    size_t ok = rate_window_take(&d->console_rate, time_now_ns(), n, rate_bytes, &closed);

    if (closed)
        printk("domain '%s': %lu console bytes dropped (over %u bytes/s)\n", d->name, closed,
               rate_bytes);
    return ok;
}

void domain_console_write(struct domain *d, const char *buf, size_t n)
{
    n = rate_allowance(d, n);
    for (size_t i = 0; i < n; i++)
        put_char(d, buf[i]);
}

bool domain_console_charge(struct domain *d, size_t n)
{
    return rate_allowance(d, n) == n;
}

bool domain_console_room(const struct domain *d, size_t n)
{
    return n <= sizeof d->console_queue - d->console_queue_len;
}

void domain_console_queue(struct domain *d, const char *buf, size_t n)
{
    n = rate_allowance(d, n);   /* the caller checked the room for all n */
    memcpy(d->console_queue + d->console_queue_len, buf, n);
    d->console_queue_len += (uint32_t)n;
}

bool domain_console_next_line(struct domain *d)
{
    size_t n = 0;
    while (n < d->console_queue_len && n < sizeof d->console_line)
        if (d->console_queue[n++] == '\n')
            break;
    for (size_t i = 0; i < n; i++)
        put_char(d, d->console_queue[i]);
    d->console_queue_len -= (uint32_t)n;
    memmove(d->console_queue, d->console_queue + n, d->console_queue_len);
    return d->console_queue_len != 0;
}
