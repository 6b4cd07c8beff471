/*
 * The helpers every inter-domain test action shares (test_ipc.h). Interrupts
 * are off outside the idle instructions, as everywhere in this kernel, so a
 * wait checks its condition, then sleeps in SCHEDOP_poll, which returns at
 * once if the port is already pending; the upcall runs in sti_nop_cli().
 */
#include <stdint.h>

#include <public/errno.h>
#include <public/memory_op.h>
#include <public/sched_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "test_ipc.h"

/* Longer than any test needs in Bochs; a wait past it is a FAIL, not a hang. */
#define IPC_TIMEOUT_NS (200 * NSEC_PER_SEC)
/* Grant-table frames: refs up to 511 are enough for every test. */
#define IPC_GRANT_FRAMES 1
static uint8_t pages[IPC_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t events[EVTCHN_HANDLED_PORTS];
static uint64_t map_base;       /* first page past our RAM */

void ipc_abort(const char *test, const char *why, long value)
{
    printk("FAIL: ipc/%s %s (%ld)\n", test, why, value);
    guest_exit(SHUTDOWN_CRASH);
}

domid_t ipc_start(const struct guest_env *env, const char *test)
{
    uint32_t peer;
    long max_gfn;

    if (!cmdline_get_uint(env->cmdline, "peer", &peer) || peer >= DOMID_SELF)
        ipc_abort(test, "needs peer=<domid> on the command line", -1);
    max_gfn = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0);
    if (max_gfn < 0)
        ipc_abort(test, "maximum_ram_page failed", max_gfn);
    map_base = ((uint64_t)max_gfn + 1) * PAGE_SIZE;
    if (map_base + IPC_PAGES * PAGE_SIZE > IDENTITY_MAP_END)
        ipc_abort(test, "no room for grant mappings below 4 GiB", (long)map_base);
    if (!grant_init(IPC_GRANT_FRAMES))
        ipc_abort(test, "cannot map the grant table", IPC_GRANT_FRAMES);
    return (domid_t)peer;
}

void ipc_count_event(evtchn_port_t port)
{
    events[port]++;     /* dispatch only calls us for ports below EVTCHN_HANDLED_PORTS */
}

uint64_t ipc_events(evtchn_port_t port)
{
    return port < EVTCHN_HANDLED_PORTS ? READ_ONCE(events[port]) : 0;
}

evtchn_port_t ipc_listen(domid_t peer, const char *test)
{
    long port = evtchn_alloc_unbound(peer, ipc_count_event);

    if (port < 0)
        ipc_abort(test, "alloc_unbound failed", port);
    return (evtchn_port_t)port;
}

evtchn_port_t ipc_connect(domid_t peer, const char *test)
{
    uint64_t deadline = clock_now_ns() + IPC_TIMEOUT_NS;

    /* Only the port offered to us can bind; the others fail with -EINVAL. */
    while (clock_now_ns() < deadline) {
        for (evtchn_port_t remote = 1; remote < EVTCHN_HANDLED_PORTS; remote++) {
            long port = evtchn_bind_interdomain(peer, remote, ipc_count_event);

            if (port >= 0) {
                /* As in Xen, binding raises the new port once: take that event
                 * now, so that later counts only see what the peer sends. */
                sti_nop_cli();
                return (evtchn_port_t)port;
            }
        }
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    ipc_abort(test, "no port of the peer offered to us in time; peer", peer);
}

bool ipc_wait_event(evtchn_port_t port, uint64_t seen)
{
    uint64_t deadline = clock_now_ns() + IPC_TIMEOUT_NS;
    uint32_t ports[1] = { port };
    struct sched_poll poll = { .ports = (uintptr_t)ports, .nr_ports = 1, .timeout = deadline };

    while (ipc_events(port) <= seen) {
        long rc;

        if (clock_now_ns() >= deadline)
            return false;
        rc = hyp_sched_op(SCHEDOP_POLL, (unsigned long)&poll);
        if (rc < 0) {
            printk("ipc: sched_op poll(port %u) = %ld\n", port, rc);
            return false;
        }
        sti_nop_cli();
    }
    return true;
}

bool ipc_wait_status(evtchn_port_t port, uint32_t status)
{
    uint64_t deadline = clock_now_ns() + IPC_TIMEOUT_NS;

    while (evtchn_port_status(port) != (long)status) {
        if (clock_now_ns() >= deadline)
            return false;
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    return true;
}

void ipc_notify(evtchn_port_t port, const char *test)
{
    long rc = evtchn_send(port);

    if (rc < 0)
        ipc_abort(test, "send failed", rc);
}

void *ipc_page(unsigned int i)
{
    return pages[i % IPC_PAGES];
}

uint64_t ipc_gfn(const void *page)
{
    return (uintptr_t)page / PAGE_SIZE;     /* identity mapped */
}

uint64_t ipc_map_addr(unsigned int i)
{
    return map_base + (uint64_t)(i % IPC_PAGES) * PAGE_SIZE;
}

int ipc_map(domid_t peer, grant_ref_t ref, unsigned int slot, bool readonly,
            grant_handle_t *handle)
{
    uint64_t deadline = clock_now_ns() + IPC_TIMEOUT_NS;
    int st;

    /* Denied only until the peer has written the grant. */
    while ((st = grant_map(peer, ref, ipc_map_addr(slot), readonly, handle)) ==
               GNTST_permission_denied &&
           clock_now_ns() < deadline)
        hyp_sched_op(SCHEDOP_YIELD, 0);
    return st;
}

void ipc_expect_in_use(const char *name, grant_ref_t ref, bool writable)
{
    uint16_t want = GTF_reading | (writable ? GTF_writing : 0);
    uint16_t flags = grant_flags(ref);

    if ((flags & GTF_IN_USE) != want)
        printk("FAIL: ipc/%s ref %u flags 0x%x, in-use bits should be 0x%x\n", name, ref, flags,
               want);
    else if (grant_end(ref))
        printk("FAIL: ipc/%s ref %u flags 0x%x: ended while in use\n", name, ref, flags);
    else
        printk("PASS: ipc/%s\n", name);
}

void ipc_expect_end(const char *name, grant_ref_t ref)
{
    uint16_t flags = grant_flags(ref);

    if (grant_end(ref))
        printk("PASS: ipc/%s\n", name);
    else
        printk("FAIL: ipc/%s ref %u flags 0x%x: still in use\n", name, ref, flags);
}

uint64_t ipc_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint8_t ipc_pattern(uint64_t seed, uint64_t i)
{
    return (uint8_t)(ipc_mix(seed << 32 | i / 8) >> (i % 8 * 8));
}

void ipc_fill(void *page, uint64_t seed)
{
    uint8_t *p = page;

    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        p[i] = ipc_pattern(seed, i);
}

long ipc_check(const volatile void *page, uint64_t seed)
{
    const volatile uint8_t *p = page;

    for (unsigned int i = 0; i < PAGE_SIZE; i++) {
        if (p[i] != ipc_pattern(seed, i))
            return i;
    }
    return -1;
}
