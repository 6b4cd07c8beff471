/*
 * Load the hypervisor (mica.elf): read the file, validate it (elf_check.c),
 * claim the physical pages its PT_LOAD segments span at exactly their link
 * address, copy each segment and leave the rest zero (.bss, gaps). The file
 * itself stays in memory: the hypervisor reads its symbol table from it.
 */
#include "loader.h"
#include "elf_check.h"

static void copy_segments(const void *file)
{
    Elf64_Ehdr eh;
    unsigned i;

    CopyMem(&eh, (void *)file, sizeof eh);
    for (i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        elf_phdr(file, i, &ph);
        if (ph.p_type != PT_LOAD || ph.p_filesz == 0)
            continue;
        /* The span was zeroed when allocated: memsz beyond filesz stays 0. */
        CopyMem((void *)(UINTN)ph.p_paddr, (UINT8 *)file + ph.p_offset, ph.p_filesz);
    }
}

EFI_STATUS hv_load(EFI_FILE_HANDLE root, struct hv_loaded *out)
{
    struct elf_image img;
    const char *why;
    EFI_STATUS status;
    int bad_phdr;

    status = file_read(root, HV_FILE, &out->file);
    if (EFI_ERROR(status)) {
        CHAR16 text[64];

        Print(L"%a: cannot read: %s\n", HV_FILE, status_text(status, text, 64));
        return status;
    }
    why = elf_check((const void *)(UINTN)out->file.paddr, out->file.size, &img, &bad_phdr);
    if (why) {
        if (bad_phdr >= 0)
            Print(L"%a: program header %d: %a\n", HV_FILE, bad_phdr, why);
        else
            Print(L"%a: %a\n", HV_FILE, why);
        return EFI_LOAD_ERROR;
    }
    status = alloc_pages_at(img.span_base, (UINTN)img.span_pages);
    if (EFI_ERROR(status)) {
        Print(L"%a: cannot claim %ld pages at its link address 0x%lx: %r\n", HV_FILE,
              img.span_pages, img.span_base, status);
        return status;
    }
    copy_segments((const void *)(UINTN)out->file.paddr);
    out->entry = img.entry;
    Print(L"%a: %ld KiB at 0x%lx, entry 0x%lx\n", HV_FILE, img.span_pages * PAGE_SIZE / 1024,
          img.span_base, img.entry);
    return EFI_SUCCESS;
}
