/*
 * dom0's console input (console_input.h). CONSOLEIO_read never blocks, so
 * an empty read waits for VIRQ_CONSOLE; the flag is cleared before each
 * read, and the VIRQ, raised after the bytes are buffered, sets it: a byte
 * that comes between the read and the wait still ends the wait.
 */
#include <public/event_channel.h>

#include "clock.h"
#include "console.h"
#include "console_input.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"
#include "timer.h"

static bool started;
static bool input_signalled;

static void on_virq_console(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(input_signalled, true);
}

static bool signalled(void *arg)
{
    (void)arg;
    return READ_ONCE(input_signalled);
}

bool console_input_start(void)
{
    long port;

    if (started)
        return true;
    port = evtchn_bind_virq(VIRQ_CONSOLE, 0, on_virq_console);
    if (port < 0) {
        printk("console: binding VIRQ_CONSOLE failed (%ld)\n", port);
        return false;
    }
    started = true;
    return true;
}

long console_input_read(char *buf, size_t max, uint64_t timeout_ns)
{
    uint64_t deadline = clock_now_ns() + timeout_ns;

    if (max > CONSOLEIO_WRITE_MAX)
        max = CONSOLEIO_WRITE_MAX;      /* the largest count a read accepts */
    for (;;) {
        uint64_t now;
        long n;

        WRITE_ONCE(input_signalled, false);
        n = hyp_console_io(CONSOLEIO_READ, max, (unsigned long)buf);
        if (n != 0)
            return n;
        now = clock_now_ns();
        if (now >= deadline || !wait_until(signalled, NULL, deadline - now))
            return 0;
    }
}
