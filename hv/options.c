/*
 * Hypervisor options from the boot configuration's "hypervisor" line:
 * space-separated key=value words (docs/boot-config.md). Unknown or bad
 * options are reported and ignored: they never stop the boot.
 */
#include "hv/options.h"
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "hv/watchdog.h"

#define TIMESLICE_MS_MAX 1000

struct hv_options hv_options;

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* vmx_disable=a,b,...: each name an optional hardware feature (docs/boot-config.md). */
static void disable_features(const char *list, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t start = i;
        while (i < len && list[i] != ',')
            i++;
        if (arch_virt_feature_off(list + start, i - start))
            printk("option: vmx_disable=%.*s (run as if the CPU lacked it)\n",
                   (int)(i - start), list + start);
        else
            printk("option 'vmx_disable=%.*s' ignored: not an optional VMX feature\n",
                   (int)(i - start), list + start);
        i++;
    }
}

static void apply(const char *word, size_t len)
{
    const char *eq = NULL;
    for (size_t i = 0; i < len && !eq; i++)
        if (word[i] == '=')
            eq = word + i;
    size_t klen = eq ? (size_t)(eq - word) : len;
    uint32_t v;

    if (klen == 12 && !strncmp(word, "timeslice_ms", 12)) {
        if (eq && parse_u32(eq + 1, len - klen - 1, &v) && v >= 1 && v <= TIMESLICE_MS_MAX) {
            sched_set_timeslice_ms(v);
            printk("option: timeslice_ms=%u\n", v);
            return;
        }
        printk("option '%.*s' ignored: timeslice_ms takes 1..%u\n", (int)len, word,
               TIMESLICE_MS_MAX);
        return;
    }
    if (klen == 12 && !strncmp(word, "console_rate", 12)) {
        if (eq && parse_u32(eq + 1, len - klen - 1, &v) && v >= CONSOLE_RATE_MIN &&
            v <= CONSOLE_RATE_MAX) {
            domain_console_set_rate(v);
            printk("option: console_rate=%u\n", v);
            return;
        }
        printk("option '%.*s' ignored: console_rate takes %u..%u\n", (int)len, word,
               CONSOLE_RATE_MIN, CONSOLE_RATE_MAX);
        return;
    }
    if (klen == 11 && !strncmp(word, "watchdog_ms", 11)) {
        if (eq && parse_u32(eq + 1, len - klen - 1, &v) &&
            (v == 0 || (v >= WATCHDOG_MIN_MS && v <= WATCHDOG_MAX_MS))) {
            watchdog_set_ms(v);
            printk("option: watchdog_ms=%u\n", v);
            return;
        }
        printk("option '%.*s' ignored: watchdog_ms takes 0 (off) or %u..%u\n", (int)len, word,
               WATCHDOG_MIN_MS, WATCHDOG_MAX_MS);
        return;
    }
    if (klen == 11 && !strncmp(word, "vmx_disable", 11) && eq) {
        disable_features(eq + 1, len - klen - 1);
        return;
    }
    if (len == 14 && !strncmp(word, "guest_nmis=yes", 14)) {
        arch_guest_nmis_allow();
        printk("option: guest_nmis=yes (NMIs guests send are delivered; see docs/boot-config.md)\n");
        return;
    }
    if (len == 12 && !strncmp(word, "trace=errors", 12)) {
        trace_enable_errors();
        printk("option: trace=errors (every error a hypercall returns is printed)\n");
        return;
    }
    if (len == 14 && !strncmp(word, "selftest=fault", 14)) {
        hv_options.selftest_fault = true;
        printk("option: selftest=fault (the hypervisor will fault on purpose)\n");
        return;
    }
    if (len == 17 && !strncmp(word, "selftest=watchdog", 17)) {
        hv_options.selftest_watchdog = true;
        printk("option: selftest=watchdog (a CPU will hang on purpose)\n");
        return;
    }
    printk("unknown hypervisor option '%.*s' ignored\n", (int)len, word);
}

void options_apply(const char *line)
{
    size_t n = strnlen(line, BOOTCFG_OPTIONS_MAX);
    for (size_t i = 0; i < n;) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        size_t start = i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            i++;
        if (i > start)
            apply(line + start, i - start);
    }
}
