/*
 * The xenstore wire protocol (Xen's io/xs_wire.h facts): the message header,
 * the message types, the error names replies carry, and the shared ring page
 * a domain talks to the store through. docs/xenstore.md describes the subset
 * Mica's store (guest-pv/xenstore/) serves.
 */
#ifndef MICA_PUBLIC_IO_XS_WIRE_H
#define MICA_PUBLIC_IO_XS_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Message types: the `type` of a request, echoed in its reply. */
enum xsd_sockmsg_type {
    XS_CONTROL              = 0,    /* once named XS_DEBUG */
    XS_DIRECTORY            = 1,
    XS_READ                 = 2,
    XS_GET_PERMS            = 3,
    XS_WATCH                = 4,
    XS_UNWATCH              = 5,
    XS_TRANSACTION_START    = 6,
    XS_TRANSACTION_END      = 7,
    XS_INTRODUCE            = 8,
    XS_RELEASE              = 9,
    XS_GET_DOMAIN_PATH      = 10,
    XS_WRITE                = 11,
    XS_MKDIR                = 12,
    XS_RM                   = 13,
    XS_SET_PERMS            = 14,
    XS_WATCH_EVENT          = 15,   /* store to client only */
    XS_ERROR                = 16,   /* store to client only */
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME               = 18,
    XS_SET_TARGET           = 19,
    /* 20 was XS_RESTRICT, since withdrawn */
    XS_RESET_WATCHES        = 21,
    XS_DIRECTORY_PART       = 22,
    XS_TYPE_COUNT,
    XS_INVALID              = 0xffff,
};
#define XS_DEBUG XS_CONTROL

/*
 * Every message, either way: this header, then `len` payload bytes (usually
 * NUL-terminated strings). req_id and tx_id come back unchanged in the reply;
 * tx_id 0 means "not in a transaction". Watch events carry 0 in both.
 */
struct xsd_sockmsg {
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg size");
_Static_assert(offsetof(struct xsd_sockmsg, len) == 12, "xsd_sockmsg len");

/* A payload above this ends the connection; a path above these is EINVAL. */
#define XENSTORE_PAYLOAD_MAX  4096
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* Fields of a WATCH_EVENT payload, in order. */
enum xs_watch_type {
    XS_WATCH_PATH  = 0,
    XS_WATCH_TOKEN = 1,
};

/*
 * Errors are sent as the errno's name ("ENOENT\0") in an XS_ERROR reply.
 * X(name, Xen errno value) for each name a store may send.
 */
#define XS_ERROR_LIST(X)                                                       \
    X(EINVAL, 22) X(EACCES, 13) X(EEXIST, 17) X(EISDIR, 21) X(ENOENT, 2)     \
    X(ENOMEM, 12) X(ENOSPC, 28) X(EIO, 5) X(ENOTEMPTY, 39) X(ENOSYS, 38)      \
    X(EROFS, 30) X(EBUSY, 16) X(EAGAIN, 11) X(EISCONN, 106) X(E2BIG, 7)      \
    X(EPERM, 1)

/*
 * The ring page (one 4 KiB page, granted or shared at domain build time).
 * Two byte queues: req (client to store) and rsp (store to client: replies
 * and watch events). Indices run freely; a byte sits at MASK_XENSTORE_IDX.
 */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];
    char rsp[XENSTORE_RING_SIZE];
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features;   /* XENSTORE_SERVER_FEATURE_* the store offers */
    uint32_t connection;        /* XENSTORE_CONNECTED / _RECONNECT */
    uint32_t error;             /* XENSTORE_ERROR_* once the store gave up */
};
_Static_assert(sizeof(struct xenstore_domain_interface) == 2076, "xs ring size");
_Static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048, "req_cons");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "rsp_prod");
_Static_assert(offsetof(struct xenstore_domain_interface, server_features) == 2064,
               "server_features");
_Static_assert(offsetof(struct xenstore_domain_interface, error) == 2072, "error");

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1u
#define XENSTORE_SERVER_FEATURE_ERROR        2u

#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1
#define XENSTORE_ERROR_RINGIDX 2
#define XENSTORE_ERROR_PROTO   3    /* e.g. a payload above XENSTORE_PAYLOAD_MAX */

#endif
