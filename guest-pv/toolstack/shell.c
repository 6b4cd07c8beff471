/*
 * The toolstack's shell (docs/toolstack.md): one command per line, words
 * separated by spaces, `#` starts a comment. Lines come from a script (the
 * boot module that dom0's script=NAME names) and then, with shell=yes,
 * from the console, typed with line editing and history. Every error is
 * one line that says what went wrong; a failed command changes nothing.
 */
#include <stdint.h>

#include <public/sched_op.h>

#include "arch.h"
#include "cmdline.h"
#include "console.h"
#include "console_input.h"
#include "hypercall.h"
#include "lib.h"
#include "line_edit.h"
#include "modules.h"
#include "text.h"
#include "timer.h"
#include "toolstack.h"

#define PROMPT "mica> "
#define SHELL_QUIT 1
#define SCRIPT_LINE_MAX 512
#define REAP_LOOK_NS (200 * 1000000ull)

static int cmd_help(const struct shell_args *a);
static int run_line(const char *text);

/* `time <command>`: how many TSC ticks it took (in Bochs: instructions). */
static int cmd_time(const struct shell_args *a)
{
    if (!*a->rest) {
        printk("time: usage: time <command>\n");
        return -1;
    }
    uint64_t t0 = rdtsc();
    int rc = run_line(a->rest);
    uint64_t t1 = rdtsc();
    printk("time: %lu ticks, from tsc %lu\n", (unsigned long)(t1 - t0), (unsigned long)t0);
    return rc;
}

static int cmd_poweroff(const struct shell_args *a)
{
    (void)a;
    return SHELL_QUIT;          /* image_main returns: dom0 powers off */
}

static int cmd_reboot_host(const struct shell_args *a)
{
    (void)a;
    printk("reboot-host: the machine resets once every domain has ended\n");
    hyp_shutdown(SHUTDOWN_REBOOT);
    return SHELL_QUIT;
}

static int cmd_sleep(const struct shell_args *a)
{
    uint32_t ms;
    if (a->argc != 1 || !text_parse_uint(a->argv[0], &ms)) {
        printk("sleep: usage: sleep <milliseconds>\n");
        return -1;
    }
    sleep_ns((uint64_t)ms * 1000000ull);
    return 0;
}

static const struct command {
    const char *name;
    const char *usage;
    int (*run)(const struct shell_args *a);
} commands[] = {
    { "list", "list                          domains, their state, memory and CPU time", cmd_list },
    { "create", "create name=N kernel=MODULE memory=MIB ...   a domain line of mica.cfg",
      cmd_create },
    { "destroy", "destroy <domain>              stop it now and free everything", cmd_destroy },
    { "shutdown", "shutdown <domain>             ask it to power off", cmd_shutdown },
    { "reboot", "reboot <domain>               ask it to reboot", cmd_reboot },
    { "pause", "pause <domain>                stop running its vCPUs", cmd_pause },
    { "unpause", "unpause <domain>              let them run again", cmd_unpause },
    { "sched", "sched <domain> [weight=N] [cap=N]   read or set its share of CPU time",
      cmd_sched },
    { "vcpu-pin", "vcpu-pin <domain> <vcpu> <cpus>     where a vCPU may run", cmd_vcpu_pin },
    { "mem-set", "mem-set <domain> <MiB>        its memory target (its balloon follows)", cmd_mem_set },
    { "info", "info                          the host: CPUs, memory, domains", cmd_info },
    { "wait", "wait <domain> [seconds]       until it has ended and been reaped", cmd_wait },
    { "top", "top [refreshes]               CPU share, memory per domain, each second",
      cmd_top },
    { "console", "console <domain>              type at its console; Ctrl-] returns here",
      cmd_console },
    { "dmesg", "dmesg [bytes]                 the hypervisor console's log (last 4096 bytes)",
      cmd_dmesg },
    { "xenstore-ls", "xenstore-ls [path]            the store's tree below path (default /)",
      cmd_xenstore_ls },
    { "xenstore-read", "xenstore-read <path>          one node's value", cmd_xenstore_read },
    { "xenstore-write", "xenstore-write <path> <value>   set it (the rest of the line)",
      cmd_xenstore_write },
    { "sleep", "sleep <ms>                    pause the shell", cmd_sleep },
    { "time", "time <command>                TSC ticks it took, and when it began", cmd_time },
    { "help", "help                          this list", cmd_help },
    { "poweroff", "poweroff                      end dom0 (the machine goes off when the "
                  "others have ended)", cmd_poweroff },
    { "reboot-host", "reboot-host                   end dom0; the machine resets after",
      cmd_reboot_host },
};

static int cmd_help(const struct shell_args *a)
{
    (void)a;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printk("  %s\n", commands[i].usage);
    printk("  a <domain> is its id or its name\n");
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Split `line` (a copy of `original`, changed in place) into the command
 * word and its arguments; "" for a blank line, NULL for too many words. */
static const char *split(char *line, const char *original, struct shell_args *a)
{
    char *p = line;

    a->argc = 0;
    while (is_space(*p))
        p++;
    const char *cmd = p;
    while (*p && !is_space(*p))
        p++;
    const char *rest = original + (p - line);
    while (is_space(*rest))
        rest++;
    a->rest = rest;
    while (*p) {
        while (is_space(*p))
            *p++ = 0;
        if (!*p)
            break;
        if (a->argc == SHELL_MAX_ARGS)
            return NULL;
        a->argv[a->argc++] = p;
        while (*p && !is_space(*p))
            p++;
    }
    return cmd;
}

/* Run one line; 0, -1 (it failed) or SHELL_QUIT. */
static int run_line(const char *text)
{
    char line[SCRIPT_LINE_MAX], original[SCRIPT_LINE_MAX];   /* `time` nests a call */
    struct shell_args a;

    size_t n = 0;
    while (text[n] && text[n] != '#' && n + 1 < sizeof line)
        n++;
    if (text[n] && text[n] != '#') {
        printk("toolstack: line too long (at most %u characters)\n", SCRIPT_LINE_MAX - 1);
        return -1;
    }
    memcpy(line, text, n);
    line[n] = 0;
    memcpy(original, line, n + 1);
    const char *cmd = split(line, original, &a);
    if (!cmd) {
        printk("toolstack: more than %u words\n", SHELL_MAX_ARGS);
        return -1;
    }
    if (!*cmd)
        return 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (text_eq(commands[i].name, cmd))
            return commands[i].run(&a);
    printk("%s: no such command (help lists them)\n", cmd);
    return -1;
}

static bool blank(const char *s)
{
    while (is_space(*s))
        s++;
    return *s == 0 || *s == '#';
}

/* The script's lines, each shown as typed; SHELL_QUIT if one said so. */
static int run_script(const struct boot_module *m)
{
    static char line[SCRIPT_LINE_MAX];
    const char *p = m->data, *end = p + m->size;
    unsigned int ran = 0, failed = 0;

    while (p < end) {
        size_t n = 0;
        while (p + n < end && p[n] != '\n')
            n++;
        size_t keep = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, p, keep);
        line[keep] = 0;
        if (keep && line[keep - 1] == '\r')
            line[keep - 1] = 0;
        p += n + 1;
        if (blank(line))
            continue;
        printk(PROMPT "%s\n", line);
        int rc = -1;
        if (n >= sizeof line)
            printk("toolstack: line too long (at most %u characters)\n", SCRIPT_LINE_MAX - 1);
        else
            rc = run_line(line);
        ran++;
        failed += rc < 0;
        if (domains_changed)
            domains_reap(NULL);
        if (rc == SHELL_QUIT) {
            printk("script: %u commands, %u failed\n", ran, failed);
            return SHELL_QUIT;
        }
    }
    printk("script: %u commands, %u failed\n", ran, failed);
    return 0;
}

static void echo(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    console_write(s, len);
}

static struct line_edit editor;
static bool prompt_broken;

/* A report is about to interrupt the line being typed: end it. */
static void end_typed_line(void)
{
    console_write("\r\n", 2);
    prompt_broken = true;
}

/* ... and after the reports, show the prompt and what was typed again. */
static void show_typed_line(void)
{
    console_write(PROMPT, sizeof PROMPT - 1);
    console_write(editor.buf, editor.len);
    for (size_t i = editor.cursor; i < editor.len; i++)
        console_write("\b", 1);
    prompt_broken = false;
}

/* Lines typed on the console until poweroff. Between keystrokes it looks
 * every REAP_LOOK_NS for domains that ended. */
static void interactive(void)
{
    struct line_edit *le = &editor;
    char in[32];

    if (!console_input_start())
        return;
    line_edit_init(le, echo, NULL);
    printk("toolstack: type help for the commands\n");
    console_write(PROMPT, sizeof PROMPT - 1);
    for (;;) {
        long n = console_input_read(in, sizeof in, REAP_LOOK_NS);
        if (domains_changed)
            domains_reap(end_typed_line);
        if (prompt_broken)
            show_typed_line();
        for (long i = 0; i < n; i++) {
            enum line_edit_result r = line_edit_feed(le, (unsigned char)in[i]);
            if (r == LINE_EDIT_MORE)
                continue;
            if (r == LINE_EDIT_LINE && run_line(line_edit_text(le)) == SHELL_QUIT)
                return;
            console_write(PROMPT, sizeof PROMPT - 1);
        }
    }
}

void toolstack_main(const struct guest_env *env)
{
    char name[MODULE_NAME_MAX], yes[4];
    struct boot_module m;

    domains_init(env);
    if (cmdline_get(env->cmdline, "script", name, sizeof name)) {
        bool found = false;
        for (uint32_t i = 0; !found && modules_get(env->si, i, &m); i++)
            found = text_eq(m.name, name) && m.data;
        if (!found)
            printk("toolstack: no boot module '%s' for script=\n", name);
        else if (run_script(&m) == SHELL_QUIT)
            return;
    }
    if (cmdline_get(env->cmdline, "shell", yes, sizeof yes) && text_eq(yes, "yes"))
        interactive();
}
