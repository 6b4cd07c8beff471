/*
 * console_io (hv/console_io.c) with the console input ring
 * (hv/console_input.c): write and read, who may call them, and what a bad
 * pointer or length does. The console itself is a script of typed bytes and
 * a record of what was printed.
 */
#include <string.h>

#include "check.h"
#include "shim_guest.h"
#include "hv/console_input.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "hv/hypercalls.h"
#include "public/console_io.h"
#include "public/errno.h"
#include "public/event_channel.h"

CHECK_SUITE("console_io");

/* ---- shims: typed input, printed output, VIRQ delivery ----------------- */
static const char *typed;       /* bytes the "keyboard" still has */
static char printed[8192];
static size_t printed_len;
static unsigned virq_console_sent;

int arch_console_getc(void)
{
    return typed && *typed ? (unsigned char)*typed++ : -1;
}

void domain_console_write(struct domain *d, const char *buf, size_t n)
{
    (void)d;
    memcpy(printed + printed_len, buf, n);
    printed_len += n;
}

void evtchn_send_virq(struct vcpu *v, uint32_t virq)
{
    (void)v;
    if (virq == VIRQ_CONSOLE)
        virq_console_sent++;
}

static long call(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, count, buf, 0, 0 };
    return do_console_io(v, args);
}

static void drain_input(void)
{
    char junk[CONSOLE_INPUT_SIZE];
    console_input_consume(console_input_peek(junk, sizeof junk));
}

static void test_write(struct vcpu *domu)
{
    char *g = shim_guest_mem(SHIM_RW_BASE, 64);
    memcpy(g, "hello\n", 6);
    printed_len = 0;
    CHECK("write returns count", call(domu, CONSOLEIO_WRITE, 6, SHIM_RW_BASE) == 6);
    CHECK("write prints the bytes", printed_len == 6 && !memcmp(printed, "hello\n", 6));
    CHECK("write of 0 bytes returns 0", call(domu, CONSOLEIO_WRITE, 0, SHIM_UNMAPPED) == 0);
    printed_len = 0;
    CHECK("write > 4096 -EINVAL", call(domu, CONSOLEIO_WRITE, 4097, SHIM_RW_BASE) == -XEN_EINVAL);
    CHECK("write unmapped -EFAULT", call(domu, CONSOLEIO_WRITE, 8, SHIM_UNMAPPED) == -XEN_EFAULT);
    CHECK("write non-canonical -EFAULT", call(domu, CONSOLEIO_WRITE, 8, SHIM_NONCANON) == -XEN_EFAULT);
    CHECK("write straddling into unmapped -EFAULT",
          call(domu, CONSOLEIO_WRITE, 16, SHIM_RW_END - 8) == -XEN_EFAULT);
    CHECK("failed writes print nothing", printed_len == 0);
    CHECK("write from read-only memory works", call(domu, CONSOLEIO_WRITE, 4, SHIM_RO_BASE) == 4);
    CHECK("unknown cmd -ENOSYS", call(domu, 7, 1, SHIM_RW_BASE) == -XEN_ENOSYS);
}

static void test_read(struct vcpu *dom0, struct vcpu *domu)
{
    drain_input();
    typed = "ls -l\r";
    virq_console_sent = 0;
    console_input_poll();
    CHECK("typing raises VIRQ_CONSOLE once", virq_console_sent == 1);
    console_input_poll();
    CHECK("no new input, no new VIRQ", virq_console_sent == 1);

    shim_world_snapshot();
    CHECK("domU read -EPERM", call(domu, CONSOLEIO_READ, 16, SHIM_RW_BASE) == -XEN_EPERM);
    CHECK("domU read changes nothing", shim_world_unchanged());
    CHECK("read to read-only memory -EFAULT",
          call(dom0, CONSOLEIO_READ, 16, SHIM_RO_BASE) == -XEN_EFAULT);
    CHECK("read to unmapped memory -EFAULT",
          call(dom0, CONSOLEIO_READ, 16, SHIM_UNMAPPED) == -XEN_EFAULT);
    CHECK("read > 4096 -EINVAL", call(dom0, CONSOLEIO_READ, 4097, SHIM_RW_BASE) == -XEN_EINVAL);

    char *g = shim_guest_mem(SHIM_RW_BASE, 16);
    memset(g, 0, 16);
    CHECK("read of 3 returns 3", call(dom0, CONSOLEIO_READ, 3, SHIM_RW_BASE) == 3);
    CHECK("read got the first 3 bytes", !memcmp(g, "ls ", 3) && g[3] == 0);
    CHECK("read returns the rest after failed reads kept it",
          call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE) == 3 && !memcmp(g, "-l\r", 3));
    CHECK("read with nothing typed returns 0", call(dom0, CONSOLEIO_READ, 16, SHIM_RW_BASE) == 0);

    /* More than the ring holds: the excess is dropped, the rest kept in order. */
    static char flood[CONSOLE_INPUT_SIZE + 100];
    for (size_t i = 0; i < sizeof flood - 1; i++)
        flood[i] = (char)('a' + i % 26);
    typed = flood;
    console_input_poll();
    char *big = shim_guest_mem(SHIM_RW_BASE, 1024);
    long n = call(dom0, CONSOLEIO_READ, 1024, SHIM_RW_BASE);
    CHECK("a full ring gives exactly its size", n == CONSOLE_INPUT_SIZE);
    CHECK("kept input is the first bytes, in order", !memcmp(big, flood, CONSOLE_INPUT_SIZE));
}

int main(void)
{
    shim_guest_reset();
    struct vcpu *dom0 = shim_domain_create(0, true, 16 << 20);
    struct vcpu *domu = shim_domain_create(1, false, 16 << 20);
    test_write(domu);
    test_read(dom0, domu);
    dom0->virq_port[VIRQ_CONSOLE] = 3;
    CHECK("input awaited once dom0 binds VIRQ_CONSOLE", console_input_awaited());
    dom0->virq_port[VIRQ_CONSOLE] = 0;
    CHECK("not awaited without the binding", !console_input_awaited());
    CHECK_DONE();
}
