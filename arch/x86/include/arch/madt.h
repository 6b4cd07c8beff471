/* The CPUs an ACPI MADT lists (ACPI 6.5, 5.2.12). */
#ifndef ARCH_MADT_H
#define ARCH_MADT_H

#include <stdint.h>
#include "mica/bootinfo.h"

struct madt_cpus {
    uint32_t count;                     /* enabled CPUs Mica can start */
    uint32_t apic_id[MICA_MAX_CPUS];    /* in table order */
    uint32_t skipped;                   /* enabled but beyond MICA_MAX_CPUS or xAPIC reach */
    uint32_t ioapic_addr;               /* the IOAPIC serving GSI 0 (type 1), 0 if none */
};

/*
 * Collect the enabled local APICs (type 0) and x2APICs (type 9) of the MADT
 * at `table`, `len` bytes long including its header (already checksummed).
 * 0, or -1 with *why set when the table is malformed or lists no enabled CPU.
 */
int madt_parse(const void *table, uint32_t len, struct madt_cpus *out, const char **why);

#endif
