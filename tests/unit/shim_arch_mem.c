/* Fake host-physical memory and guest-physical RAM for host tests (see shim_guest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shim_guest.h"
#include "hv/arch.h"
#include "public/shared_info.h"

#define HOST_PAGES (SHIM_GPA_PAGES + MAX_DOMAINS)   /* guest RAM, then shared-info pages */

struct shim_arch_mem_stats shim_arch_mem;

static uint8_t host_mem[HOST_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t snap_mem[sizeof host_mem];
static bool is_ram[SHIM_GPA_PAGES], snap_is_ram[SHIM_GPA_PAGES];

void shim_arch_mem_reset(void)
{
    memset(host_mem, SHIM_FILL, sizeof host_mem);
    for (size_t g = 0; g < SHIM_GPA_PAGES; g++)
        is_ram[g] = true;
    memset(&shim_arch_mem, 0, sizeof shim_arch_mem);
}

void shim_gfn_set_ram(uint64_t gfn, bool ram)
{
    if (gfn >= SHIM_GPA_PAGES) {
        fprintf(stderr, "shim: gfn 0x%llx outside the fake RAM\n", (unsigned long long)gfn);
        abort();
    }
    is_ram[gfn] = ram;
}

void *shim_gpa_mem(gpaddr_t gpa, size_t len)
{
    if (gpa >= SHIM_GPA_PAGES * PAGE_SIZE || len > SHIM_GPA_PAGES * PAGE_SIZE - gpa) {
        fprintf(stderr, "shim: guest-physical [0x%llx, +0x%zx) outside the fake RAM\n",
                (unsigned long long)gpa, len);
        abort();
    }
    return host_mem + gpa;
}

struct shared_info *shim_shared_info_create(struct domain *d)
{
    if (d->id >= MAX_DOMAINS)
        abort();
    uint64_t page = SHIM_GPA_PAGES + d->id;
    memset(host_mem + page * PAGE_SIZE, 0, PAGE_SIZE);
    d->shared_info_frame = SHIM_HPA_BASE + page * PAGE_SIZE;
    d->shared_info = phys_to_virt(d->shared_info_frame);
    return d->shared_info;
}

void shim_arch_mem_snapshot(void)
{
    memcpy(snap_mem, host_mem, sizeof host_mem);
    memcpy(snap_is_ram, is_ram, sizeof is_ram);
}

bool shim_arch_mem_unchanged(void)
{
    return !memcmp(snap_mem, host_mem, sizeof host_mem) &&
           !memcmp(snap_is_ram, is_ram, sizeof is_ram);
}

paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write)
{
    shim_arch_mem.gpa_to_hpa_calls++;
    shim_arch_mem.last_gpa = gpa;
    shim_arch_mem.last_write = write;
    uint64_t gfn = gpa >> PAGE_SHIFT;
    if (gfn >= SHIM_GPA_PAGES || !is_ram[gfn])
        return 0;
    return SHIM_HPA_BASE + gpa;
}

void *phys_to_virt(paddr_t pa)
{
    if (pa < SHIM_HPA_BASE || pa - SHIM_HPA_BASE >= sizeof host_mem) {
        fprintf(stderr, "shim: phys_to_virt(0x%llx) outside the fake memory\n",
                (unsigned long long)pa);
        abort();
    }
    return host_mem + (pa - SHIM_HPA_BASE);
}

paddr_t virt_to_phys(const void *va)
{
    const uint8_t *p = va;
    if (p < host_mem || p >= host_mem + sizeof host_mem) {
        fprintf(stderr, "shim: virt_to_phys(%p) outside the fake memory\n", va);
        abort();
    }
    return SHIM_HPA_BASE + (paddr_t)(p - host_mem);
}
