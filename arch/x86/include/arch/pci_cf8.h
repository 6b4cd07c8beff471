/* PCI configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): the ports. */
#ifndef ARCH_PCI_CF8_H
#define ARCH_PCI_CF8_H

#define PCI_CONF_ADDRESS_PORT 0xcf8
#define PCI_CONF_DATA_PORT    0xcfc
#define PCI_CONF_FIRST_PORT   0xcf8
#define PCI_CONF_LAST_PORT    0xcff
/* CONFIG_ADDRESS: enable, bus 23:16, device 15:11, function 10:8, register 7:2. */
#define PCI_CF8_ENABLE        0x80000000u

#endif
