/*
 * Guest console output on the hypervisor console, from console_io and from
 * a domU's console ring alike. Text is gathered per domain and per path into
 * whole lines, each printed with the domain's name as prefix, so domains
 * never interleave mid-line. A carriage return and a backspace move within
 * the line as on a terminal (so "\r\n" ends a line, and what follows a lone
 * CR overwrites it); other control characters than newline and tab become
 * '?', so a guest cannot drive the terminal. Each domain may print at most
 * CONSOLE_RATE_DEFAULT bytes per second (the console_rate= option); the
 * excess is dropped and counted.
 *
 * Guests written for Xen often write every line by both paths (on Xen
 * console_io goes to the hypervisor's log and the ring to the domain's
 * console: two places). Here both reach one terminal, so a line that one
 * path completes which is the same as one of the last CONSOLE_RECENT_LINES
 * the other path printed is that line again: it is counted, not printed.
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

static void put_char_buffered(struct domain *d, enum console_path path, char c);

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

static bool same_line(const struct console_line *a, const struct console_line *b)
{
    return a->len == b->len && !memcmp(a->text, b->text, a->len);
}

/* Is `l` one of the lines the other path printed last? Then that one, and
 * the older ones the path printed without a twin, are done with. */
static bool take_twin(struct console_recent *other, const struct console_line *l)
{
    for (uint32_t i = 0; i < other->n; i++) {
        if (same_line(&other->line[i], l)) {
            other->n -= i + 1;
            memmove(&other->line[0], &other->line[i + 1], other->n * sizeof other->line[0]);
            return true;
        }
    }
    return false;
}

static void remember(struct console_recent *mine, const struct console_line *l)
{
    if (mine->n == CONSOLE_RECENT_LINES) {
        mine->n--;
        memmove(&mine->line[0], &mine->line[1], mine->n * sizeof mine->line[0]);
    }
    mine->line[mine->n].len = l->len;
    memcpy(mine->line[mine->n].text, l->text, l->len);
    mine->n++;
}

static void flush_line(struct domain *d, enum console_path path)
{
    struct console_line *l = &d->console_line[path];
    if (take_twin(&d->console_recent[!path], l)) {
        d->console_twins++;
    } else {
        remember(&d->console_recent[path], l);
        break_live_line(d);
        char line[BOOTCFG_NAME_MAX + 4 + sizeof l->text + 1];
        int n = snprintf(line, sizeof line, "[%s] %.*s\n", d->name, (int)l->len, l->text);
        console_write_whole(line, MIN((size_t)n, sizeof line - 1));
    }
    l->len = 0;
    l->col = 0;
}

/*
 * A line being typed at dom0's shell: dom0 reads the console while its
 * prompt is on a partial line, so that line is shown at once and what dom0
 * writes to it after appears as it comes, backspaces included (its line
 * editor's echo). dom0 is trusted with the terminal as the hypervisor is.
 * Only console_io's line is ever live (dom0 has no console ring).
 */
static void live_char(struct domain *d, char c)
{
    struct console_line *l = &d->console_line[CONSOLE_FROM_IO];
    switch (c) {
    case '\n':
        console_write_whole("\n", 1);
        l->len = l->col = 0;
        d->console_live = false;
        live_line = NULL;
        return;
    case '\r':
        return;                 /* the prefix is on the line: stay after it */
    case '\b':
        if (l->col) {
            l->col--;
            console_write_whole("\b", 1);
        }
        return;
    default:
        if ((c < ' ' && c != '\t') || c == 0x7f)
            c = '?';
    }
    if (l->col == sizeof l->text) {
        console_write_whole("\n", 1);  /* over-long: go on as a new line */
        l->len = l->col = 0;
        d->console_live = false;
        live_line = NULL;
        put_char_buffered(d, CONSOLE_FROM_IO, c);
        return;
    }
    l->text[l->col++] = c;
    l->len = MAX(l->len, l->col);
    console_write_whole(&c, 1);
}

void domain_console_show_partial(struct domain *d)
{
    struct console_line *l = &d->console_line[CONSOLE_FROM_IO];
    if (d->console_live || l->len == 0)
        return;
    break_live_line(d);
    char line[BOOTCFG_NAME_MAX + 4 + sizeof l->text];
    int n = snprintf(line, sizeof line, "[%s] %.*s", d->name, (int)l->len, l->text);
    console_write_whole(line, MIN((size_t)n, sizeof line - 1));
    l->col = l->len;
    d->console_live = true;
    live_line = d;
}

static void put_char(struct domain *d, enum console_path path, char c)
{
    if (d->console_live && path == CONSOLE_FROM_IO)
        live_char(d, c);
    else
        put_char_buffered(d, path, c);
}

static void put_char_buffered(struct domain *d, enum console_path path, char c)
{
    struct console_line *l = &d->console_line[path];
    switch (c) {
    case '\n':
        flush_line(d, path);
        return;
    case '\r':
        l->col = 0;
        return;
    case '\b':
        if (l->col)
            l->col--;
        return;
    default:
        if ((c < ' ' && c != '\t') || c == 0x7f)
            c = '?';
    }
    l->text[l->col++] = c;
    l->len = MAX(l->len, l->col);
    if (l->col == sizeof l->text)
        flush_line(d, path);    /* an over-long line is split, never dropped */
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
        put_char(d, CONSOLE_FROM_RING, buf[i]);
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
    while (n < d->console_queue_len && n < CONSOLE_LINE_MAX)
        if (d->console_queue[n++] == '\n')
            break;
    for (size_t i = 0; i < n; i++)
        put_char(d, CONSOLE_FROM_IO, d->console_queue[i]);
    d->console_queue_len -= (uint32_t)n;
    memmove(d->console_queue, d->console_queue + n, d->console_queue_len);
    return d->console_queue_len != 0;
}
