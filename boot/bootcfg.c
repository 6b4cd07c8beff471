/*
 * Boot configuration parser (format: docs/boot-config.md).
 *
 * Freestanding on purpose: it is linked into the UEFI loader and into the
 * host unit tests, so it calls no library function and keeps its own tiny
 * string helpers. The parser reads the file once, line by line, and stops at
 * the first error, which it reports with the 1-based line number.
 */
#include <stdarg.h>
#include "mica/bootcfg.h"
#include "mica/hypercall_names.h"

#define MSG_TOKEN_MAX   40      /* longest piece of input quoted in a message */
#define U32_DIGITS_MAX  10      /* decimal digits of UINT32_MAX */
#define BOOTCFG_VALUE_MAX BOOTCFG_CMDLINE_MAX   /* longest value of any key, NUL included */

/* One line of input, consumed left to right. */
struct cursor {
    const char *p;
    const char *end;
};

struct parser {
    struct bootcfg *cfg;
    struct bootcfg_error *err;
    uint32_t line;              /* current line, 1-based */
    uint32_t hv_line;           /* line of the hypervisor directive, 0 if none */
};

/* ---- tiny string helpers (no libc) --------------------------------------- */

static void mem_zero(void *dst, size_t n)
{
    volatile char *d = dst;     /* volatile: keep the compiler from calling memset */

    while (n--)
        *d++ = 0;
}

/* Does the counted string [s, s+n) equal the C string `word`? */
static int mem_eq_str(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (word[i] != s[i])    /* also stops at word's NUL */
            return 0;
    return word[n] == '\0';
}

/* Copy n bytes and terminate; the caller has checked that n < size of dst. */
static void copy_str(char *dst, const char *src, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        dst[i] = src[i];
    dst[n] = '\0';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '_' || c == '-';
}

/* Where a token ends: at blanks, at a comment, at the end of the line. */
static int ends_token(const struct cursor *c)
{
    return c->p == c->end || is_space(*c->p) || *c->p == '#';
}

static void skip_space(struct cursor *c)
{
    while (c->p < c->end && is_space(*c->p))
        c->p++;
}

/* ---- error messages -------------------------------------------------------- */

struct msgbuf {
    char *buf;
    size_t cap;
    size_t len;
};

static void msg_char(struct msgbuf *m, char c)
{
    if (m->len + 1 < m->cap) {
        m->buf[m->len++] = c;
        m->buf[m->len] = '\0';
    }
}

static void msg_str(struct msgbuf *m, const char *s)
{
    while (*s)
        msg_char(m, *s++);
}

/* A piece of the input: long ones are cut, unprintable bytes shown as '?'. */
static void msg_token(struct msgbuf *m, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n && i < MSG_TOKEN_MAX; i++)
        msg_char(m, (s[i] >= ' ' && s[i] < 0x7f) ? s[i] : '?');
    if (n > MSG_TOKEN_MAX)
        msg_str(m, "...");
}

static void msg_u32(struct msgbuf *m, uint32_t v)
{
    char digits[U32_DIGITS_MAX];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        msg_char(m, digits[--n]);
}

/*
 * Record the error for the current line and return -1. The format knows
 * %s (C string), %u (uint32_t), %c (char, shown as '?' if unprintable) and
 * %t (a token of the input: const char *, size_t).
 */
static int fail(struct parser *ps, const char *fmt, ...)
{
    struct msgbuf m = { ps->err->message, sizeof ps->err->message, 0 };
    va_list ap;

    ps->err->line = ps->line;
    ps->err->message[0] = '\0';
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            msg_char(&m, *fmt);
            continue;
        }
        switch (*++fmt) {
        case 's':
            msg_str(&m, va_arg(ap, const char *));
            break;
        case 'u':
            msg_u32(&m, va_arg(ap, uint32_t));
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            msg_token(&m, &c, 1);
            break;
        }
        case 't': {
            const char *s = va_arg(ap, const char *);
            msg_token(&m, s, va_arg(ap, size_t));
            break;
        }
        default:                /* a bug in a format string: show it */
            msg_char(&m, '%');
            if (!*fmt)
                fmt--;          /* a trailing '%': do not run past the end */
            else
                msg_char(&m, *fmt);
            break;
        }
    }
    va_end(ap);
    return -1;
}

/* ---- values ---------------------------------------------------------------- */

/*
 * Read one value at the cursor into buf (size `cap`, NUL-terminated), quoted
 * or bare. Quotes allow blanks and '#'; inside them \" and \\ are escapes and
 * any other backslash is kept as it is (so DOS paths need no doubling).
 */
static int read_value(struct parser *ps, struct cursor *c, const char *key,
                      char *buf, size_t cap, size_t *len)
{
    size_t n = 0;

    if (c->p < c->end && *c->p == '"') {
        c->p++;
        for (;;) {
            char ch;

            if (c->p == c->end)
                return fail(ps, "unterminated quote in value of '%s'", key);
            ch = *c->p++;
            if (ch == '"')
                break;
            if (ch == '\\' && c->p < c->end && (*c->p == '"' || *c->p == '\\'))
                ch = *c->p++;
            if (n + 1 >= cap)
                return fail(ps, "value of '%s' too long (max %u characters)",
                            key, (uint32_t)(cap - 1));
            buf[n++] = ch;
        }
        if (!ends_token(c))
            return fail(ps, "unexpected '%c' after closing quote of '%s'", *c->p, key);
    } else {
        while (!ends_token(c)) {
            if (*c->p == '"')
                return fail(ps, "'\"' inside unquoted value of '%s' (quote the whole value)",
                            key);
            if (n + 1 >= cap)
                return fail(ps, "value of '%s' too long (max %u characters)",
                            key, (uint32_t)(cap - 1));
            buf[n++] = *c->p++;
        }
    }
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* Decimal only; anything that does not fit in 32 bits is out of range. */
static int parse_u32(struct parser *ps, const char *key, const char *s, size_t n,
                     uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0)
        return fail(ps, "missing number for '%s'", key);
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return fail(ps, "bad number '%t' for '%s' (decimal digits only)", s, n, key);
        /* Stop accumulating before v can wrap; the range check rejects it. */
        if (v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < min || v > max)
        return fail(ps, "%s=%t out of range (%u..%u)", key, s, n, min, max);
    *out = (uint32_t)v;
    return 0;
}

/* ---- domain keys ------------------------------------------------------------ */

typedef int (*key_setter)(struct parser *ps, struct bootcfg_domain *d,
                          const char *v, size_t n);

static int set_name(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    uint32_t i;

    if (n == 0)
        return fail(ps, "domain name must not be empty");
    for (i = 0; i < n; i++)
        if (!is_name_char(v[i]))
            return fail(ps, "bad character '%c' in domain name '%t' (allowed: A-Z a-z 0-9 _ -)",
                        v[i], v, n);
    for (i = 0; i < ps->cfg->ndomains; i++) {
        const struct bootcfg_domain *o = &ps->cfg->domains[i];
        if (mem_eq_str(v, n, o->name))
            return fail(ps, "duplicate domain name '%t' (first on line %u)", v, n, o->line);
    }
    copy_str(d->name, v, n);
    return 0;
}

/* A path on the ESP: the loader widens each byte to UCS-2 for the firmware,
 * so ASCII only. `what` names the key in messages ("kernel file name"). */
static int check_path(struct parser *ps, const char *what, const char *v, size_t n)
{
    size_t i;

    if (n == 0)
        return fail(ps, "%s must not be empty", what);
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] >= 0x80)
            return fail(ps, "%s '%t' is not plain ASCII", what, v, n);
    return 0;
}

static int set_kernel(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    if (check_path(ps, "kernel file name", v, n))
        return -1;
    copy_str(d->kernel, v, n);
    return 0;
}

/* Whether the domain may have modules depends on privileged=, which may
 * come later on the line: parse_domain checks that once the line is read. */
static int set_modules(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    if (check_path(ps, "modules folder name", v, n))
        return -1;
    copy_str(d->modules, v, n);
    return 0;
}

static int set_memory(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    return parse_u32(ps, "memory", v, n, BOOTCFG_MEMORY_MIN_MIB, BOOTCFG_MEMORY_MAX_MIB,
                     &d->memory_mib);
}

static int set_vcpus(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    return parse_u32(ps, "vcpus", v, n, 1, BOOTCFG_VCPUS_MAX, &d->vcpus);
}

static int set_weight(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    return parse_u32(ps, "weight", v, n, 1, BOOTCFG_WEIGHT_MAX, &d->weight);
}

static int set_cap(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    return parse_u32(ps, "cap", v, n, 0, BOOTCFG_CAP_MAX, &d->cap);
}

/* cpus=LIST: CPU numbers and ranges, e.g. "0", "0-1", "0,2-3". */
static int set_cpus(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    uint64_t mask = 0;
    size_t i = 0;

    while (i < n) {
        size_t start = i;
        uint32_t lo, hi;

        while (i < n && v[i] != ',' && v[i] != '-')
            i++;
        if (parse_u32(ps, "cpus", v + start, i - start, 0, BOOTCFG_CPUS_MAX - 1, &lo))
            return -1;
        hi = lo;
        if (i < n && v[i] == '-') {
            start = ++i;
            while (i < n && v[i] != ',')
                i++;
            if (parse_u32(ps, "cpus", v + start, i - start, 0, BOOTCFG_CPUS_MAX - 1, &hi))
                return -1;
            if (hi < lo)
                return fail(ps, "cpus=%t: range %u-%u runs backwards", v, n, lo, hi);
        }
        for (uint32_t cpu = lo; cpu <= hi; cpu++)
            mask |= 1ull << cpu;
        if (i < n && v[i] == ',' && ++i == n)
            return fail(ps, "cpus=%t ends with a comma", v, n);
    }
    if (!mask)
        return fail(ps, "missing CPU list for 'cpus'");
    d->cpu_mask = mask;
    return 0;
}

static const struct {
    const char *word;
    uint32_t value;
} booleans[] = {
    { "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
};

static int set_privileged(struct parser *ps, struct bootcfg_domain *d, const char *v,
                          size_t n)
{
    size_t i;

    for (i = 0; i < sizeof booleans / sizeof booleans[0]; i++) {
        if (mem_eq_str(v, n, booleans[i].word)) {
            d->privileged = booleans[i].value;
            return 0;
        }
    }
    return fail(ps, "bad boolean '%t' for 'privileged' (yes/no/true/false/1/0)", v, n);
}

static int set_trace(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    if (mem_eq_str(v, n, "hypercalls") || mem_eq_str(v, n, "off")) {
        d->trace_hypercalls = mem_eq_str(v, n, "hypercalls");
        return 0;
    }
    return fail(ps, "bad value '%t' for 'trace' (hypercalls/off)", v, n);
}

static int set_unbacked(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    if (mem_eq_str(v, n, "ones") || mem_eq_str(v, n, "crash")) {
        d->unbacked_crash = mem_eq_str(v, n, "crash");
        return 0;
    }
    return fail(ps, "bad value '%t' for 'unbacked' (ones/crash)", v, n);
}

static int set_evtchn(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    if (mem_eq_str(v, n, "fifo") || mem_eq_str(v, n, "2l")) {
        d->evtchn_2l = mem_eq_str(v, n, "2l");
        return 0;
    }
    return fail(ps, "bad value '%t' for 'evtchn' (fifo/2l)", v, n);
}

/*
 * deny=ITEM,ITEM...: ITEM is a hypercall's name (every sub-op of it) or
 * call:sub-op, with the names of mica/hypercall_names.h.
 */
static int deny_item(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    size_t colon = 0;
    int nr, op;

    while (colon < n && v[colon] != ':')
        colon++;
    if (colon == 0)
        return fail(ps, "deny: empty hypercall name in '%t'", v, n);
    nr = mica_hypercall_by_name(v, colon);
    if (nr < 0)
        return fail(ps, "deny: unknown hypercall '%t'", v, colon);
    if (colon == n) {
        d->deny.calls |= 1ull << nr;
        return 0;
    }
    if (mica_hypercall_names[nr].nsubops == 0)
        return fail(ps, "deny: %s has no sub-ops ('%t')", mica_hypercall_names[nr].name, v, n);
    op = mica_subop_by_name(nr, v + colon + 1, n - colon - 1);
    if (op < 0)
        return fail(ps, "deny: unknown sub-op '%t' of %s", v + colon + 1, n - colon - 1,
                    mica_hypercall_names[nr].name);
    d->deny.subops[mica_hypercall_names[nr].slot] |= 1ull << op;
    return 0;
}

static int set_deny(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    size_t i = 0;

    if (n == 0)
        return fail(ps, "missing hypercall list for 'deny'");
    for (;;) {
        size_t start = i;

        while (i < n && v[i] != ',')
            i++;
        if (i == start)
            return fail(ps, "deny=%t: empty item (two commas, or one at an end)", v, n);
        if (deny_item(ps, d, v + start, i - start))
            return -1;
        if (i == n)
            return 0;
        if (++i == n)
            return fail(ps, "deny=%t: empty item (two commas, or one at an end)", v, n);
    }
}

static int set_cmdline(struct parser *ps, struct bootcfg_domain *d, const char *v, size_t n)
{
    copy_str(d->cmdline, v, n);
    return 0;
}

/*
 * Every key a domain line knows. `max` bounds the value as read, NUL
 * included: the field size for strings; numbers and booleans get the common
 * limit and are judged by their setter (so "memory=0000000032" is fine).
 */
static const struct domain_key {
    const char *word;
    key_setter set;
    size_t max;
    int required;
} domain_keys[] = {
    { "name",       set_name,       BOOTCFG_NAME_MAX,    1 },
    { "kernel",     set_kernel,     BOOTCFG_KERNEL_MAX,  1 },
    { "memory",     set_memory,     BOOTCFG_VALUE_MAX,   1 },
    { "vcpus",      set_vcpus,      BOOTCFG_VALUE_MAX,   0 },
    { "privileged", set_privileged, BOOTCFG_VALUE_MAX,   0 },
    { "weight",     set_weight,     BOOTCFG_VALUE_MAX,   0 },
    { "cap",        set_cap,        BOOTCFG_VALUE_MAX,   0 },
    { "cpus",       set_cpus,       BOOTCFG_VALUE_MAX,   0 },
    { "trace",      set_trace,      BOOTCFG_VALUE_MAX,   0 },
    { "unbacked",   set_unbacked,   BOOTCFG_VALUE_MAX,   0 },
    { "evtchn",     set_evtchn,     BOOTCFG_VALUE_MAX,   0 },
    { "deny",       set_deny,       BOOTCFG_VALUE_MAX,   0 },
    { "cmdline",    set_cmdline,    BOOTCFG_CMDLINE_MAX, 0 },
    { "modules",    set_modules,    BOOTCFG_MODULES_MAX, 0 },
};
#define NDOMAIN_KEYS (sizeof domain_keys / sizeof domain_keys[0])

/* ---- directives ---------------------------------------------------------------- */

static int parse_domain(struct parser *ps, struct cursor *c)
{
    struct bootcfg_domain *d;
    uint32_t seen = 0;
    size_t i;

    if (ps->cfg->ndomains == BOOTCFG_MAX_DOMAINS)
        return fail(ps, "too many domains (max %u)", (uint32_t)BOOTCFG_MAX_DOMAINS);
    d = &ps->cfg->domains[ps->cfg->ndomains];
    mem_zero(d, sizeof *d);
    d->vcpus = 1;
    d->weight = BOOTCFG_WEIGHT_DEFAULT;
    d->line = ps->line;

    for (;;) {
        const struct domain_key *k = 0;
        const char *key;
        size_t klen, vlen = 0;
        char value[BOOTCFG_VALUE_MAX];

        skip_space(c);
        if (ends_token(c))
            break;
        key = c->p;
        while (!ends_token(c) && *c->p != '=')
            c->p++;
        klen = (size_t)(c->p - key);
        if (klen == 0)
            return fail(ps, "missing key before '='");
        if (c->p == c->end || *c->p != '=')
            return fail(ps, "missing '=' after '%t'", key, klen);
        c->p++;

        for (i = 0; i < NDOMAIN_KEYS; i++)
            if (mem_eq_str(key, klen, domain_keys[i].word))
                k = &domain_keys[i];
        if (!k)
            return fail(ps, "unknown key '%t' (name, kernel, memory, vcpus, privileged, "
                        "weight, cap, cpus, trace, unbacked, evtchn, deny, cmdline, modules)", key, klen);
        if (seen & (1u << (k - domain_keys)))
            return fail(ps, "duplicate key '%s'", k->word);
        seen |= 1u << (k - domain_keys);

        if (read_value(ps, c, k->word, value, k->max, &vlen) ||
            k->set(ps, d, value, vlen))
            return -1;
    }

    for (i = 0; i < NDOMAIN_KEYS; i++)
        if (domain_keys[i].required && !(seen & (1u << i)))
            return fail(ps, "domain is missing required key '%s'", domain_keys[i].word);
    /* Boot modules are dom0's (a toolstack's images, an initrd): a domU
     * has no use for the machine's files and no right to them. */
    if (d->modules[0] && !d->privileged)
        return fail(ps, "modules= is allowed only on the privileged domain's line "
                    "(privileged=yes)");
    ps->cfg->ndomains++;
    return 0;
}

/* The options are kept verbatim for the hypervisor; only a comment is cut. */
static int parse_hypervisor(struct parser *ps, struct cursor *c)
{
    const char *start, *end;
    int quoted = 0;

    if (ps->hv_line)
        return fail(ps, "second 'hypervisor' line (first on line %u)", ps->hv_line);
    ps->hv_line = ps->line;

    skip_space(c);
    start = c->p;
    while (c->p < c->end && (quoted || *c->p != '#')) {
        if (*c->p == '\\' && quoted && c->p + 1 < c->end)
            c->p++;             /* an escaped character cannot end the quote */
        else if (*c->p == '"')
            quoted = !quoted;
        c->p++;
    }
    if (quoted)
        return fail(ps, "unterminated quote in hypervisor options");
    end = c->p;
    while (end > start && is_space(end[-1]))
        end--;
    if ((size_t)(end - start) >= BOOTCFG_OPTIONS_MAX)
        return fail(ps, "hypervisor options too long (max %u characters)",
                    (uint32_t)(BOOTCFG_OPTIONS_MAX - 1));
    copy_str(ps->cfg->hv_options, start, (size_t)(end - start));
    return 0;
}

static const struct {
    const char *word;
    int (*parse)(struct parser *ps, struct cursor *c);
} directives[] = {
    { "hypervisor", parse_hypervisor },
    { "domain",     parse_domain },
};

/* ---- lines ---------------------------------------------------------------------- */

/* Control characters (NUL above all) make a file suspect: refuse them early. */
static int check_bytes(struct parser *ps, const struct cursor *c)
{
    const char *p;

    for (p = c->p; p < c->end; p++) {
        if (*p == '\0')
            return fail(ps, "NUL byte in the file (is it a text file?)");
        if ((*p > 0 && *p < ' ' && *p != '\t') || *p == 0x7f)
            return fail(ps, "control character (code %u) in the line",
                        (uint32_t)(unsigned char)*p);
    }
    return 0;
}

static int parse_line(struct parser *ps, struct cursor *c)
{
    const char *word;
    size_t i, n;

    if (check_bytes(ps, c))
        return -1;
    skip_space(c);
    if (ends_token(c))
        return 0;               /* blank or comment only */
    word = c->p;
    while (!ends_token(c))
        c->p++;
    n = (size_t)(c->p - word);
    for (i = 0; i < sizeof directives / sizeof directives[0]; i++)
        if (mem_eq_str(word, n, directives[i].word))
            return directives[i].parse(ps, c);
    return fail(ps, "unknown directive '%t' (hypervisor, domain)", word, n);
}

int bootcfg_parse(const char *text, size_t len, struct bootcfg *out,
                  struct bootcfg_error *err)
{
    struct parser ps = { out, err, 0, 0 };
    size_t pos = 0;

    if (!out || !err)
        return -1;
    mem_zero(out, sizeof *out);
    mem_zero(err, sizeof *err);
    if (!text)
        len = 0;

    while (pos < len) {
        struct cursor c = { text + pos, text + pos };

        ps.line++;
        while (c.end < text + len && *c.end != '\n')
            c.end++;
        pos = (size_t)(c.end - text) + 1;   /* past the '\n' (or the end) */
        if (c.end > c.p && c.end[-1] == '\r')
            c.end--;                        /* CRLF line ending */
        if (parse_line(&ps, &c))
            goto fail;
    }
    if (out->ndomains == 0) {
        ps.line = 0;
        fail(&ps, "no domain defined");
        goto fail;
    }
    return 0;

fail:
    /* Never hand out half a configuration. */
    mem_zero(out, sizeof *out);
    return -1;
}
