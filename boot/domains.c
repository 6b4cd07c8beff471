/*
 * Domain kernels are read verbatim and not looked into: the hypervisor
 * validates each one and refuses a bad domain by name while the others
 * boot. Only a file that cannot be read at all stops the boot here.
 */
#include "loader.h"

EFI_STATUS domains_load(EFI_FILE_HANDLE root, const struct bootcfg *cfg,
                        struct mica_bootinfo *bi)
{
    uint32_t i;

    for (i = 0; i < cfg->ndomains; i++) {
        const struct bootcfg_domain *d = &cfg->domains[i];
        struct mica_boot_domain *bd = &bi->domains[i];
        struct boot_file f;
        EFI_STATUS status;

        status = file_read(root, d->kernel, &f);
        if (EFI_ERROR(status)) {
            CHAR16 why[64];

            Print(L"%a:%d: cannot read '%a': %s\n", CONFIG_FILE, d->line, d->kernel,
                  status_text(status, why, 64));
            return status;
        }
        bd->cfg = *d;
        bd->image_paddr = f.paddr;
        bd->image_size = f.size;
        Print(L"domain %a: %a, %ld bytes at 0x%lx\n", d->name, d->kernel, f.size, f.paddr);
    }
    bi->ndomains = cfg->ndomains;
    return EFI_SUCCESS;
}
