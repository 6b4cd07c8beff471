/* The hypervisor console's log (hv/include/hv/console_log.h): a ring. */
#include "hv/console_log.h"
#include "hv/string.h"

static char ring[CONSOLE_LOG_SIZE];
static uint64_t end;            /* bytes appended since boot */

void console_log_append(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        ring[(end + i) % CONSOLE_LOG_SIZE] = s[i];
    end += len;
}

size_t console_log_read(uint64_t *index, char *buf, size_t max)
{
    uint64_t oldest = end > CONSOLE_LOG_SIZE ? end - CONSOLE_LOG_SIZE : 0;
    if (*index < oldest)
        *index = oldest;
    if (*index > end)
        *index = end;
    size_t n = (size_t)MIN(max, end - *index);
    for (size_t i = 0; i < n; i++)
        buf[i] = ring[(*index + i) % CONSOLE_LOG_SIZE];
    return n;
}

uint64_t console_log_end(void)
{
    return end;
}
