/*
 * `top [refreshes]`: the xentop of Mica. Every second a table of each
 * domain's state, share of CPU time since the last table (100 = one CPU),
 * VM exits, hypercalls and event-channel sends a second (MICA_DOMCTL_get_stats),
 * memory and vCPUs; it stops after `refreshes` tables (default 10) or at a
 * key typed on the console.
 */
#include <stdint.h>

#include <public/domctl.h>
#include <public/stats.h>

#include "clock.h"
#include "console.h"
#include "console_input.h"
#include "control.h"
#include "lib.h"
#include "text.h"
#include "toolstack.h"

#define MAX_ID 32
#define REFRESH_NS 1000000000ull
#define DEFAULT_REFRESHES 10

/* What each domain had at the last table. */
static struct {
    bool seen;
    uint64_t cpu, exits, hypercalls, sends;
} prev[MAX_ID];

static uint64_t sum(const uint64_t *v, unsigned int n)
{
    uint64_t t = 0;
    for (unsigned int i = 0; i < n; i++)
        t += v[i];
    return t;
}

/* `now - then` a second over `ns`, or 0 if the counter went back (a new domain). */
static uint64_t rate(uint64_t now, uint64_t then, uint64_t ns)
{
    return now >= then && ns ? (now - then) * 1000000000ull / ns : 0;
}

static void header(void)
{
    struct text_row r;
    row_start(&r);
    row_str(&r, "ID", 4);
    row_str(&r, "NAME", 16);
    row_str(&r, "STATE", 10);
    row_str(&r, "CPU(%)", 7);
    row_str(&r, "CPU(s)", 8);
    row_str(&r, "EXITS/s", 8);
    row_str(&r, "HCALLS/s", 9);
    row_str(&r, "SENDS/s", 8);
    row_str(&r, "MEM(MiB)", 9);
    row_str(&r, "VCPUS", 6);
    printk("%s\n", row_text(&r));
}

/* One table; `ns` since the last one (0: the first, no CPU share yet). */
static void table(uint64_t ns)
{
    struct mica_domctl_getdomaininfo i;
    static struct mica_stats st;
    struct text_row r;

    header();
    for (domid_t id = 0; id < MAX_ID; id++) {
        if (domctl_get_domaininfo(id, &i)) {
            prev[id].seen = false;
            continue;
        }
        if (domctl_get_stats(id, MICA_STATS_ALL_VCPUS, &st))
            memset(&st, 0, sizeof st);
        uint64_t exits = sum(st.exits, MICA_STATS_EXITS);
        uint64_t calls = sum(st.hypercalls, MICA_STATS_HYPERCALLS);
        bool share = prev[id].seen && ns;
        row_start(&r);
        row_uint(&r, id, 3);
        row_str(&r, i.name, 16);
        row_str(&r, domain_state_name(&i), 10);
        if (share)
            /* tenths of a percent: ns run per ns passed, times 1000 */
            row_tenths(&r, rate(i.cpu_time, prev[id].cpu, ns) / 1000000ull, 6);
        else
            row_str(&r, "     -", 7);
        row_tenths(&r, i.cpu_time / 100000000ull, 7);
        if (share) {
            row_uint(&r, rate(exits, prev[id].exits, ns), 7);
            row_uint(&r, rate(calls, prev[id].hypercalls, ns), 8);
            row_uint(&r, rate(st.evtchn_sends, prev[id].sends, ns), 7);
        } else {
            row_str(&r, "      -", 8);
            row_str(&r, "       -", 9);
            row_str(&r, "      -", 8);
        }
        row_uint(&r, (i.tot_pages + 255) >> 8, 8);
        row_uint(&r, i.nr_vcpus, 5);
        printk("%s\n", row_text(&r));
        prev[id].seen = true;
        prev[id].cpu = i.cpu_time;
        prev[id].exits = exits;
        prev[id].hypercalls = calls;
        prev[id].sends = st.evtchn_sends;
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
