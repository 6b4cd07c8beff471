#include "perms.h"

#include "lib.h"
#include "path.h"

static int letter_access(char c)
{
    switch (c) {
    case 'r': return XS_PERM_READ;
    case 'w': return XS_PERM_WRITE;
    case 'b': return XS_PERM_BOTH;
    case 'n': return XS_PERM_NONE;
    default:  return -1;
    }
}

static const char access_letter[4] = { 'n', 'r', 'w', 'b' };

int xs_perms_parse(const char *buf, size_t len, struct xs_perm *out, size_t max, size_t *n)
{
    size_t count = 0, i = 0;

    if (len == 0 || buf[len - 1] != '\0')
        return XS_EINVAL;
    while (i < len) {
        size_t slen = strlen(buf + i);
        int a = letter_access(buf[i]);
        uint64_t id;
        if (a < 0 || !xs_parse_u64(buf + i + 1, slen - 1, &id) || id > 0xffff)
            return XS_EINVAL;
        if (count == max)
            return XS_ENOSPC;
        out[count].domid = (uint16_t)id;
        out[count].access = (uint8_t)a;
        out[count].pad = 0;
        count++;
        i += slen + 1;
    }
    *n = count;
    return 0;
}

size_t xs_perms_format(const struct xs_perm *p, size_t n, char *out, size_t cap)
{
    size_t used = 0;

    for (size_t i = 0; i < n; i++) {
        char num[24];
        size_t len = fmt_u64(num, p[i].domid);
        if (used + 1 + len + 1 > cap)
            return 0;
        out[used++] = access_letter[p[i].access & 3];
        memcpy(out + used, num, len);
        used += len;
        out[used++] = '\0';
    }
    return used;
}

unsigned xs_perm_lookup(const struct xs_perm *p, size_t n, uint16_t domid)
{
    if (n == 0)
        return XS_PERM_NONE;
    if (p[0].domid == domid)
        return XS_PERM_BOTH;
    for (size_t i = 1; i < n; i++) {
        if (p[i].domid == domid)
            return p[i].access;
    }
    return p[0].access;
}
