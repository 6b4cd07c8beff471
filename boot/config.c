/*
 * Read mica.cfg from the ESP root and parse it (boot/bootcfg.c). Errors are
 * printed as "mica.cfg:LINE: message", the way compilers report them.
 */
#include "loader.h"

EFI_STATUS config_load(EFI_FILE_HANDLE root, struct bootcfg *cfg)
{
    struct bootcfg_error err;
    struct boot_file f;
    EFI_STATUS status;
    int rc;

    status = file_read(root, CONFIG_FILE, &f);
    if (EFI_ERROR(status)) {
        CHAR16 why[64];

        Print(L"%a: cannot read: %s\n", CONFIG_FILE, status_text(status, why, 64));
        return status;
    }
    rc = bootcfg_parse((const char *)(UINTN)f.paddr, (size_t)f.size, cfg, &err);
    alloc_free(f.paddr);        /* the text is not handed on; the parsed form is */
    if (rc) {
        if (err.line)
            Print(L"%a:%d: %a\n", CONFIG_FILE, err.line, err.message);
        else
            Print(L"%a: %a\n", CONFIG_FILE, err.message);
        return EFI_LOAD_ERROR;
    }
    return EFI_SUCCESS;
}
