#ifndef HV_OPTIONS_H
#define HV_OPTIONS_H

#include "mica/bootcfg.h"

#include <stdbool.h>

/* Options that other parts of the hypervisor read after options_apply(). */
struct hv_options {
    bool selftest_fault;        /* selftest=fault: fault once booted, to show the report */
    bool selftest_watchdog;     /* selftest=watchdog: a CPU hangs, to show the watchdog */
};
extern struct hv_options hv_options;

/* Apply the boot configuration's hypervisor options (at most BOOTCFG_OPTIONS_MAX bytes). */
void options_apply(const char *line);

#endif
