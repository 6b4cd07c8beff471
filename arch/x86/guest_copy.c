/*
 * copy_from_guest / copy_to_guest: the only way the hypervisor touches guest
 * memory. Each page-sized piece is translated guest-linear -> guest-physical
 * (the guest's paging, state from the current VMCS) -> host-physical (the
 * domain's EPT, owned RAM only), so a guest can name nothing but its own RAM.
 * Any failure is -EFAULT; a partial copy-out may have written a prefix.
 */
#include "arch/guest_walk.h"
#include "vmx/vcpu.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/errno.h"

static int read_gpa(void *ctx, uint64_t gpa, uint64_t *value, unsigned size)
{
    struct domain *d = ctx;
    if ((gpa & 0xfff) + size > 4096)
        return -1;
    paddr_t hpa = ept_translate(&d->arch->ept, gpa, false);
    if (!hpa)
        return -1;
    *value = 0;
    memcpy(value, phys_to_virt(hpa), size);
    return 0;
}

/* Host pointer for `len` bytes (not crossing a page) at guest-linear `va`. */
static void *guest_ptr(struct vcpu *v, uint64_t va, bool write)
{
    struct guest_paging p;
    vcpu_paging_state(v, &p);
    uint64_t gpa;
    if (guest_walk(&p, va, write, read_gpa, v->domain, &gpa))
        return NULL;
    paddr_t hpa = ept_translate(&v->domain->arch->ept, gpa, write);
    return hpa ? phys_to_virt(hpa) : NULL;
}

int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
    char *out = dst;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (src & (PAGE_SIZE - 1)));
        void *p = guest_ptr(v, src, false);
        if (!p)
            return hv_error(-XEN_EFAULT);
        memcpy(out, p, chunk);
        out += chunk, src += chunk, len -= chunk;
    }
    return 0;
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
    const char *in = src;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (dst & (PAGE_SIZE - 1)));
        void *p = guest_ptr(v, dst, true);
        if (!p)
            return hv_error(-XEN_EFAULT);
        memcpy(p, in, chunk);
        in += chunk, dst += chunk, len -= chunk;
    }
    return 0;
}
