/* console_io: CONSOLEIO_WRITE prints guest text on the hypervisor console. */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/domain_console.h"
#include "hv/hypercalls.h"
#include "hv/printk.h"
#include "public/console_io.h"
#include "public/errno.h"

long do_console_io(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    uint64_t cmd = args[0], count = args[1];
    gvaddr_t buffer = args[2];
    char local[CONSOLEIO_WRITE_MAX];

    if (cmd != CONSOLEIO_WRITE)
        return -XEN_ENOSYS;     /* CONSOLEIO_READ is documented as not implemented */
    if (count > CONSOLEIO_WRITE_MAX)
        return -XEN_EINVAL;
    if (copy_from_guest(v, local, buffer, count))
        return -XEN_EFAULT;
    domain_console_write(v->domain, local, count);
    return (long)count;
}
