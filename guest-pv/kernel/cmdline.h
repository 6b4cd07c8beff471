/* The start-info command line: space-separated `key=value` words. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copy the value of the first `key=value` word into value[size] (always
 * NUL-terminated, truncated if longer). Returns false when key is absent.
 * cmdline may be NULL (no command line).
 */
bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size);

/*
 * The value of `key=N` as an unsigned decimal number. False when key is
 * absent or its value is not a number that fits in 32 bits.
 */
bool cmdline_get_uint(const char *cmdline, const char *key, uint32_t *value);

#endif
