/*
 * The `in` side of a domU's console ring (public/console_ring.h): what is
 * typed on the serial console while dom0 has attached it to this domain
 * (hv/console_focus.c). The hypervisor is the producer, the guest the
 * consumer. Both indices live in guest memory, so each is read once and
 * the pair checked: a guest that corrupts them loses its input, nothing
 * more. A full ring takes nothing; the caller drops and counts the rest,
 * for the serial line must never wait on a guest.
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "public/console_ring.h"

uint32_t console_ring_put_input(struct domain *d, const char *buf, uint32_t n)
{
    paddr_t hpa = d->console_ring_gpa ? arch_domain_gpa_to_hpa(d, d->console_ring_gpa, true) : 0;
    if (!hpa)
        return 0;               /* no ring, or the guest mapped something else there */
    struct xencons_interface *ring = phys_to_virt(hpa);
    uint32_t cons = __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&ring->in_prod, __ATOMIC_RELAXED);
    uint32_t used = prod - cons;
    if (used > XENCONS_IN_SIZE) {
        char report[128];
        int len = snprintf(report, sizeof report,
                           "domain '%s': console ring input indices corrupt (prod %u, cons %u)",
                           d->name, prod, cons);
        if (domain_console_charge(d, (size_t)len))
            printk("%s\n", report);
        return 0;
    }
    uint32_t k = 0;
    for (; k < n && used + k < XENCONS_IN_SIZE; k++)
        ring->in[(prod + k) % XENCONS_IN_SIZE] = buf[k];
    /* The bytes before the index that publishes them (x86 keeps stores in
     * order; the release keeps the compiler from reordering). */
    __atomic_store_n(&ring->in_prod, prod + k, __ATOMIC_RELEASE);
    return k;
}
