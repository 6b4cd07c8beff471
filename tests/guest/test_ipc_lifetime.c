/*
 * What happens to a mapped grant when one side dies, and to a read-only one
 * when it is written.
 *
 * lifetime-granter / lifetime-mapper: the mapper maps ref 24, reads it and
 * powers off still mapped; the hypervisor must drop the mapping, so the
 * granter sees the entry no longer in use and ends the grant.
 * orphan-granter / orphan-mapper: the granter powers off while its page is
 * mapped; the frame must stay the mapper's to read and write until it
 * unmaps.
 * ro-granter / ro-writer: a read-only grant (ref 32) can only be mapped
 * read-only; writing through that mapping must crash the writer.
 *
 * In each pair the mapper sends one event once mapped and, where it then
 * dies, waits for the granter's answer first, so the granter can look at
 * the entry while it is still in use.
 */
#include <stdint.h>

#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "guest.h"
#include "hypercall.h"
#include "test_ipc.h"

#define LIFETIME_REF 24
#define RO_REF       32
#define SEED         0x24
#define RO_SEED      0x32
#define REWRITE_SEED 0x42

/* Granter side: grant our pattern page `ref` to the peer and wait for "mapped". */
static evtchn_port_t grant_and_wait(const char *test, domid_t peer, grant_ref_t ref,
                                    uint64_t seed, bool readonly)
{
    void *page = ipc_page(0);
    evtchn_port_t port;

    ipc_fill(page, seed);
    if (!grant_access(ref, peer, ipc_gfn(page), readonly))
        ipc_abort(test, "cannot grant ref", ref);
    port = ipc_listen(peer, test);
    if (!ipc_wait_event(port, 0))
        ipc_abort(test, "the peer never reported its mapping; port status",
                  evtchn_port_status(port));
    return port;
}

/* Granter side: after the peer died, the mapping must be gone and the grant end. */
static void expect_released(const char *test, const char *name, evtchn_port_t port,
                            grant_ref_t ref)
{
    if (!ipc_wait_status(port, EVTCHNSTAT_unbound))
        ipc_abort(test, "the peer never went away; port status", evtchn_port_status(port));
    ipc_expect_end(name, ref);
}

/* Mapper side: map the peer's `ref` at slot 0 and check its pattern. */
static volatile uint8_t *map_and_check(const char *test, const char *name, domid_t peer,
                                       grant_ref_t ref, uint64_t seed, bool readonly,
                                       grant_handle_t *handle)
{
    volatile uint8_t *page = (volatile uint8_t *)(uintptr_t)ipc_map_addr(0);
    int st = ipc_map(peer, ref, 0, readonly, handle);
    long bad;

    if (st != GNTST_okay)
        ipc_abort(test, "cannot map the grant; status", st);
    bad = ipc_check(page, seed);
    if (bad < 0)
        printk("PASS: ipc/%s\n", name);
    else
        printk("FAIL: ipc/%s byte %ld is 0x%x\n", name, bad, page[bad]);
    return page;
}

/* Mapper side: tell the granter we have mapped, and wait for its answer. */
static void report_mapped(const char *test, evtchn_port_t port)
{
    uint64_t seen = ipc_events(port);

    ipc_notify(port, test);
    if (!ipc_wait_event(port, seen))
        ipc_abort(test, "the granter never answered; port status", evtchn_port_status(port));
}

void test_ipc_lifetime_granter(const struct guest_env *env)
{
    static const char test[] = "lifetime-granter";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = grant_and_wait(test, peer, LIFETIME_REF, SEED, false);

    ipc_expect_in_use("lifetime-in-use", LIFETIME_REF, true);
    ipc_notify(port, test);
    expect_released(test, "lifetime-end-after-mapper-died", port, LIFETIME_REF);
    evtchn_close(port);
}

void test_ipc_lifetime_mapper(const struct guest_env *env)
{
    static const char test[] = "lifetime-mapper";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = ipc_connect(peer, test);
    grant_handle_t handle;

    map_and_check(test, "lifetime-map-read", peer, LIFETIME_REF, SEED, false, &handle);
    report_mapped(test, port);
    printk("ipc/lifetime: powering off with ref %u still mapped\n", LIFETIME_REF);
    guest_exit(SHUTDOWN_POWEROFF);
}

void test_ipc_orphan_granter(const struct guest_env *env)
{
    static const char test[] = "orphan-granter";
    domid_t peer = ipc_start(env, test);

    grant_and_wait(test, peer, LIFETIME_REF, SEED, false);
    ipc_expect_in_use("orphan-in-use", LIFETIME_REF, true);
    printk("ipc/orphan: powering off with ref %u mapped by the peer\n", LIFETIME_REF);
    guest_exit(SHUTDOWN_POWEROFF);
}

void test_ipc_orphan_mapper(const struct guest_env *env)
{
    static const char test[] = "orphan-mapper";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = ipc_connect(peer, test);
    grant_handle_t handle;
    volatile uint8_t *page;
    long bad;
    int st;

    page = map_and_check(test, "orphan-map-read", peer, LIFETIME_REF, SEED, false, &handle);
    ipc_notify(port, test);
    if (!ipc_wait_status(port, EVTCHNSTAT_unbound))
        ipc_abort(test, "the granter never went away; port status", evtchn_port_status(port));

    /* The granter is gone; its frame must still be the page we mapped. */
    bad = ipc_check(page, SEED);
    if (bad < 0)
        printk("PASS: ipc/orphan-intact\n");
    else
        printk("FAIL: ipc/orphan-intact byte %ld is 0x%x\n", bad, page[bad]);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        page[i] = ipc_pattern(REWRITE_SEED, i);
    bad = ipc_check(page, REWRITE_SEED);
    if (bad < 0)
        printk("PASS: ipc/orphan-write\n");
    else
        printk("FAIL: ipc/orphan-write byte %ld is 0x%x\n", bad, page[bad]);
    st = grant_unmap(ipc_map_addr(0), handle);
    if (st == GNTST_okay)
        printk("PASS: ipc/orphan-unmap\n");
    else
        printk("FAIL: ipc/orphan-unmap status %d\n", st);
    evtchn_close(port);
}

void test_ipc_ro_granter(const struct guest_env *env)
{
    static const char test[] = "ro-granter";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = grant_and_wait(test, peer, RO_REF, RO_SEED, true);

    ipc_expect_in_use("ro-in-use", RO_REF, false);
    ipc_notify(port, test);
    expect_released(test, "ro-end-after-writer-died", port, RO_REF);
    evtchn_close(port);
}

void test_ipc_ro_writer(const struct guest_env *env)
{
    static const char test[] = "ro-writer";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = ipc_connect(peer, test);
    grant_handle_t handle, writable;
    volatile uint8_t *page;
    int st;

    page = map_and_check(test, "ro-read", peer, RO_REF, RO_SEED, true, &handle);
    st = grant_map(peer, RO_REF, ipc_map_addr(1), false, &writable);
    if (st == GNTST_permission_denied) {
        printk("PASS: ipc/ro-map-writable-refused\n");
    } else {
        printk("FAIL: ipc/ro-map-writable-refused status %d\n", st);
        if (st == GNTST_okay)
            grant_unmap(ipc_map_addr(1), writable);
    }
    report_mapped(test, port);

    printk("ipc/ro-write: writing\n");
    page[0] = (uint8_t)~page[0];
    printk("FAIL: ipc/ro-write survived\n");
    grant_unmap(ipc_map_addr(0), handle);
}
