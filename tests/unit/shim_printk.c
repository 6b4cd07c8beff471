/* printk for host tests: everything printed is appended to shim_printk_text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "shim_printk.h"
#include "hv/printk.h"

char shim_printk_text[SHIM_PRINTK_TEXT];

void printk(const char *fmt, ...)
{
    size_t len = strlen(shim_printk_text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shim_printk_text + len, sizeof shim_printk_text - len, fmt, ap);
    va_end(ap);
}
