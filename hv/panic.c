/* A hypervisor bug: say where, show how we got there, stop. */
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/symbols.h"


void panic_at(const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printk("PANIC at %s:%d: %s\n", file, line, msg);
    uint64_t rbp = (uint64_t)__builtin_frame_address(0);
    backtrace_print((uint64_t)__builtin_return_address(0), *(uint64_t *)rbp);
    arch_halt_forever("panic");
}
