#include "path.h"

#include "lib.h"

static bool valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '/' || c == '_' || c == '@';
}

bool xs_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

size_t xs_home_path(uint16_t domid, char *out)
{
    static const char prefix[] = "/local/domain/";
    memcpy(out, prefix, sizeof(prefix) - 1);
    size_t n = sizeof(prefix) - 1;
    return n + fmt_u64(out + n, domid);
}

/* Absolute, allowed characters, no empty component, no trailing slash. */
static bool valid_canonical(const char *p, size_t len)
{
    if (len == 0 || len > XENSTORE_ABS_PATH_MAX || p[0] != '/')
        return false;
    if (len > 1 && p[len - 1] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!valid_char(p[i]) || (p[i] == '/' && i + 1 < len && p[i + 1] == '/'))
            return false;
    }
    return true;
}

int xs_path_canon(uint16_t domid, const char *in, size_t len, bool allow_special, char *out,
                  size_t *out_len, bool *relative, bool *special)
{
    size_t n = 0;

    *relative = false;
    *special = false;
    if (len == 0)
        return XS_EINVAL;
    if (in[0] == '@') {
        if (!allow_special || len < 2 || len > XENSTORE_ABS_PATH_MAX)
            return XS_EINVAL;
        for (size_t i = 1; i < len; i++) {
            if (!valid_char(in[i]) || in[i] == '/')
                return XS_EINVAL;
        }
        *special = true;
    } else if (in[0] != '/') {
        if (len > XENSTORE_REL_PATH_MAX)
            return XS_EINVAL;
        n = xs_home_path(domid, out);
        out[n++] = '/';
        *relative = true;
    }
    if (n + len > XENSTORE_ABS_PATH_MAX)
        return XS_EINVAL;
    memcpy(out + n, in, len);
    n += len;
    out[n] = '\0';
    if (!*special && !valid_canonical(out, n))
        return XS_EINVAL;
    *out_len = n;
    return 0;
}

bool xs_path_is_below(const char *child, size_t clen, const char *parent, size_t plen)
{
    if (plen == 1 && parent[0] == '/')
        return child[0] == '/';
    if (clen < plen || memcmp(child, parent, plen) != 0)
        return false;
    return clen == plen || child[plen] == '/';
}

size_t xs_path_parent_len(const char *path, size_t len)
{
    if (len <= 1)
        return 0;
    size_t i = len - 1;
    while (i > 0 && path[i] != '/')
        i--;
    return i == 0 ? 1 : i;
}
