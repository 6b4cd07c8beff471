/* panic_at() for host unit tests (see shim.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "shim.h"
#include "hv/printk.h"

char shim_panic_msg[256];
static jmp_buf *catcher;

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shim_panic_msg, sizeof shim_panic_msg, fmt, ap);
    va_end(ap);
    if (catcher)
        longjmp(*catcher, 1);
    fprintf(stderr, "unexpected panic at %s:%d: %s\n", file, line, shim_panic_msg);
    abort();
}

bool shim_panics(void (*fn)(uint64_t), uint64_t arg)
{
    jmp_buf jb;
    shim_panic_msg[0] = 0;
    catcher = &jb;
    if (setjmp(jb)) {
        catcher = NULL;
        return true;
    }
    fn(arg);
    catcher = NULL;
    return false;
}
