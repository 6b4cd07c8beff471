/* The console ring page a domU writes its output to (Xen's xencons layout). */
#ifndef MICA_PUBLIC_CONSOLE_RING_H
#define MICA_PUBLIC_CONSOLE_RING_H

#include <stddef.h>
#include <stdint.h>

#define XENCONS_IN_SIZE  1024
#define XENCONS_OUT_SIZE 2048

/* Indices run freely; the slot is index % size. The producer writes the data,
 * then (after a write barrier) the producer index, then notifies the port. */
struct xencons_interface {
    char in[XENCONS_IN_SIZE];
    char out[XENCONS_OUT_SIZE];
    uint32_t in_cons, in_prod;
    uint32_t out_cons, out_prod;
};
_Static_assert(sizeof(struct xencons_interface) == 3088, "xencons size");
_Static_assert(offsetof(struct xencons_interface, out_cons) == 3080, "out_cons");

#endif
