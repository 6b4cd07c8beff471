/* Following memory/target (balloon_target.h). */
#include <stdint.h>

#include <public/io/xs_wire.h>

#include "balloon.h"
#include "balloon_target.h"
#include "clock.h"
#include "console.h"
#include "xs_client.h"

#define TARGET_PATH  "memory/target"        /* relative: our /local/domain/<id> */
#define WATCH_TOKEN  "balloon"
#define STORE_WAIT_NS (2000 * NSEC_PER_MSEC)
#define FOREVER_NS   (3600 * 1000 * NSEC_PER_MSEC)

/* A decimal number of KiB, nothing else; false otherwise. */
static bool parse_kib(const char *s, uint64_t *kib)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *kib = v;
    return true;
}

bool balloon_target_start(void)
{
    if (!xs_client_init(STORE_WAIT_NS))
        return false;
    /* The store fires the watch once at once: that first event sets the
     * balloon to the target as it stands. */
    return xs_client_requestv(XS_WATCH, 0, NULL, 0, NULL, TARGET_PATH, WATCH_TOKEN, NULL) == 0;
}

bool balloon_target_follow(void)
{
    char path[64], token[16], value[24];
    uint32_t len;
    if (!xs_client_event(path, sizeof path, token, sizeof token, FOREVER_NS))
        return true;                /* nothing in an hour: wait again */
    int rc = xs_client_requestv(XS_READ, 0, value, sizeof value, &len, TARGET_PATH, NULL);
    if (rc < 0)
        return false;               /* XS_CLIENT_TIMEOUT or _BROKEN */
    uint64_t kib;
    if (rc || len >= sizeof value || !parse_kib(value, &kib)) {
        printk("balloon: memory/target unreadable or not a number of KiB: ignored\n");
        return true;
    }
    uint64_t before = balloon_pages();
    long now = balloon_set_target(kib / 4);
    if (now < 0)
        printk("balloon: target %lu KiB: error %ld\n", (unsigned long)kib, -now);
    else if (balloon_pages() != before || (uint64_t)now != kib / 4)
        printk("balloon: target %lu KiB: %lu KiB now\n", (unsigned long)kib,
               (unsigned long)now * 4);
    return true;
}
