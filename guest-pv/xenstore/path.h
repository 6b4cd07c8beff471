/*
 * Paths: validation and canonical form, the caller's home, and the decimal
 * numbers payloads carry. A canonical path is absolute ("/" or "/a/b"),
 * made of [A-Za-z0-9-/_@], with no empty component, at most
 * XENSTORE_ABS_PATH_MAX bytes. A relative path is taken below the caller's
 * home, /local/domain/<domid>, and may be XENSTORE_REL_PATH_MAX bytes. A
 * special path is '@' and a name (@introduceDomain); only watches and the
 * permission calls accept one.
 */
#ifndef XS_PATH_H
#define XS_PATH_H

#include "store.h"

/*
 * Canonical form of in[0..len) for domid into out (XS_PATH_CAP bytes,
 * NUL-terminated). 0, or EINVAL. *relative says whether in was relative;
 * *special whether it was a special path (refused unless allow_special).
 */
int xs_path_canon(uint16_t domid, const char *in, size_t len, bool allow_special, char *out,
                  size_t *out_len, bool *relative, bool *special);

/* "/local/domain/<domid>" into out (at least 24 bytes): its length. */
size_t xs_home_path(uint16_t domid, char *out);

/* Is child (clen bytes) equal to or below parent (plen bytes)? */
bool xs_path_is_below(const char *child, size_t clen, const char *parent, size_t plen);

/* Length of a canonical path's parent ("/a/b" -> "/a", "/a" -> "/"); 0 for "/". */
size_t xs_path_parent_len(const char *path, size_t len);

/* Decimal digits only, at most 20, no overflow. */
bool xs_parse_u64(const char *s, size_t len, uint64_t *out);

#endif
