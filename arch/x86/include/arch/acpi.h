#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/* What ACPI power-off needs, filled by arch_acpi_init(). */
struct acpi_power {
    bool valid;
    uint16_t pm1a_cnt, pm1b_cnt;
    uint16_t slp_typ_a, slp_typ_b;
};
extern struct acpi_power acpi_power;

/* The ACPI table with signature `sig` (checksummed, length in *len), or NULL. */
const void *acpi_table(const char *sig, uint32_t *len);

#endif
