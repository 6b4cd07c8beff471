/* sched_op(cmd, arg): RDI = cmd, RSI = guest-linear pointer to the argument. */
#ifndef MICA_PUBLIC_SCHED_OP_H
#define MICA_PUBLIC_SCHED_OP_H

#include <stdint.h>

#define SCHEDOP_YIELD    0
#define SCHEDOP_BLOCK    1
#define SCHEDOP_SHUTDOWN 2
#define SCHEDOP_POLL     3
#define SCHEDOP_REMOTE_SHUTDOWN 4   /* dom0 only */
#define SCHEDOP_SHUTDOWN_CODE 5

/* IN: argument of SCHEDOP_SHUTDOWN. */
struct sched_shutdown {
    uint32_t reason;            /* IN: one of SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown layout");

/* IN: argument of SCHEDOP_REMOTE_SHUTDOWN: another domain is shut down as
 * if it had asked, with this reason. */
struct sched_remote_shutdown {
    uint16_t domain_id;         /* IN: not the caller's own */
    uint16_t pad;
    uint32_t reason;            /* IN: one of SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown layout");

/* IN: argument of SCHEDOP_POLL. */
struct sched_poll {
    uint64_t ports;             /* IN: guest pointer to nr_ports uint32_t ports */
    uint32_t nr_ports;          /* IN: 1..SCHED_POLL_MAX_PORTS */
    uint32_t pad;
    uint64_t timeout;           /* IN: absolute system time in ns, 0 = none */
};
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll layout");

#define SCHED_POLL_MAX_PORTS 128

#define SHUTDOWN_POWEROFF 0
#define SHUTDOWN_REBOOT   1
#define SHUTDOWN_SUSPEND  2
#define SHUTDOWN_CRASH    3
#define SHUTDOWN_WATCHDOG 4

#endif
