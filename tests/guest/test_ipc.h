/*
 * What the inter-domain test actions (test_ipc*.c) share: the rendezvous
 * with the peer named by `peer=<domid>`, waits with a deadline, pages to
 * grant, addresses to map grants at, and the patterns both sides derive.
 *
 * Rendezvous, with no xenstore: the server (granter) grants its pages with
 * fixed refs, then allocates an unbound port for the peer; the client tries
 * bind_interdomain on each port of the peer until the one offered to it
 * binds, then maps the fixed refs. Nothing tells a domain its peer died:
 * it sees its own end of the channel go back to EVTCHNSTAT_unbound.
 */
#ifndef GUEST_TEST_IPC_H
#define GUEST_TEST_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/event_channel.h>
#include <public/grant_table.h>

#include "tests.h"

/* Pages ipc_page() hands out, to grant. */
#define IPC_PAGES 8

/* Start a test: peer=N from the command line and the grant table (FAIL and crash without). */
domid_t ipc_start(const struct guest_env *env, const char *test);

/* Server: allocate a port offered to `peer`, events counted. */
evtchn_port_t ipc_listen(domid_t peer, const char *test);
/* Client: bind to the port `peer` offered us, retrying until there is one.
 * The event the bind itself raises is counted before this returns. */
evtchn_port_t ipc_connect(domid_t peer, const char *test);

/* Events received on `port` so far (ports bound by ipc_listen/connect/count). */
uint64_t ipc_events(evtchn_port_t port);
/* A handler that counts events for ipc_events(). */
void ipc_count_event(evtchn_port_t port);
/* Wait until `port` has received more than `seen` events; false on timeout. */
bool ipc_wait_event(evtchn_port_t port, uint64_t seen);
/* Wait until our `port` has status EVTCHNSTAT_*; false on timeout. */
bool ipc_wait_status(evtchn_port_t port, uint32_t status);
/* Notify the peer; a failed send is a FAIL line and a crash. */
void ipc_notify(evtchn_port_t port, const char *test);

/* Page `i` of a pool in our .bss, page aligned, and its GFN. */
void *ipc_page(unsigned int i);
uint64_t ipc_gfn(const void *page);
/* Guest-physical slot `i` above our RAM, where foreign grants can be mapped. */
uint64_t ipc_map_addr(unsigned int i);
/* Map peer's `ref` at slot `slot`, retrying while it is not granted yet: GNTST_*. */
int ipc_map(domid_t peer, grant_ref_t ref, unsigned int slot, bool readonly,
            grant_handle_t *handle);

/*
 * PASS or FAIL `name`: while the peer has `ref` mapped, the entry is marked
 * in use (GTF_reading, and GTF_writing exactly when mapped writable) and
 * cannot be ended.
 */
void ipc_expect_in_use(const char *name, grant_ref_t ref, bool writable);
/* PASS or FAIL `name`: once the peer is gone, `ref` is not in use and ends. */
void ipc_expect_end(const char *name, grant_ref_t ref);

/* Byte `i` of the test pattern numbered `seed`. */
uint8_t ipc_pattern(uint64_t seed, uint64_t i);
void ipc_fill(void *page, uint64_t seed);
/* Offset of the first byte of the page that differs from the pattern, -1 if none. */
long ipc_check(const volatile void *page, uint64_t seed);
/* A 64-bit mix of x (splitmix64's finaliser). */
uint64_t ipc_mix(uint64_t x);

/* Print `FAIL: ipc/<test> <why>` and crash the domain. */
void ipc_abort(const char *test, const char *why, long value) __attribute__((noreturn));

/* Action entry points, registered in tests.c. */
void test_ipc_ring_server(const struct guest_env *env);
void test_ipc_ring_client(const struct guest_env *env);
void test_ipc_copy_server(const struct guest_env *env);
void test_ipc_copy_client(const struct guest_env *env);
void test_ipc_lifetime_granter(const struct guest_env *env);
void test_ipc_lifetime_mapper(const struct guest_env *env);
void test_ipc_orphan_granter(const struct guest_env *env);
void test_ipc_orphan_mapper(const struct guest_env *env);
void test_ipc_ro_granter(const struct guest_env *env);
void test_ipc_ro_writer(const struct guest_env *env);
void test_ipc_errors(const struct guest_env *env);

#endif
