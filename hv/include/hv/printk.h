/* Formatted output to the hypervisor console, and fatal errors. */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include "hv/types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Lines go to the serial console (and port 0xE9). Prefixed "(mica) ". */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Raw bytes to the console, no prefix. */
void console_write(const char *s, size_t len);
/* One whole line (a domain's), never interleaved with another CPU's output. */
void console_write_whole(const char *s, size_t len);
/* Give the console to `cpu` alone, lock or no lock, until handed on (the
 * watchdog's report: docs/architecture.md). */
void console_hand_to(uint32_t cpu);
uint32_t console_lock_holder(void);     /* CPU number, or UINT32_MAX */

/* Stop this CPU with a message, registers of the caller and a backtrace. */
void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#define BUG_ON(cond)                                                          \
    do {                                                                      \
        if (cond)                                                             \
            panic("BUG: %s", #cond);                                          \
    } while (0)

#endif
