/*
 * Just enough ACPI to power off: RSDP -> XSDT/RSDT -> FADT for the PM1
 * control ports, and the \_S5 sleep type read from the DSDT's AML; and,
 * first, the serial console the SPCR names (serial_choose.c).
 * Every table is checksummed and bounds-checked before use.
 */
#include "arch/acpi.h"
#include "arch/serial.h"
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/string.h"

struct __attribute__((packed)) rsdp {
    char signature[8];
    uint8_t checksum;
    char oem[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
};

struct __attribute__((packed)) sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
};

/* FADT field offsets (ACPI 6.x, table 5.9). */
#define FADT_DSDT        40
#define FADT_PM1A_CNT    64
#define FADT_PM1B_CNT    68
#define FADT_X_DSDT      140
#define MAX_TABLE_SIZE   (1u << 20)

#define AML_NAME_OP    0x08
#define AML_PACKAGE_OP 0x12
#define AML_BYTE_PREFIX 0x0a

struct acpi_power acpi_power;
static const struct rsdp *rsdp;         /* valid, once arch_acpi_init found it */

static bool checksum_ok(const void *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const struct sdt_header *map_table(paddr_t pa, const char *sig)
{
    if (!pa)
        return NULL;
    const struct sdt_header *h = phys_to_virt(pa);
    if ((sig && memcmp(h->signature, sig, 4)) || h->length < sizeof *h ||
        h->length > MAX_TABLE_SIZE || !checksum_ok(h, h->length))
        return NULL;
    return h;
}

static const struct sdt_header *find_table(const struct rsdp *r, const char *sig)
{
    bool x = r->revision >= 2 && r->xsdt;
    const struct sdt_header *root = map_table(x ? r->xsdt : r->rsdt, x ? "XSDT" : "RSDT");
    if (!root)
        return NULL;
    size_t entry = x ? 8 : 4;
    size_t n = (root->length - sizeof *root) / entry;
    const uint8_t *p = (const uint8_t *)(root + 1);
    for (size_t i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, p + i * entry, entry);
        const struct sdt_header *t = map_table(pa, sig);
        if (t)
            return t;
    }
    return NULL;
}

const void *acpi_table(const char *sig, uint32_t *len)
{
    const struct sdt_header *t = rsdp ? find_table(rsdp, sig) : NULL;
    *len = t ? t->length : 0;
    return t;
}

/* Find "_S5_" Name(Package(){SLP_TYPa, SLP_TYPb, ...}) in the DSDT's AML. */
static bool find_s5(const struct sdt_header *dsdt, uint16_t *typ_a, uint16_t *typ_b)
{
    const uint8_t *aml = (const uint8_t *)dsdt;
    for (size_t i = sizeof *dsdt; i + 12 < dsdt->length; i++) {
        if (memcmp(aml + i, "_S5_", 4) || aml[i + 4] != AML_PACKAGE_OP)
            continue;
        if (!(aml[i - 1] == AML_NAME_OP || (aml[i - 2] == AML_NAME_OP && aml[i - 1] == '\\')))
            continue;
        const uint8_t *p = aml + i + 5;
        p += ((*p >> 6) & 3) + 1;               /* PkgLength */
        p++;                                    /* NumElements */
        uint16_t v[2];
        for (int k = 0; k < 2; k++) {
            if (*p == AML_BYTE_PREFIX)
                p++;
            v[k] = *p++;
        }
        *typ_a = v[0];
        *typ_b = v[1];
        return true;
    }
    return false;
}

void arch_acpi_init(paddr_t rsdp_pa)
{
    if (!rsdp_pa) {
        printk("acpi: no RSDP from the loader; power-off uses emulator ports only\n");
        printk("console: COM1 0x3f8 at 115200 (no ACPI tables)\n");
        return;
    }
    const struct rsdp *r = phys_to_virt(rsdp_pa);
    if (memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20)) {
        printk("acpi: RSDP at 0x%lx is invalid\n", rsdp_pa);
        printk("console: COM1 0x3f8 at 115200 (no ACPI tables)\n");
        return;
    }
    rsdp = r;
    serial_choose();
    const struct sdt_header *fadt = find_table(r, "FACP");
    if (!fadt || fadt->length < FADT_PM1B_CNT + 4) {
        printk("acpi: no usable FADT\n");
        return;
    }
    const uint8_t *f = (const uint8_t *)fadt;
    uint32_t dsdt32, pm1a, pm1b;
    uint64_t dsdt64 = 0;
    memcpy(&dsdt32, f + FADT_DSDT, 4);
    memcpy(&pm1a, f + FADT_PM1A_CNT, 4);
    memcpy(&pm1b, f + FADT_PM1B_CNT, 4);
    if (fadt->length >= FADT_X_DSDT + 8)
        memcpy(&dsdt64, f + FADT_X_DSDT, 8);
    const struct sdt_header *dsdt = map_table(dsdt64 ? dsdt64 : dsdt32, "DSDT");
    if (!dsdt || !pm1a || pm1a > 0xffff ||
        !find_s5(dsdt, &acpi_power.slp_typ_a, &acpi_power.slp_typ_b)) {
        printk("acpi: no \\_S5 sleep state found; ACPI power-off unavailable\n");
        return;
    }
    acpi_power.pm1a_cnt = (uint16_t)pm1a;
    acpi_power.pm1b_cnt = pm1b <= 0xffff ? (uint16_t)pm1b : 0;
    acpi_power.valid = true;
    printk("acpi: FADT PM1a_CNT 0x%x, \\_S5 SLP_TYP %u\n", pm1a, acpi_power.slp_typ_a);
}
