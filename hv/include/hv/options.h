#ifndef HV_OPTIONS_H
#define HV_OPTIONS_H

#include "mica/bootcfg.h"

/* Apply the boot configuration's hypervisor options (at most BOOTCFG_OPTIONS_MAX bytes). */
void options_apply(const char *line);

#endif
