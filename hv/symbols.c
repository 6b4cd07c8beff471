/*
 * Backtraces name functions using the .symtab of the hypervisor's own ELF
 * file, which the loader hands over unchanged. No second link pass needed.
 */
#include "hv/symbols.h"
#include "hv/printk.h"
#include "mica/elf.h"

static const Elf64_Sym *symtab;
static uint64_t nsyms;
static const char *strtab;
static uint64_t strtab_size;

void symbols_init(const void *file, uint64_t size)
{
    const Elf64_Ehdr *eh = file;
    if (!file || size < sizeof *eh || eh->e_shoff >= size ||
        eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shnum > (size - eh->e_shoff) / sizeof(Elf64_Shdr))
        return;
    const Elf64_Shdr *sh = (const void *)((const char *)file + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *str = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
            str->sh_offset > size || str->sh_size > size - str->sh_offset)
            return;
        symtab = (const void *)((const char *)file + sh[i].sh_offset);
        nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
        strtab = (const char *)file + str->sh_offset;
        strtab_size = str->sh_size;
        return;
    }
}

const char *symbols_lookup(uint64_t addr, uint64_t *offset)
{
    const Elf64_Sym *best = NULL;
    for (uint64_t i = 0; i < nsyms; i++) {
        const Elf64_Sym *s = &symtab[i];
        unsigned type = ELF64_ST_TYPE(s->st_info);
        if ((type != STT_FUNC && type != STT_NOTYPE) || s->st_value > addr ||
            s->st_name >= strtab_size || s->st_shndx == 0)
            continue;
        if (s->st_size && addr >= s->st_value + s->st_size)
            continue;
        if (!best || s->st_value > best->st_value)
            best = s;
    }
    if (!best)
        return NULL;
    *offset = addr - best->st_value;
    return strtab + best->st_name;
}

/* Frames above #0 hold return addresses: name the call before it, which is
 * in the caller even when a noreturn call ends the function (ap_main). */
static void print_frame(int n, uint64_t addr)
{
    uint64_t off = 0, back = n ? 1 : 0;
    const char *name = symbols_lookup(addr - back, &off);
    if (name)
        printk("  #%d 0x%lx %s+0x%lx\n", n, addr, name, off + back);
    else
        printk("  #%d 0x%lx ?\n", n, addr);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    extern char __hv_start[], __hv_end[];
    uint64_t lo = (uint64_t)__hv_start, hi = (uint64_t)__hv_end;

    printk("backtrace:\n");
    print_frame(0, rip);
    /* Follow saved RBPs only while they point into the hypervisor image, where
     * every hypervisor stack lives; stops at the zero RBP the entry sets. */
    for (int n = 1; n < 24 && rbp >= lo && rbp + 16 <= hi && !(rbp & 7); n++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        if (!frame[1])
            break;
        print_frame(n, frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}
