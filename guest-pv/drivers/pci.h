/*
 * dom0's PCI bus: enumeration through configuration mechanism #1 (ports
 * 0xCF8/0xCFC), the device list it finds, and lookups for drivers.
 * Call pci_init() once; the list does not change afterwards.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_DEVS 32
#define PCI_NUM_BARS 6

/* Configuration space offsets (PCI Local Bus spec 3.0, 6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION       0x08
#define PCI_PROGIF         0x09
#define PCI_SUBCLASS       0x0a
#define PCI_CLASS          0x0b
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19     /* type 1 (bridge) header */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEM    0x0002
#define PCI_COMMAND_MASTER 0x0004

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM };

struct pci_bar {
    enum pci_bar_kind kind;
    bool is64;          /* a 64-bit memory BAR; the next slot is its upper half (NONE) */
    bool prefetch;
    uint64_t base;      /* bus address (I/O port for PCI_BAR_IO) */
    uint64_t size;      /* bytes (ports), found by the all-ones sizing write */
};

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class, subclass, progif, revision;
    uint8_t header_type;        /* without the multi-function bit */
    struct pci_bar bar[PCI_NUM_BARS];
    uint8_t irq_line;           /* as firmware programmed it (the legacy IRQ/GSI) */
    uint8_t irq_pin;            /* 0: none, 1..4: INTA#..INTD# */
};

uint8_t pci_config_read8(const struct pci_dev *d, uint8_t off);
uint16_t pci_config_read16(const struct pci_dev *d, uint8_t off);
uint32_t pci_config_read32(const struct pci_dev *d, uint8_t off);
void pci_config_write8(const struct pci_dev *d, uint8_t off, uint8_t v);
void pci_config_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
void pci_config_write32(const struct pci_dev *d, uint8_t off, uint32_t v);

/* Enumerate bus 0 and every bus behind a PCI-to-PCI bridge; print the list. */
void pci_init(void);
unsigned int pci_count(void);
const struct pci_dev *pci_dev_at(unsigned int i);

/* The idx-th (from 0) device of that class/subclass or vendor/device; NULL if none. */
const struct pci_dev *pci_find_class(uint8_t class, uint8_t subclass, unsigned int idx);
const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, unsigned int idx);

/* Set the command register's I/O, memory and bus-master enables as given. */
void pci_enable(const struct pci_dev *d, bool io, bool mem, bool busmaster);

/* The boot print: one line per device. */
void pci_print(void);

#endif
