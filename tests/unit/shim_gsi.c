/* A fake interrupt controller for hv/pirq.c's host tests (shim_gsi.h). */
#include <string.h>
#include "shim_gsi.h"
#include "hv/arch.h"
#include "hv/pci.h"

struct shim_gsi_line shim_gsi[SHIM_GSI_LINES];

void shim_gsi_reset(void)
{
    memset(shim_gsi, 0, sizeof shim_gsi);
    for (uint32_t i = 0; i < SHIM_GSI_LINES; i++)
        shim_gsi[i].masked = true;
}

void arch_irq_init(void)
{
    shim_gsi_reset();
}

uint32_t arch_gsi_count(void)
{
    return SHIM_GSI_LINES;
}

const char *arch_gsi_owner(uint32_t gsi)
{
    return gsi == 0 || gsi == 2 || gsi == 4 ? "the shim's own" : NULL;
}

bool arch_gsi_default_level(uint32_t gsi)
{
    return gsi >= 9 && gsi <= 11;
}

void arch_gsi_route(uint32_t gsi, bool level, bool active_low)
{
    shim_gsi[gsi].routed = true;
    shim_gsi[gsi].level = level;
    shim_gsi[gsi].active_low = active_low;
    shim_gsi[gsi].masked = true;
}

void arch_gsi_mask(uint32_t gsi, bool masked)
{
    shim_gsi[gsi].masked = masked;
    shim_gsi[gsi].mask_writes++;
}

/* hv/pci.c's answer: a PCI function's interrupt line is 13. */
bool pci_uses_gsi(uint32_t gsi)
{
    return gsi == 13;
}
