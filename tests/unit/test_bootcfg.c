/*
 * Host unit test of the boot configuration parser (boot/bootcfg.c):
 * a good file with every field, defaults, limits at and just past each
 * bound, and every error with its line number and message.
 */
#include <string.h>
#include "check.h"
#include "mica/bootcfg.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/hypercall.h"
#include "public/sched_op.h"
#include "public/domctl.h"

CHECK_SUITE("bootcfg");

#define OK_DOMAIN "domain name=a kernel=a.elf memory=16"

static struct bootcfg cfg;
static struct bootcfg_error err;

static int parse_n(const char *text, size_t len)
{
    /* Dirty the outputs so the checks see what the parser wrote. */
    memset(&cfg, 0xa5, sizeof cfg);
    memset(&err, 0xa5, sizeof err);
    return bootcfg_parse(text, len, &cfg, &err);
}

static int parse(const char *text)
{
    return parse_n(text, strlen(text));
}

/* The parse fails on `line`, the message contains `needle`, nothing is kept. */
static void expect_error(const char *name, const char *text, uint32_t line,
                         const char *needle)
{
    int rc = parse(text);
    int ok = rc == -1 && err.line == line && err.message[0] != '\0' &&
             strstr(err.message, needle) != NULL && cfg.ndomains == 0 &&
             cfg.hv_options[0] == '\0';

    if (!ok)
        printf("  %s: rc=%d line=%u message=\"%.*s\"\n", name, rc, err.line,
               (int)sizeof err.message, err.message);
    CHECK(name, ok);
}

/* The text parses and yields `n` domains. */
static int parses(const char *text, uint32_t n)
{
    int rc = parse(text);

    if (rc != 0)
        printf("  unexpected error: line %u: %s\n", err.line, err.message);
    return rc == 0 && cfg.ndomains == n;
}

/* "<prefix><n times c><suffix>" in a static buffer. */
static const char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
    static char buf[4096];
    size_t p = strlen(prefix);

    memcpy(buf, prefix, p);
    memset(buf + p, c, n);
    strcpy(buf + p + n, suffix);
    return buf;
}

static void test_good_file(void)
{
    static const char text[] =
        "# Mica boot configuration\r\n"
        "\r\n"
        "hypervisor   timeslice_ms=10 loglevel=info   # trailing comment\r\n"
        "domain name=dom0 kernel=dom0.elf memory=32 privileged=yes "
        "cmdline=\"name=dom0 # kept\"\r\n"
        "\t domain  name=domu_1-X kernel=\"EFI\\mica\\domu.elf\" memory=0016 vcpus=4 "
        "cmdline=\"say \\\"hi\\\" \\\\ \\n\" # comment\n"
        "domain name=d3 kernel=dir/k memory=2 privileged=0";   /* no final newline */
    const struct bootcfg_domain *d = cfg.domains;

    CHECK("good/parses", parses(text, 3));
    CHECK("good/error-cleared", err.line == 0 && err.message[0] == '\0');
    CHECK("good/hv_options", strcmp(cfg.hv_options, "timeslice_ms=10 loglevel=info") == 0);

    CHECK("good/dom0-name", strcmp(d[0].name, "dom0") == 0);
    CHECK("good/dom0-kernel", strcmp(d[0].kernel, "dom0.elf") == 0);
    CHECK("good/dom0-memory", d[0].memory_mib == 32);
    CHECK("good/dom0-vcpus-default", d[0].vcpus == 1);
    CHECK("good/dom0-privileged", d[0].privileged == 1);
    CHECK("good/dom0-cmdline-quoted-hash", strcmp(d[0].cmdline, "name=dom0 # kept") == 0);
    CHECK("good/dom0-line", d[0].line == 4);

    CHECK("good/domu-name", strcmp(d[1].name, "domu_1-X") == 0);
    CHECK("good/domu-kernel-backslash", strcmp(d[1].kernel, "EFI\\mica\\domu.elf") == 0);
    CHECK("good/domu-memory-leading-zero", d[1].memory_mib == 16);
    CHECK("good/domu-vcpus", d[1].vcpus == 4);
    CHECK("good/domu-privileged-default", d[1].privileged == 0);
    CHECK("good/domu-cmdline-escapes", strcmp(d[1].cmdline, "say \"hi\" \\ \\n") == 0);
    CHECK("good/domu-line", d[1].line == 5);

    CHECK("good/d3-kernel-slash", strcmp(d[2].kernel, "dir/k") == 0);
    CHECK("good/d3-cmdline-default", d[2].cmdline[0] == '\0');
    CHECK("good/d3-privileged-0", d[2].privileged == 0);
    CHECK("good/d3-last-line", d[2].line == 6 && d[2].memory_mib == 2);
    CHECK("good/unused-slot-zeroed", d[3].name[0] == '\0' && d[3].line == 0);
}

static void test_defaults_and_values(void)
{
    CHECK("no-hypervisor-line", parses(OK_DOMAIN "\n", 1) && cfg.hv_options[0] == '\0');
    CHECK("empty-hypervisor-line", parses("hypervisor\n" OK_DOMAIN, 1) &&
                                       cfg.hv_options[0] == '\0');
    CHECK("hv-options-quotes-kept",
          parses("hypervisor a=\"x # y\" b\n" OK_DOMAIN, 1) &&
              strcmp(cfg.hv_options, "a=\"x # y\" b") == 0);
    CHECK("empty-cmdline", parses(OK_DOMAIN " cmdline=\"\"", 1) && cfg.domains[0].cmdline[0] == 0);
    CHECK("privileged-true", parses(OK_DOMAIN " privileged=true", 1) && cfg.domains[0].privileged);
    CHECK("privileged-1", parses(OK_DOMAIN " privileged=1", 1) && cfg.domains[0].privileged);
    CHECK("privileged-false", parses(OK_DOMAIN " privileged=false", 1) &&
                                  !cfg.domains[0].privileged);
    CHECK("privileged-no", parses(OK_DOMAIN " privileged=no", 1) && !cfg.domains[0].privileged);
    CHECK("trace-default-off", parses(OK_DOMAIN, 1) && !cfg.domains[0].trace_hypercalls);
    CHECK("trace-hypercalls", parses(OK_DOMAIN " trace=hypercalls", 1) &&
                                  cfg.domains[0].trace_hypercalls == 1);
    CHECK("trace-off", parses(OK_DOMAIN " trace=off", 1) && !cfg.domains[0].trace_hypercalls);
    CHECK("unbacked-default-ones", parses(OK_DOMAIN, 1) && !cfg.domains[0].unbacked_crash);
    CHECK("unbacked-crash", parses(OK_DOMAIN " unbacked=crash", 1) &&
                                cfg.domains[0].unbacked_crash == 1);
    CHECK("unbacked-ones", parses(OK_DOMAIN " unbacked=ones", 1) && !cfg.domains[0].unbacked_crash);
    CHECK("evtchn-default-fifo", parses(OK_DOMAIN, 1) && !cfg.domains[0].evtchn_2l);
    CHECK("evtchn-2l", parses(OK_DOMAIN " evtchn=2l", 1) && cfg.domains[0].evtchn_2l == 1);
    CHECK("evtchn-fifo", parses(OK_DOMAIN " evtchn=fifo", 1) && !cfg.domains[0].evtchn_2l);
    CHECK("lf-and-crlf-lines-counted",
          parse("\n\r\n# c\n" OK_DOMAIN " memory=x") == -1 && err.line == 4);
    CHECK("comment-right-after-value", parses(OK_DOMAIN "#c", 1) &&
                                           cfg.domains[0].memory_mib == 16);
}

static void test_bounds(void)
{
    CHECK("memory-min", parses("domain name=a kernel=k memory=2", 1) &&
                            cfg.domains[0].memory_mib == BOOTCFG_MEMORY_MIN_MIB);
    CHECK("memory-max", parses("domain name=a kernel=k memory=4096", 1) &&
                            cfg.domains[0].memory_mib == BOOTCFG_MEMORY_MAX_MIB);
    expect_error("memory-below-min", "domain name=a kernel=k memory=1", 1, "out of range");
    expect_error("memory-above-max", "domain name=a kernel=k memory=4097", 1, "out of range");
    expect_error("memory-zero", "domain name=a kernel=k memory=0", 1, "out of range");
    /* 2^32 + 2 and 2^64 + 2 would wrap to a valid 2 if overflow were ignored. */
    expect_error("memory-overflow-32", "domain name=a kernel=k memory=4294967298", 1,
                 "out of range");
    expect_error("memory-overflow-64", "domain name=a kernel=k memory=18446744073709551618",
                 1, "out of range");
    CHECK("vcpus-max", parses(OK_DOMAIN " vcpus=64", 1) &&
                           cfg.domains[0].vcpus == BOOTCFG_VCPUS_MAX);
    CHECK("vcpus-min", parses(OK_DOMAIN " vcpus=1", 1) && cfg.domains[0].vcpus == 1);
    expect_error("vcpus-zero", OK_DOMAIN " vcpus=0", 1, "out of range");
    expect_error("vcpus-above-max", OK_DOMAIN " vcpus=65", 1, "out of range");
    CHECK("sched-defaults", parses(OK_DOMAIN, 1) && cfg.domains[0].weight == 256 &&
                                cfg.domains[0].cap == 0 && cfg.domains[0].cpu_mask == 0);
    CHECK("weight-cap", parses(OK_DOMAIN " weight=512 cap=25", 1) &&
                            cfg.domains[0].weight == 512 && cfg.domains[0].cap == 25);
    expect_error("weight-zero", OK_DOMAIN " weight=0", 1, "out of range");
    expect_error("weight-above-max", OK_DOMAIN " weight=65536", 1, "out of range");
    expect_error("cap-above-max", OK_DOMAIN " cap=801", 1, "out of range");
    CHECK("cpus-one", parses(OK_DOMAIN " cpus=1", 1) && cfg.domains[0].cpu_mask == 0x2);
    CHECK("cpus-list-and-range", parses(OK_DOMAIN " cpus=0,2-4,63", 1) &&
                                     cfg.domains[0].cpu_mask == (0x1dull | 1ull << 63));
    expect_error("cpus-beyond-63", OK_DOMAIN " cpus=64", 1, "out of range");
    expect_error("cpus-backwards", OK_DOMAIN " cpus=3-1", 1, "runs backwards");
    expect_error("cpus-trailing-comma", OK_DOMAIN " cpus=1,", 1, "ends with a comma");
    expect_error("cpus-empty-item", OK_DOMAIN " cpus=1,,2", 1, "missing number");
    expect_error("cpus-not-a-number", OK_DOMAIN " cpus=all", 1, "bad number");

    CHECK("name-longest", parses(repeat("domain kernel=k memory=16 name=", 'n',
                                        BOOTCFG_NAME_MAX - 1, ""), 1) &&
                              strlen(cfg.domains[0].name) == BOOTCFG_NAME_MAX - 1);
    expect_error("name-too-long",
                 repeat("domain kernel=k memory=16 name=", 'n', BOOTCFG_NAME_MAX, ""), 1,
                 "too long");
    CHECK("kernel-longest", parses(repeat("domain name=a memory=16 kernel=", 'k',
                                          BOOTCFG_KERNEL_MAX - 1, ""), 1) &&
                                strlen(cfg.domains[0].kernel) == BOOTCFG_KERNEL_MAX - 1);
    expect_error("kernel-too-long",
                 repeat("domain name=a memory=16 kernel=", 'k', BOOTCFG_KERNEL_MAX, ""), 1,
                 "too long");
    CHECK("cmdline-longest", parses(repeat(OK_DOMAIN " cmdline=\"", 'c',
                                           BOOTCFG_CMDLINE_MAX - 1, "\""), 1) &&
                                 strlen(cfg.domains[0].cmdline) == BOOTCFG_CMDLINE_MAX - 1);
    expect_error("cmdline-too-long",
                 repeat(OK_DOMAIN " cmdline=\"", 'c', BOOTCFG_CMDLINE_MAX, "\""), 1,
                 "too long");
    CHECK("hv-options-longest", parses(repeat("hypervisor ", 'o', BOOTCFG_OPTIONS_MAX - 1,
                                              "\n" OK_DOMAIN), 1) &&
                                    strlen(cfg.hv_options) == BOOTCFG_OPTIONS_MAX - 1);
    expect_error("hv-options-too-long",
                 repeat("hypervisor ", 'o', BOOTCFG_OPTIONS_MAX, "\n" OK_DOMAIN), 1,
                 "too long");
}

/* BOOTCFG_MAX_DOMAINS domains parse; one more fails on its own line. */
static void test_domain_count(void)
{
    static char text[8192];
    size_t len = 0;
    int i;

    for (i = 0; i <= BOOTCFG_MAX_DOMAINS; i++) {
        if (i == BOOTCFG_MAX_DOMAINS)
            CHECK("domains-max", parses(text, BOOTCFG_MAX_DOMAINS) &&
                                     strcmp(cfg.domains[BOOTCFG_MAX_DOMAINS - 1].name,
                                            "d15") == 0);
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "domain name=d%d kernel=k memory=16\n", i);
    }
    expect_error("domains-too-many", text, BOOTCFG_MAX_DOMAINS + 1, "too many domains");
}

static void test_errors(void)
{
    expect_error("unknown-directive", OK_DOMAIN "\ndomian name=b", 2, "unknown directive");
    expect_error("directive-case", "Domain name=a kernel=k memory=16", 1, "unknown directive");
    expect_error("unknown-key", "# c\n" OK_DOMAIN " colour=red", 2, "unknown key 'colour'");
    expect_error("bad-trace", OK_DOMAIN " trace=errors", 1,
                 "bad value 'errors' for 'trace' (hypercalls/off)");
    expect_error("bad-unbacked", OK_DOMAIN " unbacked=zeros", 1,
                 "bad value 'zeros' for 'unbacked' (ones/crash)");
    expect_error("bad-evtchn", OK_DOMAIN " evtchn=3l", 1,
                 "bad value '3l' for 'evtchn' (fifo/2l)");
    expect_error("missing-equals", OK_DOMAIN " cmdline", 1, "missing '='");
    expect_error("missing-key", OK_DOMAIN " =x", 1, "missing key");
    expect_error("missing-name", "domain kernel=k memory=16", 1, "missing required key 'name'");
    expect_error("missing-kernel", "\n\ndomain name=a memory=16", 3,
                 "missing required key 'kernel'");
    expect_error("missing-memory", "domain name=a kernel=k", 1,
                 "missing required key 'memory'");
    expect_error("duplicate-key", OK_DOMAIN " vcpus=1 vcpus=2", 1, "duplicate key 'vcpus'");
    expect_error("bad-number-letters", "domain name=a kernel=k memory=3a", 1, "bad number");
    expect_error("bad-number-hex", "domain name=a kernel=k memory=0x10", 1, "bad number");
    expect_error("bad-number-sign", "domain name=a kernel=k memory=-16", 1, "bad number");
    expect_error("bad-number-plus", OK_DOMAIN " vcpus=+2", 1, "bad number");
    expect_error("empty-number", "domain name=a kernel=k memory=", 1, "missing number");
    expect_error("bad-boolean", OK_DOMAIN " privileged=maybe", 1, "bad boolean");
    expect_error("bad-boolean-case", OK_DOMAIN " privileged=Yes", 1, "bad boolean");
    expect_error("bad-name-char", "domain name=dom.0 kernel=k memory=16", 1,
                 "bad character '.'");
    expect_error("bad-name-space", "domain name=\"a b\" kernel=k memory=16", 1,
                 "bad character ' '");
    expect_error("empty-name", "domain name= kernel=k memory=16", 1, "must not be empty");
    expect_error("duplicate-name", OK_DOMAIN "\n#\n" OK_DOMAIN, 3,
                 "duplicate domain name 'a' (first on line 1)");
    expect_error("empty-kernel", "domain name=a kernel=\"\" memory=16", 1,
                 "must not be empty");
    expect_error("kernel-not-ascii", "domain name=a kernel=d\xc3\xb6m.elf memory=16", 1,
                 "not plain ASCII");
    expect_error("unterminated-quote", OK_DOMAIN " cmdline=\"abc", 1, "unterminated quote");
    expect_error("unterminated-after-escape", OK_DOMAIN " cmdline=\"abc\\\"", 1,
                 "unterminated quote");
    expect_error("unterminated-hv-quote", "hypervisor a=\"b\n" OK_DOMAIN, 1,
                 "unterminated quote");
    expect_error("junk-after-quote", OK_DOMAIN " cmdline=\"a\"b", 1, "after closing quote");
    expect_error("quote-in-bare-value", OK_DOMAIN " cmdline=a\"b\"", 1, "inside unquoted");
    expect_error("second-hypervisor", "hypervisor a\n" OK_DOMAIN "\nhypervisor b", 3,
                 "second 'hypervisor' line (first on line 1)");
    expect_error("no-domain-empty-file", "", 0, "no domain");
    expect_error("no-domain-comments", "# only\nhypervisor x=1\n\n", 0, "no domain");
    expect_error("control-char", OK_DOMAIN "\n\x01", 2, "control character");
    expect_error("del-char", OK_DOMAIN " cmdline=\"a\x7f\"", 1, "control character");
    expect_error("bare-cr-mid-line", "domain name=a\rkernel=k memory=16", 1,
                 "control character");
    expect_error("first-error-wins", OK_DOMAIN " foo=1\nbogus", 1, "unknown key");

    {
        static const char nul[] = OK_DOMAIN "\ndomain name=b\0 kernel=k memory=16\n";
        int rc = parse_n(nul, sizeof nul - 1);
        CHECK("nul-byte", rc == -1 && err.line == 2 && strstr(err.message, "NUL") &&
                              cfg.ndomains == 0);
    }
    CHECK("null-text", bootcfg_parse(NULL, 0, &cfg, &err) == -1 && err.line == 0 &&
                           strstr(err.message, "no domain"));
    CHECK("null-out", bootcfg_parse(OK_DOMAIN, strlen(OK_DOMAIN), NULL, &err) == -1);
    /* len, not a NUL, ends the text: the tail after len is never read. */
    CHECK("length-bounds-text", parse_n(OK_DOMAIN " vcpus=2X", strlen(OK_DOMAIN) + 8) == 0 &&
                                    cfg.domains[0].vcpus == 2);
}

/* deny=: names from mica/hypercall_names.h, into the deny masks. */
static void test_deny(void)
{
    static const struct mica_policy none;
    const struct mica_policy *deny = &cfg.domains[0].deny;

    CHECK("deny/default-none", parses(OK_DOMAIN, 1) && !memcmp(deny, &none, sizeof none));
    CHECK("deny/whole-call", parses(OK_DOMAIN " deny=grant_table_op", 1) &&
          deny->calls == 1ull << HYPERCALL_GRANT_TABLE_OP &&
          !memcmp(deny->subops, none.subops, sizeof none.subops));
    CHECK("deny/sub-ops", parses(OK_DOMAIN " deny=event_channel_op:alloc_unbound,sched_op:poll,"
                                 "event_channel_op:send", 1) &&
          deny->calls == 0 &&
          deny->subops[MICA_POLICY_SLOT_EVENT_CHANNEL_OP] ==
              ((1ull << EVTCHNOP_ALLOC_UNBOUND) | (1ull << EVTCHNOP_SEND)) &&
          deny->subops[MICA_POLICY_SLOT_SCHED_OP] == 1ull << SCHEDOP_POLL);
    CHECK("deny/mixed-and-repeated",
          parses(OK_DOMAIN " deny=set_timer_op,grant_table_op:copy,set_timer_op,"
                           "domctl:getdomaininfo", 1) &&
          deny->calls == 1ull << HYPERCALL_SET_TIMER_OP &&
          deny->subops[MICA_POLICY_SLOT_GRANT_TABLE_OP] == 1ull << GNTTABOP_copy &&
          deny->subops[MICA_POLICY_SLOT_DOMCTL] == 1ull << XEN_DOMCTL_GETDOMAININFO);
    CHECK("deny/per-domain", parses(OK_DOMAIN " deny=hvm_op\ndomain name=b kernel=b memory=2", 2) &&
          cfg.domains[0].deny.calls == 1ull << HYPERCALL_HVM_OP && cfg.domains[1].deny.calls == 0);
    expect_error("deny/empty", OK_DOMAIN " deny=", 1, "missing hypercall list for 'deny'");
    expect_error("deny/unknown-call", OK_DOMAIN " deny=evtchn_op", 1,
                 "deny: unknown hypercall 'evtchn_op'");
    expect_error("deny/unknown-call-with-sub-op", OK_DOMAIN " deny=sched:poll", 1,
                 "deny: unknown hypercall 'sched'");
    expect_error("deny/number-not-name", OK_DOMAIN " deny=29", 1, "deny: unknown hypercall '29'");
    expect_error("deny/case-sensitive", OK_DOMAIN " deny=Sched_op", 1, "unknown hypercall");
    expect_error("deny/unknown-sub-op", OK_DOMAIN " deny=sched_op:sleep", 1,
                 "deny: unknown sub-op 'sleep' of sched_op");
    expect_error("deny/empty-sub-op", OK_DOMAIN " deny=sched_op:", 1,
                 "deny: unknown sub-op '' of sched_op");
    expect_error("deny/sub-op-of-call-without", OK_DOMAIN " deny=set_timer_op:arm", 1,
                 "deny: set_timer_op has no sub-ops ('set_timer_op:arm')");
    expect_error("deny/empty-call", OK_DOMAIN " deny=:poll", 1, "deny: empty hypercall name");
    expect_error("deny/trailing-comma", OK_DOMAIN " deny=hvm_op,", 1, "empty item");
    expect_error("deny/leading-comma", OK_DOMAIN " deny=,hvm_op", 1, "empty item");
    expect_error("deny/double-comma", OK_DOMAIN " deny=hvm_op,,sched_op", 1, "empty item");
    expect_error("deny/second-key", OK_DOMAIN " deny=hvm_op deny=sched_op", 1,
                 "duplicate key 'deny'");
    expect_error("deny/later-line", OK_DOMAIN "\ndomain name=b kernel=b memory=2 deny=x", 2,
                 "unknown hypercall 'x'");
}

/* modules=FOLDER: dom0's boot modules; refused on any other line. */
static void test_modules(void)
{
    CHECK("modules-default-none", parses(OK_DOMAIN, 1) && cfg.domains[0].modules[0] == '\0');
    CHECK("modules-on-dom0", parses(OK_DOMAIN " privileged=yes modules=images", 1) &&
                                 strcmp(cfg.domains[0].modules, "images") == 0);
    /* privileged= may come after modules=: judged once the line is read. */
    CHECK("modules-before-privileged", parses(OK_DOMAIN " modules=\"EFI\\mods\" privileged=1", 1) &&
                                           strcmp(cfg.domains[0].modules, "EFI\\mods") == 0);
    CHECK("modules-only-on-dom0-line",
          parses("domain name=dom0 kernel=k memory=16 privileged=yes modules=m\n"
                 "domain name=u kernel=k memory=16", 2) &&
              cfg.domains[0].modules[0] == 'm' && cfg.domains[1].modules[0] == '\0');
    expect_error("modules-on-domu", "domain name=u kernel=k memory=16\n"
                 OK_DOMAIN " modules=images", 2, "allowed only on the privileged domain");
    expect_error("modules-privileged-no", OK_DOMAIN " modules=images privileged=no", 1,
                 "privileged=yes");
    expect_error("modules-empty", OK_DOMAIN " privileged=yes modules=\"\"", 1,
                 "modules folder name must not be empty");
    expect_error("modules-not-ascii", OK_DOMAIN " privileged=yes modules=\"m\xc3\xa9\"", 1,
                 "not plain ASCII");
    expect_error("modules-twice", OK_DOMAIN " privileged=yes modules=a modules=b", 1,
                 "duplicate key 'modules'");
    CHECK("modules-longest", parses(repeat(OK_DOMAIN " privileged=yes modules=", 'm',
                                           BOOTCFG_MODULES_MAX - 1, ""), 1) &&
                                 strlen(cfg.domains[0].modules) == BOOTCFG_MODULES_MAX - 1);
    expect_error("modules-too-long",
                 repeat(OK_DOMAIN " privileged=yes modules=", 'm', BOOTCFG_MODULES_MAX, ""), 1,
                 "too long");
}

int main(void)
{
    test_good_file();
    test_defaults_and_values();
    test_bounds();
    test_domain_count();
    test_errors();
    test_deny();
    test_modules();
    CHECK_DONE();
}
