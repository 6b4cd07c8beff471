/*
 * bad_pointers.c: the guest pointers a hypercall handler must answer with
 * -XEN_EFAULT, each with a name for CHECK lines, over the fake guest of
 * shim_guest.h. Every handler test walks the same list, so a case added here
 * is checked for every argument at once:
 *
 *   const struct bad_pointer *b;
 *   for (b = bad_pointers(BAD_FOR_READ, sizeof req); b->what; b++)
 *       CHECK(shim_name("op from %s -> EFAULT", b->what), op(b->va) == -XEN_EFAULT);
 *
 * An argument the handler writes (an output, or an in/out request) gets the
 * BAD_FOR_WRITE list: the same pointers and read-only memory too. Straddling
 * pointers depend on the object's size: the object's first size/2 bytes are
 * mapped and the rest are not, so the copy faults on its second page.
 *
 * The fake guest has no page tables or EPT. The real copy helper's own ways
 * to fail (a guest page-table loop, a guest-physical address outside the
 * domain's RAM) reach a handler as this same -XEN_EFAULT, so they add no case
 * here; the walker and the EPT lookup have their own tests (test_guest_walk.c,
 * test_ept.c).
 */
#ifndef MICA_TEST_BAD_POINTERS_H
#define MICA_TEST_BAD_POINTERS_H

#include <stdbool.h>
#include <stddef.h>
#include "hv/types.h"

enum bad_kind {
    BAD_NULL,               /* 0, below every mapping */
    BAD_UNMAPPED,           /* SHIM_UNMAPPED, the gap after the read/write region */
    BAD_NONCANON_LOW,       /* 2^47, the first address past the lower canonical half */
    BAD_NONCANON_HIGH,      /* a page below the upper canonical half */
    BAD_STRADDLE_RW,        /* out of read/write memory into the unmapped gap */
    BAD_STRADDLE_RO,        /* out of read-only memory into unmapped */
    BAD_STRADDLE_HI,        /* out of the upper-half region into unmapped */
    BAD_READ_ONLY,          /* SHIM_RO_BASE: readable, so BAD_FOR_WRITE only */
};

enum bad_use { BAD_FOR_READ, BAD_FOR_WRITE };

struct bad_pointer {
    const char *what;       /* "unmapped", "straddling out of read-only", ... */
    gvaddr_t va;
    enum bad_kind kind;
    bool partial;           /* a copy-out of the object may write a prefix first */
};

/*
 * The bad pointers for a `size`-byte object (2 <= size <= 2048), ended by an
 * entry whose `what` is NULL. The list lives in a static buffer that the next
 * call overwrites.
 */
const struct bad_pointer *bad_pointers(enum bad_use use, size_t size);

/*
 * Put a valid `size`-byte object wherever a bad pointer for that size finds
 * mapped memory: its first size/2 bytes before the end of each region, all of
 * it at SHIM_RO_BASE. A handler then faults because of the pointer, not
 * because it read bytes it rejects.
 */
void bad_pointers_put_valid(const void *good, size_t size);

#endif
