/*
 * shim_gsi.c: a fake interrupt controller behind hv/arch.h's arch_gsi_*
 * for host tests of hv/pirq.c: 24 lines, 0, 2 and 4 the hypervisor's,
 * lines 9-11 level by "firmware" default and 13 a PCI function's (the
 * pci_uses_gsi stand-in); it records each line's routing and mask so a
 * test can see what the hypervisor did to the hardware.
 */
#ifndef MICA_TEST_SHIM_GSI_H
#define MICA_TEST_SHIM_GSI_H

#include <stdbool.h>
#include <stdint.h>

#define SHIM_GSI_LINES 24

struct shim_gsi_line {
    bool routed, level, active_low;
    bool masked;                /* starts masked, as arch_irq_init leaves it */
    uint32_t mask_writes;
};
extern struct shim_gsi_line shim_gsi[SHIM_GSI_LINES];

void shim_gsi_reset(void);

#endif
