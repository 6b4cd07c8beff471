/*
 * Every CPU, not just the boot CPU: find the CPUs (ACPI MADT, else the list
 * the loader got from the firmware's MP services, else the boot CPU alone),
 * start each application processor with INIT-SIPI-SIPI through a real-mode
 * trampoline (SDM 3A 8.4.4), give it its own stacks, GDT/TSS, GS base and
 * VMXON region, and hold it until the scheduler starts. After that no CPU
 * is special: each runs sched_cpu_loop().
 */
#include "arch/acpi.h"
#include "arch/ap_trampoline.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/madt.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "arch/x86.h"
#include "vmx/vmx_caps.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "hv/string.h"

#define AP_STACK_SIZE   32768
#define INIT_DELAY_US   10000           /* SDM 3A 8.4.4.1: 10 ms after INIT */
#define SIPI_DELAY_US   200             /* and 200 us between the two SIPIs */
#define AP_WAIT_US      100000          /* an AP that has not checked in by then failed */
#define AP_WAIT_STEP_US 100

struct percpu percpus[MICA_MAX_CPUS];
uint32_t cpus_online = 1;

static uint8_t ap_stacks[MICA_MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static uint32_t found_ids[MICA_MAX_CPUS];   /* arch_smp_discover: boot CPU first */
static uint32_t nfound;
static paddr_t trampoline_page;
static volatile bool released;          /* the scheduler has started */
static uint64_t boot_pat;               /* the boot CPU's PAT, copied to every AP */

/* ap_trampoline.asm */
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern const uint64_t ap_trampoline_offsets[];
enum { OFF_GDT, OFF_GDT_BASE, OFF_FAR32, OFF_PROTECTED, OFF_FAR64, OFF_LONG, OFF_PARAMS };
extern void ap_entry(void);
void ap_main(uint32_t cpu) __attribute__((noreturn));

void percpu_init(uint32_t index, uint32_t apic_id)
{
    struct percpu *p = &percpus[index];
    p->self = p;
    p->index = index;
    p->apic_id = apic_id;
    wrmsr(MSR_IA32_GS_BASE, (uint64_t)p);
}

uint32_t arch_cpu_id(void)
{
    return this_cpu()->index;
}

void arch_kick_cpu(uint32_t cpu)
{
    if (cpu < cpus_online && cpu != this_cpu()->index)
        lapic_send_ipi(percpus[cpu].apic_id, ICR_FIXED | VECTOR_KICK);
}

/* An NMI gets through with interrupts off, as power.c's stop does. */
void arch_watchdog_nmi(uint32_t cpu)
{
    if (cpu < cpus_online && cpu != this_cpu()->index)
        lapic_send_ipi(percpus[cpu].apic_id, ICR_NMI);
}

int arch_cpu_in_guest(uint32_t cpu)
{
    struct domain *d = cpu < cpus_online ? percpus[cpu].in_guest : NULL;
    return d ? (int)d->id : -1;
}

/* The APIC IDs to start, the boot CPU's first. */
static uint32_t find_cpus(const struct mica_bootinfo *bi, uint32_t *ids)
{
    uint32_t len, n = 0;
    const void *madt = acpi_table("APIC", &len);
    struct madt_cpus found;
    const char *why = "absent";

    if (madt && !madt_parse(madt, len, &found, &why)) {
        printk("smp: ACPI MADT lists %u enabled CPUs%s\n", found.count,
               found.skipped ? " (more beyond what Mica can start are left halted)" : "");
        memcpy(ids, found.apic_id, found.count * sizeof *ids);
        n = found.count;
    } else if (bi->fw_cpu_count) {
        printk("smp: ACPI MADT %s; using the %u CPUs the firmware's MP services listed\n",
               madt ? why : "absent", bi->fw_cpu_count);
        n = MIN(bi->fw_cpu_count, (uint32_t)MICA_MAX_CPUS);
        memcpy(ids, bi->fw_cpu_apic_id, n * sizeof *ids);
    } else {
        printk("smp: ACPI MADT %s and no CPU list from the firmware: running on the boot "
               "CPU only\n", madt ? why : "absent");
    }

    /* The boot CPU goes first, whatever the order of the table. */
    uint32_t self = lapic_id();
    for (uint32_t i = 0; i < n; i++) {
        if (ids[i] == self) {
            ids[i] = ids[0];
            ids[0] = self;
            return n;
        }
    }
    if (n)
        printk("smp: the boot CPU (APIC id %u) is not in that list: ignoring it\n", self);
    ids[0] = self;
    return 1;
}

static void copy_trampoline(paddr_t page)
{
    uint8_t *t = phys_to_virt(page);
    size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);
    memcpy(t, ap_trampoline_start, size);
    uint32_t base = (uint32_t)page;
    uint32_t gdt = base + (uint32_t)ap_trampoline_offsets[OFF_GDT];
    uint32_t pm = base + (uint32_t)ap_trampoline_offsets[OFF_PROTECTED];
    uint32_t lm = base + (uint32_t)ap_trampoline_offsets[OFF_LONG];
    memcpy(t + ap_trampoline_offsets[OFF_GDT_BASE], &gdt, 4);
    memcpy(t + ap_trampoline_offsets[OFF_FAR32], &pm, 4);
    memcpy(t + ap_trampoline_offsets[OFF_FAR64], &lm, 4);

    struct trampoline_params *p = (void *)(t + ap_trampoline_offsets[OFF_PARAMS]);
    p->cr3 = read_cr3();
    p->cr4 = read_cr4() & ~(CR4_VMXE | CR4_PCIDE);
    p->cr0 = read_cr0();
    p->efer = rdmsr(MSR_IA32_EFER) & ~EFER_LMA;
    p->entry = (uint64_t)ap_entry;
}

static bool wait_online(uint32_t cpu, uint32_t us)
{
    for (uint32_t t = 0; t < us; t += AP_WAIT_STEP_US) {
        if (percpus[cpu].online)
            return true;
        pit_wait_us(AP_WAIT_STEP_US);
    }
    return percpus[cpu].online;
}

static bool start_ap(uint32_t cpu, uint32_t apic_id, paddr_t page)
{
    struct trampoline_params *p =
        (void *)((uint8_t *)phys_to_virt(page) + ap_trampoline_offsets[OFF_PARAMS]);
    p->stack = (uint64_t)ap_stacks[cpu] + AP_STACK_SIZE;
    p->cpu = cpu;
    percpus[cpu].apic_id = apic_id;

    lapic_send_ipi(apic_id, ICR_INIT);
    pit_wait_us(INIT_DELAY_US);
    for (int sipi = 0; sipi < 2; sipi++) {
        lapic_send_ipi(apic_id, ICR_STARTUP | (uint32_t)(page >> PAGE_SHIFT));
        if (wait_online(cpu, SIPI_DELAY_US))
            return true;
    }
    return wait_online(cpu, AP_WAIT_US);
}

void arch_smp_discover(const struct mica_bootinfo *bi)
{
    nfound = find_cpus(bi, found_ids);
    trampoline_page = bi->ap_trampoline_paddr;
}

uint32_t arch_smp_init(void)
{
    const uint32_t *ids = found_ids;
    uint32_t n = nfound ? nfound : 1;
    paddr_t page = trampoline_page;

    percpus[0].apic_id = ids[0];
    percpus[0].online = true;
    printk("cpu 0: APIC id %u, the boot CPU, up\n", ids[0]);
    if (n > 1 && (!page || page >= 0x100000 || (page & (PAGE_SIZE - 1)))) {
        printk("smp: no start page below 1 MiB from the loader: running on the boot CPU only\n");
        n = 1;
    }
    if (n == 1)
        return 1;

    boot_pat = rdmsr(MSR_IA32_PAT);
    arch_identity_map_page(page, true);     /* the AP turns paging on while there */
    copy_trampoline(page);
    for (uint32_t i = 1; i < n; i++) {
        uint32_t cpu = cpus_online;     /* CPU numbers stay dense when one fails */
        if (start_ap(cpu, ids[i], page))
            cpus_online++;
        else
            printk("cpu %u: APIC id %u did not start (no answer to INIT-SIPI-SIPI)\n", cpu,
                   ids[i]);
    }
    arch_identity_map_page(page, false);
    printk("smp: %u of %u CPUs up\n", cpus_online, n);
    return cpus_online;
}

void arch_smp_release(void)
{
    __atomic_store_n(&released, true, __ATOMIC_RELEASE);
}

/* An application processor, on its own stack, in long mode on our page tables. */
void ap_main(uint32_t cpu)
{
    gdt_init(cpu);
    percpu_init(cpu, percpus[cpu].apic_id);     /* after the segment loads */
    idt_load();
    wrmsr(MSR_IA32_PAT, boot_pat);
    lapic_init();
    if (vmx_cpu_on())
        arch_halt_forever("VMX could not be enabled on this CPU");
    printk("cpu %u: APIC id %u up\n", cpu, percpus[cpu].apic_id);
    __atomic_store_n(&percpus[cpu].online, true, __ATOMIC_RELEASE);

    while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
        pause();
    write_cr3(read_cr3());              /* forget the trampoline's identity mapping */
    sched_cpu_loop();
}
