/*
 * guest-pv/xenstore/ on the host: every request type, valid and invalid,
 * paths, permissions as Xen enforces them, the domain calls and the
 * payload limit. Each request is followed by the store's own invariant
 * check (tree links, per-domain accounting against the pool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xs_fixture.h"

CHECK_SUITE("xenstore_ops");

#define ARENA (1u << 20)

static bool eq(const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return true;
    printf("  got \"%s\", want \"%s\"\n", got, want);
    return false;
}

#define EXPECT(name, got, want) CHECK(name, eq((got), (want)))

/* /local/domain/<dom>, owned by dom (others: no access), as a toolstack makes it. */
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
    xs_fx_init(ARENA, NULL, NULL);
    home(5);
    home(6);
}

static void test_read_write(void)
{
    fresh();
    EXPECT("root-dom0", xs_read(0, 0, "/"), "");
    EXPECT("root-domu", xs_read(5, 0, "/"), "!EACCES");
    EXPECT("write", xs_write(0, 0, "/a/b/c", "hello"), "OK");
    EXPECT("read", xs_read(0, 0, "/a/b/c"), "hello");
    EXPECT("parents-made", xs_read(0, 0, "/a/b"), "");
    EXPECT("dir-parent", xs_fx(0, XS_DIRECTORY, 0, "/a", NULL), "b");
    EXPECT("overwrite", xs_write(0, 0, "/a/b/c", "x"), "OK");
    EXPECT("read-2", xs_read(0, 0, "/a/b/c"), "x");
    EXPECT("empty-value", xs_write(0, 0, "/a/b/c", ""), "OK");
    EXPECT("read-empty", xs_read(0, 0, "/a/b/c"), "");
    EXPECT("read-missing", xs_read(0, 0, "/a/nope"), "!ENOENT");

    /* Values are bytes: NULs inside come back as written, nothing added. */
    static const char bin[] = "/bin\0a\0b\0";
    xs_fx_raw(0, XS_WRITE, 0, bin, sizeof(bin) - 1);
    EXPECT("write-binary", xs_fx_text(xs_fx_reply()), "OK");
    xs_fx_raw(0, XS_READ, 0, "/bin", 5);
    const struct xs_msg *m = xs_fx_reply();
    CHECK("read-binary", m && m->hdr.type == XS_READ && m->hdr.len == 4 &&
                             memcmp(m->payload, "a\0b\0", 4) == 0);
    CHECK("reply-echoes-ids", m && m->hdr.tx_id == 0 && m->hdr.req_id != 0);

    xs_fx_raw(0, XS_WRITE, 0, "/nonul", 6);
    EXPECT("write-no-nul", xs_fx_text(xs_fx_reply()), "!EINVAL");
    xs_fx_raw(0, XS_READ, 0, "/a", 2);
    EXPECT("read-unterminated", xs_fx_text(xs_fx_reply()), "!EINVAL");
    xs_fx_raw(0, XS_READ, 0, "/a\0/b", 5);
    EXPECT("read-two-args", xs_fx_text(xs_fx_reply()), "!EINVAL");
    xs_fx_raw(0, XS_READ, 0, "", 0);
    EXPECT("read-empty-payload", xs_fx_text(xs_fx_reply()), "!EINVAL");
    xs_fx_raw(0, XS_READ, 0, "/a\0\0", 4);
    EXPECT("read-extra-nul", xs_fx_text(xs_fx_reply()), "!EINVAL");
}

static void test_mkdir_rm(void)
{
    fresh();
    EXPECT("mkdir", xs_fx(0, XS_MKDIR, 0, "/m/n", NULL), "OK");
    EXPECT("mkdir-made", xs_read(0, 0, "/m/n"), "");
    xs_write(0, 0, "/m/n", "keep");
    EXPECT("mkdir-existing", xs_fx(0, XS_MKDIR, 0, "/m/n", NULL), "OK");
    EXPECT("mkdir-keeps-value", xs_read(0, 0, "/m/n"), "keep");

    xs_write(0, 0, "/m/n/o/p", "1");
    xs_write(0, 0, "/m/q", "2");
    EXPECT("rm", xs_fx(0, XS_RM, 0, "/m/n", NULL), "OK");
    EXPECT("rm-gone", xs_read(0, 0, "/m/n"), "!ENOENT");
    EXPECT("rm-recursive", xs_read(0, 0, "/m/n/o/p"), "!ENOENT");
    EXPECT("rm-sibling-stays", xs_read(0, 0, "/m/q"), "2");
    EXPECT("rm-absent-parent-there", xs_fx(0, XS_RM, 0, "/m/n", NULL), "OK");
    EXPECT("rm-absent-no-parent", xs_fx(0, XS_RM, 0, "/m/n/o", NULL), "!ENOENT");
    EXPECT("rm-root", xs_fx(0, XS_RM, 0, "/", NULL), "!EINVAL");
    EXPECT("mkdir-bad", xs_fx(0, XS_MKDIR, 0, "/m//x", NULL), "!EINVAL");
}

static void test_directory(void)
{
    fresh();
    xs_write(0, 0, "/d/one", "1");
    xs_write(0, 0, "/d/two", "2");
    xs_write(0, 0, "/d/three/deep", "3");
    EXPECT("dir", xs_fx(0, XS_DIRECTORY, 0, "/d", NULL), "one|two|three");
    EXPECT("dir-leaf", xs_fx(0, XS_DIRECTORY, 0, "/d/one", NULL), "");
    EXPECT("dir-missing", xs_fx(0, XS_DIRECTORY, 0, "/nope", NULL), "!ENOENT");
    EXPECT("dir-root", xs_fx(0, XS_DIRECTORY, 0, "/", NULL), "local|d");

    /* DIRECTORY_PART: "<gen>\0" then children from the byte offset, "\0" at the end. */
    xs_fx(0, XS_DIRECTORY_PART, 0, "/d", "0", NULL);
    const struct xs_msg *m = xs_fx_reply();
    size_t glen = m ? strlen(m->payload) : 0;
    CHECK("part-gen", m && glen > 0 && strspn(m->payload, "0123456789") == glen);
    CHECK("part-all", m && m->hdr.len == glen + 1 + 14 + 1 &&
                          memcmp(m->payload + glen + 1, "one\0two\0three\0\0", 15) == 0);
    xs_fx(0, XS_DIRECTORY_PART, 0, "/d", "4", NULL);
    m = xs_fx_reply();
    CHECK("part-offset", m && memcmp(m->payload + glen + 1, "two\0three\0\0", 11) == 0);
    xs_fx(0, XS_DIRECTORY_PART, 0, "/d", "100", NULL);
    m = xs_fx_reply();
    CHECK("part-past-end", m && m->hdr.len == glen + 2 && m->payload[glen + 1] == '\0');
    EXPECT("part-bad-offset", xs_fx(0, XS_DIRECTORY_PART, 0, "/d", "x1", NULL), "!EINVAL");
    EXPECT("part-one-arg", xs_fx(0, XS_DIRECTORY_PART, 0, "/d", NULL), "!EINVAL");
    EXPECT("part-missing", xs_fx(0, XS_DIRECTORY_PART, 0, "/zz", "0", NULL), "!ENOENT");

    /* A listing above the payload limit: E2BIG, then DIRECTORY_PART in windows. */
    char path[64], name[64];
    size_t total = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "/big/child-with-a-long-name-%03d", i);
        xs_fx(0, XS_MKDIR, 0, path, NULL);
        total += strlen(path) - 5 + 1;
    }
    EXPECT("dir-e2big", xs_fx(0, XS_DIRECTORY, 0, "/big", NULL), "!E2BIG");
    size_t off = 0, seen = 0;
    int windows = 0;
    bool ok = true, ended = false;
    while (!ended && windows < 10) {
        char o[24];
        snprintf(o, sizeof(o), "%zu", off);
        xs_fx(0, XS_DIRECTORY_PART, 0, "/big", o, NULL);
        m = xs_fx_reply();
        if (!m || m->hdr.type != XS_DIRECTORY_PART) {
            ok = false;
            break;
        }
        windows++;
        size_t p = strlen(m->payload) + 1;
        while (p < m->hdr.len) {
            size_t l = strlen(m->payload + p);
            if (l == 0) {
                ended = true;
                break;
            }
            snprintf(name, sizeof(name), "child-with-a-long-name-%03zu", seen);
            ok &= strcmp(m->payload + p, name) == 0;
            seen++;
            off += l + 1;
            p += l + 1;
        }
    }
    CHECK("part-windows", ok && ended && seen == 200 && off == total && windows >= 2);
}

static void test_paths(void)
{
    fresh();
    EXPECT("path-space", xs_write(0, 0, "/a b", "x"), "!EINVAL");
    EXPECT("path-dot", xs_write(0, 0, "/a.b", "x"), "!EINVAL");
    EXPECT("path-double-slash", xs_write(0, 0, "/a//b", "x"), "!EINVAL");
    EXPECT("path-trailing-slash", xs_write(0, 0, "/a/", "x"), "!EINVAL");
    EXPECT("path-empty", xs_write(0, 0, "", "x"), "!EINVAL");
    EXPECT("path-chars", xs_write(0, 0, "/aZ09-_@x", "ok"), "OK");
    EXPECT("path-special-read", xs_read(0, 0, "@releaseDomain"), "!EINVAL");
    EXPECT("path-special-write", xs_write(0, 0, "@introduceDomain", "x"), "!EINVAL");
    EXPECT("path-relative-dom0", xs_write(0, 0, "rel", "r"), "OK");
    EXPECT("path-relative-dom0-abs", xs_read(0, 0, "/local/domain/0/rel"), "r");

    static char p[XENSTORE_ABS_PATH_MAX + 8];
    memset(p, 'a', sizeof(p));
    p[0] = '/';
    p[XENSTORE_ABS_PATH_MAX] = '\0';
    EXPECT("path-abs-max", xs_write(0, 0, p, "m"), "OK");
    EXPECT("path-abs-max-read", xs_read(0, 0, p), "m");
    p[XENSTORE_ABS_PATH_MAX] = 'a';
    p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    EXPECT("path-abs-too-long", xs_write(0, 0, p, "m"), "!EINVAL");

    /* Deep paths: one node per component, and removal never recurses on the stack. */
    for (int i = 0; i < XENSTORE_ABS_PATH_MAX / 2; i++) {
        p[2 * i] = '/';
        p[2 * i + 1] = 'd';
    }
    p[XENSTORE_ABS_PATH_MAX] = '\0';
    EXPECT("path-deep", xs_write(0, 0, p, "deep"), "OK");
    EXPECT("path-deep-read", xs_read(0, 0, p), "deep");
    EXPECT("path-deep-rm", xs_fx(0, XS_RM, 0, "/d", NULL), "OK");

    static char rel[XENSTORE_REL_PATH_MAX + 8];
    memset(rel, 'r', sizeof(rel));
    rel[XENSTORE_REL_PATH_MAX] = '\0';
    EXPECT("path-rel-max", xs_write(5, 0, rel, "x"), "OK");
    rel[XENSTORE_REL_PATH_MAX] = 'r';
    rel[XENSTORE_REL_PATH_MAX + 1] = '\0';
    EXPECT("path-rel-too-long", xs_write(5, 0, rel, "x"), "!EINVAL");
}

static void test_perms(void)
{
    fresh();
    EXPECT("get-perms-root", xs_fx(0, XS_GET_PERMS, 0, "/", NULL), "n0");
    EXPECT("get-perms-home", xs_fx(0, XS_GET_PERMS, 0, "/local/domain/5", NULL), "n5");

    /* A domU writes below its home, relative or not, and owns what it makes. */
    EXPECT("domu-write-rel", xs_write(5, 0, "data/x", "1"), "OK");
    EXPECT("domu-read-abs", xs_read(5, 0, "/local/domain/5/data/x"), "1");
    EXPECT("domu-owns-new", xs_fx(0, XS_GET_PERMS, 0, "/local/domain/5/data/x", NULL), "n5");
    EXPECT("domu-own-missing", xs_read(5, 0, "data/nope"), "!ENOENT");

    /* Another domU sees nothing of it, not even whether a path exists. */
    EXPECT("other-read", xs_read(6, 0, "/local/domain/5/data/x"), "!EACCES");
    EXPECT("other-read-missing", xs_read(6, 0, "/local/domain/5/nope"), "!EACCES");
    EXPECT("other-write", xs_write(6, 0, "/local/domain/5/data/x", "2"), "!EACCES");
    EXPECT("other-create", xs_write(6, 0, "/local/domain/5/new", "2"), "!EACCES");
    EXPECT("other-mkdir", xs_fx(6, XS_MKDIR, 0, "/local/domain/5/new", NULL), "!EACCES");
    EXPECT("other-rm", xs_fx(6, XS_RM, 0, "/local/domain/5/data/x", NULL), "!EACCES");
    EXPECT("other-rm-missing", xs_fx(6, XS_RM, 0, "/local/domain/5/data/nope", NULL), "!EACCES");
    EXPECT("other-dir", xs_fx(6, XS_DIRECTORY, 0, "/local/domain/5", NULL), "!EACCES");
    EXPECT("other-dir-part", xs_fx(6, XS_DIRECTORY_PART, 0, "/local/domain/5", "0", NULL),
           "!EACCES");
    EXPECT("other-get-perms", xs_fx(6, XS_GET_PERMS, 0, "/local/domain/5/data/x", NULL),
           "!EACCES");
    EXPECT("other-set-perms", xs_fx(6, XS_SET_PERMS, 0, "/local/domain/5/data/x", "n6", NULL),
           "!EACCES");
    EXPECT("other-unchanged", xs_read(5, 0, "data/x"), "1");
    EXPECT("domu-outside-home", xs_write(5, 0, "/tool/x", "1"), "!EACCES");
    EXPECT("domu-dom0-tree", xs_read(5, 0, "/local"), "!EACCES");

    /* Grants: r6 reads, but writes stay the owner's; b6 both. */
    EXPECT("grant-read", xs_fx(5, XS_SET_PERMS, 0, "data/x", "n5", "r6", NULL), "OK");
    EXPECT("grant-read-get", xs_fx(5, XS_GET_PERMS, 0, "data/x", NULL), "n5|r6");
    EXPECT("granted-read", xs_read(6, 0, "/local/domain/5/data/x"), "1");
    EXPECT("granted-no-write", xs_write(6, 0, "/local/domain/5/data/x", "2"), "!EACCES");
    EXPECT("grant-both", xs_fx(5, XS_SET_PERMS, 0, "data/x", "n5", "b6", NULL), "OK");
    EXPECT("granted-write", xs_write(6, 0, "/local/domain/5/data/x", "2"), "OK");
    EXPECT("granted-write-read", xs_read(5, 0, "data/x"), "2");
    EXPECT("granted-write-owner", xs_fx(0, XS_GET_PERMS, 0, "/local/domain/5/data/x", NULL),
           "n5|b6");
    EXPECT("grant-write-only", xs_fx(5, XS_SET_PERMS, 0, "data/x", "n5", "w6", NULL), "OK");
    EXPECT("write-only-read", xs_read(6, 0, "/local/domain/5/data/x"), "!EACCES");
    EXPECT("write-only-write", xs_write(6, 0, "/local/domain/5/data/x", "3"), "OK");
    EXPECT("default-read", xs_fx(5, XS_SET_PERMS, 0, "data/x", "r5", NULL), "OK");
    EXPECT("default-read-other", xs_read(6, 0, "/local/domain/5/data/x"), "3");
    EXPECT("default-read-no-write", xs_write(6, 0, "/local/domain/5/data/x", "4"), "!EACCES");
    EXPECT("listed-none", xs_fx(5, XS_SET_PERMS, 0, "data/x", "r5", "n6", NULL), "OK");
    EXPECT("listed-none-read", xs_read(6, 0, "/local/domain/5/data/x"), "!EACCES");

    /* A granted writer's new node is its own; children inherit the parent's list. */
    xs_fx(5, XS_SET_PERMS, 0, "data", "n5", "b6", NULL);
    EXPECT("granted-create", xs_write(6, 0, "/local/domain/5/data/by6", "z"), "OK");
    EXPECT("granted-create-perms", xs_fx(0, XS_GET_PERMS, 0, "/local/domain/5/data/by6", NULL),
           "n6|b6");
    EXPECT("owner-reads-grantee-node", xs_read(5, 0, "data/by6"), "!EACCES");
    EXPECT("dom0-create-inherits", xs_write(0, 0, "/local/domain/5/data/by0", "z"), "OK");
    EXPECT("dom0-create-perms", xs_fx(0, XS_GET_PERMS, 0, "/local/domain/5/data/by0", NULL),
           "n5|b6");

    /* Only the owner sets permissions, and may not give the node away. */
    EXPECT("give-away", xs_fx(5, XS_SET_PERMS, 0, "data/x", "n6", NULL), "!EPERM");
    EXPECT("grantee-set-perms", xs_fx(6, XS_SET_PERMS, 0, "/local/domain/5/data", "n5", NULL),
           "!EACCES");
    EXPECT("dom0-give", xs_fx(0, XS_SET_PERMS, 0, "/local/domain/5/data/x", "b6", NULL), "OK");
    EXPECT("given-read", xs_read(6, 0, "/local/domain/5/data/x"), "3");

    /* Malformed lists. */
    EXPECT("perm-letter", xs_fx(0, XS_SET_PERMS, 0, "/local", "x5", NULL), "!EINVAL");
    EXPECT("perm-no-id", xs_fx(0, XS_SET_PERMS, 0, "/local", "r", NULL), "!EINVAL");
    EXPECT("perm-big-id", xs_fx(0, XS_SET_PERMS, 0, "/local", "r65536", NULL), "!EINVAL");
    EXPECT("perm-junk", xs_fx(0, XS_SET_PERMS, 0, "/local", "r5a", NULL), "!EINVAL");
    EXPECT("perm-empty", xs_fx(0, XS_SET_PERMS, 0, "/local", "", NULL), "!EINVAL");
    EXPECT("perm-none", xs_fx(0, XS_SET_PERMS, 0, "/local", NULL), "!EINVAL");
    EXPECT("perm-missing-node", xs_fx(0, XS_SET_PERMS, 0, "/nope", "n0", NULL), "!ENOENT");
    xs_fx_raw(0, XS_SET_PERMS, 0, "/local\0r0", 9);
    EXPECT("perm-unterminated", xs_fx_text(xs_fx_reply()), "!EINVAL");
    EXPECT("perm-max-id", xs_fx(0, XS_SET_PERMS, 0, "/local", "n0", "r65535", NULL), "OK");
    EXPECT("perm-max-id-get", xs_fx(0, XS_GET_PERMS, 0, "/local", NULL), "n0|r65535");
    EXPECT("perm-special-get", xs_fx(0, XS_GET_PERMS, 0, "@releaseDomain", NULL), "n0");
    EXPECT("perm-special-other", xs_fx(0, XS_GET_PERMS, 0, "@other", NULL), "!ENOENT");
    EXPECT("perm-special-domu", xs_fx(5, XS_GET_PERMS, 0, "@releaseDomain", NULL), "!EACCES");
}

static int introduced[8], released[8], hook_error;
static uint64_t hook_mfn;
static uint32_t hook_port;

static int on_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    if (hook_error)
        return hook_error;
    if (domid < 8)
        introduced[domid]++;
    hook_mfn = mfn;
    hook_port = port;
    return 0;
}

static void on_release(void *ctx, uint16_t domid)
{
    (void)ctx;
    if (domid < 8)
        released[domid]++;
}

static void test_domains(void)
{
    struct xs_hooks hooks = { on_introduce, on_release, NULL };
    xs_fx_init(ARENA, NULL, &hooks);

    EXPECT("path", xs_fx(5, XS_GET_DOMAIN_PATH, 0, "7", NULL), "/local/domain/7");
    EXPECT("path-bad", xs_fx(5, XS_GET_DOMAIN_PATH, 0, "7x", NULL), "!EINVAL");
    EXPECT("path-big", xs_fx(5, XS_GET_DOMAIN_PATH, 0, "65536", NULL), "!EINVAL");
    EXPECT("path-empty", xs_fx(5, XS_GET_DOMAIN_PATH, 0, "", NULL), "!EINVAL");

    EXPECT("not-introduced", xs_fx(0, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "F");
    EXPECT("dom0-introduced", xs_fx(5, XS_IS_DOMAIN_INTRODUCED, 0, "0", NULL), "T");
    EXPECT("introduce", xs_fx(0, XS_INTRODUCE, 0, "5", "4660", "17", NULL), "OK");
    CHECK("introduce-hook", introduced[5] == 1 && hook_mfn == 4660 && hook_port == 17);
    EXPECT("introduced", xs_fx(0, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "T");
    EXPECT("introduce-again", xs_fx(0, XS_INTRODUCE, 0, "5", "4660", "17", NULL), "OK");
    CHECK("introduce-again-no-hook", introduced[5] == 1);
    EXPECT("introduce-other-ring", xs_fx(0, XS_INTRODUCE, 0, "5", "4661", "17", NULL),
           "!EEXIST");
    EXPECT("introduce-reserved-arg", xs_fx(0, XS_INTRODUCE, 0, "6", "1", "2", "", NULL), "OK");
    EXPECT("introduce-dom0", xs_fx(0, XS_INTRODUCE, 0, "0", "1", "2", NULL), "!EINVAL");
    EXPECT("introduce-domid-self", xs_fx(0, XS_INTRODUCE, 0, "32752", "1", "2", NULL),
           "!EINVAL");
    EXPECT("introduce-bad-mfn", xs_fx(0, XS_INTRODUCE, 0, "7", "-1", "2", NULL), "!EINVAL");
    EXPECT("introduce-bad-port", xs_fx(0, XS_INTRODUCE, 0, "7", "1", "4294967296", NULL),
           "!EINVAL");
    EXPECT("introduce-few-args", xs_fx(0, XS_INTRODUCE, 0, "7", "1", NULL), "!EINVAL");
    EXPECT("introduce-domu", xs_fx(5, XS_INTRODUCE, 0, "7", "1", "2", NULL), "!EACCES");
    hook_error = XS_ENOMEM;
    EXPECT("introduce-hook-fails", xs_fx(0, XS_INTRODUCE, 0, "7", "1", "2", NULL), "!ENOMEM");
    hook_error = 0;
    EXPECT("introduce-hook-failed", xs_fx(0, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL), "F");

    EXPECT("resume", xs_fx(0, XS_RESUME, 0, "5", NULL), "OK");
    EXPECT("resume-unknown", xs_fx(0, XS_RESUME, 0, "7", NULL), "!ENOENT");
    EXPECT("resume-domu", xs_fx(5, XS_RESUME, 0, "5", NULL), "!EACCES");

    /* SET_TARGET: 6 acts for 5 (a device model): 5's nodes become 6's too. */
    home(5);
    xs_write(5, 0, "dm/x", "v");
    EXPECT("target-before", xs_read(6, 0, "/local/domain/5/dm/x"), "!EACCES");
    EXPECT("set-target", xs_fx(0, XS_SET_TARGET, 0, "6", "5", NULL), "OK");
    EXPECT("target-read", xs_read(6, 0, "/local/domain/5/dm/x"), "v");
    EXPECT("target-write", xs_write(6, 0, "/local/domain/5/dm/x", "w"), "OK");
    EXPECT("target-set-perms", xs_fx(6, XS_SET_PERMS, 0, "/local/domain/5/dm/x", "n5", "r7",
                                     NULL), "OK");
    EXPECT("set-target-unknown", xs_fx(0, XS_SET_TARGET, 0, "7", "5", NULL), "!ENOENT");
    EXPECT("set-target-bad", xs_fx(0, XS_SET_TARGET, 0, "6", NULL), "!EINVAL");
    EXPECT("set-target-domu", xs_fx(5, XS_SET_TARGET, 0, "6", "5", NULL), "!EACCES");

    EXPECT("release-domu", xs_fx(5, XS_RELEASE, 0, "5", NULL), "!EACCES");
    EXPECT("release", xs_fx(0, XS_RELEASE, 0, "5", NULL), "OK");
    CHECK("release-hook", released[5] == 1);
    EXPECT("released", xs_fx(0, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "F");
    EXPECT("release-again", xs_fx(0, XS_RELEASE, 0, "5", NULL), "!ENOENT");
    EXPECT("release-keeps-nodes", xs_read(0, 0, "/local/domain/5/dm/x"), "w");
    EXPECT("release-bad", xs_fx(0, XS_RELEASE, 0, "x", NULL), "!EINVAL");
    EXPECT("release-target", xs_fx(0, XS_RELEASE, 0, "6", NULL), "OK");
    EXPECT("target-gone", xs_read(6, 0, "/local/domain/5/dm/x"), "!EACCES");
    xs_domain_gone(&xs_fx_store, 6, NULL, NULL);
    CHECK("gone-no-second-release", released[6] == 1 && xs_check(&xs_fx_store) == 0);
}

static void test_misc(void)
{
    fresh();
    static const uint32_t no_handler[] = { XS_WATCH_EVENT, XS_ERROR, 20, XS_TYPE_COUNT, 1000,
                                           XS_INVALID, 0xffffffffu };
    for (size_t i = 0; i < sizeof(no_handler) / sizeof(no_handler[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "enosys-%u", no_handler[i]);
        EXPECT(name, xs_fx(0, no_handler[i], 0, "x", NULL), "!ENOSYS");
    }
    EXPECT("control-check", xs_fx(0, XS_CONTROL, 0, "check", NULL), "OK");
    EXPECT("control-help", xs_fx(0, XS_CONTROL, 0, "help", NULL), "check\nhelp\n");
    EXPECT("control-unknown", xs_fx(0, XS_CONTROL, 0, "frob", NULL), "!EINVAL");
    EXPECT("control-domu", xs_fx(5, XS_CONTROL, 0, "check", NULL), "!EACCES");

    /* The error reply: XS_ERROR with the request's ids. */
    xs_fx_raw(5, XS_READ, 0, "/", 2);
    const struct xs_msg *m = xs_fx_reply();
    CHECK("error-reply", m && m->hdr.type == XS_ERROR && m->hdr.len == 7 &&
                             memcmp(m->payload, "EACCES", 7) == 0 && xs_fx_nout == 1);

    /* Above XENSTORE_PAYLOAD_MAX: the connection is to close, nothing is sent. */
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    int rc = xs_fx_raw(0, XS_WRITE, 0, big, sizeof(big));
    CHECK("payload-too-big", rc == XS_HANDLE_CLOSE && xs_fx_nout == 0);
    memset(big, 0, sizeof(big));
    memcpy(big, "/full", 5);
    rc = xs_fx_raw(0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX);
    EXPECT("payload-max", xs_fx_text(xs_fx_reply()), "OK");
    CHECK("payload-max-rc", rc == 0);
    xs_fx_raw(0, XS_READ, 0, "/full", 6);
    m = xs_fx_reply();
    CHECK("payload-max-read", m && m->hdr.len == XENSTORE_PAYLOAD_MAX - 6);
}

int main(void)
{
    test_read_write();
    test_mkdir_rm();
    test_directory();
    test_paths();
    test_perms();
    test_domains();
    test_misc();
    CHECK("invariants-held", xs_fx_check_failures == 0);
    CHECK_DONE();
}
