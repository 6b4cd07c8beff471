/*
 * Mica guest ABI: version and the basic call convention.
 *
 * The ABI is a compatible subset of Xen's PVH guest ABI. Every definition in
 * include/public/ is self-contained, uses fixed-width types only and is shared
 * unchanged by the hypervisor and by guest-pv. docs/abi.md is the contract.
 *
 * Call convention: `vmcall` with RAX = hypercall number, arguments in
 * RDI, RSI, RDX, R10, R8; result in RAX (>= 0 success, negative errno).
 */
#ifndef MICA_PUBLIC_ABI_H
#define MICA_PUBLIC_ABI_H

#include <stdint.h>

#define MICA_ABI_VERSION_MAJOR 0
#define MICA_ABI_VERSION_MINOR 10

/* Domain ids (domid_t): a 16-bit id; DOMID_SELF names the caller's domain. */
typedef uint16_t domid_t;
#define DOMID_SELF 0x7ff0u
#define DOMID_XEN  0x7ff2u     /* the hypervisor, as the remote end of a channel */

#endif
