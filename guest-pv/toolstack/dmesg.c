/*
 * `dmesg [bytes]`: the hypervisor console's log (XEN_SYSCTL_readconsole),
 * its last `bytes` (default 4096; the hypervisor keeps 16 KiB), one line
 * of it per line of ours.
 */
#include <stdint.h>

#include <public/sysctl.h>

#include "console.h"
#include "control.h"
#include "lib.h"
#include "text.h"
#include "toolstack.h"

#define DEFAULT_BYTES 4096
#define LINE_MAX 160

static long read_chunk(uint64_t index, struct mica_sysctl_readconsole *r)
{
    struct mica_sysctl op = {
        .cmd = XEN_SYSCTL_READCONSOLE, .interface_version = MICA_SYSCTL_INTERFACE_VERSION,
    };
    op.u.readconsole.index = index;
    long rc = hyp_sysctl((unsigned long)&op);
    if (rc == 0)
        *r = op.u.readconsole;
    return rc;
}

int cmd_dmesg(const struct shell_args *a)
{
    struct mica_sysctl_readconsole r;
    uint32_t bytes = DEFAULT_BYTES;
    char line[LINE_MAX + 1];
    size_t len = 0;

    if (a->argc > 1 || (a->argc == 1 && !text_parse_uint(a->argv[0], &bytes))) {
        printk("dmesg: usage: dmesg [bytes, default %u]\n", DEFAULT_BYTES);
        return -1;
    }
    long rc = read_chunk(0, &r);
    if (rc) {
        printk("dmesg: readconsole failed (error %ld)\n", -rc);
        return -1;
    }
    /* Up to what was printed before this command: its own lines come after. */
    uint64_t end = r.end, index = end > bytes ? end - bytes : 0;
    while (index < end && read_chunk(index, &r) == 0 && r.count) {
        for (uint32_t i = 0; i < r.count && r.index + i < end; i++) {
            char c = r.text[i];
            if (c == '\r')
                continue;
            if (c == '\n' || len == LINE_MAX) {
                line[len] = 0;
                printk("%s\n", line);
                len = 0;
                if (c == '\n')
                    continue;
            }
            line[len++] = c;
        }
        index = r.index + r.count;
    }
    if (len) {
        line[len] = 0;
        printk("%s\n", line);
    }
    return 0;
}
