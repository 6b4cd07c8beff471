/* Hypercall numbers (Xen's public numbering). Only those Mica knows are listed. */
#ifndef MICA_PUBLIC_HYPERCALL_H
#define MICA_PUBLIC_HYPERCALL_H

#define HYPERCALL_CONSOLE_IO 18
#define HYPERCALL_SCHED_OP   29

/* Size of the hypercall table: numbers at or above it return -ENOSYS. */
#define HYPERCALL_COUNT      64

#endif
