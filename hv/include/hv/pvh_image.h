/*
 * PVH kernel image loader. A boot-time domain's kernel file arrives verbatim
 * in hypervisor memory; it is untrusted. pvh_image_parse() validates the
 * whole image against the guest-physical layout in start_info.h and records
 * what to copy; pvh_image_load() then performs the copy and cannot fail on
 * its own (only the writer can).
 *
 * Accepted: little-endian ET_EXEC, ELFCLASS64/EM_X86_64 or ELFCLASS32/EM_386,
 * PT_LOAD segments placed by p_paddr, entry point from the "Xen" note
 * XEN_ELFNOTE_PHYS32_ENTRY (4- or 8-byte descriptor). e_entry is ignored.
 */
#ifndef MICA_HV_PVH_IMAGE_H
#define MICA_HV_PVH_IMAGE_H

#include <stdint.h>

#define PVH_MAX_SEGMENTS 16

struct pvh_segment {
    uint64_t gpa;               /* from p_paddr */
    uint64_t file_offset;
    uint64_t filesz;            /* bytes copied from the file */
    uint64_t memsz;             /* >= filesz; the rest is zero-filled */
};

struct pvh_image {
    uint32_t entry;             /* PHYS32_ENTRY: 32-bit protected-mode entry */
    uint32_t nsegments;         /* PT_LOAD segments with memsz > 0 */
    struct pvh_segment seg[PVH_MAX_SEGMENTS];
};

/*
 * Validate `image` (size bytes) as a PVH kernel for a domain with ram_bytes
 * of guest-physical RAM. Fills *out and returns 0, or returns -1 with *why
 * set to a static reason string. Changes nothing else (not *out on failure).
 */
int pvh_image_parse(const void *image, uint64_t size, uint64_t ram_bytes,
                    struct pvh_image *out, const char **why);

/* Writes len bytes at guest-physical gpa; src NULL means zero fill.
 * Returns 0 or -1; it must check gpa/len against the domain itself. */
typedef int (*guest_phys_writer)(void *ctx, uint64_t gpa, const void *src,
                                 uint64_t len);

/*
 * Copy the segments of a parsed image (the same `image` that was given to
 * pvh_image_parse) through `write`, zero-filling memsz beyond filesz.
 * Returns 0, or the first nonzero value the writer returned.
 */
int pvh_image_load(const void *image, const struct pvh_image *img,
                   guest_phys_writer write, void *ctx);

#endif
