/* Table columns and number parsing for the toolstack (text.h). */
#include "lib.h"
#include "text.h"

void row_start(struct text_row *r)
{
    r->len = 0;
    r->buf[0] = 0;
}

static void put(struct text_row *r, char c)
{
    if (r->len + 1 < sizeof r->buf) {
        r->buf[r->len++] = c;
        r->buf[r->len] = 0;
    }
}

void row_str(struct text_row *r, const char *s, size_t width)
{
    size_t n = 0;
    for (; s[n]; n++)
        put(r, s[n]);
    do
        put(r, ' ');
    while (++n < width);
}

/* The decimal digits of v, most significant first, into d; their count. */
static size_t digits(uint64_t v, char d[20])
{
    char tmp[20];
    size_t n = 0, i = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        d[i++] = tmp[--n];
    return i;
}

void row_uint(struct text_row *r, uint64_t v, size_t width)
{
    char d[20];
    size_t n = digits(v, d);
    for (size_t i = n; i < width; i++)
        put(r, ' ');
    for (size_t i = 0; i < n; i++)
        put(r, d[i]);
    put(r, ' ');
}

void row_tenths(struct text_row *r, uint64_t tenths, size_t width)
{
    char d[20];
    size_t n = digits(tenths / 10, d);
    for (size_t i = n + 2; i < width; i++)
        put(r, ' ');
    for (size_t i = 0; i < n; i++)
        put(r, d[i]);
    put(r, '.');
    put(r, (char)('0' + tenths % 10));
    put(r, ' ');
}

const char *row_text(struct text_row *r)
{
    while (r->len && r->buf[r->len - 1] == ' ')
        r->buf[--r->len] = 0;
    return r->buf;
}

bool text_parse_uint(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n == 10)
            return false;
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (n == 0 || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool text_eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}
