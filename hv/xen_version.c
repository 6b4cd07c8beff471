/*
 * xen_version: what the guest needs to know about the hypervisor it runs on.
 * Value commands return the answer in RAX; the others write a fixed-size
 * answer to the guest pointer in RSI. Builds are reproducible, so nothing
 * here depends on the date or the build host.
 */
#include "hv/arch.h"
#include "hv/compat.h"
#include "hv/domain.h"
#include "hv/hypercalls.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/xen_version.h"

/* The Makefile passes the git revision as a string literal, e.g. -DMICA_CHANGESET='"1a2b3c4"'. */
#ifndef MICA_CHANGESET
#define MICA_CHANGESET "unknown"
#endif
_Static_assert(sizeof(MICA_CHANGESET) <= XEN_CHANGESET_LEN, "MICA_CHANGESET too long");

/* Fixed-size answers: a string initializer pads the rest of the array with NULs. */
static const char extraversion[XEN_EXTRAVERSION_LEN] = "-mica";
static const char capabilities[XEN_CAPABILITIES_LEN] =
    "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";
static const char changeset[XEN_CHANGESET_LEN] = MICA_CHANGESET;
static const uint8_t guest_handle[XEN_GUEST_HANDLE_LEN];   /* boot-time domains have none */

#define MICA_FEATURES_SUBMAP0 ((1u << XENFEAT_WRITABLE_PAGE_TABLES) |         \
                               (1u << XENFEAT_AUTO_TRANSLATED_PHYSMAP) |      \
                               (1u << XENFEAT_HVM_CALLBACK_VECTOR) |          \
                               (1u << XENFEAT_HVM_SAFE_PVCLOCK))

/* Copy src into the zeroed field dst[size], cut so a NUL always remains. */
static void set_field(char *dst, size_t size, const char *src)
{
    memcpy(dst, src, MIN(strlen(src), size - 1));
}

static long put(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
    return copy_to_guest(v, dst, src, len) ? hv_error(-XEN_EFAULT) : 0;
}

static long get_features(struct vcpu *v, gvaddr_t arg)
{
    struct xen_feature_info fi;

    if (copy_from_guest(v, &fi, arg, sizeof fi))
        return hv_error(-XEN_EFAULT);
    if (fi.submap_idx != 0)
        return hv_error(-XEN_EINVAL);
    fi.submap = MICA_FEATURES_SUBMAP0;
    return put(v, arg, &fi, sizeof fi);
}

long do_xen_version(struct vcpu *v, const uint64_t args[HYPERCALL_ARGS])
{
    gvaddr_t arg = args[1];

    switch (args[0]) {
    case XENVER_VERSION:
        return (MICA_XEN_VERSION_MAJOR << 16) | MICA_XEN_VERSION_MINOR;
    case XENVER_EXTRAVERSION:
        return put(v, arg, extraversion, sizeof extraversion);
    case XENVER_COMPILE_INFO: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof ci);
        set_field(ci.compiler, sizeof ci.compiler, "gcc " __VERSION__);
        set_field(ci.compile_by, sizeof ci.compile_by, "mica");
        set_field(ci.compile_domain, sizeof ci.compile_domain, "mica");
        /* compile_date stays empty: no timestamps in reproducible builds */
        return put(v, arg, &ci, sizeof ci);
    }
    case XENVER_CAPABILITIES:
        return put(v, arg, capabilities, sizeof capabilities);
    case XENVER_CHANGESET:
        return put(v, arg, changeset, sizeof changeset);
    case XENVER_PLATFORM_PARAMETERS:
        /* virt_start is an xen_ulong_t: 4 bytes for a 32-bit caller. */
        return compat_put_platform_parameters(v, arch_vcpu_compat(v), arg, 0);
    case XENVER_GET_FEATURES:
        return get_features(v, arg);
    case XENVER_PAGESIZE:
        return (long)PAGE_SIZE;
    case XENVER_GUEST_HANDLE:
        return put(v, arg, guest_handle, sizeof guest_handle);
    default:
        return hv_error(-XEN_ENOSYS);
    }
}
