/* xen_version(cmd, arg): RDI = cmd, RSI = guest pointer for the result. */
#ifndef MICA_PUBLIC_XEN_VERSION_H
#define MICA_PUBLIC_XEN_VERSION_H

#include <stdint.h>

/* The Xen interface version Mica presents (major << 16 | minor). */
#define MICA_XEN_VERSION_MAJOR 4
#define MICA_XEN_VERSION_MINOR 17

#define XENVER_VERSION             0    /* returns (major << 16) | minor */
#define XENVER_EXTRAVERSION        1    /* OUT: char[16] */
#define XENVER_COMPILE_INFO        2    /* OUT: struct xen_compile_info */
#define XENVER_CAPABILITIES        3    /* OUT: char[1024] */
#define XENVER_CHANGESET           4    /* OUT: char[64] */
#define XENVER_PLATFORM_PARAMETERS 5    /* OUT: struct xen_platform_parameters */
#define XENVER_GET_FEATURES        6    /* IN/OUT: struct xen_feature_info */
#define XENVER_PAGESIZE            7    /* returns 4096 */
#define XENVER_GUEST_HANDLE        8    /* OUT: uint8_t[16] */

#define XEN_EXTRAVERSION_LEN 16
#define XEN_CAPABILITIES_LEN 1024
#define XEN_CHANGESET_LEN    64
#define XEN_GUEST_HANDLE_LEN 16

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
_Static_assert(sizeof(struct xen_compile_info) == 144, "compile_info size");

struct xen_platform_parameters {
    uint64_t virt_start;        /* OUT: 0 under PVH (the guest owns its address space) */
};
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "platform_parameters size");

struct xen_feature_info {
    uint32_t submap_idx;        /* IN: which 32-bit word of feature flags */
    uint32_t submap;            /* OUT */
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "feature_info size");

/* Feature bits (word 0). */
#define XENFEAT_WRITABLE_PAGE_TABLES   0
#define XENFEAT_AUTO_TRANSLATED_PHYSMAP 2
#define XENFEAT_HVM_CALLBACK_VECTOR    8
#define XENFEAT_HVM_SAFE_PVCLOCK       9

#endif
