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
