/*
 * The ACPI RSDP, from the firmware's configuration table. The ACPI 2.0+
 * entry (XSDT, 64-bit addresses) is preferred wherever it appears in the
 * table; the 1.0 entry (RSDT only) is the fallback.
 */
#include "loader.h"

UINT64 acpi_find_rsdp(EFI_SYSTEM_TABLE *st)
{
    static EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    static EFI_GUID acpi10 = ACPI_TABLE_GUID;
    UINT64 rsdp10 = 0;
    UINTN i;

    for (i = 0; i < st->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

        if (CompareGuid(&t->VendorGuid, &acpi20) == 0)
            return (UINT64)(UINTN)t->VendorTable;
        if (CompareGuid(&t->VendorGuid, &acpi10) == 0)
            rsdp10 = (UINT64)(UINTN)t->VendorTable;
    }
    return rsdp10;
}
