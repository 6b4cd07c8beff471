/*
 * Map the shared-info page over a .bss page (XENMEM_add_to_physmap: the
 * hypervisor replaces our RAM frame there with its own), then move vCPU 0's
 * vcpu_info out of it into a page of its own (VCPUOP_register_vcpu_info).
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
        struct vcpu_info info;
    } at;
    uint8_t bytes[PAGE_SIZE];
} vcpu_info_page __attribute__((aligned(PAGE_SIZE)));

struct shared_info *shared_info;
struct vcpu_info *vcpu_info;

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
    struct vcpu_register_vcpu_info reg = {
        .mfn = pfn_of(&vcpu_info_page),
        .offset = VCPU_INFO_OFFSET,
    };
    long rc;

    rc = hyp_memory_op(XENMEM_ADD_TO_PHYSMAP, (unsigned long)&map);
    if (rc < 0) {
        printk("guest-pv: add_to_physmap(shared_info, gpfn 0x%lx) = %ld\n",
               (unsigned long)map.gpfn, rc);
        return false;
    }
    shared_info = &shared_info_page.info;
    vcpu_info = &shared_info->vcpu_info[0];

    rc = hyp_vcpu_op(VCPUOP_REGISTER_VCPU_INFO, 0, (unsigned long)&reg);
    if (rc < 0) {
        printk("guest-pv: register_vcpu_info(gfn 0x%lx offset %u) = %ld\n",
               (unsigned long)reg.mfn, reg.offset, rc);
        return false;
    }
    vcpu_info = &vcpu_info_page.at.info;
    return true;
}
