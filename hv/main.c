/*
 * hv_main: from the loader's hand-off to scheduling the first domain.
 * Order matters: console first (so every later failure can be reported),
 * our own page tables before any firmware memory is reused, and VMX only
 * after the timer, since the run loop needs calibrated time.
 */
#include "hv/arch.h"
#include "hv/boot_modules.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/pci.h"
#include "hv/options.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "hv/string.h"
#include "hv/symbols.h"
#include "hv/time.h"
#include "hv/watchdog.h"
#include "mica/bootinfo.h"

void hv_main(paddr_t bootinfo_pa);

extern uint64_t boot_tsc;

/* Where boot time goes (docs/performance.md): TSC ticks since the first instruction. */
static void boot_stage(const char *stage)
{
    printk("boot: %-12s at %lu ticks\n", stage, arch_read_tsc() - boot_tsc);
}

/*
 * selftest=fault: read a never-mapped address so that the fault report
 * (registers, symbolised backtrace) can be checked by a system test.
 */
static void __attribute__((noinline)) selftest_fault(void)
{
    volatile uintptr_t unmapped = 0x10;   /* page 0 is never mapped (paging.c) */
    printk("selftest: reading unmapped address 0x%lx\n", (uint64_t)unmapped);
    (void)*(volatile uint64_t *)unmapped;
}

static paddr_t top_of_memory(const struct mica_memrange *map, uint32_t n)
{
    paddr_t top = 0;
    for (uint32_t i = 0; i < n; i++)
        if (map[i].type != MICA_MEM_MMIO && map[i].type != MICA_MEM_RESERVED)
            top = MAX(top, map[i].base + (map[i].pages << PAGE_SHIFT));
    return MIN(top, (paddr_t)FRAME_MAX_PHYS);
}

static void check_bootinfo(const struct mica_bootinfo *bi)
{
    if (bi->magic != MICA_BOOTINFO_MAGIC)
        panic("boot info at %p has a bad magic (0x%lx): not started by Mica's loader?", bi,
              bi->magic);
    if (bi->version != MICA_BOOTINFO_VERSION || bi->size != sizeof *bi)
        panic("boot info version %u size %u, this hypervisor expects version %u size %zu: "
              "loader and hypervisor are from different builds",
              bi->version, bi->size, MICA_BOOTINFO_VERSION, sizeof *bi);
    if (bi->ndomains > BOOTCFG_MAX_DOMAINS)
        panic("boot info lists %u domains (at most %u)", bi->ndomains, BOOTCFG_MAX_DOMAINS);
}

/* dom0 first (DESIGN.md 2.4): privileged entries, then the rest in file order. */
static void build_boot_domains(const struct mica_bootinfo *bi)
{
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < bi->ndomains; i++) {
            const struct mica_boot_domain *bd = &bi->domains[i];
            if ((pass == 0) != (bd->cfg.privileged != 0))
                continue;
            domain_create_boot(&bd->cfg, phys_to_virt(bd->image_paddr), bd->image_size);
        }
    }
}

void hv_main(paddr_t bootinfo_pa)
{
    extern char __hv_start[], __hv_end[];

    arch_early_init();
    printk("Mica hypervisor starting\n");
    boot_stage("console");

    const struct mica_bootinfo *bi = (const void *)bootinfo_pa;  /* firmware identity map */
    check_bootinfo(bi);
    const struct mica_memrange *map = (const void *)bi->memmap_paddr;
    uint32_t nmap = bi->memmap_entries;

    /* Boot-services memory still holds the firmware page tables we run on: not yet. */
    frame_add_from_map(map, nmap, (paddr_t)__hv_start, (paddr_t)__hv_end, false);
    boot_stage("frames");
    arch_paging_init(top_of_memory(map, nmap));
    bi = phys_to_virt(bootinfo_pa);
    map = phys_to_virt(bi->memmap_paddr);
    frame_add_from_map(map, nmap, (paddr_t)__hv_start, (paddr_t)__hv_end, true);
    printk("memory: %lu MiB free for domains\n", frame_free_count() >> (20 - PAGE_SHIFT));
    boot_stage("memory");

    symbols_init(phys_to_virt(bi->hv_file_paddr), bi->hv_file_size);
    options_apply(bi->hv_options);
    arch_timer_init();
    time_init();
    boot_stage("timers");
    arch_acpi_init(bi->rsdp_paddr);
    arch_irq_init();
    arch_smp_discover(bi);
    if (hv_options.selftest_fault)
        selftest_fault();

    if (arch_virt_init()) {
        printk("cannot run domains on this machine\n");
        arch_power_off();
    }

    boot_stage("vmx");
    uint32_t ncpus = arch_smp_init();
    sched_init(ncpus);
    watchdog_init(ncpus);
    boot_stage("smp");
    pci_init(map, nmap);
    boot_modules_init(bi, map, nmap);
    uint64_t frames_before = frame_free_count();
    build_boot_domains(bi);
    boot_stage("domains");
    /* boot_to_dom0 = dom0's first instruction - this, minus the scrubbing. */
    printk("bench: hv_entry_tsc %lu\n", boot_tsc);
    printk("bench: boot_scrub %lu\n", domain_scrub_ticks());
    sched_run(frames_before);
}
