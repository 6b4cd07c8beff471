#include "cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Does the word at w start with "key="? Returns the value start or NULL. */
static const char *match_key(const char *w, const char *key)
{
    while (*key && *w == *key) {
        w++;
        key++;
    }
    return (*key == '\0' && *w == '=') ? w + 1 : NULL;
}

bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size)
{
    const char *w = cmdline;

    if (!w || size == 0)
        return false;
    while (*w) {
        const char *v;

        while (is_space(*w))
            w++;
        v = match_key(w, key);
        if (v) {
            size_t n = 0;

            while (v[n] && !is_space(v[n]) && n + 1 < size) {
                value[n] = v[n];
                n++;
            }
            value[n] = '\0';
            return true;
        }
        while (*w && !is_space(*w))
            w++;
    }
    return false;
}

bool cmdline_get_uint(const char *cmdline, const char *key, uint32_t *value)
{
    char text[12];      /* 4294967295 and one more digit, to catch overflow */
    uint64_t n = 0;

    if (!cmdline_get(cmdline, key, text, sizeof(text)) || text[0] == '\0')
        return false;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9')
            return false;
        n = n * 10 + (uint64_t)(*c - '0');
        if (n > UINT32_MAX)
            return false;
    }
    *value = (uint32_t)n;
    return true;
}
