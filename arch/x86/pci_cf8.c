/*
 * The hypervisor's own PCI configuration accesses, through mechanism #1.
 * Callers hold the hypervisor lock, so an address latched in 0xCF8 is still
 * there for the data access that follows it.
 */
#include "arch/pci_cf8.h"
#include "arch/x86.h"
#include "hv/arch.h"

static uint32_t cf8_address(uint16_t bdf, unsigned reg)
{
    return PCI_CF8_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc);
}

uint32_t arch_pci_read(uint16_t bdf, unsigned reg, unsigned bytes)
{
    outl(PCI_CONF_ADDRESS_PORT, cf8_address(bdf, reg));
    uint16_t port = (uint16_t)(PCI_CONF_DATA_PORT + (reg & 3));
    return bytes == 1 ? inb(port) : bytes == 2 ? inw(port) : inl(port);
}

void arch_pci_write(uint16_t bdf, unsigned reg, unsigned bytes, uint32_t val)
{
    outl(PCI_CONF_ADDRESS_PORT, cf8_address(bdf, reg));
    uint16_t port = (uint16_t)(PCI_CONF_DATA_PORT + (reg & 3));
    if (bytes == 1)
        outb(port, (uint8_t)val);
    else if (bytes == 2)
        outw(port, (uint16_t)val);
    else
        outl(port, val);
}
