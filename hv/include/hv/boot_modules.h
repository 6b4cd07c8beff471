/*
 * dom0's boot modules: the files the loader read from the modules= folder
 * (mica/bootinfo.h), copied into dom0's RAM and listed in its PVH start
 * info (docs/abi.md, "Boot modules").
 */
#ifndef HV_BOOT_MODULES_H
#define HV_BOOT_MODULES_H

#include "mica/bootinfo.h"
#include "hv/pvh_image.h"

struct domain;

/*
 * Remember the loader's module array, after checking it against the boot
 * memory map: each module must lie in loader memory, within the limits of
 * bootinfo.h. Bad data is reported here and refuses the domain that owns
 * the modules when it is built. Call once, before the domains are built.
 */
void boot_modules_init(const struct mica_bootinfo *bi, const struct mica_memrange *map,
                       uint32_t nmap);

/*
 * For the domain whose line has modules= (cfg->modules): copy the modules
 * into its RAM (d's memory map, outside img's segments and the start-info
 * page) and list them in start_page, its start-info page as built so far.
 * Any other domain: nothing. 0, or -1 with *why set.
 */
int boot_modules_give(struct domain *d, const struct bootcfg_domain *cfg,
                      const struct pvh_image *img, void *start_page, const char **why);

#endif
