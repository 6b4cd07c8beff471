/*
 * Hypercalls: RAX = number, arguments in RDI, RSI, RDX, R10, R8, result in
 * RAX (>= 0 success, negative XEN_E* errno). See public/abi.h.
 *
 * Two ways in. hypercall5_direct() executes `vmcall` itself. hypercall5_page()
 * calls stub N of the hypercall page the hypervisor filled in
 * (public/cpuid.h); hypercall5() uses the page once it is installed and
 * `vmcall` before that (and for numbers past the page).
 *
 * The argument registers are declared in/out: the ABI does not promise the
 * hypervisor leaves them intact. "memory" because the hypervisor reads and
 * writes guest memory behind the compiler's back.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include <public/console_io.h>
#include <public/cpuid.h>
#include <public/hypercall.h>
#include <public/sched_op.h>

#define PAGE_SIZE 4096
#define HYPERCALL_PAGE_STUBS (PAGE_SIZE / HYPERCALL_STUB_SIZE)

extern uint8_t hypercall_page[PAGE_SIZE];
extern bool hypercall_page_ready;

/*
 * Find the Xen CPUID leaves and install the hypercall page. On failure prints
 * why and returns false; hypercalls then keep using `vmcall` directly.
 */
bool hypercall_page_init(void);
/* Base of the Xen-compatible CPUID leaves, 0 before discovery or if absent. */
uint32_t xen_cpuid_base(void);
/* Our domain id from the Xen HVM leaf, DOMID_SELF if it is not offered. */
uint16_t xen_domid(void);

static inline long hypercall5_direct(unsigned long nr, unsigned long a1, unsigned long a2,
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

/*
 * For the ABI suite (tests/abi/): a direct `vmcall` with every general
 * register but RAX, RSP and RBP (the frame pointer) loaded from *r, and
 * stored back into *r afterwards, so the caller can see which ones changed.
 * RDI, RSI, RDX, R10 and R8 are the arguments.
 */
struct hypercall_regs {
    unsigned long rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};

static inline long hypercall_direct_regs(unsigned long nr, struct hypercall_regs *r)
{
    register unsigned long r8 __asm__("r8") = r->r8;
    register unsigned long r9 __asm__("r9") = r->r9;
    register unsigned long r10 __asm__("r10") = r->r10;
    register unsigned long r11 __asm__("r11") = r->r11;
    register unsigned long r12 __asm__("r12") = r->r12;
    register unsigned long r13 __asm__("r13") = r->r13;
    register unsigned long r14 __asm__("r14") = r->r14;
    register unsigned long r15 __asm__("r15") = r->r15;
    long ret;

    __asm__ volatile("vmcall"
                     : "=a"(ret), "+b"(r->rbx), "+c"(r->rcx), "+d"(r->rdx), "+S"(r->rsi),
                       "+D"(r->rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12),
                       "+r"(r13), "+r"(r14), "+r"(r15)
                     : "a"(nr)
                     : "memory");
    r->r8 = r8, r->r9 = r9, r->r10 = r10, r->r11 = r11;
    r->r12 = r12, r->r13 = r13, r->r14 = r14, r->r15 = r15;
    return ret;
}

/* nr must be below HYPERCALL_PAGE_STUBS and the page installed. The stub
 * overwrites EAX first, so the stub address travels in RAX. */
static inline long hypercall5_page(unsigned long nr, unsigned long a1, unsigned long a2,
                                   unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ volatile("call *%%rax"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : "0"(hypercall_page + nr * HYPERCALL_STUB_SIZE)
                     : "memory");
    return ret;
}

static inline long hypercall5(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    if (hypercall_page_ready && nr < HYPERCALL_PAGE_STUBS)
        return hypercall5_page(nr, a1, a2, a3, a4, a5);
    return hypercall5_direct(nr, a1, a2, a3, a4, a5);
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

static inline long hyp_xen_version(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_XEN_VERSION, cmd, arg, 0);
}

static inline long hyp_memory_op(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_MEMORY_OP, cmd, arg, 0);
}

static inline long hyp_vcpu_op(unsigned int cmd, unsigned int vcpu, unsigned long arg)
{
    return hypercall3(HYPERCALL_VCPU_OP, cmd, vcpu, arg);
}

static inline long hyp_event_channel_op(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_EVENT_CHANNEL_OP, cmd, arg, 0);
}

/* uop points to an array of `count` operation structures of the kind cmd takes. */
static inline long hyp_physdev_op(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_PHYSDEV_OP, cmd, arg, 0);
}

static inline long hyp_grant_table_op(unsigned int cmd, unsigned long uop, unsigned long count)
{
    return hypercall3(HYPERCALL_GRANT_TABLE_OP, cmd, uop, count);
}

static inline long hyp_hvm_op(unsigned int cmd, unsigned long arg)
{
    return hypercall3(HYPERCALL_HVM_OP, cmd, arg, 0);
}

static inline long hyp_shutdown(uint32_t reason)
{
    struct sched_shutdown req = { .reason = reason };

    return hyp_sched_op(SCHEDOP_SHUTDOWN, (unsigned long)&req);
}

#endif
