/*
 * MADT parsing, kept apart from the tables' discovery so the host unit test
 * can feed it any bytes. Only enabled processors count: an "online capable"
 * one (ACPI 6.3+) is a hot-plug slot, not a CPU to start now.
 */
#include "arch/madt.h"
#include "hv/string.h"

#define MADT_HEADER_LEN   44            /* SDT header, local APIC address, flags */
#define MADT_LAPIC        0
#define MADT_IOAPIC       1
#define MADT_X2APIC       9
#define LAPIC_ENTRY_LEN   8
#define X2APIC_ENTRY_LEN  16
#define IOAPIC_ENTRY_LEN  12
#define PROCESSOR_ENABLED 1u
#define XAPIC_BROADCAST   0xff          /* IDs from here up need x2APIC mode */

static void add_cpu(struct madt_cpus *out, uint32_t apic_id)
{
    if (apic_id >= XAPIC_BROADCAST || out->count == MICA_MAX_CPUS) {
        out->skipped++;
        return;
    }
    for (uint32_t i = 0; i < out->count; i++)
        if (out->apic_id[i] == apic_id)
            return;                     /* listed twice (type 0 and 9): once is enough */
    out->apic_id[out->count++] = apic_id;
}

int madt_parse(const void *table, uint32_t len, struct madt_cpus *out, const char **why)
{
    const uint8_t *p = table;
    memset(out, 0, sizeof *out);
    if (len < MADT_HEADER_LEN) {
        *why = "shorter than its header";
        return -1;
    }
    for (uint32_t off = MADT_HEADER_LEN; off < len;) {
        if (len - off < 2 || p[off + 1] < 2 || p[off + 1] > len - off) {
            *why = "an entry runs past the end of the table";
            return -1;
        }
        uint8_t type = p[off], elen = p[off + 1];
        uint32_t id, flags;
        if (type == MADT_LAPIC && elen >= LAPIC_ENTRY_LEN) {
            memcpy(&flags, p + off + 4, 4);
            id = p[off + 3];
            if (flags & PROCESSOR_ENABLED)
                add_cpu(out, id);
        } else if (type == MADT_X2APIC && elen >= X2APIC_ENTRY_LEN) {
            memcpy(&id, p + off + 4, 4);
            memcpy(&flags, p + off + 8, 4);
            if (flags & PROCESSOR_ENABLED)
                add_cpu(out, id);
        } else if (type == MADT_IOAPIC && elen >= IOAPIC_ENTRY_LEN) {
            uint32_t addr, gsi_base;
            memcpy(&addr, p + off + 4, 4);
            memcpy(&gsi_base, p + off + 8, 4);
            if (gsi_base == 0)
                out->ioapic_addr = addr;
        } else if (type == MADT_LAPIC || type == MADT_X2APIC) {
            *why = "a processor entry is too short";
            return -1;
        }
        off += elen;
    }
    if (!out->count) {
        *why = "no enabled processor";
        return -1;
    }
    return 0;
}
