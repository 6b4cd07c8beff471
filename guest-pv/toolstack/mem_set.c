/*
 * mem-set <domain> <MiB>: the domain's memory target, as Xen's `xl mem-set`
 * sets it: its max_mem becomes the target (so its balloon cannot take more
 * back than asked), and memory/target in its xenstore home says the target in
 * KiB. The domain's balloon driver, watching that node, gives RAM back or
 * takes it again; `list` shows where it got to. Up to memory/static-max (its
 * memory= at create) and no lower than 2 MiB; dom0 keeps its memory.
 */
#include <stdint.h>

#include "console.h"
#include "control.h"
#include "lib.h"
#include "text.h"
#include "toolstack.h"
#include "xenstored.h"

#define MEM_SET_MIN_MIB 2

/* memory/static-max of its home, in KiB; false if it has none (not introduced). */
static bool static_max_kib(domid_t id, uint64_t *kib)
{
    char path[48], value[24];
    uint32_t len, v;
    xenstore_path(path, "/local/domain/", id, "/memory/static-max");
    if (xenstored_callv(XS_READ, value, sizeof value, &len, path, NULL) || !text_parse_uint(value, &v))
        return false;
    *kib = v;
    return true;
}

int cmd_mem_set(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    uint32_t mib;
    domid_t id;
    uint64_t max_kib;

    if (a->argc != 2 || !text_parse_uint(a->argv[1], &mib)) {
        printk("mem-set: usage: mem-set <domain> <MiB>\n");
        return -1;
    }
    if (!find_domain(a->argv[0], &id, &i)) {
        printk("mem-set: no domain '%s'\n", a->argv[0]);
        return -1;
    }
    if (id == 0) {
        printk("mem-set: dom0 keeps its memory (identity-mapped for its devices)\n");
        return -1;
    }
    if (!static_max_kib(id, &max_kib)) {
        printk("mem-set: '%s' has no memory/static-max in the store\n", i.name);
        return -1;
    }
    uint64_t kib = (uint64_t)mib << 10;
    if (mib < MEM_SET_MIN_MIB || kib > max_kib) {
        printk("mem-set: '%s' may have %u to %lu MiB (its memory=)\n", i.name, MEM_SET_MIN_MIB,
               (unsigned long)(max_kib >> 10));
        return -1;
    }
    long rc = domctl_max_mem(id, kib);
    if (rc) {
        printk("mem-set: max_mem of '%s' failed (error %ld)\n", i.name, -rc);
        return -1;
    }
    char path[48], value[24];
    xenstore_path(path, "/local/domain/", id, "/memory/target");
    fmt_u64(value, kib);
    int err = xenstored_write(path, value);
    if (err) {
        printk("mem-set: writing %s failed (error %d)\n", path, err);
        return -1;
    }
    printk("mem-set: '%s' target %u MiB (owns %lu MiB now; its balloon driver follows)\n",
           i.name, mib, (unsigned long)(i.tot_pages >> 8));
    return 0;
}
