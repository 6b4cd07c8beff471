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
#include "public/console_io.h"
#include "public/errno.h"

/* Bytes leave the input ring only once they have reached the guest. */
static long console_read(struct vcpu *v, uint64_t count, gvaddr_t buffer)
{
    char local[CONSOLE_INPUT_SIZE];
    if (!v->domain->privileged)
        return -XEN_EPERM;
    if (count > CONSOLEIO_WRITE_MAX)
        return -XEN_EINVAL;
    size_t n = console_input_peek(local, MIN(count, sizeof local));
    if (copy_to_guest(v, buffer, local, n))
        return -XEN_EFAULT;
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
        return -XEN_ENOSYS;
    if (count > CONSOLEIO_WRITE_MAX)
        return -XEN_EINVAL;
    if (copy_from_guest(v, local, buffer, count))
        return -XEN_EFAULT;
    domain_console_write(v->domain, local, count);
    return (long)count;
}
