/*
 * guest-pv/xenstore/ against hostile input: random headers and payloads
 * (any type, length, transaction id, bytes), then random but well-formed
 * requests from three domains that grow and shrink the tree, open and end
 * transactions and set watches. Every request must get exactly one reply
 * carrying its ids (none for an oversized payload), the store's invariants
 * must hold, and once everything is removed the arena must be as it was.
 * Payloads sit in exact-length buffers, so AddressSanitizer sees any read
 * past them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xs_fixture.h"

CHECK_SUITE("xenstore_fuzz");

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint32_t below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static const uint16_t doms[] = { 0, 5, 6 };
static uint32_t open_tx[64];
static uint16_t open_tx_dom[64];
static int nopen;
static int bad_replies;

/* Exactly one reply to the caller, with the request's ids. */
static void check_reply(uint16_t dom, uint32_t tx, int rc, size_t len)
{
    int replies = 0;
    for (int i = 0; i < xs_fx_nout; i++) {
        const struct xs_msg *m = &xs_fx_out[i];
        if (m->hdr.type == XS_WATCH_EVENT) {
            if (m->hdr.req_id || m->hdr.tx_id)
                bad_replies++;
            continue;
        }
        if (m->domid != dom || m->hdr.tx_id != tx)
            bad_replies++;
        replies++;
    }
    if (len > XENSTORE_PAYLOAD_MAX ? (rc != XS_HANDLE_CLOSE || xs_fx_nout) : (rc || replies != 1))
        bad_replies++;
}

/* Mostly none or one of the caller's own; now and then a wrong one. */
static uint32_t pick_tx(uint16_t dom)
{
    uint32_t k = below(16);
    if (k == 0)
        return rnd();
    if (k == 1)
        return nopen ? open_tx[below((uint32_t)nopen)] : 0;
    if (k < 9)
        return 0;
    for (int i = 0; i < nopen; i++) {
        if (open_tx_dom[i] == dom && below(2))
            return open_tx[i];
    }
    return 0;
}

static void garbage(int rounds)
{
    static const char alphabet[] = "/abcd0123@-_/\0\0TFrwbn5";
    static char payload[XENSTORE_PAYLOAD_MAX + 64];

    for (int i = 0; i < rounds; i++) {
        uint16_t dom = below(8) == 0 ? (uint16_t)rnd() : doms[below(3)];
        uint32_t type = below(16) == 0 ? rnd() : below(XS_TYPE_COUNT + 2);
        size_t len = below(10) == 0 ? below(sizeof(payload)) : below(64);
        for (size_t j = 0; j < len; j++)
            payload[j] = below(4) == 0 ? (char)rnd() : alphabet[below(sizeof(alphabet) - 1)];
        uint32_t tx = pick_tx(dom);
        int rc = xs_fx_raw(dom, type, tx, payload, len);
        check_reply(dom, tx, rc, len);
        const struct xs_msg *m = xs_fx_reply();
        if (type == XS_TRANSACTION_START && m && m->hdr.type == type && nopen < 64) {
            open_tx[nopen] = (uint32_t)strtoul(m->payload, NULL, 10);
            open_tx_dom[nopen++] = dom;
        }
    }
}

/* A path from a small vocabulary, so requests meet each other's nodes. */
static void random_path(char *out, uint16_t dom)
{
    static const char *comps[] = { "a", "b", "c", "dev", "x-1" };
    int depth = 1 + (int)below(4);
    size_t n = 0;
    if (below(3) == 0)
        n += (size_t)sprintf(out, "/local/domain/%u", doms[below(3)]);
    else if (below(2))
        n += (size_t)sprintf(out, "/local/domain/%u", dom);
    for (int i = 0; i < depth; i++)
        n += (size_t)sprintf(out + n, "%s%s", (n || i) ? "/" : (below(2) ? "/" : ""),
                             comps[below(5)]);
    if (below(50) == 0)
        strcpy(out, below(2) ? "@releaseDomain" : "/bad//path");
}

static void structured(int rounds)
{
    char path[256], value[64], perm[3][16], token[8];

    for (int i = 0; i < rounds; i++) {
        uint16_t dom = doms[below(3)];
        uint32_t tx = pick_tx(dom);
        random_path(path, dom);
        snprintf(value, sizeof(value), "v%u", rnd() % 1000);
        snprintf(token, sizeof(token), "t%u", below(3));
        for (int p = 0; p < 3; p++)
            snprintf(perm[p], sizeof(perm[p]), "%c%u", "rwbn"[below(4)], doms[below(3)]);
        const char *r;
        switch (below(14)) {
        case 0: case 1: case 2:
            r = xs_write(dom, tx, path, value);
            break;
        case 3:
            r = xs_read(dom, tx, path);
            break;
        case 4:
            r = xs_fx(dom, XS_MKDIR, tx, path, NULL);
            break;
        case 5:
            r = xs_fx(dom, XS_RM, tx, path, NULL);
            break;
        case 6:
            r = xs_fx(dom, below(2) ? XS_DIRECTORY : XS_GET_PERMS, tx, path, NULL);
            break;
        case 7:
            r = xs_fx(dom, XS_SET_PERMS, tx, path, perm[0], below(2) ? perm[1] : NULL, perm[2],
                      NULL);
            break;
        case 8:
            r = xs_fx(dom, below(4) ? XS_WATCH : XS_UNWATCH, 0, path, token, NULL);
            break;
        case 9: {
            uint32_t id = xs_start(dom);
            r = id ? "OK" : "!";
            if (id && nopen < 64) {
                open_tx[nopen] = id;
                open_tx_dom[nopen++] = dom;
            }
            break;
        }
        case 10:
        case 11:
            if (!nopen)
                continue;
            {
                int k = (int)below((uint32_t)nopen);
                r = xs_fx(open_tx_dom[k], XS_TRANSACTION_END, open_tx[k], below(3) ? "T" : "F",
                          NULL);
                open_tx[k] = open_tx[--nopen];
                open_tx_dom[k] = open_tx_dom[nopen];
            }
            break;
        case 12:
            r = xs_fx(dom, XS_DIRECTORY_PART, tx, path, below(2) ? "0" : "3", NULL);
            break;
        default:
            r = below(20) ? xs_fx(0, below(2) ? XS_INTRODUCE : XS_RELEASE, 0, "5", "1", "2", NULL)
                          : xs_fx(dom, XS_RESET_WATCHES, 0, "", NULL);
            break;
        }
        if (strcmp(r, "(no reply)") == 0)
            bad_replies++;
    }
}

/*
 * A reference model for dom0 alone: the tree as a flat list of paths, and a
 * transaction as a whole copy taken at its start. With nothing else
 * changing the store meanwhile, every commit must succeed and every read
 * and listing, inside and outside, must agree with the model.
 */
#define MODEL_MAX 1024
struct model {
    int n;
    char path[MODEL_MAX][48];
    char value[MODEL_MAX][16];
};
static struct model main_model, tx_model;

static int m_find(const struct model *m, const char *p)
{
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->path[i], p) == 0)
            return i;
    }
    return -1;
}

static bool m_below(const char *p, const char *top)
{
    size_t l = strlen(top);
    return strncmp(p, top, l) == 0 && (p[l] == '/' || p[l] == '\0');
}

static void m_make(struct model *m, const char *p, const char *v, bool set)
{
    char prefix[48];
    for (size_t i = 1; i <= strlen(p); i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        memcpy(prefix, p, i);
        prefix[i] = '\0';
        int k = m_find(m, prefix);
        if (k < 0 && m->n < MODEL_MAX) {
            k = m->n++;
            strcpy(m->path[k], prefix);
            m->value[k][0] = '\0';
        }
        if (k >= 0 && p[i] == '\0' && set)
            strcpy(m->value[k], v);
    }
}

static const char *m_rm(struct model *m, const char *p)
{
    if (m_find(m, p) < 0) {
        char parent[48];
        strcpy(parent, p);
        *strrchr(parent, '/') = '\0';
        return parent[0] == '\0' || m_find(m, parent) >= 0 ? "OK" : "!ENOENT";
    }
    for (int i = 0; i < m->n;) {
        if (m_below(m->path[i], p)) {
            if (i != --m->n) {
                strcpy(m->path[i], m->path[m->n]);
                strcpy(m->value[i], m->value[m->n]);
            }
        } else {
            i++;
        }
    }
    return "OK";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Children names, sorted and '|'-joined (the store's order may differ in a tx). */
static void sorted_list(const char *joined, char *out)
{
    static char buf[4096];
    const char *names[MODEL_MAX];
    int n = 0;
    strcpy(buf, joined);
    for (char *t = strtok(buf, "|"); t && n < MODEL_MAX; t = strtok(NULL, "|"))
        names[n++] = t;
    qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "|");
    }
}

static void m_dir(const struct model *m, const char *p, char *out)
{
    static char joined[4096];
    size_t pl = strlen(p);
    joined[0] = '\0';
    for (int i = 0; i < m->n; i++) {
        const char *c = m->path[i];
        if (strncmp(c, p, pl) == 0 && c[pl] == '/' && !strchr(c + pl + 1, '/')) {
            strcat(joined, c + pl + 1);
            strcat(joined, "|");
        }
    }
    sorted_list(joined, out);
}

static int model_mismatches;

static void expect_same(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return;
    if (model_mismatches++ < 5)
        printf("  model: %s: store \"%s\", model \"%s\"\n", what, got, want);
}

static void model_run(int rounds)
{
    static const char *comps[] = { "a", "b", "c" };
    char path[48], value[16], want[4096], got[4096];
    uint32_t tx = 0;

    main_model.n = 0;
    for (int i = 0; i < rounds; i++) {
        struct model *m = tx ? &tx_model : &main_model;
        int depth = 1 + (int)below(3);
        size_t n = 0;
        for (int d = 0; d < depth; d++)
            n += (size_t)sprintf(path + n, "/m%s", comps[below(3)]);
        snprintf(value, sizeof(value), "v%u", below(100));
        switch (below(12)) {
        case 0: case 1: case 2:
            expect_same("write", xs_write(0, tx, path, value), "OK");
            m_make(m, path, value, true);
            break;
        case 3:
            expect_same("mkdir", xs_fx(0, XS_MKDIR, tx, path, NULL), "OK");
            m_make(m, path, "", false);
            break;
        case 4:
            expect_same(path, xs_fx(0, XS_RM, tx, path, NULL), m_rm(m, path));
            break;
        case 5: case 6: {
            int k = m_find(m, path);
            expect_same(path, xs_read(0, tx, path), k < 0 ? "!ENOENT" : m->value[k]);
            break;
        }
        case 7: case 8: {
            const char *r = xs_fx(0, XS_DIRECTORY, tx, path, NULL);
            if (m_find(m, path) < 0) {
                expect_same(path, r, "!ENOENT");
                break;
            }
            char joined[4096];
            snprintf(joined, sizeof(joined), "%s", r);
            sorted_list(joined, got);
            m_dir(m, path, want);
            expect_same(path, got, want);
            break;
        }
        case 9:
            if (!tx) {
                tx = xs_start(0);
                tx_model = main_model;
            }
            break;
        default:
            if (tx) {
                bool commit = below(3) != 0;
                expect_same("end", xs_fx(0, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL),
                            "OK");
                if (commit)
                    main_model = tx_model;
                tx = 0;
            }
            break;
        }
    }
}

/* Everything removed, every domain disconnected: the arena as it started. */
static bool drained(size_t start_free)
{
    for (int d = 0; d < 3; d++)
        xs_fx(doms[d], XS_RESET_WATCHES, 0, "", NULL);
    xs_fx(0, XS_RESET_WATCHES, 0, "", NULL);
    for (int n = 0; n < 1000; n++) {
        const char *dir = xs_fx(0, XS_DIRECTORY, 0, "/", NULL);
        if (!*dir)
            break;
        char first[256];
        snprintf(first, sizeof(first), "/%.*s", (int)strcspn(dir, "|"), dir);
        xs_fx(0, XS_RM, 0, first, NULL);
    }
    xs_fx(0, XS_SET_PERMS, 0, "/", "n0", NULL);
    xs_fx(0, XS_SET_PERMS, 0, "@releaseDomain", "n0", NULL);
    xs_fx(0, XS_SET_PERMS, 0, "@introduceDomain", "n0", NULL);
    xs_write(0, 0, "/", "");
    /* Garbage speaks for random domains too: disconnect all that hold anything. */
    for (uint32_t i = 0; i < xs_fx_store.ndoms; i++) {
        if (xs_fx_store.doms[i].used)
            xs_domain_gone(&xs_fx_store, xs_fx_store.doms[i].domid, NULL, NULL);
    }
    nopen = 0;
    size_t now = xs_pool_free_bytes(&xs_fx_store.pool);
    if (now != start_free)
        printf("  arena: %zu bytes free at start, %zu now\n", start_free, now);
    return now == start_free && xs_check(&xs_fx_store) == 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        rng = strtoull(argv[1], NULL, 0) | 1;
    printf("seed 0x%llx\n", (unsigned long long)rng);

    xs_fx_check_period = 16;
    xs_fx_init(256 * 1024, NULL, NULL);
    size_t start_free = xs_pool_free_bytes(&xs_fx_store.pool);
    garbage(40000);
    CHECK("garbage-replies", bad_replies == 0);
    CHECK("garbage-invariants", xs_fx_check_failures == 0 && xs_check(&xs_fx_store) == 0);
    CHECK("garbage-drained", drained(start_free));

    /* Small quotas and arena, so that limits are met often. */
    struct xs_quota q = xs_default_quota;
    q.nodes = 40;
    q.tx_nodes = 30;
    q.transactions = 4;
    q.watches = 8;
    xs_fx_init(96 * 1024, &q, NULL);
    start_free = xs_pool_free_bytes(&xs_fx_store.pool);
    bad_replies = 0;
    structured(60000);
    CHECK("structured-replies", bad_replies == 0);
    CHECK("structured-invariants", xs_fx_check_failures == 0 && xs_check(&xs_fx_store) == 0);
    CHECK("structured-drained", drained(start_free));

    xs_fx_init(1u << 20, NULL, NULL);
    start_free = xs_pool_free_bytes(&xs_fx_store.pool);
    model_run(30000);
    CHECK("model-agrees", model_mismatches == 0);
    CHECK("model-invariants", xs_fx_check_failures == 0);
    CHECK("model-drained", drained(start_free));

    garbage(20000);
    CHECK("mixed-replies", bad_replies == 0);
    CHECK("mixed-invariants", xs_fx_check_failures == 0);
    CHECK("mixed-drained", drained(start_free));
    CHECK_DONE();
}
