/*
 * console_io (hv/console_io.c) with the console input ring
 * (hv/console_input.c) and the per-domain output (hv/domain_console.c):
 * write and read, who may call them, and what a bad pointer or length does;
 * the output queue printed a line per call, the restart when it is full,
 * and the rate limit. The console itself is a script of typed bytes and a
 * record of what was printed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/console_input.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "hv/time.h"
#include "public/console_io.h"
#include "public/errno.h"
#include "public/event_channel.h"

CHECK_SUITE("console_io");

/* ---- shims: typed input, printed output, VIRQ delivery ----------------- */
static const char *typed;       /* bytes the "keyboard" still has */
static char printed[8192];
static size_t printed_len;
static unsigned virq_console_sent;

int arch_console_getc(void)
{
    return typed && *typed ? (unsigned char)*typed++ : -1;
}

static unsigned lines_printed;
static uint64_t now_ns = 1000000000ull;
static char reports[1024];      /* printk: the hypervisor's own lines */

void console_write_whole(const char *s, size_t len)
{
    if (printed_len + len <= sizeof printed) {
        memcpy(printed + printed_len, s, len);
        printed_len += len;
    }
    lines_printed++;
}

void printk(const char *fmt, ...)
{
    size_t used = strlen(reports);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reports + used, sizeof reports - used, fmt, ap);
    va_end(ap);
}

uint64_t time_now_ns(void)
{
    return now_ns;
}

void evtchn_send_virq(struct vcpu *v, uint32_t virq)
{
    (void)v;
    if (virq == VIRQ_CONSOLE)
        virq_console_sent++;
}

/* No domU is attached here (tests/unit/test_console_focus.c covers that). */
void evtchn_set_pending(struct domain *d, uint32_t port)
{
    (void)d, (void)port;
}

static long call(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, count, buf, 0, 0 };
    return do_console_io(v, args);
}

static void drain_input(void)
{
    char junk[CONSOLE_INPUT_SIZE];
    console_input_consume(console_input_peek(junk, sizeof junk));
}

static void test_write(struct vcpu *domu)
{
    char *g = shim_guest_mem(SHIM_RW_BASE, 64);
    memcpy(g, "hello\n", 6);
    strcpy(domu->domain->name, "u");
    printed_len = 0;
    CHECK("write returns count", call(domu, CONSOLEIO_WRITE, 6, SHIM_RW_BASE) == 6);
    CHECK("write prints the line with the domain's name",
          printed_len == 10 && !memcmp(printed, "[u] hello\n", 10));
    CHECK("write of 0 bytes returns 0", call(domu, CONSOLEIO_WRITE, 0, SHIM_UNMAPPED) == 0);
    printed_len = 0;
    CHECK("write > 4096 -EINVAL", call(domu, CONSOLEIO_WRITE, 4097, SHIM_RW_BASE) == -XEN_EINVAL);
    static const char text[16] = "a line of text\n";
    bad_pointers_put_valid(text, sizeof text);
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_READ, sizeof text); b->what; b++)
        CHECK(shim_name("write from %s -EFAULT", b->what),
              call(domu, CONSOLEIO_WRITE, sizeof text, b->va) == -XEN_EFAULT);
    CHECK("failed writes print nothing", printed_len == 0);
    CHECK("write from read-only memory works", call(domu, CONSOLEIO_WRITE, 4, SHIM_RO_BASE) == 4);
    CHECK("unknown cmd -ENOSYS", call(domu, 7, 1, SHIM_RW_BASE) == -XEN_ENOSYS);
}

/* 64 lines of 64 bytes, "NN" + filler + newline, at SHIM_RW_BASE. */
static void guest_lines(void)
{
    char *g = shim_guest_mem(SHIM_RW_BASE, CONSOLEIO_WRITE_MAX);
    for (unsigned i = 0; i < 64; i++) {
        memset(g + i * 64, 'x', 63);
        g[i * 64] = (char)('0' + i / 10);
        g[i * 64 + 1] = (char)('0' + i % 10);
        g[i * 64 + 63] = '\n';
    }
}

/* A write of 4 KiB prints one line; the rest waits, and a write with no room is restarted. */
static void test_queue(struct vcpu *domu)
{
    struct domain *d = domu->domain;
    d->console_line[CONSOLE_FROM_IO] = (struct console_line){ 0 };    /* the partial line test_write left */
    guest_lines();
    printed_len = 0;
    lines_printed = 0;
    CHECK("4 KiB write returns count",
          call(domu, CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX, SHIM_RW_BASE) == CONSOLEIO_WRITE_MAX);
    CHECK("... prints its first line only", lines_printed == 1 && !memcmp(printed, "[u] 00x", 7));
    CHECK("... the other 63 wait", d->console_queue_len == 63 * 64);
    shim_guest_clear_stats();
    CHECK("no room for 100 bytes: restart",
          call(domu, CONSOLEIO_WRITE, 100, SHIM_RW_BASE) == HYPERCALL_RESTART);
    CHECK("... after printing the next line", lines_printed == 2 &&
                                              !memcmp(printed + 68, "[u] 01x", 7));
    CHECK("... without reading the guest's buffer", shim_guest.from_calls == 0);
    CHECK("a bad pointer with no room: restart, not -EFAULT",
          call(domu, CONSOLEIO_WRITE, 200, SHIM_UNMAPPED) == HYPERCALL_RESTART);
    CHECK("a write that fits again is taken",
          call(domu, CONSOLEIO_WRITE, 64, SHIM_RW_BASE) == 64 && d->console_queue_len == 61 * 64);
    CHECK("a failed write queues nothing",
          call(domu, CONSOLEIO_WRITE, 8, SHIM_UNMAPPED) == -XEN_EFAULT &&
          d->console_queue_len == 61 * 64);
    while (domain_console_next_line(d))
        ;
    CHECK("the queue drains a line at a time, in order", lines_printed == 65 &&
          !memcmp(printed + 63 * 68, "[u] 63x", 7) && !memcmp(printed + 64 * 68, "[u] 00x", 7));
    CHECK("... and is empty", d->console_queue_len == 0 && !domain_console_next_line(d));

    /* A line longer than the line buffer is split; control characters show as '?'. */
    char *g = shim_guest_mem(SHIM_RW_BASE, 300);
    memset(g, 'y', 300);
    g[0] = 0x1b;
    g[299] = '\n';
    printed_len = 0;
    lines_printed = 0;
    CHECK("a 300-byte line: one piece per call",
          call(domu, CONSOLEIO_WRITE, 300, SHIM_RW_BASE) == 300 && lines_printed == 1);
    CHECK("... escape shown as '?'", !memcmp(printed, "[u] ?yy", 7));
    while (domain_console_next_line(d))
        ;
    CHECK("... split into 3 lines", lines_printed == 3 && d->console_queue_len == 0);

    /* CR and backspace move within the line, as on a terminal. */
    static const struct {
        const char *what, *text, *shown;
    } moves[] = {
        { "CR LF ends a line", "done\r\n", "[u] done\n" },
        { "a lone CR: overwritten from the start", "50%\r100%\n", "[u] 100%\n" },
        { "... the longer old text shows past the new", "abcdef\rXY\n", "[u] XYcdef\n" },
        { "backspace steps back one", "ab\bc\n", "[u] ac\n" },
        { "backspace at the start stays there", "\b\bx\n", "[u] x\n" },
        { "a bell still shows as '?'", "a\ab\n", "[u] a?b\n" },
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        size_t len = strlen(moves[i].text);
        memcpy(shim_guest_mem(SHIM_RW_BASE, len), moves[i].text, len);
        printed_len = 0;
        call(domu, CONSOLEIO_WRITE, len, SHIM_RW_BASE);
        while (domain_console_next_line(d))
            ;
        CHECK(moves[i].what, printed_len == strlen(moves[i].shown) &&
                                 !memcmp(printed, moves[i].shown, printed_len));
    }
}

/* 16 KiB per second per domain: the excess is dropped and reported in the next second. */
static void test_rate(struct vcpu *domu)
{
    struct domain *d = domu->domain;
    now_ns += 2000000000ull;
    guest_lines();
    lines_printed = 0;
    reports[0] = 0;
    for (unsigned i = 0; i < 5; i++) {
        call(domu, CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX, SHIM_RW_BASE);
        while (domain_console_next_line(d))
            ;
    }
    CHECK("4 of 5 writes of 4 KiB printed in one second", lines_printed == 4 * 64);
    CHECK("the excess counted as dropped", d->console_rate.dropped == CONSOLEIO_WRITE_MAX);
    CHECK("a report the domain caused is refused with its budget used",
          !domain_console_charge(d, 80) && d->console_rate.dropped == CONSOLEIO_WRITE_MAX + 80);
    CHECK("nothing reported within the second", reports[0] == 0);
    now_ns += 1000000000ull;
    CHECK("a report is allowed in the next second", domain_console_charge(d, 80));
    CHECK("... after the drop report",
          strstr(reports, "4176 console bytes dropped (over 16384 bytes/s)") != NULL);
    CHECK("the budget then counts from zero", d->console_rate.used == 80 &&
                                               d->console_rate.dropped == 0);

    domain_console_set_rate(1000);      /* console_rate=1000 */
    now_ns += 1000000000ull;
    d->console_line[CONSOLE_FROM_IO] = (struct console_line){ 0 };
    CHECK("console_rate=1000: a 4 KiB write still returns count",
          call(domu, CONSOLEIO_WRITE, CONSOLEIO_WRITE_MAX, SHIM_RW_BASE) == CONSOLEIO_WRITE_MAX);
    CHECK("... queues its first 1000 bytes", d->console_queue_len + 64 == 1000 &&
                                             d->console_rate.dropped == CONSOLEIO_WRITE_MAX - 1000);
    domain_console_set_rate(CONSOLE_RATE_DEFAULT);
    while (domain_console_next_line(d))
        ;
}

static void test_read(struct vcpu *dom0, struct vcpu *domu)
{
    drain_input();
    typed = "ls -l\r";
    virq_console_sent = 0;
    console_input_poll();
    CHECK("typing raises VIRQ_CONSOLE once", virq_console_sent == 1);
    console_input_poll();
    CHECK("no new input, no new VIRQ", virq_console_sent == 1);

    shim_world_snapshot();
    CHECK("domU read -EPERM", call(domu, CONSOLEIO_READ, 16, SHIM_RW_BASE) == -XEN_EPERM);
    CHECK("domU read changes nothing", shim_world_unchanged());
    /* The 6 typed bytes cannot be written: a straddle gets a prefix of them. */
    for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, strlen("ls -l\r")); b->what; b++)
        CHECK(shim_name("read to %s -EFAULT", b->what),
              call(dom0, CONSOLEIO_READ, 16, b->va) == -XEN_EFAULT);
    CHECK("read > 4096 -EINVAL", call(dom0, CONSOLEIO_READ, 4097, SHIM_RW_BASE) == -XEN_EINVAL);

    char *g = shim_guest_mem(SHIM_RW_BASE, 16);
    memset(g, 0, 16);
    CHECK("read of 3 returns 3", call(dom0, CONSOLEIO_READ, 3, SHIM_RW_BASE) == 3);
    CHECK("read got the first 3 bytes", !memcmp(g, "ls ", 3) && g[3] == 0);
    CHECK("read returns the rest after failed reads kept it",
          call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE) == 3 && !memcmp(g, "-l\r", 3));
    CHECK("read with nothing typed returns 0", call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE) == 0);

    /* More than the ring holds: the excess is dropped, the rest kept in order. */
    static char flood[CONSOLE_INPUT_SIZE + 100];
    for (size_t i = 0; i < sizeof flood - 1; i++)
        flood[i] = (char)('a' + i % 26);
    typed = flood;
    console_input_poll();
    char *big = shim_guest_mem(SHIM_RW_BASE, 1024);
    long n = call(dom0, CONSOLEIO_READ, 1024, SHIM_RW_BASE);
    CHECK("a full ring gives exactly its size", n == CONSOLE_INPUT_SIZE);
    CHECK("kept input is the first bytes, in order", !memcmp(big, flood, CONSOLE_INPUT_SIZE));
}

/* What dom0 writes, through console_io, as its shell would. */
static void dom0_writes(struct vcpu *dom0, const char *text)
{
    size_t n = strlen(text);
    memcpy(shim_guest_mem(SHIM_RW_BASE + 0x800, n), text, n);
    call(dom0, CONSOLEIO_WRITE, n, SHIM_RW_BASE + 0x800);
}

static bool printed_is(const char *want)
{
    return printed_len == strlen(want) && !memcmp(printed, want, printed_len);
}

/* dom0's prompt shows when it reads, and its echo as it comes. */
static void test_live_line(struct vcpu *dom0)
{
    drain_input();
    printed_len = 0;
    dom0_writes(dom0, "mica> ");
    CHECK("a partial line waits", printed_len == 0);
    call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE);
    CHECK("reading input shows it, with the prefix", printed_is("[dom0] mica> "));
    call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE);
    CHECK("once", printed_is("[dom0] mica> "));
    dom0_writes(dom0, "lx");
    CHECK("then each character at once", printed_is("[dom0] mica> lx"));
    dom0_writes(dom0, "\b \bs");
    CHECK("a backspace's echo reaches the terminal", printed_is("[dom0] mica> lx\b \bs"));
    dom0_writes(dom0, "\r\n");
    CHECK("CR LF ends it with one newline", printed_is("[dom0] mica> lx\b \bs\n"));
    printed_len = 0;
    dom0_writes(dom0, "done\n");
    CHECK("the next line is whole again", printed_is("[dom0] done\n"));
    printed_len = 0;
    call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE);
    CHECK("no partial line: a read shows nothing", printed_len == 0);
}

/* Another domain's line ends dom0's live line; dom0's next read shows it again. */
static void test_live_line_interrupted(struct vcpu *dom0, struct vcpu *domu)
{
    drain_input();
    now_ns += 2000000000ull;    /* a new second: the domU's rate allows it again */
    while (domain_console_next_line(domu->domain))
        ;
    domu->domain->console_line[CONSOLE_FROM_IO] = (struct console_line){ 0 };
    printed_len = 0;
    dom0_writes(dom0, "mica> ls");
    call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE);
    memcpy(shim_guest_mem(SHIM_RW_BASE + 0x800, 3), "hi\n", 3);
    call(domu, CONSOLEIO_WRITE, 3, SHIM_RW_BASE + 0x800);
    char want[64];
    snprintf(want, sizeof want, "[dom0] mica> ls\n[%s] hi\n", domu->domain->name);
    CHECK("a domU's line goes on a line of its own", printed_is(want));
    printed_len = 0;
    dom0_writes(dom0, "x");
    CHECK("dom0's line waits again", printed_len == 0);
    call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE);
    CHECK("and is shown again, typed text and all, at its next read",
          printed_is("[dom0] mica> lsx"));
    dom0_writes(dom0, "\n");
    printed_len = 0;
}

/* A line by console_io and by the ring alike (as XTF writes every line) shows once. */
static void io_writes(struct vcpu *v, const char *text)
{
    size_t n = strlen(text);
    memcpy(shim_guest_mem(SHIM_RW_BASE + 0x800, n), text, n);
    call(v, CONSOLEIO_WRITE, n, SHIM_RW_BASE + 0x800);
}

static void ring_writes(struct domain *d, const char *text)
{
    domain_console_write(d, text, strlen(text));
}

static void test_twins(struct vcpu *domu)
{
    struct domain *d = domu->domain;
    now_ns += 2000000000ull;    /* a fresh rate budget */
    while (domain_console_next_line(d))
        ;
    d->console_line[CONSOLE_FROM_IO] = (struct console_line){ 0 };
    d->console_recent[CONSOLE_FROM_IO].n = d->console_recent[CONSOLE_FROM_RING].n = 0;
    d->console_twins = 0;
    printed_len = 0;
    io_writes(domu, "Test result: SUCCESS\r\n");
    ring_writes(d, "Test result: SUCCESS\r\n");
    CHECK("twins: console_io then ring: printed once", printed_is("[u] Test result: SUCCESS\n"));
    CHECK("... and counted", d->console_twins == 1);
    printed_len = 0;
    ring_writes(d, "ring first\n");
    io_writes(domu, "ring first\n");
    CHECK("twins: ring then console_io: printed once", printed_is("[u] ring first\n"));
    printed_len = 0;
    io_writes(domu, "again\n");
    io_writes(domu, "again\n");
    CHECK("twins: the same line twice by one path: printed twice",
          printed_is("[u] again\n[u] again\n"));
    printed_len = 0;
    ring_writes(d, "par");
    io_writes(domu, "io line\n");
    ring_writes(d, "tial\n");
    CHECK("twins: each path has its own partial line",
          printed_is("[u] io line\n[u] partial\n"));
    printed_len = 0;
    d->console_recent[CONSOLE_FROM_IO].n = d->console_recent[CONSOLE_FROM_RING].n = 0;
    io_writes(domu, "one\n");
    ring_writes(d, "other\n");
    ring_writes(d, "one\n");
    CHECK("twins: a twin a line later still shows once", printed_is("[u] one\n[u] other\n"));
    printed_len = 0;
    d->console_recent[CONSOLE_FROM_IO].n = d->console_recent[CONSOLE_FROM_RING].n = 0;
    io_writes(domu, "l1\n");
    io_writes(domu, "l2\n");
    io_writes(domu, "l3\n");
    io_writes(domu, "l4\n");
    io_writes(domu, "l5\n");
    ring_writes(d, "l1\n");
    ring_writes(d, "l3\n");
    ring_writes(d, "l2\n");
    CHECK("twins: only the last 4 lines are remembered, and a match forgets the older ones",
          printed_is("[u] l1\n[u] l2\n[u] l3\n[u] l4\n[u] l5\n[u] l1\n[u] l2\n"));
    CHECK("... counted", d->console_twins == 4);
    printed_len = 0;
}

int main(void)
{
    shim_guest_reset();
    struct vcpu *dom0 = shim_domain_create(0, true, 16 << 20);
    struct vcpu *domu = shim_domain_create(1, false, 16 << 20);
    test_write(domu);
    test_queue(domu);
    test_rate(domu);
    test_read(dom0, domu);
    test_live_line(dom0);
    test_live_line_interrupted(dom0, domu);
    test_twins(domu);
    dom0->virq_port[VIRQ_CONSOLE] = 3;
    CHECK("input awaited once dom0 binds VIRQ_CONSOLE", console_input_awaited());
    dom0->virq_port[VIRQ_CONSOLE] = 0;
    CHECK("not awaited without the binding", !console_input_awaited());
    CHECK_DONE();
}
