/*
 * The device owner's RAM at guest-physical == machine-physical
 * (docs/devices.md, "dom0's memory"): without an IOMMU its drivers program
 * the addresses they see into devices, so those must be the machine's.
 */
#ifndef HV_IDENTITY_RAM_H
#define HV_IDENTITY_RAM_H

#include "hv/pvh_image.h"

struct domain;

/*
 * Give d ram_bytes of zeroed RAM from the lowest free machine frames at or
 * above 1 MiB, each mapped at its own address, and fill d's memory map: the
 * runs as RAM, the last page (the start-info page, d->start_info_gpa)
 * reserved. The kernel's segments must lie in those runs. 0, or -1 with
 * *why set (frames taken so far stay d's, for domain_destroy to return).
 */
int identity_ram_populate(struct domain *d, const struct pvh_image *img, const char **why);

#endif
