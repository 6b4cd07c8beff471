/*
 * guest-pv/xenstore/ watches: the event at registration, events on every
 * change at or below the path (writes, creation, removal of the node or of
 * an ancestor, permission changes), relative paths, permission filtering,
 * the special @introduceDomain/@releaseDomain paths, UNWATCH and
 * RESET_WATCHES.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xs_fixture.h"

CHECK_SUITE("xenstore_watch");

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

static void fresh(void)
{
    xs_fx_init(1u << 20, NULL, NULL);
    home(5);
    home(6);
}

static void test_basic(void)
{
    fresh();
    EXPECT("watch", xs_fx(0, XS_WATCH, 0, "/w", "tok", NULL), "OK");
    CHECK("fires-at-once", xs_fx_nout == 2 && xs_fx_out[0].hdr.type == XS_WATCH &&
                               xs_fx_event(0, "/w", "tok"));
    CHECK("event-after-reply", xs_fx_out[1].hdr.type == XS_WATCH_EVENT);
    EXPECT("watch-missing-ok", xs_fx(0, XS_WATCH, 0, "/w2/x", "t2", NULL), "OK");

    xs_write(0, 0, "/w", "1");
    CHECK("write-fires", xs_fx_events(0) == 1 && xs_fx_event(0, "/w", "tok"));
    xs_write(0, 0, "/w/a/b", "1");
    CHECK("below-fires", xs_fx_events(0) == 1 && xs_fx_event(0, "/w/a/b", "tok"));
    xs_write(0, 0, "/wx", "1");
    CHECK("sibling-prefix-silent", xs_fx_events(0) == 0);
    xs_write(0, 0, "/other", "1");
    CHECK("elsewhere-silent", xs_fx_events(0) == 0);
    xs_fx(0, XS_MKDIR, 0, "/w/a", NULL);
    CHECK("mkdir-existing-silent", xs_fx_events(0) == 0);
    xs_fx(0, XS_MKDIR, 0, "/w/m", NULL);
    CHECK("mkdir-fires", xs_fx_events(0) == 1 && xs_fx_event(0, "/w/m", "tok"));
    xs_fx(0, XS_SET_PERMS, 0, "/w/m", "n0", "r5", NULL);
    CHECK("set-perms-fires", xs_fx_events(0) == 1 && xs_fx_event(0, "/w/m", "tok"));
    xs_fx(0, XS_RM, 0, "/w/a", NULL);
    CHECK("rm-fires", xs_fx_events(0) == 1 && xs_fx_event(0, "/w/a", "tok"));
    xs_fx(0, XS_RM, 0, "/w/a", NULL);
    CHECK("rm-absent-silent", xs_fx_events(0) == 0);

    /* An ancestor's removal names the watch's own path (existing or not). */
    xs_write(0, 0, "/w2/x/y", "1");
    CHECK("w2-create", xs_fx_event(0, "/w2/x/y", "t2"));
    xs_fx(0, XS_RM, 0, "/w2", NULL);
    CHECK("rm-ancestor", xs_fx_events(0) == 1 && xs_fx_event(0, "/w2/x", "t2"));
    xs_fx(0, XS_WATCH, 0, "/", "root", NULL);
    xs_write(0, 0, "/anything", "1");
    CHECK("root-watch", xs_fx_event(0, "/anything", "root") && !xs_fx_event(0, "/anything", "tok"));

    /* Two watches on one path with different tokens both fire. */
    xs_fx(0, XS_WATCH, 0, "/w", "tok2", NULL);
    xs_write(0, 0, "/w", "2");
    CHECK("two-tokens", xs_fx_event(0, "/w", "tok") && xs_fx_event(0, "/w", "tok2"));

    EXPECT("duplicate", xs_fx(0, XS_WATCH, 0, "/w", "tok", NULL), "!EEXIST");
    EXPECT("unwatch", xs_fx(0, XS_UNWATCH, 0, "/w", "tok", NULL), "OK");
    xs_write(0, 0, "/w", "3");
    CHECK("unwatched", !xs_fx_event(0, "/w", "tok") && xs_fx_event(0, "/w", "tok2"));
    EXPECT("unwatch-again", xs_fx(0, XS_UNWATCH, 0, "/w", "tok", NULL), "!ENOENT");
    EXPECT("unwatch-other-token", xs_fx(0, XS_UNWATCH, 0, "/w", "nope", NULL), "!ENOENT");
    EXPECT("unwatch-not-mine", xs_fx(5, XS_UNWATCH, 0, "/w", "tok2", NULL), "!ENOENT");

    EXPECT("watch-bad-path", xs_fx(0, XS_WATCH, 0, "/a//b", "t", NULL), "!EINVAL");
    EXPECT("watch-no-token", xs_fx(0, XS_WATCH, 0, "/a", NULL), "!EINVAL");
    EXPECT("watch-reserved-arg", xs_fx(0, XS_WATCH, 0, "/r", "t", "", NULL), "OK");
    EXPECT("watch-too-many-args", xs_fx(0, XS_WATCH, 0, "/r", "t", "", "", NULL), "!EINVAL");
    EXPECT("watch-empty-token", xs_fx(0, XS_WATCH, 0, "/e", "", NULL), "OK");
    CHECK("empty-token-event", xs_fx_event(0, "/e", ""));
    EXPECT("watch-ignores-tx", xs_fx(0, XS_WATCH, 12345, "/tx", "t", NULL), "OK");

    EXPECT("reset", xs_fx(0, XS_RESET_WATCHES, 0, "", NULL), "OK");
    xs_write(0, 0, "/w", "4");
    CHECK("reset-silent", xs_fx_events(0) == 0);
    EXPECT("reset-unwatch", xs_fx(0, XS_UNWATCH, 0, "/w", "tok2", NULL), "!ENOENT");
}

static void test_domu(void)
{
    fresh();
    /* Relative watches hear relative paths. */
    EXPECT("rel-watch", xs_fx(5, XS_WATCH, 0, "device", "d", NULL), "OK");
    CHECK("rel-first", xs_fx_event(5, "device", "d"));
    xs_write(5, 0, "device/vif/0", "x");
    CHECK("rel-event", xs_fx_event(5, "device/vif/0", "d"));
    xs_write(0, 0, "/local/domain/5/device/vbd", "x");
    CHECK("rel-event-by-dom0", xs_fx_event(5, "device/vbd", "d") && xs_fx_events(5) == 1);
    xs_fx(0, XS_RM, 0, "/local/domain/5", NULL);
    CHECK("rel-ancestor-rm", xs_fx_event(5, "device", "d"));
    home(5);
    EXPECT("abs-watch", xs_fx(5, XS_WATCH, 0, "/local/domain/5/device", "a", NULL), "OK");
    xs_write(5, 0, "device/x", "1");
    CHECK("abs-event", xs_fx_event(5, "/local/domain/5/device/x", "a") &&
                           xs_fx_event(5, "device/x", "d"));

    /* Watching is allowed anywhere; events only for what the watcher may read. */
    EXPECT("watch-others", xs_fx(6, XS_WATCH, 0, "/local/domain/5", "spy", NULL), "OK");
    CHECK("watch-others-first", xs_fx_event(6, "/local/domain/5", "spy"));
    xs_write(5, 0, "secret", "s");
    CHECK("unreadable-silent", xs_fx_events(6) == 0 && xs_fx_events(5) == 0);
    xs_fx(5, XS_SET_PERMS, 0, "secret", "n5", "r6", NULL);
    CHECK("readable-after-perms", xs_fx_event(6, "/local/domain/5/secret", "spy"));
    xs_write(5, 0, "secret", "t");
    CHECK("readable-write", xs_fx_event(6, "/local/domain/5/secret", "spy"));
    xs_fx(5, XS_SET_PERMS, 0, "secret", "n5", NULL);
    CHECK("perms-revoked-still-told", xs_fx_event(6, "/local/domain/5/secret", "spy"));
    xs_write(5, 0, "secret", "u");
    CHECK("revoked-silent", xs_fx_events(6) == 0);
    xs_fx(5, XS_SET_PERMS, 0, "secret", "n5", "r6", NULL);
    xs_fx(5, XS_RM, 0, "secret", NULL);
    CHECK("rm-readable", xs_fx_event(6, "/local/domain/5/secret", "spy"));
    xs_write(0, 0, "/local/domain/5/dom0only", "x");
    CHECK("dom0-sees-all", xs_fx_events(6) == 0);

    /* A watcher's quota of watches: E2BIG (dom0 has none). */
    struct xs_quota q = xs_default_quota;
    q.watches = 3;
    xs_fx_init(1u << 20, &q, NULL);
    EXPECT("quota-1", xs_fx(5, XS_WATCH, 0, "a", "1", NULL), "OK");
    EXPECT("quota-2", xs_fx(5, XS_WATCH, 0, "a", "2", NULL), "OK");
    EXPECT("quota-3", xs_fx(5, XS_WATCH, 0, "a", "3", NULL), "OK");
    EXPECT("quota-over", xs_fx(5, XS_WATCH, 0, "a", "4", NULL), "!E2BIG");
    EXPECT("quota-other-domain", xs_fx(6, XS_WATCH, 0, "a", "4", NULL), "OK");
    EXPECT("quota-unwatch", xs_fx(5, XS_UNWATCH, 0, "a", "3", NULL), "OK");
    EXPECT("quota-room-again", xs_fx(5, XS_WATCH, 0, "a", "5", NULL), "OK");
    for (int i = 0; i < 10; i++)
        xs_fx(0, XS_WATCH, 0, "/x", (const char[]){ (char)('a' + i), 0 }, NULL);
    EXPECT("quota-dom0-free", xs_fx(0, XS_WATCH, 0, "/x", "z", NULL), "OK");
}

static void test_special(void)
{
    fresh();
    EXPECT("watch-introduce", xs_fx(0, XS_WATCH, 0, "@introduceDomain", "i", NULL), "OK");
    CHECK("introduce-first", xs_fx_event(0, "@introduceDomain", "i"));
    EXPECT("watch-release", xs_fx(0, XS_WATCH, 0, "@releaseDomain", "r", NULL), "OK");
    EXPECT("domu-watch-release", xs_fx(5, XS_WATCH, 0, "@releaseDomain", "r5", NULL), "OK");
    CHECK("domu-release-first", xs_fx_event(5, "@releaseDomain", "r5"));
    EXPECT("watch-special-other", xs_fx(0, XS_WATCH, 0, "@custom", "c", NULL), "OK");
    EXPECT("watch-special-slash", xs_fx(0, XS_WATCH, 0, "@a/b", "c", NULL), "!EINVAL");
    EXPECT("watch-special-bare", xs_fx(0, XS_WATCH, 0, "@", "c", NULL), "!EINVAL");

    xs_write(0, 0, "/local/domain/7/x", "1");
    CHECK("nodes-not-special", xs_fx_events(0) == 0);
    xs_fx(0, XS_INTRODUCE, 0, "7", "1", "2", NULL);
    CHECK("introduce-event", xs_fx_events(0) == 1 && xs_fx_event(0, "@introduceDomain", "i"));
    CHECK("introduce-not-domu", xs_fx_events(5) == 0);
    xs_fx(0, XS_RELEASE, 0, "7", NULL);
    CHECK("release-event", xs_fx_events(0) == 1 && xs_fx_event(0, "@releaseDomain", "r"));
    CHECK("release-domu-unreadable", xs_fx_events(5) == 0);

    /* The special node's permissions decide who hears it. */
    EXPECT("special-perms", xs_fx(0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r5", NULL), "OK");
    EXPECT("special-perms-get", xs_fx(5, XS_GET_PERMS, 0, "@releaseDomain", NULL), "n0|r5");
    EXPECT("special-perms-domu", xs_fx(5, XS_SET_PERMS, 0, "@releaseDomain", "n5", NULL),
           "!EACCES");
    xs_fx(0, XS_INTRODUCE, 0, "7", "1", "2", NULL);
    xs_fx(0, XS_RELEASE, 0, "7", NULL);
    CHECK("release-domu-granted", xs_fx_event(5, "@releaseDomain", "r5"));
    xs_domain_gone(&xs_fx_store, 8, NULL, NULL);
    CHECK("gone-quiet-without-out", xs_check(&xs_fx_store) == 0);

    /* Release drops the released domain's watches and transactions. */
    xs_fx(0, XS_INTRODUCE, 0, "6", "1", "2", NULL);
    xs_fx(6, XS_WATCH, 0, "x", "6", NULL);
    uint32_t tx = xs_start(6);
    xs_fx(0, XS_RELEASE, 0, "6", NULL);
    EXPECT("release-dropped-watch", xs_fx(6, XS_UNWATCH, 0, "x", "6", NULL), "!ENOENT");
    EXPECT("release-dropped-tx", xs_fx(6, XS_TRANSACTION_END, tx, "T", NULL), "!ENOENT");
}

int main(void)
{
    test_basic();
    test_domu();
    test_special();
    CHECK("invariants-held", xs_fx_check_failures == 0);
    CHECK_DONE();
}
