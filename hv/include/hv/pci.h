/*
 * The machine's PCI functions as the hypervisor found them at boot, and
 * what it mediates of dom0's configuration accesses (docs/devices.md):
 * bridges whose registers route memory and interrupts stay read-only, a BAR
 * may not be moved over RAM or the interrupt controllers, and a memory BAR
 * that moves is remapped in the device owner's EPT.
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include "hv/types.h"
#include "mica/bootinfo.h"

struct domain;
struct vcpu;

#define PCI_MAX_FUNCTIONS 64
#define PCI_BARS 7              /* six BARs and the expansion ROM */

struct pci_bar {
    uint64_t base;              /* as programmed (0: not placed) */
    uint64_t size;              /* 0: not implemented */
    bool io, is64;
    bool mapped;                /* [base, base + size) is in the owner's EPT */
};

struct pci_function {
    uint16_t bdf;               /* bus 15:8, device 7:3, function 2:0 */
    uint16_t vendor, device;
    uint8_t class, subclass, header_type;
    uint8_t irq_line, irq_pin;  /* as the firmware left them (pin 0: none) */
    struct pci_bar bar[PCI_BARS];
};

/* Scan every bus and size every BAR; `map` is the firmware's memory map. */
void pci_init(const struct mica_memrange *map, uint32_t nmap);
/* Some function's interrupt pin is routed to `gsi` (its Interrupt Line register). */
bool pci_uses_gsi(uint32_t gsi);
/* Map every placed memory BAR into the device owner's EPT (gpa = hpa, uncached). */
void pci_give_devices(struct domain *d);

/* The device owner's configuration accesses (through the arch's mechanism). */
uint32_t pci_config_guest_read(struct vcpu *v, uint16_t bdf, unsigned reg, unsigned bytes);
void pci_config_guest_write(struct vcpu *v, uint16_t bdf, unsigned reg, unsigned bytes,
                            uint32_t val);

/* For pci_config.c: the function at bdf, or NULL if the boot scan found none. */
struct pci_function *pci_function_at(uint16_t bdf);
/* Why [base, base + size) may not hold a memory BAR, or NULL if it may. */
const char *pci_bar_range_refused(uint64_t base, uint64_t size);
/* Remove bar's pages from the owner's EPT / add them: 0, or -1 (reported). */
void pci_bar_unmap(struct domain *d, struct pci_bar *bar);
int pci_bar_map(struct domain *d, const struct pci_function *f, struct pci_bar *bar);

#endif
