/*
 * I/O bitmaps (SDM 3C 25.6.4): bitmap A covers ports 0-0x7FFF, B the rest;
 * a set bit makes an access to that port exit. A domain that owns no device
 * gets the all-set pair, so every access exits and reads all-ones
 * (io_exit.c). The device owner (dom0) gets a pair with only the
 * hypervisor's ports (arch/hv_ports.h) and the PCI configuration mechanism
 * (0xCF8-0xCFF, mediated by hv/pci_config.c) set: all else reaches the
 * hardware without an exit.
 */
#include "vcpu.h"
#include "arch/hv_ports.h"
#include "arch/pci_cf8.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/string.h"

paddr_t vmx_io_bitmaps_none, vmx_io_bitmaps_owner;

/* Two consecutive frames: A then B, so one base address names the pair. */
static paddr_t alloc_pair(uint8_t fill)
{
    paddr_t a = frame_alloc_run(2);
    if (!a)
        panic("out of memory (no two adjacent frames) for the I/O bitmaps");
    memset(phys_to_virt(a), fill, 2 * PAGE_SIZE);
    return a;
}

static void trap_ports(uint16_t first, uint16_t last, void *ctx)
{
    uint8_t *bm = ctx;
    for (uint32_t p = first; p <= last; p++)
        bm[p / 8] |= (uint8_t)(1u << (p % 8));
}

void vmx_io_bitmaps_init(void)
{
    vmx_io_bitmaps_none = alloc_pair(0xff);
    vmx_io_bitmaps_owner = alloc_pair(0);
    uint8_t *bm = phys_to_virt(vmx_io_bitmaps_owner);
    hv_ports_each(trap_ports, bm);
    trap_ports(PCI_CONF_FIRST_PORT, PCI_CONF_LAST_PORT, bm);
}
