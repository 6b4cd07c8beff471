/*
 * Domains dom0 creates at run time (docs/abi.md, "Domains at run time").
 *
 * createdomain is an admission check: every limit and every resource is
 * checked before anything is allocated, so a refused create leaves the
 * free-frame count and every table as they were, and its error names the
 * resource and the numbers. The frames an admitted domain can ever need
 * (its RAM, its page tables up to their limit, its vCPUs, shared info and
 * grant table) are set aside as a claim: later creates see them as taken,
 * so populating and loading the domain cannot run out of memory. The claim
 * shrinks as the build takes frames and ends when the domain starts.
 */
#include "hv/arch.h"
#include "hv/domain_build.h"
#include "hv/domain_runtime.h"
#include "hv/frame.h"
#include "hv/policy.h"
#include "hv/printk.h"
#include "hv/pvh_image.h"
#include "hv/sched.h"
#include "hv/start_info.h"
#include "hv/string.h"
#include "public/errno.h"

#define RAM_MAX_BYTES GiB(4)

static uint64_t frames_claimed(void)
{
    uint64_t claimed = 0;
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        if (d && d->state == DOMAIN_BUILDING && d->claim_frames > d->claim_used)
            claimed += d->claim_frames - d->claim_used;
    }
    return claimed;
}

uint64_t domain_runtime_frames_available(void)
{
    uint64_t free = frame_free_count(), set_aside = frames_claimed();
    return free > set_aside ? free - set_aside : 0;
}

/* The frames a domain built from `r` can take over its life. */
static uint64_t frames_needed(const struct domain_request *r)
{
    return (r->ram_bytes >> PAGE_SHIFT) + arch_domain_frames_needed(r->ram_bytes, false) +
           r->nvcpus * arch_vcpu_frames_needed() + 1 /* shared info */ +
           (r->max_grant_frames ? r->max_grant_frames : GRANT_MAX_FRAMES);
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static bool name_valid(const char *name)
{
    size_t n = strnlen(name, BOOTCFG_NAME_MAX);
    if (n == 0 || n == BOOTCFG_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(name[i]))
            return false;
    return true;
}

static uint64_t online_cpus(void)
{
    return (1ull << sched_policy_ncpus()) - 1;
}

/* Write the refusal's reason into error; return rc. */
static int __attribute__((format(printf, 4, 5)))
refuse(char *error, size_t len, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* The first limit `r` breaks, as an error; 0 if none. */
static int check_limits(const struct domain_request *r, char *error, size_t len)
{
    if (r->id >= MAX_DOMAINS)
        return refuse(error, len, -XEN_EINVAL, "id: %u asked, 1 to %u allowed", r->id,
                      MAX_DOMAINS - 1);
    if (!name_valid(r->name))
        return refuse(error, len, -XEN_EINVAL, "name: 1-31 of A-Z a-z 0-9 _ -");
    if (r->nvcpus == 0 || r->nvcpus > MAX_VCPUS_PER_DOMAIN)
        return refuse(error, len, -XEN_EINVAL, "vcpus: %u asked, 1 to %u allowed",
                      r->nvcpus, MAX_VCPUS_PER_DOMAIN);
    if (r->ram_bytes < GUEST_RAM_MIN || r->ram_bytes > RAM_MAX_BYTES ||
        (r->ram_bytes & (PAGE_SIZE - 1)))
        return refuse(error, len, -XEN_EINVAL, "memory: %lu KiB asked, 2048 to %lu allowed",
                      r->ram_bytes >> 10, RAM_MAX_BYTES >> 10);
    if (r->cpumap && !(r->cpumap & online_cpus()))
        return refuse(error, len, -XEN_EINVAL, "cpus: none of 0x%lx online (0x%lx are)",
                      r->cpumap, online_cpus());
    if (r->weight > SCHED_MAX_WEIGHT || r->cap > SCHED_MAX_CAP)
        return refuse(error, len, -XEN_EINVAL, "sched: weight to %u, cap to %u allowed",
                      SCHED_MAX_WEIGHT, SCHED_MAX_CAP);
    if (r->max_grant_frames > GRANT_MAX_FRAMES)
        return refuse(error, len, -XEN_EINVAL, "grant frames: %u asked, host allows %u",
                      r->max_grant_frames, GRANT_MAX_FRAMES);
    if (r->max_evtchn_port >= EVTCHN_MAX_PORTS)
        return refuse(error, len, -XEN_EINVAL, "event channels: %u asked, host allows %u",
                      r->max_evtchn_port, EVTCHN_MAX_PORTS - 1);
    if (r->max_maptrack > GRANT_MAX_MAPTRACK)
        return refuse(error, len, -XEN_EINVAL, "maptrack: %u asked, host allows %u",
                      r->max_maptrack, GRANT_MAX_MAPTRACK);
    return 0;
}

int domain_runtime_create(const struct domain_request *r, struct domain **out,
                          char *error, size_t len)
{
    int rc = check_limits(r, error, len);
    if (rc)
        return rc;
    if (domain_name_taken(r->name))
        return refuse(error, len, -XEN_EEXIST, "name: '%s' is taken", r->name);
    if (r->id && domain_by_id(r->id))
        return refuse(error, len, -XEN_EEXIST, "id: %u is in use", r->id);
    uint64_t need = frames_needed(r), available = domain_runtime_frames_available();
    if (need > available)
        return refuse(error, len, -XEN_ENOMEM, "memory: need %lu frames, %lu free", need,
                      available);
    int id = r->id ? (int)r->id : domain_allocate_id(false);
    if (id < 0)
        return refuse(error, len, -XEN_ENOSPC, "domains: all %u ids in use", MAX_DOMAINS - 1);

    /* Admitted: nothing below can be refused for want of a resource. */
    uint64_t free_before = frame_free_count();
    struct domain *d = domain_new_record((uint32_t)id, r->name, false, r->ram_bytes,
                                         r->nvcpus);
    static const struct mica_policy deny_nothing;
    policy_init(d, &deny_nothing);      /* what an unprivileged domain may call */
    d->pause_count = 1;
    d->unbacked_crash = r->unbacked_crash;
    d->evtchn_2l_only = r->evtchn_2l_only;
    d->claim_frames = need;
    d->gnttab.max_frames = r->max_grant_frames ? r->max_grant_frames : GRANT_MAX_FRAMES;
    d->max_evtchn_port = r->max_evtchn_port ? r->max_evtchn_port : EVTCHN_MAX_PORTS - 1;
    d->gnttab.max_maptrack = r->max_maptrack ? r->max_maptrack : GRANT_MAX_MAPTRACK;
    sched_set_weight(&d->sched, r->weight ? r->weight : SCHED_DEFAULT_WEIGHT);
    sched_set_cap(&d->sched, r->cap);
    domain_set_affinity(d, r->cpumap);
    if (domain_create_containers(d)) {
        domain_destroy(d);      /* unreachable while the claim holds */
        domain_forget(d);
        return refuse(error, len, -XEN_ENOMEM, "memory: out of frames for its page tables");
    }
    d->claim_used = free_before - frame_free_count();
    *out = d;
    return 0;
}

int domain_runtime_populate(struct domain *d, uint64_t gpfn, uint32_t order)
{
    uint64_t pages = 1ull << order;
    uint64_t ram_pages = d->ram_bytes >> PAGE_SHIFT;
    /* Its memory map is fixed: RAM only in [0, ram_bytes), and no more than max_pages. */
    if ((gpfn & (pages - 1)) || gpfn >= ram_pages || pages > ram_pages - gpfn ||
        d->frames_owned + pages > d->max_pages)
        return -1;
    /* Anything mapped there already (its RAM, or the shared-info page or a
     * grant-table frame it placed over RAM): Xen leaves such an extent undone too. */
    for (uint64_t i = 0; i < pages; i++)
        if (arch_domain_gpa_to_hpa(d, (gpfn + i) << PAGE_SHIFT, false))
            return -1;
    uint64_t free_before = frame_free_count();
    int rc = 0;
    for (uint64_t i = 0; i < pages && !rc; i++)
        rc = domain_populate_page(d, (gpfn + i) << PAGE_SHIFT);
    if (d->state == DOMAIN_BUILDING)
        d->claim_used += free_before - frame_free_count();
    return rc;
}

/* Take back the vCPUs' arch state after a partial failure. */
static void destroy_arch_vcpus(struct domain *d)
{
    for (uint32_t i = 0; i < d->nvcpus; i++)
        arch_vcpu_destroy(d->vcpus[i]);
}

int domain_runtime_load(struct domain *d, const void *image, uint64_t size,
                        const char *cmdline, const char **why)
{
    static char not_populated[64];
    struct pvh_image img;
    static char start_page[PAGE_SIZE];      /* under the hypervisor lock, like every hypercall */

    if (d->kernel_loaded) {
        *why = "its kernel is loaded already";
        return -XEN_EINVAL;
    }
    if (d->frames_owned != d->ram_bytes >> PAGE_SHIFT) {
        snprintf(not_populated, sizeof not_populated, "RAM not populated: %lu of %lu pages",
                 d->frames_owned, d->ram_bytes >> PAGE_SHIFT);
        *why = not_populated;
        return -XEN_EINVAL;
    }
    if (pvh_image_parse(image, size, d->ram_bytes, &img, why) ||
        start_info_build(start_page, d->ram_bytes, cmdline, 0, why))
        return -XEN_EINVAL;
    uint64_t free_before = frame_free_count();
    if (pvh_image_load(image, &img, domain_write_phys, d) ||
        domain_write_phys(d, d->start_info_gpa, start_page, sizeof start_page)) {
        *why = "writing the kernel into its memory failed";
        return -XEN_EINVAL;     /* unreachable: its RAM is all there */
    }
    int rc = domain_create_arch_vcpus(d, img.entry);
    d->claim_used += free_before - frame_free_count();
    if (rc) {
        destroy_arch_vcpus(d);
        *why = "out of memory for its vCPUs";
        return -XEN_ENOMEM;
    }
    d->kernel_loaded = true;
    d->entry = img.entry;
    return 0;
}

int domain_runtime_start(struct domain *d)
{
    if (!d->kernel_loaded)
        return -XEN_EINVAL;
    d->claim_frames = d->claim_used = 0;
    domain_start(d);
    printk("domain '%s' id %u: %lu MiB, entry 0x%x, created by dom0\n", d->name, d->id,
           d->ram_bytes >> 20, d->entry);
    return 0;
}
