/*
 * test=xenstore: the store's conformance suite run from a domU over its
 * ring (docs/xenstore.md), against dom0's daemon: every request type the
 * engine serves, valid and invalid; the permissions of the home the
 * toolstack made (read only, data/ and control/shutdown its own, nothing
 * outside); transactions with a conflict; watches; each quota; then a
 * hostile end: a garbage type (an error reply), a header announcing more
 * than XENSTORE_PAYLOAD_MAX (the store sets error PROTO and stops serving
 * the ring). test=xenstore-wild: a producer index a ring and more ahead
 * (error RINGIDX). One line per case: PASS: xenstore/<case> or
 * FAIL: xenstore/<case> (<detail>), then "xenstore: N passed, M failed".
 */
#include <stdint.h>

#include <public/abi.h>
#include <public/errno.h>
#include <public/io/xs_wire.h>
#include <public/sched_op.h>

#include "clock.h"
#include "console.h"
#include "hypercall.h"
#include "lib.h"
#include "tests.h"
#include "timer.h"
#include "xs_client.h"

#define CONNECT_TIMEOUT_NS (60 * NSEC_PER_SEC)
#define EVENT_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define DEAD_LOOK_NS (5 * NSEC_PER_SEC)
#define NODE_QUOTA 1000
#define WATCH_QUOTA 128
#define TX_QUOTA 10
#define NODE_SIZE 2048
/* The store's errno values are Xen's (XS_ERROR_LIST); the hypervisor never returns E2BIG. */
#define XS_E2BIG 7

static unsigned int passed, failed;
static char reply[XENSTORE_PAYLOAD_MAX + 1];
static uint32_t rlen;
static domid_t self;
static char home[32];

static bool report(const char *name, bool ok, long detail)
{
    if (ok) {
        printk("PASS: xenstore/%s\n", name);
        passed++;
    } else {
        printk("FAIL: xenstore/%s (got %ld)\n", name, detail);
        failed++;
    }
    return ok;
}

/* The request's result must be `want` (0 or an errno). */
static bool expect(const char *name, int got, int want)
{
    return report(name, got == want, got);
}

#define REQ(type, tx, ...) xs_client_requestv(type, tx, reply, sizeof reply, &rlen, __VA_ARGS__, NULL)

/* Success and a reply of exactly `len` bytes equal to `text`. */
static bool expect_reply(const char *name, int got, const char *text, uint32_t len)
{
    return report(name, got == 0 && rlen == len && memcmp(reply, text, len) == 0,
                  got ? got : (long)rlen);
}

static const char *join(char *buf, const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    memcpy(buf, a, n);
    memcpy(buf + n, b, m + 1);
    return buf;
}

/* Does the NUL-separated list in reply name `child`? */
static bool listed(const char *child)
{
    for (uint32_t at = 0; at < rlen; at += (uint32_t)strlen(reply + at) + 1)
        if (strcmp(reply + at, child) == 0)
            return true;
    return false;
}

static void node_cases(const struct guest_env *env)
{
    char p[96], d[8];
    fmt_u64(d, self);

    expect_reply("get_domain_path", REQ(XS_GET_DOMAIN_PATH, 0, d), home, (uint32_t)strlen(home) + 1);
    expect("get_domain_path-not-a-number", REQ(XS_GET_DOMAIN_PATH, 0, "x1"), XEN_EINVAL);
    expect_reply("read-name-relative", REQ(XS_READ, 0, "name"), env->name,
                 (uint32_t)strlen(env->name));
    expect_reply("read-domid-absolute", REQ(XS_READ, 0, join(p, home, "/domid")), d,
                 (uint32_t)strlen(d));
    expect("read-missing", REQ(XS_READ, 0, "nope"), XEN_ENOENT);
    expect("read-no-nul", xs_client_request(XS_READ, 0, "name", 4, reply, sizeof reply, &rlen),
           XEN_EINVAL);
    expect("read-empty-component", REQ(XS_READ, 0, "data//x"), XEN_EINVAL);
    expect("read-bad-char", REQ(XS_READ, 0, "data/a b"), XEN_EINVAL);
    int rc = REQ(XS_DIRECTORY, 0, home);
    report("directory-home", rc == 0 && listed("name") && listed("data") && listed("control") &&
           listed("memory"), rc);
    expect("directory-missing", REQ(XS_DIRECTORY, 0, "data/none"), XEN_ENOENT);
    rc = REQ(XS_DIRECTORY_PART, 0, home, "0");
    report("directory_part-home", rc == 0 && rlen > 2 && reply[rlen - 1] == 0 &&
           reply[rlen - 2] == 0, rc ? rc : (long)rlen);
    expect("directory_part-bad-offset", REQ(XS_DIRECTORY_PART, 0, home, "-1"), XEN_EINVAL);
    expect_reply("read-memory-target", REQ(XS_READ, 0, "memory/target"), "8192", 4);

    /* The toolstack's permissions: the home is dom0's, readable by us. */
    expect("write-data", xs_client_write(0, "data/x", "1"), 0);
    expect_reply("read-back-data", REQ(XS_READ, 0, "data/x"), "1", 1);
    expect("write-empty-value", xs_client_write(0, "data/empty", ""), 0);
    expect("write-home-eacces", xs_client_write(0, "foo", "1"), XEN_EACCES);
    expect("write-name-eacces", xs_client_write(0, "name", "evil"), XEN_EACCES);
    expect("write-control-shutdown", xs_client_write(0, "control/shutdown", ""), 0);
    expect("write-control-eacces", xs_client_write(0, "control/other", "1"), XEN_EACCES);
    expect("write-path-without-nul-einval", xs_client_request(XS_WRITE, 0, "data/y", 6, NULL, 0, NULL),
           XEN_EINVAL);
    expect("mkdir-data", REQ(XS_MKDIR, 0, "data/dir"), 0);
    expect("mkdir-existing", REQ(XS_MKDIR, 0, "data/dir"), 0);
    expect("mkdir-home-eacces", REQ(XS_MKDIR, 0, "dir2"), XEN_EACCES);
    expect("mkdir-trailing-slash-einval", REQ(XS_MKDIR, 0, "data/dir/"), XEN_EINVAL);
    expect("rm-data", REQ(XS_RM, 0, "data/dir"), 0);
    expect("rm-missing-parent-exists", REQ(XS_RM, 0, "data/dir"), 0);
    expect("rm-missing-parent-missing", REQ(XS_RM, 0, "data/nodir/x"), XEN_ENOENT);
    expect("rm-name-eacces", REQ(XS_RM, 0, "name"), XEN_EACCES);
    char perms[16] = "n0\0r";
    size_t pl = 4 + fmt_u64(perms + 4, self) + 1;
    expect_reply("get_perms-home", REQ(XS_GET_PERMS, 0, home), perms, (uint32_t)pl);
    char own[12] = "n";
    size_t ol = 1 + fmt_u64(own + 1, self);
    rc = REQ(XS_GET_PERMS, 0, "data/x");
    report("get_perms-own-node", rc == 0 && rlen > ol && memcmp(reply, own, ol + 1) == 0, rc);
    expect("get_perms-missing-enoent", REQ(XS_GET_PERMS, 0, "data/none"), XEN_ENOENT);
    expect("set_perms-own-node", REQ(XS_SET_PERMS, 0, "data/x", own, "r0"), 0);
    expect("set_perms-give-away-eperm", REQ(XS_SET_PERMS, 0, "data/x", "n0"), XEN_EPERM);
    expect("set_perms-not-owner-eacces", REQ(XS_SET_PERMS, 0, "name", own), XEN_EACCES);
    expect("set_perms-bad-letter", REQ(XS_SET_PERMS, 0, "data/x", "q1"), XEN_EINVAL);

    /* Outside the home: nothing shows, whether it exists or not. */
    expect("read-dom0-eacces", REQ(XS_READ, 0, "/local/domain/0/name"), XEN_EACCES);
    expect("read-other-domain-eacces", REQ(XS_READ, 0, "/local/domain/31/name"), XEN_EACCES);
    expect("directory-root-eacces", REQ(XS_DIRECTORY, 0, "/"), XEN_EACCES);
    expect("write-root-eacces", xs_client_write(0, "/evil", "1"), XEN_EACCES);
    char vm[32];
    join(vm, "/vm/", d);
    expect_reply("read-vm-granted", REQ(XS_READ, 0, join(p, vm, "/name")), env->name,
                 (uint32_t)strlen(env->name));
}

static void domain_cases(void)
{
    char d[8];
    fmt_u64(d, self);
    expect("control-eacces", REQ(XS_CONTROL, 0, "check"), XEN_EACCES);
    expect("introduce-eacces", REQ(XS_INTRODUCE, 0, d, "161", "5"), XEN_EACCES);
    expect("release-eacces", REQ(XS_RELEASE, 0, d), XEN_EACCES);
    expect("resume-eacces", REQ(XS_RESUME, 0, d), XEN_EACCES);
    expect("set_target-eacces", REQ(XS_SET_TARGET, 0, d, "0"), XEN_EACCES);
    expect_reply("is_domain_introduced-self", REQ(XS_IS_DOMAIN_INTRODUCED, 0, d), "T", 2);
    expect_reply("is_domain_introduced-dom0", REQ(XS_IS_DOMAIN_INTRODUCED, 0, "0"), "T", 2);
    expect_reply("is_domain_introduced-absent", REQ(XS_IS_DOMAIN_INTRODUCED, 0, "31"), "F", 2);
    expect("is_domain_introduced-not-a-number", REQ(XS_IS_DOMAIN_INTRODUCED, 0, "1x"),
           XEN_EINVAL);
    expect("reset_watches-extra-ignored", REQ(XS_RESET_WATCHES, 0, "junk"), 0);
    expect("type-20-withdrawn-enosys", REQ(20, 0, "x"), XEN_ENOSYS);
    expect("type-watch_event-enosys", REQ(XS_WATCH_EVENT, 0, "x"), XEN_ENOSYS);
    expect("type-error-enosys", REQ(XS_ERROR, 0, "x"), XEN_ENOSYS);
    expect("type-99-enosys", REQ(99, 0, "x"), XEN_ENOSYS);
}

static uint32_t parse_id(void)
{
    uint32_t v = 0;
    for (uint32_t i = 0; i < rlen && reply[i] >= '0' && reply[i] <= '9'; i++)
        v = v * 10 + (uint32_t)(reply[i] - '0');
    return v;
}

static uint32_t tx_start(void)
{
    return REQ(XS_TRANSACTION_START, 0, "") == 0 ? parse_id() : 0;
}

static void transaction_cases(void)
{
    uint32_t t = tx_start();
    report("transaction_start", t != 0, t);
    expect("tx-write", xs_client_write(t, "data/t", "a"), 0);
    expect_reply("tx-reads-own-write", REQ(XS_READ, t, "data/t"), "a", 1);
    expect("tx-invisible-outside", REQ(XS_READ, 0, "data/t"), XEN_ENOENT);
    expect("transaction_start-in-tx-ebusy", REQ(XS_TRANSACTION_START, t, ""), XEN_EBUSY);
    expect("transaction_end-commit", REQ(XS_TRANSACTION_END, t, "T"), 0);
    expect_reply("tx-committed-visible", REQ(XS_READ, 0, "data/t"), "a", 1);
    expect("transaction_end-gone-enoent", REQ(XS_TRANSACTION_END, t, "T"), XEN_ENOENT);
    expect("transaction_end-made-up-enoent", REQ(XS_TRANSACTION_END, 999999, "F"), XEN_ENOENT);
    expect("transaction_end-no-tx-enoent", REQ(XS_TRANSACTION_END, 0, "T"), XEN_ENOENT);

    /* A conflict: the transaction read a node someone changed meanwhile. */
    t = tx_start();
    expect_reply("tx-conflict-read", REQ(XS_READ, t, "data/t"), "a", 1);
    expect("tx-conflict-outside-write", xs_client_write(0, "data/t", "b"), 0);
    expect("tx-conflict-write", xs_client_write(t, "data/t2", "c"), 0);
    expect("transaction_end-conflict-eagain", REQ(XS_TRANSACTION_END, t, "T"), XEN_EAGAIN);
    expect("tx-conflict-changes-nothing", REQ(XS_READ, 0, "data/t2"), XEN_ENOENT);

    t = tx_start();
    xs_client_write(t, "data/t3", "x");
    expect("transaction_end-abort", REQ(XS_TRANSACTION_END, t, "F"), 0);
    expect("tx-abort-changes-nothing", REQ(XS_READ, 0, "data/t3"), XEN_ENOENT);

    /* The transaction quota. */
    uint32_t ids[TX_QUOTA];
    unsigned int opened = 0;
    for (unsigned int i = 0; i < TX_QUOTA; i++)
        opened += (ids[i] = tx_start()) != 0;
    report("tx-quota-10-open", opened == TX_QUOTA, opened);
    expect("tx-quota-11th-enospc", REQ(XS_TRANSACTION_START, 0, ""), XEN_ENOSPC);
    unsigned int ended = 0;
    for (unsigned int i = 0; i < TX_QUOTA; i++)
        ended += ids[i] && REQ(XS_TRANSACTION_END, ids[i], "F") == 0;
    report("tx-quota-all-ended", ended == opened, ended);
}

static bool event_is(const char *path, const char *token)
{
    char p[128], t[32];
    return xs_client_event(p, sizeof p, t, sizeof t, EVENT_TIMEOUT_NS) && strcmp(p, path) == 0 &&
           strcmp(t, token) == 0;
}

static void watch_cases(void)
{
    char p[64];
    expect("watch", REQ(XS_WATCH, 0, "data/w", "tok1"), 0);
    report("watch-fires-on-registration", event_is("data/w", "tok1"), 0);
    expect("watch-duplicate-eexist", REQ(XS_WATCH, 0, "data/w", "tok1"), XEN_EEXIST);
    xs_client_write(0, "data/w/x", "1");
    report("watch-fires-on-change", event_is("data/w/x", "tok1"), 0);
    expect("watch-absolute", REQ(XS_WATCH, 0, join(p, home, "/data/v"), "tok2"), 0);
    report("watch-absolute-fires", event_is(p, "tok2"), 0);
    REQ(XS_MKDIR, 0, "data/v");
    report("watch-absolute-fires-on-mkdir", event_is(p, "tok2"), 0);
    REQ(XS_RM, 0, "data/w");
    report("watch-fires-on-rm", event_is("data/w", "tok1"), 0);
    expect("unwatch", REQ(XS_UNWATCH, 0, "data/w", "tok1"), 0);
    expect("unwatch-again-enoent", REQ(XS_UNWATCH, 0, "data/w", "tok1"), XEN_ENOENT);
    xs_client_write(0, "data/w", "2");
    char ep[64], et[16];
    report("unwatched-no-event", !xs_client_event(ep, sizeof ep, et, sizeof et,
                                                  100 * NSEC_PER_MSEC), 0);
    expect("watch-special-introduce", REQ(XS_WATCH, 0, "@introduceDomain", "tok3"), 0);
    report("watch-special-fires-once", event_is("@introduceDomain", "tok3"), 0);
    expect("watch-no-token-einval", REQ(XS_WATCH, 0, "data/w"), XEN_EINVAL);

    /* The watch quota: 128 in all (two are set already). */
    unsigned int set = 2, i;
    for (i = 0; set < WATCH_QUOTA + 4; i++) {
        char path[24] = "data/q", tok[8];
        fmt_u64(tok, i);
        int rc = REQ(XS_WATCH, 0, path, tok);
        if (rc)
            break;
        set++;
        char ep2[64], et2[16];
        xs_client_event(ep2, sizeof ep2, et2, sizeof et2, EVENT_TIMEOUT_NS);
    }
    char tok[8];
    fmt_u64(tok, i);
    report("watch-quota-128", set == WATCH_QUOTA, set);
    expect("watch-quota-129th-e2big", REQ(XS_WATCH, 0, "data/q", tok), XS_E2BIG);
    expect("reset_watches", REQ(XS_RESET_WATCHES, 0, ""), 0);
    expect("watch-after-reset", REQ(XS_WATCH, 0, "data/q", "again"), 0);
    report("watch-after-reset-fires", event_is("data/q", "again"), 0);
    REQ(XS_RESET_WATCHES, 0, "");
    report("no-event-dropped", xs_client_events_dropped() == 0, xs_client_events_dropped());
}

static void quota_cases(void)
{
    static char big[NODE_SIZE + 2];
    memset(big, 'v', NODE_SIZE);
    big[NODE_SIZE] = 0;
    expect("node_size-2048", xs_client_write(0, "data/big", big), 0);
    big[NODE_SIZE] = 'v';
    big[NODE_SIZE + 1] = 0;
    expect("node_size-2049-enospc", xs_client_write(0, "data/big", big), XEN_ENOSPC);
    expect("perms-quota-6-enospc", REQ(XS_SET_PERMS, 0, "data/x", "n1", "r2", "r3", "r4", "r5", "r6"),
           XEN_ENOSPC);
    /* The node quota: nodes we own, data/ and control/shutdown among them. */
    unsigned int made = 0;
    int rc = 0;
    while (made < NODE_QUOTA + 10) {
        char path[24] = "data/n/";
        fmt_u64(path + 7, made);
        if ((rc = xs_client_write(0, path, "")))
            break;
        made++;
    }
    report("nodes-quota-enospc", rc == XEN_ENOSPC && made > NODE_QUOTA - 30 && made < NODE_QUOTA,
           rc ? (long)made : rc);
    expect("nodes-quota-rm-frees", REQ(XS_RM, 0, "data/n"), 0);
    expect("nodes-quota-write-again", xs_client_write(0, "data/n/again", "1"), 0);
}

/* Garbage in well-framed headers (an unknown type, a made-up transaction,
 * an empty path): error replies, the connection kept. */
static void garbage_type_case(void)
{
    struct xsd_sockmsg h = { .type = 0xdeadbeef, .req_id = 0x7777, .len = 3 };
    expect("hostile-garbage-type-enosys", xs_client_request(h.type, 0, "a\0", 3, reply,
                                                            sizeof reply, &rlen), XEN_ENOSYS);
    expect("hostile-garbage-tx_id-enoent", REQ(XS_READ, 0xdeadbeef, "name"), XEN_ENOENT);
    expect("hostile-payload-all-nul-einval",
           xs_client_request(XS_WRITE, 0, "\0\0\0\0", 4, reply, sizeof reply, &rlen), XEN_EINVAL);
    char d[8];
    fmt_u64(d, self);
    expect_reply("hostile-still-served", REQ(XS_GET_DOMAIN_PATH, 0, d), home,
                 (uint32_t)strlen(home) + 1);
}

static bool ring_error_is(void *arg)
{
    return __atomic_load_n(&xs_client_ring()->error, __ATOMIC_ACQUIRE) == *(uint32_t *)arg;
}

/* After the store gave up: nothing we write is answered. */
static void dead_ring_case(const char *name)
{
    struct xenstore_domain_interface *r = xs_client_ring();
    uint32_t prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
    struct xsd_sockmsg h = { .type = XS_GET_DOMAIN_PATH, .req_id = 1, .len = 2 };
    xs_client_put_raw(&h, sizeof h, NSEC_PER_SEC);
    xs_client_put_raw("1", 2, NSEC_PER_SEC);
    sleep_ns(NSEC_PER_SEC);
    report(name, __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE) == prod, (long)prod);
}

static void oversize_case(void)
{
    struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 0x8888, .len = XENSTORE_PAYLOAD_MAX + 1 };
    uint32_t want = XENSTORE_ERROR_PROTO;
    xs_client_put_raw(&h, sizeof h, NSEC_PER_SEC);
    report("hostile-oversize-len-error-proto", wait_until(ring_error_is, &want, DEAD_LOOK_NS),
           (long)xs_client_ring()->error);
    dead_ring_case("hostile-oversize-ring-not-served");
}

static bool connect(void)
{
    char d[8] = "";
    self = xen_domid();
    fmt_u64(d, self);
    join(home, "/local/domain/", d);
    if (!report("connect", xs_client_init(CONNECT_TIMEOUT_NS), 0))
        return false;
    report("server-features-error",
           (xs_client_ring()->server_features & XENSTORE_SERVER_FEATURE_ERROR) != 0,
           (long)xs_client_ring()->server_features);
    return true;
}

static void summary(void)
{
    printk("xenstore: %u passed, %u failed\n", passed, failed);
}

void test_xenstore(const struct guest_env *env)
{
    if (connect()) {
        node_cases(env);
        domain_cases();
        transaction_cases();
        watch_cases();
        quota_cases();
        garbage_type_case();
        oversize_case();
    }
    summary();
}

/* The producer index a ring and more ahead: the store must not read on. */
void test_xenstore_wild(const struct guest_env *env)
{
    (void)env;
    if (connect()) {
        char d[8];
        fmt_u64(d, self);
        expect_reply("wild-served-before", REQ(XS_GET_DOMAIN_PATH, 0, d), home,
                     (uint32_t)strlen(home) + 1);
        struct xenstore_domain_interface *r = xs_client_ring();
        uint32_t want = XENSTORE_ERROR_RINGIDX;
        __atomic_store_n(&r->req_prod, r->req_cons + XENSTORE_RING_SIZE + 17, __ATOMIC_RELEASE);
        xs_client_kick();
        report("hostile-wild-req_prod-error-ringidx", wait_until(ring_error_is, &want, DEAD_LOOK_NS),
               (long)r->error);
        report("hostile-wild-req_cons-not-moved",
               __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE) + XENSTORE_RING_SIZE + 17 ==
               __atomic_load_n(&r->req_prod, __ATOMIC_ACQUIRE), (long)r->req_cons);
    }
    summary();
}
