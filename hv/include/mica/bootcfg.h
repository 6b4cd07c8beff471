/*
 * The boot configuration: a plain-text file on the ESP (default mica.cfg),
 * parsed by the loader. Format (docs/boot-config.md):
 *
 *   # comment
 *   hypervisor timeslice_ms=10
 *   domain name=dom0 kernel=dom0.elf memory=32 vcpus=1 privileged=yes cmdline="..."
 *          weight=256 cap=0 cpus=0-3 trace=off deny=grant_table_op,sched_op:poll
 *          unbacked=ones evtchn=fifo
 *          modules=images
 *
 * Freestanding: built into the UEFI loader and into the host unit tests.
 */
#ifndef MICA_BOOTCFG_H
#define MICA_BOOTCFG_H

#include <stddef.h>
#include <stdint.h>

#include "public/policy.h"

#define BOOTCFG_MAX_DOMAINS    16
#define BOOTCFG_NAME_MAX       32   /* including the NUL */
#define BOOTCFG_KERNEL_MAX     64   /* file name on the ESP, including the NUL */
#define BOOTCFG_MODULES_MAX    64   /* modules= folder on the ESP, including the NUL */
#define BOOTCFG_CMDLINE_MAX   256   /* including the NUL */
#define BOOTCFG_OPTIONS_MAX   256   /* hypervisor options, including the NUL */
#define BOOTCFG_MEMORY_MIN_MIB  2
#define BOOTCFG_MEMORY_MAX_MIB  4096
#define BOOTCFG_VCPUS_MAX      64
#define BOOTCFG_WEIGHT_DEFAULT 256
#define BOOTCFG_WEIGHT_MAX     65535
#define BOOTCFG_CAP_MAX        800  /* percent of one CPU */
#define BOOTCFG_CPUS_MAX       64   /* CPU numbers in cpus= are below this */

struct bootcfg_domain {
    char name[BOOTCFG_NAME_MAX];
    char kernel[BOOTCFG_KERNEL_MAX];
    char cmdline[BOOTCFG_CMDLINE_MAX];
    /* modules=: a folder on the ESP whose files become the PVH boot modules
     * of this domain (privileged only); "" (default): no modules. */
    char modules[BOOTCFG_MODULES_MAX];
    uint32_t memory_mib;
    uint32_t vcpus;             /* default 1 */
    uint32_t privileged;        /* 0 or 1, default 0 */
    uint32_t weight;            /* scheduler weight, default 256 */
    uint32_t cap;               /* percent of one CPU, 0 (default): no cap */
    uint64_t cpu_mask;          /* cpus=: bit n allows CPU n; 0 (default): every CPU */
    uint32_t trace_hypercalls;  /* trace=hypercalls: 1; trace=off (default): 0 */
    /* unbacked=crash: 1, an access to guest-physical memory that is neither
     * RAM nor a device crashes the domain; unbacked=ones (default): 0, a read
     * returns all-ones and a write is dropped, as on Xen. */
    uint32_t unbacked_crash;
    /* evtchn=2l: 1, the FIFO event-channel ABI is refused (-ENOSYS);
     * evtchn=fifo (default): 0, the guest may switch to it. */
    uint32_t evtchn_2l;
    /* deny=: a set bit denies that hypercall (by number) or sub-op (by slot,
     * public/policy.h); all 0 (default): what the domain's privilege allows. */
    struct mica_policy deny;
    uint32_t line;              /* line number in the file, for messages */
};

struct bootcfg {
    char hv_options[BOOTCFG_OPTIONS_MAX]; /* text after "hypervisor", verbatim */
    uint32_t ndomains;
    struct bootcfg_domain domains[BOOTCFG_MAX_DOMAINS];
};

struct bootcfg_error {
    uint32_t line;              /* 1-based; 0 when the error is not tied to a line */
    char message[128];
};

/*
 * Parse `len` bytes of `text`. Returns 0 and fills `out`, or -1 and fills
 * `err` with the first error found. `out` is fully written in both cases.
 */
int bootcfg_parse(const char *text, size_t len, struct bootcfg *out,
                  struct bootcfg_error *err);

#endif
