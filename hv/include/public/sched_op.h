/* sched_op(cmd, arg): RDI = cmd, RSI = guest-linear pointer to the argument. */
#ifndef MICA_PUBLIC_SCHED_OP_H
#define MICA_PUBLIC_SCHED_OP_H

#include <stdint.h>

#define SCHEDOP_YIELD    0
#define SCHEDOP_BLOCK    1
#define SCHEDOP_SHUTDOWN 2

/* IN: argument of SCHEDOP_SHUTDOWN. */
struct sched_shutdown {
    uint32_t reason;            /* IN: one of SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown layout");

#define SHUTDOWN_POWEROFF 0
#define SHUTDOWN_REBOOT   1
#define SHUTDOWN_SUSPEND  2
#define SHUTDOWN_CRASH    3
#define SHUTDOWN_WATCHDOG 4

#endif
