/*
 * A domU's console ring (public/console_ring.h) at HVM_PARAM_CONSOLE_PFN.
 * Until dom0 runs a console backend, the hypervisor is the consumer: each
 * notification on the console port drains `out` to the hypervisor console.
 * The indices are the guest's: read once, checked, and a corrupt ring is
 * reported and skipped rather than trusted.
 */
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "public/console_ring.h"

void console_ring_drain(struct domain *d)
{
    paddr_t hpa = d->console_ring_gpa ? arch_domain_gpa_to_hpa(d, d->console_ring_gpa, true) : 0;
    if (!hpa)
        return;
    struct xencons_interface *ring = phys_to_virt(hpa);
    uint32_t cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    uint32_t len = prod - cons;
    if (len > XENCONS_OUT_SIZE) {
        printk("domain '%s': console ring indices corrupt (prod %u, cons %u): skipped\n",
               d->name, prod, cons);
        __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    char local[XENCONS_OUT_SIZE];
    for (uint32_t i = 0; i < len; i++)
        local[i] = ring->out[(cons + i) % XENCONS_OUT_SIZE];
    __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
    domain_console_write(d, local, len);
}
