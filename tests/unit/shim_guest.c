/* A fake guest address space and fake domains for handler tests (see shim_guest.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shim_guest.h"
#include "hv/arch.h"
#include "public/errno.h"

struct shim_guest_stats shim_guest;
struct shim_map_shared_info shim_map_shared_info;

static uint8_t rw_mem[SHIM_RW_END - SHIM_RW_BASE];
static uint8_t ro_mem[SHIM_RO_END - SHIM_RO_BASE];
static uint8_t hi_mem[SHIM_HI_END - SHIM_HI_BASE];

static const struct region {
    gvaddr_t base, end;
    uint8_t *mem;
    bool writable;
} regions[] = {
    { SHIM_RW_BASE, SHIM_RW_END, rw_mem, true },
    { SHIM_RO_BASE, SHIM_RO_END, ro_mem, false },
    { SHIM_HI_BASE, SHIM_HI_END, hi_mem, true },
};
#define NR_REGIONS (sizeof regions / sizeof regions[0])

static struct domain doms[MAX_DOMAINS];
static struct vcpu vcpus[MAX_DOMAINS][MAX_VCPUS_PER_DOMAIN];
static struct domain *table[MAX_DOMAINS];

static struct {
    uint8_t rw[sizeof rw_mem], ro[sizeof ro_mem], hi[sizeof hi_mem];
    struct domain doms[MAX_DOMAINS];
    struct vcpu vcpus[MAX_DOMAINS][MAX_VCPUS_PER_DOMAIN];
    struct domain *table[MAX_DOMAINS];
} snap;

static bool canonical(gvaddr_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* The region holding the byte at va, or NULL if it is unmapped. */
static const struct region *region_of(gvaddr_t va)
{
    if (!canonical(va))
        return NULL;
    for (size_t i = 0; i < NR_REGIONS; i++)
        if (va >= regions[i].base && va < regions[i].end)
            return &regions[i];
    return NULL;
}

/* Regions are page aligned, so one lookup covers the rest of va's page. */
static uint8_t *page_ptr(gvaddr_t va, bool write)
{
    const struct region *r = region_of(va);
    if (!r || (write && !r->writable))
        return NULL;
    return r->mem + (va - r->base);
}

int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
    uint8_t *out = dst;
    size_t total = len;

    shim_guest.from_calls++;
    shim_guest.last_from = src;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (src & (PAGE_SIZE - 1)));
        uint8_t *p = page_ptr(src, false);
        if (!p) {
            shim_guest.from_faults++;
            return -XEN_EFAULT;
        }
        memcpy(out, p, chunk);
        out += chunk, src += chunk, len -= chunk;
    }
    shim_guest.from_bytes += total;
    return 0;
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
    const uint8_t *in = src;
    size_t total = len;

    shim_guest.to_calls++;
    shim_guest.last_to = dst;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (dst & (PAGE_SIZE - 1)));
        uint8_t *p = page_ptr(dst, true);
        if (!p) {
            shim_guest.to_faults++;
            return -XEN_EFAULT;
        }
        memcpy(p, in, chunk);
        in += chunk, dst += chunk, len -= chunk;
    }
    shim_guest.to_bytes += total;
    return 0;
}

bool shim_guest_compat;

bool arch_vcpu_compat(const struct vcpu *v)
{
    (void)v;
    return shim_guest_compat;
}

struct domain *domain_by_id(uint32_t id)
{
    return id < MAX_DOMAINS ? table[id] : NULL;
}

int domain_map_shared_info(struct domain *d, gpaddr_t gpa)
{
    shim_map_shared_info.calls++;
    shim_map_shared_info.d = d;
    shim_map_shared_info.gpa = gpa;
    if (shim_map_shared_info.result == 0)
        d->shared_info_slot = (struct physmap_slot){ true, gpa };
    return shim_map_shared_info.result;
}

void shim_guest_clear_stats(void)
{
    memset(&shim_guest, 0, sizeof shim_guest);
}

void shim_guest_reset(void)
{
    for (size_t i = 0; i < NR_REGIONS; i++)
        memset(regions[i].mem, SHIM_FILL, regions[i].end - regions[i].base);
    memset(doms, 0, sizeof doms);
    memset(vcpus, 0, sizeof vcpus);
    memset(table, 0, sizeof table);
    memset(&shim_map_shared_info, 0, sizeof shim_map_shared_info);
    shim_guest_compat = false;
    shim_guest_clear_stats();
}

void *shim_guest_mem(gvaddr_t va, size_t len)
{
    const struct region *r = region_of(va);
    if (!r || len > r->end - va) {
        fprintf(stderr, "shim: guest bytes [0x%llx, +0x%zx) not in one region\n",
                (unsigned long long)va, len);
        abort();
    }
    return r->mem + (va - r->base);
}

struct vcpu *shim_domain_create(uint32_t id, bool privileged, uint64_t ram_bytes)
{
    if (id >= MAX_DOMAINS || table[id]) {
        fprintf(stderr, "shim: cannot create domain %u\n", id);
        abort();
    }
    struct domain *d = &doms[id];
    struct vcpu *v = &vcpus[id][0];
    memset(d, 0, sizeof *d);
    memset(v, 0, sizeof *v);
    d->id = id;
    snprintf(d->name, sizeof d->name, "dom%u", id);
    d->privileged = privileged;
    d->state = DOMAIN_RUNNING;
    d->ram_bytes = ram_bytes;
    d->frames_owned = ram_bytes >> PAGE_SHIFT;
    d->max_pages = ram_bytes >> PAGE_SHIFT;
    d->nvcpus = 1;
    d->vcpus[0] = v;
    /* A policy that allows everything; tests of the policy set their own. */
    memset(&d->policy, 0xff, sizeof d->policy);
    memset(d->policy_mask, 0xff, sizeof d->policy_mask);
    v->domain = d;
    v->id = 0;
    v->state = VCPU_RUNNABLE;
    v->initialised = true;
    table[id] = d;
    return v;
}

struct vcpu *shim_vcpu_add(struct domain *d)
{
    if (d < doms || d >= doms + MAX_DOMAINS || d->nvcpus >= MAX_VCPUS_PER_DOMAIN) {
        fprintf(stderr, "shim: cannot add a vCPU to domain %u\n", d->id);
        abort();
    }
    struct vcpu *v = &vcpus[d - doms][d->nvcpus];
    memset(v, 0, sizeof *v);
    v->domain = d;
    v->id = d->nvcpus;
    v->state = VCPU_DOWN;
    d->vcpus[d->nvcpus++] = v;
    return v;
}

void shim_world_snapshot(void)
{
    memcpy(snap.rw, rw_mem, sizeof rw_mem);
    memcpy(snap.ro, ro_mem, sizeof ro_mem);
    memcpy(snap.hi, hi_mem, sizeof hi_mem);
    memcpy(snap.doms, doms, sizeof doms);
    memcpy(snap.vcpus, vcpus, sizeof vcpus);
    memcpy(snap.table, table, sizeof table);
}

bool shim_domains_unchanged(void)
{
    return !memcmp(snap.doms, doms, sizeof doms) &&
           !memcmp(snap.vcpus, vcpus, sizeof vcpus) &&
           !memcmp(snap.table, table, sizeof table);
}

bool shim_world_unchanged(void)
{
    return !memcmp(snap.rw, rw_mem, sizeof rw_mem) &&
           !memcmp(snap.ro, ro_mem, sizeof ro_mem) &&
           !memcmp(snap.hi, hi_mem, sizeof hi_mem) &&
           shim_domains_unchanged();
}

const char *shim_name(const char *fmt, ...)
{
    static char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

bool shim_bytes_are(const void *p, size_t len, uint8_t value)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++)
        if (b[i] != value)
            return false;
    return true;
}

bool shim_guest_bytes_are(gvaddr_t va, size_t len, uint8_t value)
{
    return shim_bytes_are(shim_guest_mem(va, len), len, value);
}
