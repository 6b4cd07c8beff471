/* madt_parse: which CPUs an ACPI MADT lists, and malformed tables refused. */
#include <string.h>
#include "check.h"
#include "arch/madt.h"

CHECK_SUITE("madt");

static uint8_t table[512];
static uint32_t len;

static void start(void)
{
    memset(table, 0, sizeof table);
    memcpy(table, "APIC", 4);
    len = 44;                           /* header, local APIC address, flags */
}

static void lapic(uint8_t id, uint32_t flags)
{
    uint8_t *e = table + len;
    e[0] = 0;
    e[1] = 8;
    e[2] = id;                          /* ACPI processor UID */
    e[3] = id;
    memcpy(e + 4, &flags, 4);
    len += 8;
}

static void x2apic(uint32_t id, uint32_t flags)
{
    uint8_t *e = table + len;
    e[0] = 9;
    e[1] = 16;
    memcpy(e + 4, &id, 4);
    memcpy(e + 8, &flags, 4);
    len += 16;
}

static void other(uint8_t type, uint8_t elen)
{
    table[len] = type;
    table[len + 1] = elen;
    len += elen;
}

int main(void)
{
    struct madt_cpus c;
    const char *why = NULL;

    start();
    lapic(0, 1);
    other(1, 12);                       /* an I/O APIC entry: skipped */
    lapic(2, 1);
    lapic(4, 0);                        /* disabled */
    lapic(6, 2);                        /* online capable only: a hot-plug slot */
    x2apic(8, 1);
    CHECK("enabled local APICs and x2APICs, in table order",
          madt_parse(table, len, &c, &why) == 0 && c.count == 3 && c.apic_id[0] == 0 &&
          c.apic_id[1] == 2 && c.apic_id[2] == 8 && c.skipped == 0);

    start();
    lapic(1, 1);
    x2apic(1, 1);
    x2apic(300, 1);                     /* needs x2APIC mode */
    CHECK("an ID listed twice counts once; x2APIC-only IDs are skipped",
          madt_parse(table, len, &c, &why) == 0 && c.count == 1 && c.skipped == 1);

    start();
    for (int i = 0; i < MICA_MAX_CPUS + 3; i++)
        lapic((uint8_t)i, 1);
    CHECK("more CPUs than Mica drives: the rest are skipped",
          madt_parse(table, len, &c, &why) == 0 && c.count == MICA_MAX_CPUS && c.skipped == 3);

    start();
    lapic(0, 0);
    CHECK("no enabled CPU is an error", madt_parse(table, len, &c, &why) == -1 &&
          strstr(why, "no enabled"));

    start();
    lapic(0, 1);
    table[len - 8 + 1] = 40;            /* entry length beyond the table */
    CHECK("an entry past the end is refused", madt_parse(table, len, &c, &why) == -1 &&
          strstr(why, "past the end"));

    start();
    lapic(0, 1);
    table[len - 8 + 1] = 0;             /* zero length would loop forever */
    CHECK("a zero-length entry is refused", madt_parse(table, len, &c, &why) == -1);

    start();
    other(0, 4);                        /* a local APIC entry too short to read */
    CHECK("a truncated processor entry is refused", madt_parse(table, len, &c, &why) == -1 &&
          strstr(why, "too short"));

    CHECK("a table shorter than its header is refused", madt_parse(table, 20, &c, &why) == -1);
    CHECK_DONE();
}
