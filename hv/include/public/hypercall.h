/* Hypercall numbers (Xen's public numbering). Only those Mica knows are listed. */
#ifndef MICA_PUBLIC_HYPERCALL_H
#define MICA_PUBLIC_HYPERCALL_H

#define HYPERCALL_MEMORY_OP        12
#define HYPERCALL_SET_TIMER_OP     15
#define HYPERCALL_XEN_VERSION      17
#define HYPERCALL_CONSOLE_IO       18
#define HYPERCALL_GRANT_TABLE_OP   20
#define HYPERCALL_VCPU_OP          24
#define HYPERCALL_SCHED_OP         29
#define HYPERCALL_EVENT_CHANNEL_OP 32
#define HYPERCALL_PHYSDEV_OP       33
#define HYPERCALL_HVM_OP           34
#define HYPERCALL_SYSCTL           35
#define HYPERCALL_DOMCTL           36

/* Size of the hypercall table: numbers at or above it return -ENOSYS. */
#define HYPERCALL_COUNT      64

#endif
