/*
 * dom0's boot modules (docs/boot-config.md, "Boot modules"): every regular
 * file in the folder that a domain line's modules= names, read verbatim into
 * loader memory. Sub-folders are skipped. The order is the names' bytewise
 * order, not the directory's, so the same folder always gives dom0 the same
 * list. Names and sizes are checked here, before anything is read: a folder
 * that breaks a limit stops the boot with a message naming it.
 */
#include "loader.h"

#define FAT_NAME_MAX    255     /* UCS-2 characters of a long name */

struct listing {
    char name[MICA_MAX_MODULES][MICA_MODULE_NAME_MAX];
    UINT64 size[MICA_MAX_MODULES];
    UINT32 n;
};

/* The index of the one line with modules= (ndomains if none); a second is refused. */
static EFI_STATUS find_owner(const struct bootcfg *cfg, UINT32 *owner)
{
    UINT32 i, found = cfg->ndomains;

    for (i = 0; i < cfg->ndomains; i++) {
        if (!cfg->domains[i].modules[0])
            continue;
        if (found != cfg->ndomains) {
            Print(L"%a:%d: modules= on a second line (first on line %d): there is one set "
                  L"of boot modules, dom0's\n", CONFIG_FILE, cfg->domains[i].line,
                  cfg->domains[found].line);
            return EFI_INVALID_PARAMETER;
        }
        found = i;
    }
    *owner = found;
    return EFI_SUCCESS;
}

/* The entry's name in ASCII; FALSE if it is not ASCII or too long to keep. */
static BOOLEAN ascii_name(const CHAR16 *name, char *out)
{
    UINTN i;

    for (i = 0; name[i]; i++) {
        if (i + 1 >= MICA_MODULE_NAME_MAX || name[i] < L' ' || name[i] >= 0x7f)
            return FALSE;
        out[i] = (char)name[i];
    }
    out[i] = '\0';
    return TRUE;
}

static int name_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

/* Insert keeping the listing sorted; the caller has checked there is room. */
static void insert_sorted(struct listing *l, const char *name, UINT64 size)
{
    UINT32 i = l->n++;

    while (i > 0 && name_cmp(l->name[i - 1], name) > 0) {
        CopyMem(l->name[i], l->name[i - 1], MICA_MODULE_NAME_MAX);
        l->size[i] = l->size[i - 1];
        i--;
    }
    CopyMem(l->name[i], (void *)name, MICA_MODULE_NAME_MAX);
    l->size[i] = size;
}

/* Every regular file of the open folder, sorted, within the limits. */
static EFI_STATUS list_folder(EFI_FILE_HANDLE dir, const struct bootcfg_domain *d,
                              struct listing *l)
{
    union {
        EFI_FILE_INFO info;
        UINT8 bytes[offsetof(EFI_FILE_INFO, FileName) + (FAT_NAME_MAX + 1) * sizeof(CHAR16)];
    } buf;
    UINT64 total = 0;

    l->n = 0;
    for (;;) {
        char name[MICA_MODULE_NAME_MAX];
        UINTN len = sizeof buf;
        EFI_STATUS status = dir->Read(dir, &len, &buf);

        if (EFI_ERROR(status)) {
            Print(L"%a:%d: modules folder '%a': cannot list it: %r\n", CONFIG_FILE, d->line,
                  d->modules, status);
            return status;
        }
        if (len == 0)
            return EFI_SUCCESS;                 /* end of the directory */
        if (buf.info.Attribute & EFI_FILE_DIRECTORY)
            continue;                           /* ".", "..", sub-folders */
        if (!ascii_name(buf.info.FileName, name)) {
            Print(L"%a:%d: modules folder '%a': file name '%s' is not 1-%d printable ASCII "
                  L"characters\n", CONFIG_FILE, d->line, d->modules, buf.info.FileName,
                  MICA_MODULE_NAME_MAX - 1);
            return EFI_INVALID_PARAMETER;
        }
        if (l->n == MICA_MAX_MODULES) {
            Print(L"%a:%d: modules folder '%a': more than %d files\n", CONFIG_FILE, d->line,
                  d->modules, MICA_MAX_MODULES);
            return EFI_INVALID_PARAMETER;
        }
        total += buf.info.FileSize;
        if (buf.info.FileSize > MICA_MODULES_MAX_BYTES || total > MICA_MODULES_MAX_BYTES) {
            Print(L"%a:%d: modules folder '%a': more than %d MiB of files\n", CONFIG_FILE,
                  d->line, d->modules, (int)(MICA_MODULES_MAX_BYTES >> 20));
            return EFI_INVALID_PARAMETER;
        }
        insert_sorted(l, name, buf.info.FileSize);
    }
}

/* Read one listed file (relative to the folder) into bi->modules[i]. */
static EFI_STATUS read_module(EFI_FILE_HANDLE dir, const struct bootcfg_domain *d,
                              const struct listing *l, UINT32 i, struct mica_bootinfo *bi)
{
    CHAR16 name16[MICA_MODULE_NAME_MAX];
    struct mica_boot_module *m = &bi->modules[i];
    struct boot_file f;
    EFI_FILE_HANDLE fh;
    EFI_STATUS status;
    UINTN j;

    for (j = 0; j < MICA_MODULE_NAME_MAX; j++)
        name16[j] = (CHAR16)(unsigned char)l->name[i][j];
    status = dir->Open(dir, &fh, name16, EFI_FILE_MODE_READ, 0);
    if (!EFI_ERROR(status)) {
        status = file_read_open(fh, &f);
        fh->Close(fh);
    }
    /* The listing said how big it was: a file that changed is not trusted. */
    if (!EFI_ERROR(status) && f.size != l->size[i])
        status = EFI_VOLUME_CORRUPTED;
    if (EFI_ERROR(status)) {
        CHAR16 why[64];

        Print(L"%a:%d: cannot read module '%a/%a': %s\n", CONFIG_FILE, d->line, d->modules,
              l->name[i], status_text(status, why, 64));
        return status;
    }
    m->paddr = f.paddr;
    m->size = f.size;
    CopyMem(m->name, (void *)l->name[i], MICA_MODULE_NAME_MAX);
    Print(L"module %a/%a: %ld bytes at 0x%lx\n", d->modules, m->name, m->size, m->paddr);
    return EFI_SUCCESS;
}

EFI_STATUS modules_load(EFI_FILE_HANDLE root, const struct bootcfg *cfg,
                        struct mica_bootinfo *bi)
{
    static struct listing l;            /* ~1.2 KiB: off the firmware stack */
    const struct bootcfg_domain *d;
    EFI_FILE_HANDLE dir;
    EFI_STATUS status;
    BOOLEAN is_dir;
    UINT64 size;
    UINT32 owner, i;

    bi->nmodules = 0;
    status = find_owner(cfg, &owner);
    if (EFI_ERROR(status) || owner == cfg->ndomains)
        return status;
    d = &cfg->domains[owner];

    status = file_open(root, d->modules, &dir);
    if (EFI_ERROR(status)) {
        CHAR16 why[64];

        Print(L"%a:%d: cannot open modules folder '%a': %s\n", CONFIG_FILE, d->line,
              d->modules, status_text(status, why, 64));
        return status;
    }
    status = file_info(dir, &size, &is_dir);
    if (EFI_ERROR(status))
        Print(L"%a:%d: modules folder '%a': %r\n", CONFIG_FILE, d->line, d->modules, status);
    else if (!is_dir) {
        Print(L"%a:%d: modules folder '%a' is a file, not a folder\n", CONFIG_FILE, d->line,
              d->modules);
        status = EFI_INVALID_PARAMETER;
    }
    if (!EFI_ERROR(status))
        status = list_folder(dir, d, &l);
    for (i = 0; !EFI_ERROR(status) && i < l.n; i++)
        status = read_module(dir, d, &l, i, bi);
    dir->Close(dir);
    if (EFI_ERROR(status))
        return status;
    bi->nmodules = l.n;
    bi->modules_owner = owner;
    Print(L"domain %a: %d module%a from '%a'\n", d->name, l.n, l.n == 1 ? "" : "s",
          d->modules);
    return EFI_SUCCESS;
}
