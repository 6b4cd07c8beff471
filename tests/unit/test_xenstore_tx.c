/*
 * guest-pv/xenstore/ transactions and quotas: a private view (changes
 * unseen outside until commit, reads inside see them), commit and abort,
 * EAGAIN when a node the transaction read or wrote changed underneath it,
 * watches firing only at commit, hostile transaction ids, and each quota
 * with the error Xen gives (dom0 exempt).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xs_fixture.h"

CHECK_SUITE("xenstore_tx");

static bool eq(const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return true;
    printf("  got \"%s\", want \"%s\"\n", got, want);
    return false;
}

#define EXPECT(name, got, want) CHECK(name, eq((got), (want)))

static void home(uint16_t dom)
{
    char path[64], perm[16];
    snprintf(path, sizeof(path), "/local/domain/%u", dom);
    snprintf(perm, sizeof(perm), "n%u", dom);
    xs_fx(0, XS_MKDIR, 0, path, NULL);
    xs_fx(0, XS_SET_PERMS, 0, path, perm, NULL);
}

static void fresh(const struct xs_quota *q)
{
    xs_fx_init(1u << 20, q, NULL);
    home(5);
    home(6);
}

static const char *end(uint16_t dom, uint32_t tx, const char *how)
{
    return xs_fx(dom, XS_TRANSACTION_END, tx, how, NULL);
}

static void test_view(void)
{
    fresh(NULL);
    xs_write(0, 0, "/t/a", "1");
    xs_write(0, 0, "/t/b", "2");
    xs_write(0, 0, "/r/x/old", "o");
    uint32_t tx = xs_start(0);
    CHECK("start", tx != 0);
    const struct xs_msg *m = xs_fx_reply();
    CHECK("start-reply", m && m->hdr.type == XS_TRANSACTION_START && m->hdr.tx_id == 0 &&
                             m->hdr.len == strlen(m->payload) + 1);
    EXPECT("tx-read", xs_read(0, tx, "/t/a"), "1");
    m = xs_fx_reply();
    CHECK("tx-reply-echoes", m && m->hdr.tx_id == tx);
    EXPECT("tx-write", xs_write(0, tx, "/t/a", "10"), "OK");
    EXPECT("tx-sees-own", xs_read(0, tx, "/t/a"), "10");
    EXPECT("outside-unchanged", xs_read(0, 0, "/t/a"), "1");
    EXPECT("tx-create", xs_write(0, tx, "/t/c/d", "3"), "OK");
    EXPECT("tx-create-read", xs_read(0, tx, "/t/c/d"), "3");
    EXPECT("tx-create-parent", xs_read(0, tx, "/t/c"), "");
    EXPECT("outside-no-create", xs_read(0, 0, "/t/c"), "!ENOENT");
    EXPECT("tx-dir", xs_fx(0, XS_DIRECTORY, tx, "/t", NULL), "a|b|c");
    EXPECT("outside-dir", xs_fx(0, XS_DIRECTORY, 0, "/t", NULL), "a|b");
    EXPECT("tx-rm", xs_fx(0, XS_RM, tx, "/t/b", NULL), "OK");
    EXPECT("tx-rm-gone", xs_read(0, tx, "/t/b"), "!ENOENT");
    EXPECT("tx-rm-dir", xs_fx(0, XS_DIRECTORY, tx, "/t", NULL), "a|c");
    EXPECT("outside-rm-unseen", xs_read(0, 0, "/t/b"), "2");
    EXPECT("tx-set-perms", xs_fx(0, XS_SET_PERMS, tx, "/t/a", "n0", "r5", NULL), "OK");
    EXPECT("tx-get-perms", xs_fx(0, XS_GET_PERMS, tx, "/t/a", NULL), "n0|r5");
    EXPECT("outside-perms", xs_fx(0, XS_GET_PERMS, 0, "/t/a", NULL), "n0");
    EXPECT("tx-mkdir", xs_fx(0, XS_MKDIR, tx, "/t/e", NULL), "OK");
    const char *part = xs_fx(0, XS_DIRECTORY_PART, tx, "/t", "0", NULL);
    CHECK("tx-part", strlen(part) > 7 && strcmp(part + strlen(part) - 7, "|a|c|e|") == 0);

    /* rm then re-create: the old children stay gone. */
    EXPECT("rm-recreate-rm", xs_fx(0, XS_RM, tx, "/r/x", NULL), "OK");
    EXPECT("rm-recreate-write", xs_write(0, tx, "/r/x/new", "n"), "OK");
    EXPECT("rm-recreate-dir", xs_fx(0, XS_DIRECTORY, tx, "/r/x", NULL), "new");
    EXPECT("rm-recreate-old", xs_read(0, tx, "/r/x/old"), "!ENOENT");
    EXPECT("rm-recreate-rm-again", xs_fx(0, XS_RM, tx, "/r/x/new", NULL), "OK");
    EXPECT("rm-recreate-empty", xs_fx(0, XS_DIRECTORY, tx, "/r/x", NULL), "");

    /* Watches hear nothing until the commit, then each change. */
    xs_fx(6, XS_WATCH, 0, "/t", "w", NULL);     /* 6 may not read /t: silent throughout */
    xs_fx(0, XS_WATCH, 0, "/t", "w", NULL);
    xs_fx(0, XS_WATCH, 0, "/r", "wr", NULL);
    xs_write(0, tx, "/t/a", "11");
    CHECK("tx-watch-silent", xs_fx_events(0) == 0);
    EXPECT("commit", end(0, tx, "T"), "OK");
    CHECK("commit-events", xs_fx_event(0, "/t/a", "w") && xs_fx_event(0, "/t/b", "w") &&
                               xs_fx_event(0, "/t/c", "w") && xs_fx_event(0, "/t/c/d", "w") &&
                               xs_fx_event(0, "/t/e", "w") && xs_fx_event(0, "/r/x", "wr") &&
                               xs_fx_events(6) == 0);
    m = xs_fx_reply();
    CHECK("commit-reply-echoes", m && m->hdr.tx_id == tx && m->hdr.type == XS_TRANSACTION_END);
    EXPECT("committed-a", xs_read(0, 0, "/t/a"), "11");
    EXPECT("committed-b", xs_read(0, 0, "/t/b"), "!ENOENT");
    EXPECT("committed-d", xs_read(0, 0, "/t/c/d"), "3");
    EXPECT("committed-perms", xs_fx(0, XS_GET_PERMS, 0, "/t/a", NULL), "n0|r5");
    EXPECT("committed-dir", xs_fx(0, XS_DIRECTORY, 0, "/t", NULL), "a|c|e");
    EXPECT("committed-rm-recreate", xs_fx(0, XS_DIRECTORY, 0, "/r/x", NULL), "");
    EXPECT("ended", xs_read(0, tx, "/t/a"), "!ENOENT");

    tx = xs_start(0);
    xs_write(0, tx, "/t/a", "aborted");
    xs_fx(0, XS_RM, tx, "/t/c", NULL);
    EXPECT("abort", end(0, tx, "F"), "OK");
    CHECK("abort-silent", xs_fx_events(0) == 0);
    EXPECT("aborted-a", xs_read(0, 0, "/t/a"), "11");
    EXPECT("aborted-c", xs_read(0, 0, "/t/c/d"), "3");
}

static void test_conflicts(void)
{
    fresh(NULL);
    xs_write(0, 0, "/c/a", "1");
    xs_write(0, 0, "/c/b", "1");

    uint32_t tx = xs_start(0);
    xs_read(0, tx, "/c/a");
    xs_write(0, tx, "/c/b", "tx");
    xs_write(0, 0, "/c/a", "other");
    EXPECT("read-then-changed", end(0, tx, "T"), "!EAGAIN");
    EXPECT("conflict-not-applied", xs_read(0, 0, "/c/b"), "1");
    EXPECT("conflict-ends-tx", end(0, tx, "T"), "!ENOENT");

    tx = xs_start(0);
    xs_write(0, tx, "/c/b", "tx");
    xs_write(0, 0, "/c/b", "other");
    EXPECT("write-write", end(0, tx, "T"), "!EAGAIN");
    EXPECT("write-write-other-wins", xs_read(0, 0, "/c/b"), "other");

    tx = xs_start(0);
    xs_write(0, 0, "/c/a", "before-first-look");
    xs_read(0, tx, "/c/a");
    EXPECT("changed-after-start", end(0, tx, "T"), "!EAGAIN");

    tx = xs_start(0);
    xs_read(0, tx, "/c/new");
    xs_write(0, 0, "/c/new", "appeared");
    EXPECT("absent-then-created", end(0, tx, "T"), "!EAGAIN");

    tx = xs_start(0);
    xs_read(0, tx, "/c/a");
    xs_fx(0, XS_RM, 0, "/c/a", NULL);
    EXPECT("read-then-removed", end(0, tx, "T"), "!EAGAIN");

    tx = xs_start(0);
    xs_write(0, tx, "/c/x/y", "1");
    xs_write(0, 0, "/c/z", "sibling");
    EXPECT("create-parent-changed", end(0, tx, "T"), "!EAGAIN");

    tx = xs_start(0);
    xs_fx(0, XS_DIRECTORY, tx, "/c", NULL);
    xs_fx(0, XS_MKDIR, 0, "/c/q", NULL);
    EXPECT("dir-then-child", end(0, tx, "T"), "!EAGAIN");

    tx = xs_start(0);
    xs_fx(0, XS_GET_PERMS, tx, "/c/b", NULL);
    xs_fx(0, XS_SET_PERMS, 0, "/c/b", "n0", "r6", NULL);
    EXPECT("perms-changed", end(0, tx, "T"), "!EAGAIN");

    /* Changes elsewhere do not conflict. */
    tx = xs_start(0);
    xs_read(0, tx, "/c/a2");
    xs_write(0, tx, "/c/b", "mine");
    xs_write(0, 0, "/elsewhere", "x");
    xs_write(0, 0, "/c/q/deep", "x");
    EXPECT("unrelated", end(0, tx, "T"), "OK");
    EXPECT("unrelated-applied", xs_read(0, 0, "/c/b"), "mine");
    EXPECT("unrelated-kept", xs_read(0, 0, "/c/q/deep"), "x");

    /* Two transactions on one node: the first commit wins. */
    uint32_t t1 = xs_start(0), t2 = xs_start(5);
    CHECK("distinct-ids", t1 && t2 && t1 != t2);
    xs_write(5, t2, "n", "five");
    xs_read(0, t1, "/local/domain/5/n");
    xs_write(0, t1, "/local/domain/5/n", "zero");
    EXPECT("first-commit", end(5, t2, "T"), "OK");
    EXPECT("second-commit", end(0, t1, "T"), "!EAGAIN");
    EXPECT("first-wins", xs_read(0, 0, "/local/domain/5/n"), "five");
}

static void test_ids(void)
{
    fresh(NULL);
    uint32_t tx = xs_start(5);
    EXPECT("unknown-id", xs_read(5, tx + 100, "n"), "!ENOENT");
    EXPECT("others-id", xs_read(6, tx, "/local/domain/6"), "!ENOENT");
    EXPECT("others-end", end(6, tx, "T"), "!ENOENT");
    EXPECT("end-no-tx", end(5, 0, "T"), "!ENOENT");
    EXPECT("end-bad-arg", end(5, tx, "X"), "!EINVAL");
    EXPECT("end-long-arg", end(5, tx, "TT"), "!EINVAL");
    EXPECT("end-empty-arg", end(5, tx, ""), "!EINVAL");
    xs_fx_raw(5, XS_TRANSACTION_END, tx, "T", 1);
    EXPECT("end-unterminated", xs_fx_text(xs_fx_reply()), "!EINVAL");
    EXPECT("start-in-tx", xs_fx(5, XS_TRANSACTION_START, tx, "", NULL), "!EBUSY");
    EXPECT("start-bad-tx", xs_fx(5, XS_TRANSACTION_START, 0xdeadbeef, "", NULL), "!ENOENT");
    EXPECT("still-open", xs_write(5, tx, "n", "1"), "OK");
    EXPECT("domu-tx-perms", xs_read(5, tx, "/local/domain/6"), "!EACCES");
    EXPECT("domu-tx-write-others", xs_write(5, tx, "/local/domain/6/x", "1"), "!EACCES");
    EXPECT("domu-tx-owner", xs_fx(5, XS_GET_PERMS, tx, "n", NULL), "n5");
    EXPECT("domu-commit", end(5, tx, "T"), "OK");
    EXPECT("domu-committed", xs_read(5, 0, "n"), "1");
    tx = xs_start(5);
    xs_write(5, tx, "m", "1");
    EXPECT("reset-ends-tx", xs_fx(5, XS_RESET_WATCHES, 0, "", NULL), "OK");
    EXPECT("reset-ended", end(5, tx, "T"), "!ENOENT");
    EXPECT("reset-dropped", xs_read(5, 0, "m"), "!ENOENT");
}

static void test_quotas(void)
{
    struct xs_quota q = xs_default_quota;
    q.nodes = 8;
    q.transactions = 3;
    q.node_size = 16;
    q.perms = 3;
    q.tx_nodes = 12;
    q.memory = 64 * 1024;
    fresh(&q);

    /* Nodes a domain owns: /local/domain/5 is one, so seven more. */
    EXPECT("nodes-7", xs_write(5, 0, "a/b/c/d/e/f/g", "x"), "OK");
    EXPECT("nodes-over", xs_write(5, 0, "h", "x"), "!ENOSPC");
    EXPECT("nodes-over-nothing-made", xs_read(5, 0, "h"), "!ENOENT");
    EXPECT("nodes-chain-all-or-none", xs_write(5, 0, "a/b/c/d/e/f/g/h/i", "x"), "!ENOSPC");
    EXPECT("nodes-chain-none", xs_read(5, 0, "a/b/c/d/e/f/g/h"), "!ENOENT");
    EXPECT("nodes-overwrite-ok", xs_write(5, 0, "a/b", "y"), "OK");
    EXPECT("nodes-dom0-free", xs_write(0, 0, "/z/1/2/3/4/5/6/7/8/9", "x"), "OK");
    EXPECT("nodes-dom0-in-home", xs_write(0, 0, "/local/domain/5/by0", "x"), "OK");
    EXPECT("nodes-rm", xs_fx(5, XS_RM, 0, "a/b/c", NULL), "OK");
    EXPECT("nodes-room", xs_write(5, 0, "h", "x"), "OK");

    /* ...and inside a transaction, counted when made and checked at commit. */
    uint32_t tx = xs_start(5);
    EXPECT("tx-nodes-ok", xs_write(5, tx, "t1", "x"), "OK");
    EXPECT("tx-nodes-over", xs_write(5, tx, "t2/t3/t4", "x"), "!ENOSPC");
    EXPECT("tx-nodes-commit", end(5, tx, "T"), "OK");
    tx = xs_start(5);
    xs_fx(5, XS_RM, tx, "t1", NULL);
    xs_write(5, tx, "u1", "x");
    EXPECT("tx-rm-make-room", end(5, tx, "T"), "OK");
    /* 6 nodes now; a transaction takes 2 while it may, then the domain takes 1. */
    uint32_t tx2 = xs_start(5);
    EXPECT("tx-two-more", xs_write(5, tx2, "a/v1/v2", "x"), "OK");
    EXPECT("outside-one-more", xs_write(5, 0, "w1", "x"), "OK");
    EXPECT("tx-commit-quota", end(5, tx2, "T"), "!ENOSPC");
    EXPECT("tx-commit-quota-none", xs_read(5, 0, "a/v1"), "!ENOENT");
    xs_fx(5, XS_RM, 0, "w1", NULL);

    /* Value size: ENOSPC past node_size (dom0 exempt). */
    EXPECT("size-max", xs_write(5, 0, "h", "0123456789abcdef"), "OK");
    EXPECT("size-over", xs_write(5, 0, "h", "0123456789abcdefX"), "!ENOSPC");
    EXPECT("size-over-unchanged", xs_read(5, 0, "h"), "0123456789abcdef");
    EXPECT("size-dom0", xs_write(0, 0, "/local/domain/5/h", "0123456789abcdefX"), "OK");

    /* Permission entries. */
    EXPECT("perms-max", xs_fx(5, XS_SET_PERMS, 0, "h", "n5", "r6", "r7", NULL), "OK");
    EXPECT("perms-over", xs_fx(5, XS_SET_PERMS, 0, "h", "n5", "r6", "r7", "r8", NULL),
           "!ENOSPC");
    EXPECT("perms-dom0", xs_fx(0, XS_SET_PERMS, 0, "/local/domain/5/h", "n5", "r6", "r7", "r8",
                               "r9", NULL), "OK");

    /* Open transactions. */
    uint32_t t[4];
    for (int i = 0; i < 3; i++)
        t[i] = xs_start(6);
    CHECK("tx-quota-3", t[0] && t[1] && t[2]);
    EXPECT("tx-quota-over", xs_fx(6, XS_TRANSACTION_START, 0, "", NULL), "!ENOSPC");
    end(6, t[1], "F");
    t[3] = xs_start(6);
    CHECK("tx-quota-room", t[3] != 0);
    for (int i = 0; i < 5; i++)
        CHECK("tx-quota-dom0", xs_start(0) != 0);

    /* Paths one transaction may touch. */
    tx = xs_start(5);
    char path[32];
    const char *last = "";
    for (int i = 0; i < 14; i++) {
        snprintf(path, sizeof(path), "p%d", i);
        last = xs_read(5, tx, path);
        if (last[0] == '!' && strcmp(last, "!ENOENT") != 0)
            break;
    }
    EXPECT("tx-paths-over", last, "!ENOSPC");
    EXPECT("tx-paths-end", end(5, tx, "F"), "OK");

    /* Memory: every byte a domain holds is charged to it; ENOMEM past the quota. */
    q = xs_default_quota;
    q.memory = 4096;
    q.node_size = 4096;
    fresh(&q);
    static char big[3000];
    memset(big, 'v', sizeof(big) - 1);
    EXPECT("memory-one", xs_write(5, 0, "m1", big), "OK");
    EXPECT("memory-over", xs_write(5, 0, "m2", big), "!ENOMEM");
    EXPECT("memory-over-none", xs_read(5, 0, "m2"), "!ENOENT");
    EXPECT("memory-replace-over", xs_write(5, 0, "m1", big), "!ENOMEM");
    EXPECT("memory-free", xs_fx(5, XS_RM, 0, "m1", NULL), "OK");
    EXPECT("memory-room", xs_write(5, 0, "m2", big), "OK");
    EXPECT("memory-watch", xs_fx(5, XS_WATCH, 0, "w", big, NULL), "!ENOMEM");
    EXPECT("memory-dom0", xs_write(0, 0, "/local/domain/5/m3", big), "OK");
    CHECK("memory-accounted", xs_check(&xs_fx_store) == 0);

    /* The whole arena: a small one runs out for dom0 too, and nothing leaks. */
    xs_fx_init(64 * 1024, NULL, NULL);
    size_t before = xs_pool_free_bytes(&xs_fx_store.pool);
    const char *r = "OK";
    int i;
    for (i = 0; i < 1000 && strcmp(r, "OK") == 0; i++) {
        snprintf(path, sizeof(path), "/fill/%d", i);
        r = xs_write(0, 0, path, big);
    }
    EXPECT("arena-full", r, "!ENOMEM");
    CHECK("arena-full-count", i > 5 && i < 30);
    EXPECT("arena-rm", xs_fx(0, XS_RM, 0, "/fill", NULL), "OK");
    CHECK("arena-no-leak", xs_pool_free_bytes(&xs_fx_store.pool) == before);
}

int main(void)
{
    test_view();
    test_conflicts();
    test_ids();
    test_quotas();
    CHECK("invariants-held", xs_fx_check_failures == 0);
    CHECK_DONE();
}
