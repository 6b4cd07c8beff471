/*
 * echo=N: typed lines come back as "echo: <line>", which lets a system
 * test (tests/system/serial.sh) type into dom0 over the emulated serial
 * line before dom0 has a shell. What the editor echoes is written as it
 * comes; Mica's console shows it once the line ends (docs/abi.md).
 */
#include "console.h"
#include "console_echo.h"
#include "console_input.h"
#include "line_edit.h"

#define ECHO_IDLE_SECONDS 120
#define NS_PER_SECOND 1000000000ull

static struct line_edit editor;

/* The console has no bell: it would show BEL as '?' in the line. */
static void echo_out(void *ctx, const char *s, size_t len)
{
    size_t start = 0;

    (void)ctx;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\a') {
            if (i > start)
                console_write(s + start, i - start);
            start = i + 1;
        }
    }
}

void console_echo_lines(unsigned int lines)
{
    char in[64];
    unsigned int done = 0;

    if (!console_input_start())
        return;
    line_edit_init(&editor, echo_out, NULL);
    printk("echo: reading %u line%s\n", lines, lines == 1 ? "" : "s");
    while (done < lines) {
        long n = console_input_read(in, sizeof in, ECHO_IDLE_SECONDS * NS_PER_SECOND);

        if (n <= 0) {
            if (n < 0)
                printk("echo: console read failed (%ld)\n", n);
            else
                printk("echo: no input for %u s, giving up\n", ECHO_IDLE_SECONDS);
            return;
        }
        for (long i = 0; i < n && done < lines; i++) {
            enum line_edit_result r = line_edit_feed(&editor, (unsigned char)in[i]);

            if (r == LINE_EDIT_LINE) {
                printk("echo: %s\n", line_edit_text(&editor));
                done++;
            } else if (r == LINE_EDIT_CANCEL) {
                printk("echo: (cancelled)\n");
            }
        }
    }
    printk("echo: %u line%s done\n", lines, lines == 1 ? "" : "s");
}
