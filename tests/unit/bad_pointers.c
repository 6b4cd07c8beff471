/* The guest pointers every handler test checks for -EFAULT (see bad_pointers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bad_pointers.h"
#include "shim_guest.h"

/* The one read-only page holds a whole object at SHIM_RO_BASE and half of one
 * before SHIM_RO_END: they must not overlap. */
#define BAD_MAX_SIZE 2048

static void check_size(size_t size)
{
    if (size < 2 || size > BAD_MAX_SIZE) {
        fprintf(stderr, "bad_pointers: object size %zu not in [2, %d]\n", size, BAD_MAX_SIZE);
        abort();
    }
}

const struct bad_pointer *bad_pointers(enum bad_use use, size_t size)
{
    static struct bad_pointer list[BAD_READ_ONLY + 2];
    bool write = use == BAD_FOR_WRITE;
    size_t half = size / 2;

    check_size(size);
    /* Listed in enum bad_kind order; a straddle is partial only where its
     * first page can be written. */
    const struct bad_pointer all[] = {
        { "NULL", 0, BAD_NULL, false },
        { "unmapped", SHIM_UNMAPPED, BAD_UNMAPPED, false },
        { "non-canonical low", SHIM_NONCANON, BAD_NONCANON_LOW, false },
        { "non-canonical high", SHIM_NONCANON_HI, BAD_NONCANON_HIGH, false },
        { "straddling into unmapped", SHIM_RW_END - half, BAD_STRADDLE_RW, write },
        { "straddling out of read-only", SHIM_RO_END - half, BAD_STRADDLE_RO, false },
        { "straddling out of the upper half", SHIM_HI_END - half, BAD_STRADDLE_HI, write },
        { "read-only", SHIM_RO_BASE, BAD_READ_ONLY, false },
    };
    size_t n = write ? BAD_READ_ONLY + 1 : BAD_READ_ONLY;
    memcpy(list, all, n * sizeof all[0]);
    list[n] = (struct bad_pointer){ 0 };
    return list;
}

void bad_pointers_put_valid(const void *good, size_t size)
{
    size_t half = size / 2;

    check_size(size);
    memcpy(shim_guest_mem(SHIM_RW_END - half, half), good, half);
    memcpy(shim_guest_mem(SHIM_RO_END - half, half), good, half);
    memcpy(shim_guest_mem(SHIM_HI_END - half, half), good, half);
    memcpy(shim_guest_mem(SHIM_RO_BASE, size), good, size);
}
