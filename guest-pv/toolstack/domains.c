/*
 * The toolstack's domain commands (docs/toolstack.md). Domains are named
 * by id or name. `create` takes a domain line in mica.cfg's syntax, parsed
 * by the loader's own parser (boot/bootcfg.c); its kernel= names a boot
 * module. When a domain stops, VIRQ_DOM_EXC makes the shell report why and
 * reap it (destroydomain), as xl does; `list` shows the last ones that
 * ended, with their reasons. One the shell created that rebooted is
 * created again from the same line.
 */
#include <stdint.h>

#include <public/event_channel.h>
#include <public/sched_op.h>

#include "mica/bootcfg.h"

#include "console.h"
#include "control.h"
#include "domain_build.h"
#include "evtchn.h"
#include "lib.h"
#include "modules.h"
#include "text.h"
#include "timer.h"
#include "toolstack.h"
#include "xenstored.h"

#define MAX_ID 32               /* the hypervisor's MAX_DOMAINS */
#define ENDED_KEPT 16
#define REPORT_LEN 128

volatile bool domains_changed;

static const struct hvm_start_info *start_info;

/* The last domains that ended: what `list` shows under them. */
static struct {
    char name[MICA_DOMCTL_NAME_LEN];
    domid_t id;
    char why[REPORT_LEN];
} ended[ENDED_KEPT];
static unsigned int ended_next, ended_count;

/* The line each domain the shell created came from: `reboot` brings it
 * back from the same line, as xl's on_reboot=restart does. */
static struct {
    bool used;
    struct bootcfg_domain cfg;
} made[MAX_ID];

static int build(const struct bootcfg_domain *d, const struct boot_module *m);
static bool stopped(const struct mica_domctl_getdomaininfo *i);
static bool find_module(const char *name, struct boot_module *m);

static void on_dom_exc(evtchn_port_t port)
{
    (void)port;
    domains_changed = true;
}

void domains_init(const struct guest_env *env)
{
    start_info = env->si;
    long port = evtchn_bind_virq(VIRQ_DOM_EXC, 0, on_dom_exc);
    if (port < 0)
        printk("toolstack: cannot bind VIRQ_DOM_EXC (%ld): ended domains are not reaped\n",
               port);
    domains_changed = true;     /* boot domains may have ended already */
    /* The store, and the boot domUs in it, as if the shell had made them. */
    xenstored_init(0, env->name ? env->name : "dom0");
    struct mica_domctl_getdomaininfo i;
    for (domid_t id = 1; id < MAX_ID; id++)
        if (domctl_get_domaininfo(id, &i) == 0 && !stopped(&i))
            xenstored_domain_new(id);
}

const char *domain_state_name(const struct mica_domctl_getdomaininfo *i)
{
    static const char *const names[] = { "running", "shutdown", "crashed", "building",
                                         "destroyed" };
    if (i->state == MICA_DOMCTL_STATE_RUNNING && (i->flags & MICA_DOMINF_PAUSED))
        return "paused";
    if (i->state == MICA_DOMCTL_STATE_RUNNING && (i->flags & MICA_DOMINF_BLOCKED))
        return "blocked";
    return i->state < sizeof names / sizeof names[0] ? names[i->state] : "?";
}

static bool stopped(const struct mica_domctl_getdomaininfo *i)
{
    return i->state != MICA_DOMCTL_STATE_RUNNING && i->state != MICA_DOMCTL_STATE_BUILDING;
}

/* A domain that rebooted comes back from its line (its id may differ). */
static void restart_domain(const struct bootcfg_domain *cfg)
{
    static struct bootcfg_domain copy;      /* build() records into made[] */
    struct boot_module m;

    copy = *cfg;
    printk("toolstack: restarting '%s'\n", copy.name);
    if (!find_module(copy.kernel, &m))
        printk("toolstack: no boot module '%s' to restart '%s'\n", copy.kernel, copy.name);
    else
        build(&copy, &m);
}

void domains_reap(void (*before_report)(void))
{
    struct mica_domctl_getdomaininfo i;
    char why[REPORT_LEN];

    domains_changed = false;
    for (domid_t id = 1; id < MAX_ID; id++) {
        if (domctl_get_domaininfo(id, &i) || !stopped(&i))
            continue;
        if (before_report) {
            before_report();
            before_report = NULL;
        }
        if (dom_report(id, why))
            why[0] = 0;
        printk("toolstack: domain '%s' (id %u) %s\n", i.name, id, why);
        unsigned int slot = ended_next++ % ENDED_KEPT;
        memcpy(ended[slot].name, i.name, sizeof ended[slot].name);
        ended[slot].id = id;
        memcpy(ended[slot].why, why, sizeof ended[slot].why);
        if (ended_count < ENDED_KEPT)
            ended_count++;
        xenstored_domain_gone(id);
        long rc = dom_destroy(id);
        if (rc)
            printk("toolstack: reaping domain %u failed (%ld)\n", id, rc);
        bool restart = made[id].used && i.state == MICA_DOMCTL_STATE_SHUTDOWN &&
                       i.shutdown_reason == SHUTDOWN_REBOOT;
        made[id].used = false;
        if (restart)
            restart_domain(&made[id].cfg);
    }
}

bool find_domain(const char *word, domid_t *id, struct mica_domctl_getdomaininfo *i)
{
    uint32_t n;
    if (text_parse_uint(word, &n)) {
        if (n >= MAX_ID || domctl_get_domaininfo((domid_t)n, i))
            return false;
        *id = (domid_t)n;
        return true;
    }
    for (domid_t d = 0; d < MAX_ID; d++) {
        if (domctl_get_domaininfo(d, i) == 0 && text_eq(i->name, word)) {
            *id = d;
            return true;
        }
    }
    return false;
}

bool toolstack_find_domain(const char *word, domid_t *id, struct mica_domctl_getdomaininfo *i)
{
    return find_domain(word, id, i);
}

/* The one domain argument of a command; prints why not. */
static bool one_domain(const struct shell_args *a, const char *cmd, domid_t *id,
                       struct mica_domctl_getdomaininfo *i)
{
    if (a->argc != 1) {
        printk("%s: usage: %s <domain>\n", cmd, cmd);
        return false;
    }
    if (!find_domain(a->argv[0], id, i)) {
        printk("%s: no domain '%s'\n", cmd, a->argv[0]);
        return false;
    }
    return true;
}

/* A failed call, said the same way everywhere. */
static int failed(const char *cmd, const char *what, long rc)
{
    printk("%s: %s failed (error %ld)\n", cmd, what, -rc);
    return -1;
}

int cmd_list(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    struct text_row r;

    (void)a;
    row_start(&r);
    row_str(&r, "ID", 4);
    row_str(&r, "NAME", 16);
    row_str(&r, "STATE", 10);
    row_str(&r, "MEM(MiB)", 9);
    row_str(&r, "MAX", 6);
    row_str(&r, "VCPUS", 6);
    row_str(&r, "CPU(s)", 8);
    printk("%s\n", row_text(&r));
    for (domid_t id = 0; id < MAX_ID; id++) {
        if (domctl_get_domaininfo(id, &i))
            continue;
        row_start(&r);
        row_uint(&r, id, 3);
        row_str(&r, i.name, 16);
        row_str(&r, domain_state_name(&i), 10);
        /* MiB, rounded up: a guest that maps its shared-info page gives one back */
        row_uint(&r, (i.tot_pages + 255) >> 8, 8);
        row_uint(&r, (i.max_pages + 255) >> 8, 5);
        row_uint(&r, i.nr_vcpus, 5);
        row_tenths(&r, i.cpu_time / 100000000ull, 7);
        printk("%s\n", row_text(&r));
    }
    for (unsigned int k = 0; k < ended_count; k++) {
        unsigned int slot = (ended_next - ended_count + k) % ENDED_KEPT;
        printk("ended: %s (id %u) %s\n", ended[slot].name, ended[slot].id, ended[slot].why);
    }
    return 0;
}

/* The boot module named `name`. */
static bool find_module(const char *name, struct boot_module *m)
{
    for (uint32_t i = 0; modules_get(start_info, i, m); i++)
        if (text_eq(m->name, name))
            return m->data != NULL;
    return false;
}

/* deny= from the line: the new domain's policy is its default less those. */
static long apply_deny(domid_t id, const struct mica_policy *deny)
{
    struct mica_domctl op = {
        .cmd = MICA_DOMCTL_GET_POLICY, .interface_version = MICA_DOMCTL_INTERFACE_VERSION,
        .domain = id,
    };
    long rc = hyp_domctl((unsigned long)&op);
    if (rc)
        return rc;
    op.cmd = MICA_DOMCTL_SET_POLICY;
    op.u.policy.calls &= ~deny->calls;
    for (unsigned int s = 0; s < MICA_POLICY_SLOTS; s++)
        op.u.policy.subops[s] &= ~deny->subops[s];
    return hyp_domctl((unsigned long)&op);
}

static bool denies_something(const struct mica_policy *deny)
{
    uint64_t any = deny->calls;
    for (unsigned int s = 0; s < MICA_POLICY_SLOTS; s++)
        any |= deny->subops[s];
    return any != 0;
}

/* Create, populate, load, restrict, start; undone on any failure. */
static int build(const struct bootcfg_domain *d, const struct boot_module *m)
{
    struct domain_spec s = {
        .name = d->name, .memory_mib = d->memory_mib, .vcpus = d->vcpus,
        .cpumap = d->cpu_mask, .weight = d->weight, .cap = d->cap, .cmdline = d->cmdline,
        .unbacked_crash = d->unbacked_crash != 0, .evtchn_2l = d->evtchn_2l != 0,
    };
    char error[MICA_DOMCTL_ERROR_LEN];
    domid_t id;
    long rc = dom_create(&s, &id, error);
    if (rc) {
        printk("create: refused: %s\n", error);
        return -1;
    }
    const char *step = "populating its memory";
    if (!(rc = dom_populate(id, (uint64_t)d->memory_mib << 8))) {
        step = "loading its kernel";
        rc = dom_load_kernel(id, m->data, m->size, d->cmdline[0] ? d->cmdline : NULL, error);
    }
    if (!rc && denies_something(&d->deny)) {
        step = "setting its policy";
        rc = apply_deny(id, &d->deny);
    }
    if (!rc) {
        step = "starting it";
        rc = dom_unpause(id);
    }
    if (rc) {
        printk("create: %s failed (error %ld)%s%s\n", step, -rc, error[0] ? ": " : "", error);
        dom_destroy(id);
        return -1;
    }
    printk("create: domain '%s' is id %u\n", d->name, id);
    xenstored_domain_new(id);   /* a domain without a store still runs */
    if (id < MAX_ID) {
        made[id].used = true;
        made[id].cfg = *d;
    }
    return 0;
}

int cmd_create(const struct shell_args *a)
{
    static struct bootcfg cfg;      /* 16 domains' worth: not on the stack */
    static char line[BOOTCFG_CMDLINE_MAX + 256];
    struct bootcfg_error err;
    struct boot_module m;

    size_t n = strlen(a->rest);
    if (n == 0) {
        printk("create: usage: create name=N kernel=MODULE memory=MIB [vcpus= weight= cap= "
               "cpus= deny= cmdline=\"...\"]\n");
        return -1;
    }
    if (n + 8 > sizeof line) {
        printk("create: line too long\n");
        return -1;
    }
    memcpy(line, "domain ", 7);
    memcpy(line + 7, a->rest, n + 1);
    if (bootcfg_parse(line, n + 7, &cfg, &err)) {
        printk("create: %s\n", err.message);
        return -1;
    }
    const struct bootcfg_domain *d = &cfg.domains[0];
    if (d->privileged) {
        printk("create: privileged=yes: there is one dom0, and it is this one\n");
        return -1;
    }
    if (d->trace_hypercalls) {
        printk("create: trace= is a boot-time option (mica.cfg)\n");
        return -1;
    }
    if (!find_module(d->kernel, &m)) {
        printk("create: no boot module '%s' (the modules= folder of dom0's line)\n",
               d->kernel);
        return -1;
    }
    return build(d, &m);
}

int cmd_destroy(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    domid_t id;
    if (!one_domain(a, "destroy", &id, &i))
        return -1;
    if (id != 0)
        xenstored_domain_gone(id);
    long rc = dom_destroy(id);
    if (rc)
        return failed("destroy", i.name, rc);
    printk("destroy: domain '%s' (id %u) destroyed\n", i.name, id);
    return 0;
}

static int remote_shutdown(const struct shell_args *a, const char *cmd, uint32_t reason)
{
    struct mica_domctl_getdomaininfo i;
    domid_t id;
    if (!one_domain(a, cmd, &id, &i))
        return -1;
    long rc = dom_shutdown(id, reason);
    return rc ? failed(cmd, i.name, rc) : 0;
}

int cmd_shutdown(const struct shell_args *a)
{
    return remote_shutdown(a, "shutdown", SHUTDOWN_POWEROFF);
}

int cmd_reboot(const struct shell_args *a)
{
    return remote_shutdown(a, "reboot", SHUTDOWN_REBOOT);
}

int cmd_pause(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    domid_t id;
    if (!one_domain(a, "pause", &id, &i))
        return -1;
    long rc = dom_pause(id);
    return rc ? failed("pause", i.name, rc) : 0;
}

int cmd_unpause(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    domid_t id;
    if (!one_domain(a, "unpause", &id, &i))
        return -1;
    long rc = dom_unpause(id);
    return rc ? failed("unpause", i.name, rc) : 0;
}

/* "weight=N" or "cap=N" into *v; false if the word is neither. */
static bool key_value(const char *word, const char *key, uint32_t *v)
{
    size_t n = strlen(key);
    return memcmp(word, key, n) == 0 && word[n] == '=' && text_parse_uint(word + n + 1, v);
}

int cmd_sched(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    uint32_t weight = MICA_DOMCTL_WEIGHT_UNCHANGED, cap = MICA_DOMCTL_CAP_UNCHANGED;
    domid_t id;

    if (a->argc < 1 || !find_domain(a->argv[0], &id, &i)) {
        printk("sched: usage: sched <domain> [weight=1-65535] [cap=0-800]\n");
        return -1;
    }
    for (int k = 1; k < a->argc; k++) {
        if (!key_value(a->argv[k], "weight", &weight) && !key_value(a->argv[k], "cap", &cap)) {
            printk("sched: '%s' is neither weight=N nor cap=N\n", a->argv[k]);
            return -1;
        }
    }
    long rc = a->argc > 1 ? domctl_set_sched(id, weight, cap) : 0;
    if (rc)
        return failed("sched", i.name, rc);
    domctl_get_sched(id, &weight, &cap);
    printk("sched: %s weight %u cap %u\n", i.name, weight, cap);
    return 0;
}

/* "0-3", "1,3" or "2" into a CPU mask; false if malformed. */
static bool parse_cpus(const char *s, uint64_t *mask)
{
    *mask = 0;
    while (*s) {
        uint32_t lo = 0, hi;
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            lo = lo * 10 + (uint32_t)(*s++ - '0');
        hi = lo;
        if (*s == '-') {
            s++;
            hi = 0;
            if (*s < '0' || *s > '9')
                return false;
            while (*s >= '0' && *s <= '9')
                hi = hi * 10 + (uint32_t)(*s++ - '0');
        }
        if (lo > hi || hi >= MICA_DOMCTL_MAX_CPUS)
            return false;
        for (uint32_t c = lo; c <= hi; c++)
            *mask |= 1ull << c;
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    return *mask != 0;
}

int cmd_vcpu_pin(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    uint32_t vcpu;
    uint64_t mask;
    domid_t id;

    if (a->argc != 3 || !find_domain(a->argv[0], &id, &i) || !text_parse_uint(a->argv[1], &vcpu) ||
        !parse_cpus(a->argv[2], &mask)) {
        printk("vcpu-pin: usage: vcpu-pin <domain> <vcpu> <cpus, e.g. 0-1 or 2>\n");
        return -1;
    }
    long rc = domctl_set_affinity(id, vcpu, mask);
    return rc ? failed("vcpu-pin", i.name, rc) : 0;
}

int cmd_info(const struct shell_args *a)
{
    struct mica_sysctl_physinfo p;
    struct mica_domctl_getdomaininfo i;
    unsigned int domains = 0;

    (void)a;
    long rc = sysctl_physinfo(&p);
    if (rc)
        return failed("info", "physinfo", rc);
    for (domid_t id = 0; id < MAX_ID; id++)
        domains += domctl_get_domaininfo(id, &i) == 0;
    printk("host: %u CPUs at %u MHz, %lu MiB managed, %lu MiB free, %u domains\n", p.nr_cpus,
           (unsigned int)(p.cpu_khz / 1000), (unsigned long)(p.total_pages >> 8),
           (unsigned long)(p.free_pages >> 8), domains);
    printk("host: %lu free frames\n", (unsigned long)p.free_pages);
    return 0;
}

static bool gone(void *arg)
{
    struct mica_domctl_getdomaininfo i;
    if (domains_changed)
        domains_reap(NULL);
    return domctl_get_domaininfo(*(domid_t *)arg, &i) != 0;
}

int cmd_wait(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    uint32_t seconds = 60;
    domid_t id;

    if (a->argc < 1 || a->argc > 2 || (a->argc == 2 && !text_parse_uint(a->argv[1], &seconds))) {
        printk("wait: usage: wait <domain> [seconds, default 60]\n");
        return -1;
    }
    if (!find_domain(a->argv[0], &id, &i)) {
        printk("wait: no domain '%s'\n", a->argv[0]);
        return -1;
    }
    if (!wait_until(gone, &id, (uint64_t)seconds * 1000000000ull)) {
        printk("wait: domain '%s' still there after %u s\n", i.name, seconds);
        return -1;
    }
    return 0;
}
