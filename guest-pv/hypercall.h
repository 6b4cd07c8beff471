/*
 * Hypercalls: `vmcall` with RAX = number, arguments in RDI, RSI, RDX, R10,
 * R8, result in RAX (>= 0 success, negative XEN_E* errno). See public/abi.h.
 *
 * The argument registers are declared in/out: the ABI does not promise the
 * hypervisor leaves them intact. "memory" because the hypervisor reads and
 * writes guest memory behind the compiler's back.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <public/console_io.h>
#include <public/hypercall.h>
#include <public/sched_op.h>

static inline long hypercall5(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ volatile("vmcall"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : "a"(nr)
                     : "memory");
    return ret;
}

static inline long hypercall3(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3)
{
    return hypercall5(nr, a1, a2, a3, 0, 0);
}

/* Raw-address forms: the tests pass deliberately bad pointers through them. */
static inline long hyp_console_io(unsigned int cmd, unsigned long count, unsigned long buf)
{
    return hypercall3(HYPERCALL_CONSOLE_IO, cmd, count, buf);
}

static inline long hyp_sched_op(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_SCHED_OP, cmd, arg, 0);
}

static inline long hyp_shutdown(uint32_t reason)
{
    struct sched_shutdown req = { .reason = reason };

    return hyp_sched_op(SCHEDOP_SHUTDOWN, (unsigned long)&req);
}

#endif
