/* dom0's console input (console_in.h). */
#include <stdint.h>

#include <public/console_io.h>
#include <public/event_channel.h>

#include "console.h"
#include "console_in.h"
#include "evtchn.h"
#include "hypercall.h"
#include "timer.h"

#define WAIT_SLICE_NS (1000000000ull)

static char pending[64];
static size_t pending_len;
static bool (*stop_fn)(void);

bool console_in_init(void)
{
    long port = evtchn_bind_virq(VIRQ_CONSOLE, 0, NULL);
    if (port < 0) {
        printk("toolstack: cannot bind VIRQ_CONSOLE (%ld): no console input\n", port);
        return false;
    }
    return true;
}

/* Whatever the hypervisor holds for us now, or a reason to stop waiting. */
static bool input_or_stop(void *arg)
{
    (void)arg;
    if (!pending_len) {
        long n = hyp_console_io(CONSOLEIO_READ, sizeof pending, (unsigned long)pending);
        pending_len = n > 0 ? (size_t)n : 0;
    }
    return pending_len || stop_fn();
}

size_t console_in_read(char *buf, size_t size, bool (*stop)(void))
{
    stop_fn = stop;
    while (!wait_until(input_or_stop, NULL, WAIT_SLICE_NS))
        ;
    size_t n = pending_len < size ? pending_len : size;
    for (size_t i = 0; i < n; i++)
        buf[i] = pending[i];
    for (size_t i = n; i < pending_len; i++)
        pending[i - n] = pending[i];
    pending_len -= n;
    return n;
}
