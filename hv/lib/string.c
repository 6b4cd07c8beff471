/*
 * The hypervisor's string and memory helpers. memcpy/memmove/memset move
 * 8-byte words when both sides are aligned: they zero every page of guest
 * RAM and carry grant copies, so their cost shows in the boot and copy
 * figures. GCC must not turn these loops back into calls to themselves.
 */
#include <stdint.h>
#include "hv/string.h"

#define NO_LOOP_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#define WORD sizeof(uint64_t)

static int aligned(const void *a, const void *b)
{
    return !(((uintptr_t)a | (uintptr_t)b) & (WORD - 1));
}

NO_LOOP_IDIOMS void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (aligned(d, s)) {
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
            *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LOOP_IDIOMS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy from the end down. */
    d += n;
    s += n;
    if (aligned(d, s)) {
        for (; n >= WORD; n -= WORD) {
            d -= WORD;
            s -= WORD;
            *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

NO_LOOP_IDIOMS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (!((uintptr_t)d & (WORD - 1))) {
        uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;
        for (; n >= WORD; n -= WORD, d += WORD)
            *(uint64_t *)(void *)d = pattern;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
