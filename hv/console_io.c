/*
 * console_io: CONSOLEIO_WRITE prints guest text on the hypervisor console;
 * CONSOLEIO_READ gives dom0 what was typed on it.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/domain_console.h"
#include "hv/hypercalls.h"
#include "hv/console_input.h"
#include "hv/printk.h"
#include "hv/trace.h"
#include "public/console_io.h"
#include "public/errno.h"

_Static_assert(CONSOLE_QUEUE_SIZE >= CONSOLEIO_WRITE_MAX, "a write always fits an empty queue");

/* Bytes leave the input ring only once they have reached the guest. */
static long console_read(struct vcpu *v, uint64_t count, gvaddr_t buffer)
{
    char local[CONSOLE_INPUT_SIZE];
    if (!v->domain->privileged)
        return hv_error(-XEN_EPERM);
    if (count > CONSOLEIO_WRITE_MAX)
        return hv_error(-XEN_EINVAL);
    domain_console_show_partial(v->domain);     /* its prompt, before it waits */
    size_t n = console_input_peek(local, MIN(count, sizeof local));
    if (copy_to_guest(v, buffer, local, n))
        return hv_error(-XEN_EFAULT);
    console_input_consume(n);
    return (long)n;
}

long do_console_io(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0], count = args[1];
    gvaddr_t buffer = args[2];
    char local[CONSOLEIO_WRITE_MAX];

    if (cmd == CONSOLEIO_READ)
        return console_read(v, count, buffer);
    if (cmd != CONSOLEIO_WRITE)
        return hv_error(-XEN_ENOSYS);
    if (count > CONSOLEIO_WRITE_MAX)
        return hv_error(-XEN_EINVAL);
    /* The text waits in the domain's queue and each call prints one line
     * (hv/domain_console.c). With no room for it yet, this call prints a
     * line and the guest makes it again, so no call holds the hypervisor
     * for more than a line, however fast the guest writes. */
    if (!domain_console_room(v->domain, count)) {
        domain_console_next_line(v->domain);
        return HYPERCALL_RESTART;
    }
    if (copy_from_guest(v, local, buffer, count))
        return hv_error(-XEN_EFAULT);
    domain_console_queue(v->domain, local, count);
    domain_console_next_line(v->domain);
    return (long)count;
}
