/*
 * The shell's xenstore commands (docs/toolstack.md): xenstore-ls,
 * xenstore-read and xenstore-write, dom0's own requests to the store, with
 * Xen's output formats (values quoted, bytes outside printable ASCII as
 * \xNN; one space of indent per level).
 */
#include <stdint.h>

#include <public/errno.h>

#include "console.h"
#include "lib.h"
#include "toolstack.h"
#include "xenstored.h"

/* Deeper than this, xenstore-ls says "..." (the store allows far more). */
#define LS_DEPTH 12

static const char *errno_name(int err)
{
#define XS_NAME_CASE(n, value) if (err == value) return #n;
    XS_ERROR_LIST(XS_NAME_CASE)
#undef XS_NAME_CASE
    return "EINVAL";
}

static int store_error(const char *cmd, const char *path, int err)
{
    printk("%s: %s: %s\n", cmd, path, errno_name(err));
    return -1;
}

/* value[0..len) quoted, into out (4 bytes per input byte at most). */
static void quote(const char *value, uint32_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    out[o++] = '"';
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o++] = '"';
    out[o] = 0;
}

static char value[XENSTORE_PAYLOAD_MAX + 1];
static char quoted[4 * XENSTORE_PAYLOAD_MAX + 3];

/* The children of path (a NUL-separated list) and each one's subtree. */
static void ls(char *path, size_t plen, unsigned int depth)
{
    static char lists[LS_DEPTH][XENSTORE_PAYLOAD_MAX + 1];
    static char indent[LS_DEPTH + 1];
    uint32_t n;

    if (depth == LS_DEPTH) {
        printk("%s...\n", indent);
        return;
    }
    char *list = lists[depth];
    if (xenstored_callv(XS_DIRECTORY, list, sizeof lists[0], &n, path, NULL))
        return;
    for (uint32_t at = 0; at < n; at += (uint32_t)strlen(list + at) + 1) {
        const char *child = list + at;
        size_t clen = strlen(child);
        if (plen + 1 + clen >= XENSTORE_ABS_PATH_MAX)
            continue;
        size_t sep = plen == 1 ? 0 : 1;         /* "/" + "local" */
        if (sep)
            path[plen] = '/';
        memcpy(path + plen + sep, child, clen + 1);
        uint32_t vlen = 0;
        if (xenstored_callv(XS_READ, value, sizeof value, &vlen, path, NULL))
            vlen = 0;
        quote(value, vlen, quoted);
        indent[depth] = 0;
        printk("%s%s = %s\n", indent, child, quoted);
        indent[depth] = ' ';
        indent[depth + 1] = 0;
        ls(path, plen + sep + clen, depth + 1);
        indent[depth] = 0;
        path[plen] = 0;
    }
}

int cmd_xenstore_ls(const struct shell_args *a)
{
    static char path[XENSTORE_ABS_PATH_MAX + 1];
    uint32_t n;

    if (a->argc > 1) {
        printk("xenstore-ls: usage: xenstore-ls [path]\n");
        return -1;
    }
    const char *p = a->argc ? a->argv[0] : "/";
    size_t len = strlen(p);
    if (len > XENSTORE_ABS_PATH_MAX)
        return store_error("xenstore-ls", "path", XEN_EINVAL);
    int err = xenstored_callv(XS_GET_PERMS, value, sizeof value, &n, p, NULL);
    if (err)                    /* no such node, or not a path */
        return store_error("xenstore-ls", p, err);
    memcpy(path, p, len + 1);
    ls(path, len, 0);
    return 0;
}

int cmd_xenstore_read(const struct shell_args *a)
{
    uint32_t n;
    if (a->argc != 1) {
        printk("xenstore-read: usage: xenstore-read <path>\n");
        return -1;
    }
    int err = xenstored_callv(XS_READ, value, sizeof value, &n, a->argv[0], NULL);
    if (err)
        return store_error("xenstore-read", a->argv[0], err);
    quote(value, n, quoted);
    printk("%s\n", quoted);
    return 0;
}

int cmd_xenstore_write(const struct shell_args *a)
{
    if (a->argc < 2) {
        printk("xenstore-write: usage: xenstore-write <path> <value>\n");
        return -1;
    }
    /* The value is the rest of the line after the path, spaces and all. */
    const char *v = a->rest + strlen(a->argv[0]);
    while (*v == ' ' || *v == '\t')
        v++;
    int err = xenstored_write(a->argv[0], v);
    return err ? store_error("xenstore-write", a->argv[0], err) : 0;
}
