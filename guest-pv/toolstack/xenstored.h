/*
 * dom0's xenstore daemon (docs/xenstore.md): the engine of
 * guest-pv/xenstore/ served to each domU over its ring page (mapped
 * through the domU's reserved grant entry) and store event channel, and to
 * dom0 itself by direct calls. It runs from the waits of dom0's shell
 * (timer_set_idle_work), driven by the store ports' events.
 */
#ifndef TOOLSTACK_XENSTORED_H
#define TOOLSTACK_XENSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/abi.h>
#include <public/io/xs_wire.h>

/* The store, empty but for dom0's own nodes; and the idle work. */
void xenstored_init(domid_t dom0, const char *dom0_name);

/*
 * One request of dom0's (caller 0) straight to the engine. 0 with the
 * reply's payload in reply (at most cap bytes; *len its length, a NUL
 * after it when there is room), or the Xen errno the store answered
 * (EINVAL if the reply did not fit).
 */
int xenstored_call(uint32_t type, const void *payload, uint32_t len, char *reply, size_t cap,
                   uint32_t *rlen);
/* The same for requests whose arguments are strings; NULL ends them. */
int xenstored_callv(uint32_t type, char *reply, size_t cap, uint32_t *rlen, ...);

/* WRITE path value (the value without its NUL, as the protocol has it). */
int xenstored_write(const char *path, const char *value);

/*
 * A new domU, running: offer it a store port, name it in its
 * HVM_PARAM_STORE_EVTCHN, introduce it (XS_INTRODUCE: its ring is mapped
 * and the port bound) and write its nodes under /local/domain/<id> and
 * /vm/<id>. Prints one line and returns -1 if something failed.
 */
int xenstored_domain_new(domid_t id);
/* It is going: the store forgets it (xs_domain_gone), its ring is unmapped,
 * its nodes removed. Harmless for a domain that was never introduced. */
void xenstored_domain_gone(domid_t id);

/* Serve every ring with work waiting (the idle work; callable any time). */
void xenstored_poll(void);

/* The engine forgets the domain (xs_domain_gone) and its ring is let go. */
void xenstored_forget(domid_t id);

/* Introduce/release for the engine's hooks (xenstored.c). */
int xenstored_connect(domid_t id, uint64_t gfn, uint32_t port);
void xenstored_disconnect(domid_t id);

/* base, the id in decimal, rest ("/local/domain/", 5, "/name"), into buf; buf. */
const char *xenstore_path(char *buf, const char *base, domid_t id, const char *rest);

/* The Xen errno named by an error reply's payload. */
int xenstored_errno(const char *name);

#endif
