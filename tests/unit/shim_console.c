/* console_ring_drain / domain_console_write that only record (see shim_guest.h). */
#include <string.h>
#include "shim_guest.h"
#include "hv/domain_console.h"

struct shim_console_stats shim_console;

void shim_console_reset(void)
{
    memset(&shim_console, 0, sizeof shim_console);
}

void console_ring_drain(struct domain *d)
{
    shim_console.drain_calls++;
    shim_console.drain_last = d;
}

void domain_console_write(struct domain *d, const char *buf, size_t n)
{
    shim_console.write_calls++;
    shim_console.write_last = d;
    size_t room = sizeof shim_console.written - shim_console.written_len;
    size_t k = n < room ? n : room;
    memcpy(shim_console.written + shim_console.written_len, buf, k);
    shim_console.written_len += k;
}
