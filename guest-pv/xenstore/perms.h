/*
 * Permission lists in Xen's string form: one string per entry, a letter
 * (r read, w write, b both, n none) and a decimal domid. The first entry
 * names the owner, and its letter is the access of every domain not listed.
 */
#ifndef XS_PERMS_H
#define XS_PERMS_H

#include "store.h"

/*
 * Parses the NUL-terminated strings filling buf[0..len) into at most max
 * entries. 0 with *n set, EINVAL for a malformed entry (or none), ENOSPC
 * for more than max.
 */
int xs_perms_parse(const char *buf, size_t len, struct xs_perm *out, size_t max, size_t *n);

/* Writes the entries as NUL-terminated strings; the length, or 0 if cap is short. */
size_t xs_perms_format(const struct xs_perm *p, size_t n, char *out, size_t cap);

/* Access of domid under the list alone (the owner has both; no privilege). */
unsigned xs_perm_lookup(const struct xs_perm *p, size_t n, uint16_t domid);

#endif
