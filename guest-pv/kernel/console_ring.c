/*
 * Our side of the console ring. Output: we own out_prod, the hypervisor
 * owns out_cons; both run freely and the slot is the index modulo the ring
 * size. Data is written before the index that publishes it, and the
 * hypervisor drains the ring while it handles our EVTCHNOP_send. Input is
 * the mirror image: the hypervisor owns in_prod and notifies our port, we
 * own in_cons.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/console_ring.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>

#include "arch.h"
#include "console_ring.h"
#include "evtchn.h"
#include "hypercall.h"
#include "lib.h"

/* entry.asm identity-maps [0, 4 GiB): the ring page must lie below. */
#define IDENTITY_MAP_PAGES (0x100000000ull / PAGE_SIZE)
/* Notifications of a full ring that free nothing before we call it stuck. */
#define FULL_RING_RETRIES 1000

static struct xencons_interface *ring;
static evtchn_port_t ring_port;

static long get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long rc = hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p);

    *value = p.value;
    return rc;
}

bool console_ring_init(void)
{
    uint64_t pfn, port;

    if (get_param(HVM_PARAM_CONSOLE_PFN, &pfn) < 0 || pfn == 0 || pfn >= IDENTITY_MAP_PAGES)
        return false;
    if (get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) < 0)
        return false;
    ring = (struct xencons_interface *)(uintptr_t)(pfn * PAGE_SIZE);
    ring_port = (evtchn_port_t)port;
    return true;
}

bool console_ring_write(const char *s, size_t len)
{
    uint32_t prod = READ_ONCE(ring->out_prod);
    unsigned int stuck = 0;

    while (len) {
        uint32_t used = prod - READ_ONCE(ring->out_cons);

        if (used >= XENCONS_OUT_SIZE) {
            /* Full: publish what we have and let the hypervisor drain it. */
            barrier();
            WRITE_ONCE(ring->out_prod, prod);
            if (evtchn_send(ring_port) < 0 || ++stuck > FULL_RING_RETRIES)
                return false;
            continue;
        }
        stuck = 0;
        for (; used < XENCONS_OUT_SIZE && len; used++, len--)
            WRITE_ONCE(ring->out[prod++ % XENCONS_OUT_SIZE], *s++);
    }
    /* x86 keeps stores in order: the compiler must not sink the data below. */
    barrier();
    WRITE_ONCE(ring->out_prod, prod);
    return evtchn_send(ring_port) >= 0;
}

bool console_ring_listen(evtchn_handler_t on_input)
{
    if (!ring)
        return false;
    evtchn_set_handler(ring_port, on_input);
    evtchn_unmask(ring_port);
    return true;
}

size_t console_ring_read(char *buf, size_t max)
{
    if (!ring)
        return 0;
    uint32_t cons = READ_ONCE(ring->in_cons);
    uint32_t prod = READ_ONCE(ring->in_prod);
    uint32_t avail = prod - cons;

    /* The producer's index is read once; one that claims more than the ring
     * holds is not believed: skip to it rather than read stale bytes. */
    if (avail > XENCONS_IN_SIZE) {
        WRITE_ONCE(ring->in_cons, prod);
        return 0;
    }
    /* The bytes are read after the index that published them (x86 keeps
     * loads in order: the compiler must not hoist them). */
    barrier();
    size_t n = 0;
    for (; n < max && n < avail; n++)
        buf[n] = READ_ONCE(ring->in[(cons + n) % XENCONS_IN_SIZE]);
    barrier();
    WRITE_ONCE(ring->in_cons, cons + (uint32_t)n);
    return n;
}
