/*
 * Placing a hypervisor-provided page (the shared-info page, a grant-table
 * frame) in a domain's physmap where the guest asks for it, as Xen's
 * add_to_physmap does: a RAM page there is given up, and the page leaves the
 * place it had before.
 */
#include "hv/physmap.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/trace.h"
#include "public/errno.h"

int physmap_place(struct domain *d, paddr_t frame, gpaddr_t gpa, struct physmap_slot *slot)
{
    paddr_t released;
    if ((gpa & ~PAGE_MASK) || gpa >= (1ull << 48))
        return hv_error(-XEN_EINVAL);
    if (slot->mapped && slot->gpa == gpa)
        return 0;
    /* Only over the domain's own RAM or an empty slot: never over a grant
     * mapping or another such page, whose records would then lie. */
    if (arch_domain_gpa_to_hpa(d, gpa, false) && !arch_domain_owned_frame(d, gpa))
        return hv_error(-XEN_EINVAL);
    /* Map first: it is the only step that can fail, so a failure changes nothing. */
    if (arch_domain_set_page(d, gpa, frame, 0, &released))
        return hv_error(-XEN_ENOMEM);
    if (released) {
        domain_release_frame(released);     /* the RAM page it replaced */
        d->frames_owned--;
    }
    if (slot->mapped) {
        paddr_t none;
        arch_domain_set_page(d, slot->gpa, 0, 0, &none);    /* tables exist: cannot fail */
    }
    slot->mapped = true;
    slot->gpa = gpa;
    return 0;
}
