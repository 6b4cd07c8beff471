/*
 * Discovery of the Xen-compatible CPUID leaves and the hypercall page.
 * Hypervisors place their leaf blocks at 0x100 boundaries from 0x40000000;
 * Mica puts its own signature first and Xen's at the next block.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/abi.h>

#include "arch.h"
#include "console.h"
#include "hypercall.h"

#define CPUID_SCAN_FIRST 0x40000000u
#define CPUID_SCAN_LAST  0x4000FF00u
#define CPUID_SCAN_STEP  0x100u

/* Leaves past the base that must exist: base+2 names the hypercall MSR. */
#define XEN_LEAF_HYPERCALL 2
/* base+4: EAX flags, ECX = domain id when flagged. */
#define XEN_LEAF_HVM 4

/* First bytes of every stub: "mov eax, imm32" (B8 imm32), then vmcall. */
#define STUB_OPCODE_MOV_EAX 0xB8

uint8_t hypercall_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
bool hypercall_page_ready;

static uint32_t xen_base;

uint32_t xen_cpuid_base(void)
{
    return xen_base;
}

uint16_t xen_domid(void)
{
    struct cpuid_regs r;

    if (xen_base == 0)
        return DOMID_SELF;
    r = cpuid(xen_base + XEN_LEAF_HVM, 0);
    return (r.eax & XEN_HVM_CPUID_DOMID_PRESENT) ? (uint16_t)r.ecx : DOMID_SELF;
}

static uint32_t find_xen_leaves(void)
{
    for (uint32_t base = CPUID_SCAN_FIRST; base <= CPUID_SCAN_LAST; base += CPUID_SCAN_STEP) {
        struct cpuid_regs r = cpuid(base, 0);

        if (r.ebx == XEN_CPUID_SIGNATURE_EBX && r.ecx == XEN_CPUID_SIGNATURE_ECX &&
            r.edx == XEN_CPUID_SIGNATURE_EDX && r.eax >= base + XEN_LEAF_HYPERCALL)
            return base;
    }
    return 0;
}

bool hypercall_page_init(void)
{
    struct cpuid_regs r;
    uint32_t base = find_xen_leaves();

    if (base == 0) {
        printk("guest-pv: no Xen CPUID leaves in 0x%x..0x%x\n", CPUID_SCAN_FIRST,
               CPUID_SCAN_LAST);
        return false;
    }
    xen_base = base;

    /* base+2: EAX = number of hypercall pages, EBX = the MSR to write. */
    r = cpuid(base + XEN_LEAF_HYPERCALL, 0);
    if (r.eax < 1) {
        printk("guest-pv: Xen leaf 0x%x offers %u hypercall pages\n", base + XEN_LEAF_HYPERCALL,
               r.eax);
        return false;
    }
    /* Identity mapped: the linear address is the guest-physical one. */
    wrmsr(r.ebx, (uintptr_t)hypercall_page);
    if (hypercall_page[0] != STUB_OPCODE_MOV_EAX) {
        printk("guest-pv: hypercall page at %p not filled after wrmsr 0x%x (first byte 0x%x)\n",
               (void *)hypercall_page, r.ebx, hypercall_page[0]);
        return false;
    }
    hypercall_page_ready = true;
    return true;
}
