/*
 * console_io: CONSOLEIO_WRITE prints guest text on the hypervisor console,
 * each line prefixed with the domain's name. Text is gathered per domain
 * into whole lines, so output of different domains never interleaves
 * mid-line. Control characters other than newline and tab are shown as '?',
 * so a guest cannot drive the terminal.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/printk.h"
#include "public/console_io.h"
#include "public/errno.h"

static void flush_line(struct domain *d)
{
    char prefix[BOOTCFG_NAME_MAX + 4];
    int n = snprintf(prefix, sizeof prefix, "[%s] ", d->name);
    console_write(prefix, (size_t)n);
    console_write(d->console_line, d->console_len);
    console_write("\n", 1);
    d->console_len = 0;
}

static void console_putc(struct domain *d, char c)
{
    if (c == '\n') {
        flush_line(d);
        return;
    }
    if ((c < ' ' && c != '\t') || c == 0x7f)
        c = '?';
    d->console_line[d->console_len++] = c;
    if (d->console_len == sizeof d->console_line)
        flush_line(d);          /* an over-long line is split, never dropped */
}

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
    for (uint64_t i = 0; i < count; i++)
        console_putc(v->domain, local[i]);
    return (long)count;
}
