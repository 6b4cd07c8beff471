/*
 * Whole files from the ESP the loader itself was started from (its
 * LoadedImage device), read into zeroed EfiLoaderData pages.
 */
#include "loader.h"

#define PATH_MAX_CHARS  (BOOTCFG_KERNEL_MAX + 1)   /* longest name we are given, + '\' */
#define FAT_NAME_MAX    255                        /* UCS-2 characters of a long name */
#define READ_CHUNK      (4ull << 20)               /* some firmware dislikes huge reads */

EFI_STATUS file_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
    EFI_LOADED_IMAGE *li;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_STATUS status;

    status = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(status))
        return status;
    status = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
    if (EFI_ERROR(status))
        return status;
    return fs->OpenVolume(fs, root);
}

/*
 * "dir/k.elf" -> L"\dir\k.elf": the firmware wants UCS-2 and backslashes;
 * names are relative to the root of the volume.
 */
static EFI_STATUS make_path(const char *name, CHAR16 *path)
{
    UINTN i = 0;

    if (*name != '/' && *name != '\\')
        path[i++] = L'\\';
    for (; *name; name++) {
        if (i + 1 >= PATH_MAX_CHARS)
            return EFI_INVALID_PARAMETER;
        path[i++] = (*name == '/') ? L'\\' : (CHAR16)(unsigned char)*name;
    }
    path[i] = 0;
    return EFI_SUCCESS;
}

EFI_STATUS file_info(EFI_FILE_HANDLE fh, UINT64 *size, BOOLEAN *is_dir)
{
    /* Room for the longest name FAT can return, so one call suffices. */
    union {
        EFI_FILE_INFO info;
        UINT8 bytes[offsetof(EFI_FILE_INFO, FileName) + (FAT_NAME_MAX + 1) * sizeof(CHAR16)];
    } buf;
    UINTN len = sizeof buf;
    EFI_STATUS status;

    status = fh->GetInfo(fh, &GenericFileInfo, &len, &buf);
    if (EFI_ERROR(status))
        return status;
    *size = buf.info.FileSize;
    *is_dir = (buf.info.Attribute & EFI_FILE_DIRECTORY) != 0;
    return EFI_SUCCESS;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE fh, UINT8 *dst, UINT64 size)
{
    while (size) {
        UINTN chunk = size < READ_CHUNK ? (UINTN)size : (UINTN)READ_CHUNK;
        EFI_STATUS status = fh->Read(fh, &chunk, dst);

        if (EFI_ERROR(status))
            return status;
        if (chunk == 0)
            return EFI_END_OF_FILE;     /* shorter than its directory entry said */
        dst += chunk;
        size -= chunk;
    }
    return EFI_SUCCESS;
}

EFI_STATUS file_open(EFI_FILE_HANDLE root, const char *name, EFI_FILE_HANDLE *fh)
{
    CHAR16 path[PATH_MAX_CHARS];
    EFI_STATUS status;

    status = make_path(name, path);
    if (EFI_ERROR(status))
        return status;
    return root->Open(root, fh, path, EFI_FILE_MODE_READ, 0);
}

EFI_STATUS file_read_open(EFI_FILE_HANDLE fh, struct boot_file *out)
{
    EFI_STATUS status;
    BOOLEAN is_dir;
    UINT64 size;

    out->paddr = 0;
    out->size = 0;
    status = file_info(fh, &size, &is_dir);
    if (!EFI_ERROR(status) && is_dir)
        status = FILE_IS_DIRECTORY;     /* a directory is not the file we were told of */
    if (EFI_ERROR(status))
        return status;
    status = alloc_pages_any(size, &out->paddr);
    if (EFI_ERROR(status))
        return status;
    status = read_all(fh, (UINT8 *)(UINTN)out->paddr, size);
    if (EFI_ERROR(status)) {
        alloc_free(out->paddr);
        out->paddr = 0;
        return status;
    }
    out->size = size;
    return EFI_SUCCESS;
}

EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *name, struct boot_file *out)
{
    EFI_FILE_HANDLE fh;
    EFI_STATUS status;

    out->paddr = 0;
    out->size = 0;
    status = file_open(root, name, &fh);
    if (EFI_ERROR(status))
        return status;
    status = file_read_open(fh, out);
    fh->Close(fh);
    return status;
}

const CHAR16 *status_text(EFI_STATUS status, CHAR16 *buf, UINTN len)
{
    if (status == FILE_IS_DIRECTORY)
        return L"is a directory";
    if (len < 64)
        return L"error";
    StatusToString(buf, status);    /* at most about 40 characters */
    return buf;
}
