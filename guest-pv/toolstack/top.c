/*
 * `top [refreshes]`: the xentop of Mica. Every second a table of each
 * domain's state, share of CPU time since the last table (100 = one CPU),
 * memory and vCPUs, then the host's free memory; it stops after
 * `refreshes` tables (default 10) or at a key typed on the console.
 */
#include <stdint.h>

#include <public/domctl.h>

#include "clock.h"
#include "console.h"
#include "console_input.h"
#include "control.h"
#include "text.h"
#include "toolstack.h"

#define MAX_ID 32
#define REFRESH_NS 1000000000ull
#define DEFAULT_REFRESHES 10

static uint64_t last_cpu[MAX_ID];
static bool seen[MAX_ID];

static void header(void)
{
    struct text_row r;
    row_start(&r);
    row_str(&r, "ID", 4);
    row_str(&r, "NAME", 16);
    row_str(&r, "STATE", 10);
    row_str(&r, "CPU(%)", 7);
    row_str(&r, "CPU(s)", 8);
    row_str(&r, "MEM(MiB)", 9);
    row_str(&r, "VCPUS", 6);
    printk("%s\n", row_text(&r));
}

/* One table; `ns` since the last one (0: the first, no CPU share yet). */
static void table(uint64_t ns)
{
    struct mica_domctl_getdomaininfo i;
    struct text_row r;

    header();
    for (domid_t id = 0; id < MAX_ID; id++) {
        if (domctl_get_domaininfo(id, &i)) {
            seen[id] = false;
            continue;
        }
        uint64_t used = seen[id] && i.cpu_time >= last_cpu[id] ? i.cpu_time - last_cpu[id] : 0;
        last_cpu[id] = i.cpu_time;
        bool share = seen[id] && ns;
        seen[id] = true;
        row_start(&r);
        row_uint(&r, id, 3);
        row_str(&r, i.name, 16);
        row_str(&r, domain_state_name(&i), 10);
        if (share)
            row_tenths(&r, used * 1000 / ns, 6);
        else
            row_str(&r, "     -", 7);
        row_tenths(&r, i.cpu_time / 100000000ull, 7);
        row_uint(&r, (i.tot_pages + 255) >> 8, 8);
        row_uint(&r, i.nr_vcpus, 5);
        printk("%s\n", row_text(&r));
    }
}

int cmd_top(const struct shell_args *a)
{
    uint32_t refreshes = DEFAULT_REFRESHES;
    char key;

    if (a->argc > 1 || (a->argc == 1 && !text_parse_uint(a->argv[0], &refreshes))) {
        printk("top: usage: top [refreshes, default %u]\n", DEFAULT_REFRESHES);
        return -1;
    }
    uint64_t last = clock_now_ns();
    table(0);
    for (uint32_t n = 1; n < refreshes; n++) {
        if (console_input_read(&key, 1, REFRESH_NS) > 0)
            break;                  /* a key: stop (the key itself is dropped) */
        uint64_t now = clock_now_ns();
        table(now - last);
        last = now;
    }
    return 0;
}
