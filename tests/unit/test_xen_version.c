/* Host unit test for hv/xen_version.c, against the fake guest of shim_guest.c. */
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/xen_version.h"

CHECK_SUITE("xen_version");

static struct vcpu *dom0, *dom1;

static void setup(void)
{
    shim_guest_reset();
    dom0 = shim_domain_create(0, true, MiB(64));
    dom1 = shim_domain_create(1, false, MiB(32));
}

static long xv(struct vcpu *v, uint64_t cmd, gvaddr_t arg)
{
    const uint64_t args[HYPERCALL_ARGS] = { cmd, arg, 0x5a5a, 0x6b6b, 0x7c7c };
    shim_guest_clear_stats();
    return do_xen_version(v, args);
}

/* `len` bytes at va equal `want`, and the bytes either side were not touched. */
static bool wrote_exactly(gvaddr_t va, const void *want, size_t len)
{
    return !memcmp(shim_guest_mem(va, len), want, len) &&
           shim_guest_bytes_are(va - 1, 1, SHIM_FILL) && shim_guest_bytes_are(va + len, 1, SHIM_FILL);
}

#define OUT (SHIM_RW_BASE + 0x1000)

static void test_value_commands(void)
{
    setup();
    shim_world_snapshot();
    CHECK("VERSION is 4.17", xv(dom1, XENVER_VERSION, SHIM_UNMAPPED) == 0x40011);
    CHECK("VERSION reads and writes no guest memory",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("VERSION same for dom0", xv(dom0, XENVER_VERSION, 0) == 0x40011);
    CHECK("PAGESIZE is 4096", xv(dom1, XENVER_PAGESIZE, SHIM_NONCANON) == 4096);
    CHECK("PAGESIZE reads and writes no guest memory",
          shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    CHECK("value commands change nothing", shim_world_unchanged());
}

static void test_extraversion(void)
{
    static const char want[16] = "-mica";

    setup();
    CHECK("EXTRAVERSION ok", xv(dom1, XENVER_EXTRAVERSION, OUT) == 0);
    CHECK("EXTRAVERSION is -mica, 16 bytes NUL-padded", wrote_exactly(OUT, want, 16));
    CHECK("EXTRAVERSION one copy out, none in",
          shim_guest.to_calls == 1 && shim_guest.from_calls == 0);
    CHECK("EXTRAVERSION to the upper half",
          xv(dom1, XENVER_EXTRAVERSION, SHIM_HI_BASE + 8) == 0 &&
          !memcmp(shim_guest_mem(SHIM_HI_BASE + 8, 16), want, 16));
    CHECK("EXTRAVERSION across a page boundary",
          xv(dom1, XENVER_EXTRAVERSION, OUT + 0x1000 - 7) == 0 &&
          wrote_exactly(OUT + 0x1000 - 7, want, 16));
}

static void test_compile_info(void)
{
    static const char by[16] = "mica", dom[32] = "mica", date[32] = "";
    const char *compiler = "gcc " __VERSION__;
    char want_compiler[64] = { 0 };
    struct xen_compile_info ci;

    memcpy(want_compiler, compiler, MIN(strlen(compiler), 63));
    setup();
    CHECK("COMPILE_INFO ok", xv(dom1, XENVER_COMPILE_INFO, OUT) == 0);
    memcpy(&ci, shim_guest_mem(OUT, sizeof ci), sizeof ci);
    CHECK("compiler is \"gcc \" __VERSION__, NUL-padded",
          !memcmp(ci.compiler, want_compiler, sizeof ci.compiler));
    CHECK("compiler NUL-terminated", ci.compiler[63] == 0);
    CHECK("compile_by mica", !memcmp(ci.compile_by, by, sizeof by));
    CHECK("compile_domain mica", !memcmp(ci.compile_domain, dom, sizeof dom));
    CHECK("compile_date empty and zeroed", !memcmp(ci.compile_date, date, sizeof date));
    CHECK("COMPILE_INFO writes exactly 144 bytes",
          shim_guest.to_bytes == 144 && shim_guest_bytes_are(OUT + 144, 1, SHIM_FILL));
}

static void test_capabilities(void)
{
    static const char want[1024] = "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";

    setup();
    CHECK("CAPABILITIES ok", xv(dom1, XENVER_CAPABILITIES, OUT) == 0);
    CHECK("CAPABILITIES string, 1024 bytes NUL-padded", wrote_exactly(OUT, want, 1024));
}

static void test_changeset(void)
{
#ifdef MICA_CHANGESET
    static const char want[64] = MICA_CHANGESET;
#else
    static const char want[64] = "unknown";
#endif

    setup();
    CHECK("CHANGESET ok", xv(dom1, XENVER_CHANGESET, OUT) == 0);
    CHECK("CHANGESET string, 64 bytes NUL-padded", wrote_exactly(OUT, want, 64));
}

static void test_platform_parameters(void)
{
    static const uint8_t zero[8];

    setup();
    CHECK("PLATFORM_PARAMETERS ok", xv(dom1, XENVER_PLATFORM_PARAMETERS, OUT) == 0);
    CHECK("virt_start 0, 8 bytes", wrote_exactly(OUT, zero, 8));
}

static void test_guest_handle(void)
{
    static const uint8_t zero[16];

    setup();
    CHECK("GUEST_HANDLE ok", xv(dom1, XENVER_GUEST_HANDLE, OUT) == 0);
    CHECK("GUEST_HANDLE 16 zero bytes", wrote_exactly(OUT, zero, 16));
}

static void put_feature_info(gvaddr_t va, uint32_t idx, uint32_t submap)
{
    struct xen_feature_info fi = { .submap_idx = idx, .submap = submap };
    memcpy(shim_guest_mem(va, sizeof fi), &fi, sizeof fi);
}

static void test_get_features(void)
{
    struct xen_feature_info fi;
    static const uint32_t bad_idx[] = { 1, 2, 0x80000000u, 0xffffffffu };

    setup();
    put_feature_info(OUT, 0, 0xa5a5a5a5);
    CHECK("GET_FEATURES word 0 ok", xv(dom1, XENVER_GET_FEATURES, OUT) == 0);
    memcpy(&fi, shim_guest_mem(OUT, sizeof fi), sizeof fi);
    /* bits 0, 2, 8, 9: writable page tables, auto-translated, callback vector, safe pvclock */
    CHECK("word 0 is exactly bits 0, 2, 8, 9", fi.submap == 0x305);
    CHECK("submap_idx written back unchanged", fi.submap_idx == 0);
    CHECK("GET_FEATURES writes 8 bytes only", shim_guest_bytes_are(OUT + 8, 1, SHIM_FILL));
    CHECK("GET_FEATURES reads once and writes once",
          shim_guest.from_calls == 1 && shim_guest.from_bytes == 8 &&
          shim_guest.to_calls == 1);

    for (size_t i = 0; i < sizeof bad_idx / sizeof bad_idx[0]; i++) {
        put_feature_info(OUT, bad_idx[i], 0x12345678);
        shim_world_snapshot();
        CHECK(shim_name("GET_FEATURES word %#x -> EINVAL", bad_idx[i]),
              xv(dom1, XENVER_GET_FEATURES, OUT) == -XEN_EINVAL);
        CHECK(shim_name("GET_FEATURES word %#x changes nothing", bad_idx[i]),
              shim_world_unchanged());
    }
}

static void test_unknown(void)
{
    static const uint64_t cmds[] = { 9, 10, 0x100, 1ull << 32, ~0ull };

    setup();
    shim_world_snapshot();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK(shim_name("cmd %#llx -> ENOSYS", (unsigned long long)cmds[i]),
              xv(dom0, cmds[i], OUT) == -XEN_ENOSYS);
        CHECK(shim_name("cmd %#llx touches no guest memory", (unsigned long long)cmds[i]),
              shim_guest.from_calls == 0 && shim_guest.to_calls == 0);
    }
    CHECK("unknown commands change nothing", shim_world_unchanged());
}

/* Every command that writes through the pointer, with the size it writes. */
static const struct {
    const char *name;
    uint64_t cmd;
    size_t len;
} outputs[] = {
    { "EXTRAVERSION", XENVER_EXTRAVERSION, 16 },
    { "COMPILE_INFO", XENVER_COMPILE_INFO, 144 },
    { "CAPABILITIES", XENVER_CAPABILITIES, 1024 },
    { "CHANGESET", XENVER_CHANGESET, 64 },
    { "PLATFORM_PARAMETERS", XENVER_PLATFORM_PARAMETERS, 8 },
    { "GET_FEATURES", XENVER_GET_FEATURES, 8 },
    { "GUEST_HANDLE", XENVER_GUEST_HANDLE, 16 },
};

static void test_bad_pointers(void)
{
    /* GET_FEATURES reads first: a valid request wherever it can read */
    const struct xen_feature_info fi = { .submap_idx = 0 };

    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        size_t len = outputs[i].len;
        for (const struct bad_pointer *b = bad_pointers(BAD_FOR_WRITE, len); b->what; b++) {
            setup();
            if (outputs[i].cmd == XENVER_GET_FEATURES)
                bad_pointers_put_valid(&fi, sizeof fi);
            shim_world_snapshot();
            CHECK(shim_name("%s %s -> EFAULT", outputs[i].name, b->what),
                  xv(dom1, outputs[i].cmd, b->va) == -XEN_EFAULT);
            /* a straddle may have had a prefix written, but no domain state changes */
            CHECK(shim_name("%s %s changes %s", outputs[i].name, b->what,
                            b->partial ? "no domain" : "nothing"),
                  b->partial ? shim_domains_unchanged() : shim_world_unchanged());
        }
        /* Only the last byte in the unmapped page: the same. */
        setup();
        put_feature_info(SHIM_RW_END - 8, 0, 0);
        shim_world_snapshot();
        CHECK(shim_name("%s with its last byte unmapped -> EFAULT", outputs[i].name),
              xv(dom1, outputs[i].cmd, SHIM_RW_END - len + 1) == -XEN_EFAULT);
        CHECK(shim_name("%s with its last byte unmapped changes no domain", outputs[i].name),
              shim_domains_unchanged());
        /* ... and ending exactly at the last mapped byte is fine */
        CHECK(shim_name("%s ending at the last mapped byte ok", outputs[i].name),
              xv(dom1, outputs[i].cmd, SHIM_RW_END - len) == 0);
    }
}

int main(void)
{
    test_value_commands();
    test_extraversion();
    test_compile_info();
    test_capabilities();
    test_changeset();
    test_platform_parameters();
    test_guest_handle();
    test_get_features();
    test_unknown();
    test_bad_pointers();
    CHECK_DONE();
}
