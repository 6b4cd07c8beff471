/*
 * Map the shared-info page over a .bss page (XENMEM_add_to_physmap: the
 * hypervisor replaces our RAM frame there with its own), then move each
 * vCPU's vcpu_info out of it into a page of our own
 * (VCPUOP_register_vcpu_info): vCPU 0's at once, the others' before they
 * come up.
 */
#include <stdint.h>

#include <public/memory_op.h>
#include <public/vcpu_op.h>

#include "console.h"
#include "hypercall.h"
#include "shared_info.h"

#define VCPU_INFO_OFFSET 64     /* anywhere works if the 64 bytes stay in the page */

static union {
    struct shared_info info;
    uint8_t bytes[PAGE_SIZE];
} shared_info_page __attribute__((aligned(PAGE_SIZE)));

static union {
    struct {
        uint8_t before[VCPU_INFO_OFFSET];
        struct vcpu_info info[MAX_VCPUS];
    } at;
    uint8_t bytes[PAGE_SIZE];
} vcpu_info_page __attribute__((aligned(PAGE_SIZE)));

struct shared_info *shared_info;

static uint64_t pfn_of(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;    /* identity mapped */
}

bool shared_info_init(void)
{
    struct xen_add_to_physmap map = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_SHARED_INFO,
        .idx = 0,
        .gpfn = pfn_of(&shared_info_page),
    };
    long rc;

    rc = hyp_memory_op(XENMEM_ADD_TO_PHYSMAP, (unsigned long)&map);
    if (rc < 0) {
        printk("guest-pv: add_to_physmap(shared_info, gpfn 0x%lx) = %ld\n",
               (unsigned long)map.gpfn, rc);
        return false;
    }
    shared_info = &shared_info_page.info;
    return shared_info_register_vcpu(0) == 0;
}

long shared_info_register_vcpu(uint32_t id)
{
    struct vcpu_info *info = &vcpu_info_page.at.info[id];
    struct vcpu_register_vcpu_info reg = {
        .mfn = pfn_of(info),
        .offset = (uint32_t)((uintptr_t)info % PAGE_SIZE),
    };
    long rc;

    cpus[id].vcpu_info = &shared_info->vcpu_info[id];
    rc = hyp_vcpu_op(VCPUOP_REGISTER_VCPU_INFO, id, (unsigned long)&reg);
    if (rc < 0) {
        printk("guest-pv: register_vcpu_info(vcpu %u, gfn 0x%lx offset %u) = %ld\n", id,
               (unsigned long)reg.mfn, reg.offset, rc);
        return rc;
    }
    cpus[id].vcpu_info = info;
    return 0;
}
