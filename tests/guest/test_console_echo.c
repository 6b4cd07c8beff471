/*
 * test=console-echo: a domU that reads its console ring's `in` side (what
 * dom0's `console <domain>` attaches the serial console to) and answers
 * each line it receives with "echo: <line>". It says when it is ready, and
 * "quit" powers it off (so the system test can see the console detach when
 * the domain ends). tests/system/serial.steps types at it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "console_ring.h"
#include "lib.h"
#include "tests.h"
#include "timer.h"

#define LINE_MAX_LEN 80
#define WAIT_NS (1000ull * 1000000ull)

static bool input_came;

static void on_input(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(input_came, true);
}

static bool came(void *arg)
{
    (void)arg;
    return READ_ONCE(input_came);
}

/* One typed byte into the line; true when the line is "quit". */
static bool feed(char c, char *line, size_t *len)
{
    if (c == '\r' || c == '\n') {
        if (!*len)
            return false;
        line[*len] = 0;
        printk("echo: %s\n", line);
        bool quit = strcmp(line, "quit") == 0;
        *len = 0;
        return quit;
    }
    if ((c == 0x7f || c == '\b') && *len)
        (*len)--;
    else if (c >= ' ' && c < 0x7f && *len < LINE_MAX_LEN)
        line[(*len)++] = c;
    return false;
}

void test_console_echo(const struct guest_env *env)
{
    char line[LINE_MAX_LEN + 1], in[32];
    size_t len = 0;

    if (!console_ring_listen(on_input)) {
        printk("console-echo: FAIL %s has no console ring\n", env->name);
        return;
    }
    printk("console-echo: %s ready\n", env->name);
    for (;;) {
        /* Cleared before the read: input that comes after it still ends the wait. */
        WRITE_ONCE(input_came, false);
        size_t n = console_ring_read(in, sizeof in);
        if (!n) {
            wait_until(came, NULL, WAIT_NS);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (feed(in[i], line, &len)) {
                printk("console-echo: %s quits\n", env->name);
                return;
            }
    }
}
