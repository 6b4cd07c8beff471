/* Weak stand-ins for the hypercall handlers (shim_hypercalls.c). */
#ifndef SHIM_HYPERCALLS_H
#define SHIM_HYPERCALLS_H

#include <stdint.h>

extern uint64_t shim_handler_runs;  /* stub handlers run so far */
extern uint64_t shim_handler_last;  /* the number of the last one */

#endif
