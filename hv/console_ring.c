/*
 * A domU's console ring (public/console_ring.h) at HVM_PARAM_CONSOLE_PFN.
 * Until dom0 runs a console backend, the hypervisor is the consumer: a
 * notification on the console port prints what is in `out`, one line at a
 * time. The serial console is synchronous (a 90-character line holds the
 * CPU for about 8 ms at 115200 baud), so one call prints at most one line
 * and leaves the rest for later: the next line is printed each time one of
 * the domain's vCPUs is about to run (so its output costs its own CPU
 * time), or by the scheduling loop when none of them can run
 * (hv/console_pending.c). A full ring never holds a CPU, and the vCPUs
 * waiting for it, for the ~180 ms its 2 KiB would take.
 * The indices are the guest's: read once, checked, and a corrupt ring is
 * reported and skipped rather than trusted.
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "public/console_ring.h"

#define CONSOLE_RING_CHUNK 128          /* at most one line of up to this many bytes */

void console_ring_drain(struct domain *d)
{
    /* Its console_io text came first: print that, the ring waits its turn. */
    if (d->console_queue_len) {
        domain_console_next_line(d);
        d->console_ring_more = true;
        return;
    }
    paddr_t hpa = d->console_ring_gpa ? arch_domain_gpa_to_hpa(d, d->console_ring_gpa, true) : 0;
    if (!hpa) {
        /* No ring (or the guest mapped something else over it): nothing is
         * waiting, or the scheduler would keep coming back for it. */
        d->console_ring_more = false;
        return;
    }
    struct xencons_interface *ring = phys_to_virt(hpa);
    uint32_t cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    uint32_t len = prod - cons;
    if (len > XENCONS_OUT_SIZE) {
        char report[128];
        int n = snprintf(report, sizeof report,
                         "domain '%s': console ring indices corrupt (prod %u, cons %u): skipped",
                         d->name, prod, cons);
        /* Charged to the domain's console rate, so that a guest corrupting
         * its ring again and again cannot flood the console with reports. */
        if (domain_console_charge(d, (size_t)n))
            printk("%s\n", report);
        __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    char local[CONSOLE_RING_CHUNK];
    uint32_t n = 0;
    while (n < len && n < sizeof local) {
        local[n] = ring->out[(cons + n) % XENCONS_OUT_SIZE];
        if (local[n++] == '\n')
            break;
    }
    __atomic_store_n(&ring->out_cons, cons + n, __ATOMIC_RELEASE);
    d->console_ring_more = n < len;
    domain_console_write(d, local, n);
}
