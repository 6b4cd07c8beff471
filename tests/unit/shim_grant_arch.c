/* A fake EPT per domain for grant-table tests (see shim_grant_arch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shim_grant_arch.h"
#include "hv/arch.h"
#include "hv/frame.h"

struct shim_ept_stats shim_ept;

static struct page {
    bool used;
    uint32_t dom;
    gpaddr_t gpa;
    paddr_t frame;
    unsigned flags;
} pages[SHIM_EPT_PAGES];
static long fail_after = -1;

void shim_ept_reset(void)
{
    memset(pages, 0, sizeof pages);
    memset(&shim_ept, 0, sizeof shim_ept);
    fail_after = -1;
}

void shim_ept_fail_after(long n)
{
    fail_after = n;
}

static struct page *find(const struct domain *d, gpaddr_t gpa)
{
    gpa &= PAGE_MASK;
    for (size_t i = 0; i < SHIM_EPT_PAGES; i++)
        if (pages[i].used && pages[i].dom == d->id && pages[i].gpa == gpa)
            return &pages[i];
    return NULL;
}

static struct page *slot(void)
{
    for (size_t i = 0; i < SHIM_EPT_PAGES; i++)
        if (!pages[i].used)
            return &pages[i];
    fprintf(stderr, "shim: fake EPT full\n");
    abort();
}

int arch_domain_set_page(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags,
                         paddr_t *released)
{
    shim_ept.set_calls++;
    shim_ept.last_d = d;
    shim_ept.last_gpa = gpa;
    shim_ept.last_frame = frame;
    shim_ept.last_flags = flags;
    if (gpa & ~PAGE_MASK) {
        fprintf(stderr, "shim: set_page at unaligned gpa 0x%llx\n", (unsigned long long)gpa);
        abort();
    }
    if (fail_after == 0) {
        shim_ept.set_failures++;
        return -1;
    }
    if (fail_after > 0)
        fail_after--;
    struct page *p = find(d, gpa);
    *released = p && (p->flags & ARCH_PAGE_OWNED) ? p->frame : 0;
    if (!frame) {
        if (p)
            *p = (struct page){ 0 };
        return 0;
    }
    if (!p)
        p = slot();
    *p = (struct page){ .used = true, .dom = d->id, .gpa = gpa, .frame = frame, .flags = flags };
    return 0;
}

paddr_t arch_domain_owned_frame(struct domain *d, gpaddr_t gpa)
{
    struct page *p = find(d, gpa);
    return p && (p->flags & ARCH_PAGE_OWNED) ? p->frame : 0;
}

paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write)
{
    struct page *p = find(d, gpa);
    if (!p || (write && (p->flags & ARCH_PAGE_READONLY)))
        return 0;
    return p->frame | (gpa & ~PAGE_MASK);
}

paddr_t shim_ept_add_ram(struct domain *d, uint64_t gfn)
{
    paddr_t f = frame_alloc();
    if (!f || find(d, gfn << PAGE_SHIFT)) {
        fprintf(stderr, "shim: cannot add RAM at gfn 0x%llx\n", (unsigned long long)gfn);
        abort();
    }
    *slot() = (struct page){ .used = true, .dom = d->id, .gpa = gfn << PAGE_SHIFT, .frame = f,
                             .flags = ARCH_PAGE_OWNED };
    return f;
}

bool shim_ept_lookup(struct domain *d, gpaddr_t gpa, paddr_t *frame, unsigned *flags)
{
    struct page *p = find(d, gpa);
    if (!p)
        return false;
    *frame = p->frame;
    *flags = p->flags;
    return true;
}

unsigned shim_ept_count(struct domain *d)
{
    unsigned n = 0;
    for (size_t i = 0; i < SHIM_EPT_PAGES; i++)
        n += pages[i].used && pages[i].dom == d->id;
    return n;
}

void shim_ept_destroy(struct domain *d)
{
    for (size_t i = 0; i < SHIM_EPT_PAGES; i++) {
        if (!pages[i].used || pages[i].dom != d->id)
            continue;
        if (pages[i].flags & ARCH_PAGE_OWNED)
            domain_release_frame(pages[i].frame);
        pages[i] = (struct page){ 0 };
    }
}
