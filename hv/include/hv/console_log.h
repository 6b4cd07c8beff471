/*
 * The hypervisor console's log: the last CONSOLE_LOG_SIZE bytes it printed,
 * its own lines and the domains' alike, for dom0's `dmesg`
 * (XEN_SYSCTL_readconsole). Bytes are named by their offset since boot.
 */
#ifndef HV_CONSOLE_LOG_H
#define HV_CONSOLE_LOG_H

#include "hv/types.h"

#define CONSOLE_LOG_SIZE 16384

void console_log_append(const char *s, size_t len);
/*
 * Up to `max` bytes from offset *index on into buf; *index moves up to the
 * oldest byte kept if those asked for were overwritten. Returns the count.
 */
size_t console_log_read(uint64_t *index, char *buf, size_t max);
/* The offset after the last byte printed. */
uint64_t console_log_end(void);

#endif
