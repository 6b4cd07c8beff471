/*
 * Family `xen_version` (docs/abi.md, "17 xen_version"): each command's
 * answer, read back from a buffer filled with junk first; unknown commands;
 * the buffer pointers. Any domain, the same answers: no permission or
 * isolation aspect (nothing names a domain).
 */
#include <stdint.h>

#include <public/xen_version.h>

#include "abi.h"
#include "hypercall.h"
#include "lib.h"

#define F "xen_version"
#define VERSION ((MICA_XEN_VERSION_MAJOR << 16) | MICA_XEN_VERSION_MINOR)
#define JUNK 0xA5
#define FEATURES (1u << XENFEAT_WRITABLE_PAGE_TABLES | 1u << XENFEAT_AUTO_TRANSLATED_PHYSMAP | \
                  1u << XENFEAT_HVM_CALLBACK_VECTOR | 1u << XENFEAT_HVM_SAFE_PVCLOCK)

static union {
    char text[XEN_CAPABILITIES_LEN];
    struct xen_compile_info ci;
    struct xen_platform_parameters pp;
    struct xen_feature_info fi;
    uint8_t handle[XEN_GUEST_HANDLE_LEN];
} buf;

static long call(unsigned long cmd, uint64_t arg)
{
    return hypercall3(HYPERCALL_XEN_VERSION, cmd, arg, 0);
}

static long junk_call(unsigned long cmd)
{
    memset(&buf, JUNK, sizeof buf);
    return call(cmd, (uintptr_t)&buf);
}

/* s[0..len) is `want` and NULs after it. */
static bool field_is(const char *s, size_t len, const char *want)
{
    size_t n = strlen(want);

    if (n >= len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] != (i < n ? want[i] : 0))
            return false;
    return true;
}

static bool prefix(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return false;
    return true;
}

static long badptr_call(uint64_t addr, void *ctx)
{
    return call(*(unsigned long *)ctx, addr);
}

static void badptr(const char *name, unsigned long cmd, size_t size)
{
    struct xen_feature_info fi = { .submap_idx = 0 };

    abi_badptr_cases(F, name, true, cmd == XENVER_GET_FEATURES ? &fi : NULL, size, badptr_call,
                     &cmd, -XEN_EFAULT);
}

void abi_xen_version_cases(void)
{
    size_t n;
    long rc;

    abi_expect(F, "version", call(XENVER_VERSION, 0), VERSION);
    abi_expect(F, "version-ignores-arg", call(XENVER_VERSION, ABI_NONCANONICAL), VERSION);
    abi_expect(F, "pagesize", call(XENVER_PAGESIZE, 0), PAGE_SIZE);
    abi_expect(F, "pagesize-ignores-arg", call(XENVER_PAGESIZE, ABI_UNMAPPED), PAGE_SIZE);

    rc = junk_call(XENVER_EXTRAVERSION);
    abi_check(F, "extraversion", rc == 0 && field_is(buf.text, XEN_EXTRAVERSION_LEN, "-mica"),
              "rc, or the 16 bytes are not \"-mica\" and NULs", rc);
    abi_check(F, "extraversion-exact-size", (uint8_t)buf.text[XEN_EXTRAVERSION_LEN] == JUNK,
              "byte after the 16 written", (uint8_t)buf.text[XEN_EXTRAVERSION_LEN]);
    badptr("extraversion", XENVER_EXTRAVERSION, XEN_EXTRAVERSION_LEN);

    rc = junk_call(XENVER_COMPILE_INFO);
    abi_check(F, "compile_info",
              rc == 0 && prefix(buf.ci.compiler, "gcc") &&
                  field_is(buf.ci.compile_by, sizeof buf.ci.compile_by, "mica") &&
                  field_is(buf.ci.compile_domain, sizeof buf.ci.compile_domain, "mica") &&
                  field_is(buf.ci.compile_date, sizeof buf.ci.compile_date, ""),
              "rc, or fields not (gcc..., mica, mica, empty)", rc);
    badptr("compile_info", XENVER_COMPILE_INFO, sizeof(struct xen_compile_info));

    rc = junk_call(XENVER_CAPABILITIES);
    abi_check(F, "capabilities",
              rc == 0 && field_is(buf.text, XEN_CAPABILITIES_LEN,
                                  "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p"),
              "rc, or the 1024 bytes differ", rc);
    badptr("capabilities", XENVER_CAPABILITIES, XEN_CAPABILITIES_LEN);

    rc = junk_call(XENVER_CHANGESET);
    n = 0;
    while (n < XEN_CHANGESET_LEN && buf.text[n])
        n++;
    abi_check(F, "changeset",
              rc == 0 && n > 0 && n < XEN_CHANGESET_LEN &&
                  field_is(buf.text, XEN_CHANGESET_LEN, buf.text),
              "rc, or not a NUL-padded string in 64 bytes; length", (long)n);
    badptr("changeset", XENVER_CHANGESET, XEN_CHANGESET_LEN);

    rc = junk_call(XENVER_PLATFORM_PARAMETERS);
    abi_check(F, "platform_parameters", rc == 0 && buf.pp.virt_start == 0, "rc", rc);
    badptr("platform_parameters", XENVER_PLATFORM_PARAMETERS,
           sizeof(struct xen_platform_parameters));

    buf.fi = (struct xen_feature_info){ .submap_idx = 0, .submap = 0xdeadbeef };
    rc = call(XENVER_GET_FEATURES, (uintptr_t)&buf.fi);
    abi_check(F, "get_features", rc == 0 && buf.fi.submap == FEATURES, "submap",
              rc ? rc : buf.fi.submap);
    buf.fi = (struct xen_feature_info){ .submap_idx = 1, .submap = 0xdeadbeef };
    abi_expect(F, "get_features-idx-1", call(XENVER_GET_FEATURES, (uintptr_t)&buf.fi),
               -XEN_EINVAL);
    abi_expect(F, "get_features-error-writes-nothing", buf.fi.submap, 0xdeadbeef);
    buf.fi = (struct xen_feature_info){ .submap_idx = 0xffffffff };
    abi_expect(F, "get_features-idx-max", call(XENVER_GET_FEATURES, (uintptr_t)&buf.fi),
               -XEN_EINVAL);
    badptr("get_features", XENVER_GET_FEATURES, sizeof(struct xen_feature_info));

    rc = junk_call(XENVER_GUEST_HANDLE);
    abi_check(F, "guest_handle",
              rc == 0 && field_is((const char *)buf.handle, XEN_GUEST_HANDLE_LEN, ""), "rc", rc);
    badptr("guest_handle", XENVER_GUEST_HANDLE, XEN_GUEST_HANDLE_LEN);

    abi_expect(F, "unknown-cmd-9", call(9, (uintptr_t)&buf), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, (uintptr_t)&buf), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits", call((1ul << 32) | XENVER_VERSION, 0),
               -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-badptr", call(99, ABI_NONCANONICAL), -XEN_ENOSYS);
}
