/* The few string and memory helpers a freestanding kernel needs. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stddef.h>

/* gcc may emit calls to these for struct copies and zeroing. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
