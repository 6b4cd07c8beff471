/*
 * The arch side of a domain on VMX: its EPT (built in ept.c), and how a
 * change to it reaches every CPU before the hypercall that made it returns.
 */
#include "vcpu.h"
#include "vmx_caps.h"
#include "arch/percpu.h"
#include "arch/vmx_insn.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/watchdog.h"

/* Bumped on every EPT change anywhere (under the hypervisor lock), so a
 * domain's generation never repeats, even for a new domain whose EPT root
 * reuses a dead one's frame. */
static uint64_t ept_generation;
_Static_assert(MAX_DOMAINS_TRACKED == MAX_DOMAINS, "percpu.ept_seen covers every domain id");

/*
 * EPT tables for what a guest maps outside its RAM (grants, the shared-info
 * page, grant-table frames) come from the hypervisor's memory and are freed
 * only with the domain: each domain gets this many beyond those its RAM
 * needs, so none can use up the hypervisor's memory by mapping at ever new
 * addresses. 64 tables map at least 21 scattered regions, or 128 MiB in one.
 */
#define EPT_SPARE_TABLES 64
/* The device owner maps its devices' BARs too: 128 more tables map 256 MiB
 * in one region, or at least 42 scattered ones. */
#define EPT_DEVICE_TABLES 128

/* Its EPT may grow to this many tables, the root included. */
static uint64_t table_limit(uint64_t ram_bytes, bool owns_devices)
{
    return ept_tables_for(ram_bytes) + EPT_SPARE_TABLES + (owns_devices ? EPT_DEVICE_TABLES : 0);
}

uint64_t arch_domain_frames_needed(uint64_t ram_bytes, bool owns_devices)
{
    return 1 + table_limit(ram_bytes, owns_devices);    /* struct arch_domain, tables */
}

int arch_domain_create(struct domain *d)
{
    paddr_t pa;
    struct arch_domain *ad = vmx_alloc_zeroed_frame(&pa);
    if (!ad)
        return -1;
    if (ept_init(&ad->ept)) {
        frame_free(pa);
        return -1;
    }
    ad->ept.table_limit = table_limit(d->ram_bytes, domain_owns_devices(d));
    ad->ept_gen = ++ept_generation;
    d->arch = ad;
    return 0;
}

static void release_owned_frame(uint64_t hpa)
{
    domain_release_frame(hpa);  /* hv/: a frame another domain still maps lives on */
}

/* Drop cached translations of this EPT (SDM 3C 29.4.3.1): after a change,
 * and before its frames can be reused for another domain. */
static void ept_flush(const struct ept *ept)
{
    enum vmx_status st = vmx_config.invept_single
                             ? invept(INVEPT_SINGLE_CONTEXT, ept_pointer(ept))
                             : invept(INVEPT_ALL_CONTEXT, 0);
    if (st != VMX_OK)
        panic("INVEPT failed");
}

/*
 * d's EPT changed. Each CPU flushes its cached translations before it next
 * enters d (vmx_ept_sync); a CPU in d's guest mode right now is kicked out
 * and waited for, so no vCPU of d keeps using a translation that is gone (a
 * grant unmapped, a page replaced) once the hypercall that removed it returns.
 */
static void ept_changed(struct domain *d)
{
    d->arch->ept_gen = ++ept_generation;
    struct percpu *me = this_cpu();
    for (uint32_t cpu = 0; cpu < cpus_online; cpu++) {
        struct percpu *pc = &percpus[cpu];
        if (pc == me || pc->in_guest != d)
            continue;
        arch_kick_cpu(cpu);
        watchdog_doing(me->index, "waiting for a CPU to leave guest mode (EPT flush)");
        while (pc->in_guest == d)
            arch_cpu_relax();
        watchdog_doing(me->index, NULL);
    }
}

void vmx_ept_flush_stale(struct domain *d)
{
    ept_flush(&d->arch->ept);
    this_cpu()->ept_seen[d->id] = d->arch->ept_gen;
}

void arch_domain_destroy(struct domain *d)
{
    struct arch_domain *ad = d->arch;
    if (!ad)
        return;
    ept_flush(&ad->ept);
    ept_destroy(&ad->ept, release_owned_frame);
    frame_free(virt_to_phys(ad));
    d->arch = NULL;
}

int arch_domain_map_ram(struct domain *d, gpaddr_t gpa, paddr_t frame)
{
    return ept_map(&d->arch->ept, gpa, frame, EPT_RWX | EPT_SW_OWNED) ? -1 : 0;
}

int arch_domain_set_page(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags,
                         paddr_t *released)
{
    uint64_t old;
    uint64_t perm = 0;
    if (frame)
        perm = ((flags & ARCH_PAGE_READONLY) ? EPT_READ | EPT_EXEC : EPT_RWX) |
               ((flags & ARCH_PAGE_OWNED) ? EPT_SW_OWNED : 0) |
               ((flags & ARCH_PAGE_DEVICE) ? EPT_SW_UNCACHED : 0);
    if (ept_replace(&d->arch->ept, gpa, frame, perm, &old))
        return -1;
    ept_changed(d);
    *released = (old & EPT_SW_OWNED) ? (old & EPT_ADDR_MASK) : 0;
    return 0;
}

paddr_t arch_domain_owned_frame(struct domain *d, gpaddr_t gpa)
{
    uint64_t leaf = ept_lookup(&d->arch->ept, gpa & PAGE_MASK);
    return (leaf & EPT_SW_OWNED) ? leaf & EPT_ADDR_MASK : 0;
}

paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write)
{
    return ept_translate(&d->arch->ept, gpa, write);
}
