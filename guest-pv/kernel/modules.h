/*
 * The boot modules the start info lists (docs/abi.md, "Boot modules"):
 * under Mica, the files of dom0's modules= folder, each named by its
 * cmdline (the file name), e.g. a domU's kernel image for the toolstack.
 */
#ifndef GUEST_MODULES_H
#define GUEST_MODULES_H

#include <stdbool.h>
#include <stdint.h>

#include <public/hvm_start_info.h>

#define MODULE_NAME_MAX 64      /* including the NUL; longer names are cut */

struct boot_module {
    char name[MODULE_NAME_MAX]; /* its cmdline, "" if it has none */
    uint64_t paddr;             /* guest-physical address */
    uint64_t size;              /* bytes */
    const void *data;           /* its bytes through the identity map; NULL beyond it */
};

/*
 * Module i of the start info, copied into *out; false when there is no
 * such module or the list itself lies outside the identity map.
 */
bool modules_get(const struct hvm_start_info *si, uint32_t i, struct boot_module *out);

#endif
