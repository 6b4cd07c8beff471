/*
 * Test actions that drive the hypervisor's system tests. Output lines are an
 * interface: tests/system greps them, so change them only together.
 */
#include <stdint.h>

#include <public/errno.h>

#include "console.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "tests.h"

/* entry.asm identity-maps [0, 4 GiB); addresses past it are unmapped for us. */
#define IDENTITY_MAP_END   0x100000000ull
/* Lowest non-canonical address with 48-bit linear addresses. */
#define NONCANONICAL_ADDR  0x0000800000000000ull

/* End of the highest RAM range in the start-info memory map, 0 if none. */
static uint64_t ram_end(const struct hvm_start_info *si)
{
    const struct hvm_memmap_table_entry *map;
    uint64_t end = 0;

    if (si->version < 1 || si->memmap_paddr == 0 || si->memmap_paddr >= IDENTITY_MAP_END)
        return 0;
    map = (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        if (map[i].type == HVM_MEMMAP_TYPE_RAM && map[i].addr + map[i].size > end)
            end = map[i].addr + map[i].size;
    }
    return end;
}

/*
 * Read the first byte past our RAM. The EPT has no mapping there, so the
 * hypervisor must crash this domain; coming back from the read is a failure.
 */
static void test_ept_probe(const struct hvm_start_info *si)
{
    uint64_t addr = ram_end(si);

    if (addr == 0 || addr >= IDENTITY_MAP_END) {
        printk("ept-probe: FAIL cannot probe 0x%lx (no RAM map or beyond identity map)\n",
               (unsigned long)addr);
        guest_exit(SHUTDOWN_CRASH);
    }
    printk("ept-probe: reading 0x%lx\n", (unsigned long)addr);
    (void)*(volatile uint8_t *)(uintptr_t)addr;
    printk("ept-probe: FAIL read returned\n");
    guest_exit(SHUTDOWN_CRASH);
}

static void expect(const char *name, long got, long expected)
{
    if (got == expected)
        printk("PASS: hc/%s\n", name);
    else
        printk("FAIL: hc/%s got %ld expected %ld\n", name, got, expected);
}

/* Every documented error path of the calls this kernel knows. */
static void test_hypercall_errors(const struct hvm_start_info *si)
{
    static const char probe[] = "x";
    static char oversized[CONSOLEIO_WRITE_MAX + 1];     /* mapped, just too long */
    struct sched_shutdown poweroff = { .reason = SHUTDOWN_POWEROFF };

    /* Unknown numbers: inside the table, at its end, far beyond, all ones. */
    expect("unknown-63", hypercall3(63, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-64", hypercall3(HYPERCALL_COUNT, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-1000", hypercall3(1000, 0, 0, 0), -XEN_ENOSYS);
    expect("unknown-max", hypercall3(~0ul, 0, 0, 0), -XEN_ENOSYS);

    /* Buffers no page-table walk can translate. */
    expect("console-noncanonical",
           hyp_console_io(CONSOLEIO_WRITE, 16, NONCANONICAL_ADDR), -XEN_EFAULT);
    expect("console-unmapped",
           hyp_console_io(CONSOLEIO_WRITE, 16, IDENTITY_MAP_END), -XEN_EFAULT);

    /* Valid buffers, so only the command or the length can be at fault. */
    expect("console-badcmd", hyp_console_io(7, 1, (unsigned long)probe), -XEN_ENOSYS);
    expect("console-toolong",
           hyp_console_io(CONSOLEIO_WRITE, sizeof(oversized), (unsigned long)oversized),
           -XEN_EINVAL);
    expect("sched-badcmd", hyp_sched_op(99, (unsigned long)&poweroff), -XEN_ENOSYS);

    expect("sched-shutdown-badptr", hyp_sched_op(SCHEDOP_SHUTDOWN, IDENTITY_MAP_END),
           -XEN_EFAULT);

    /* A buffer whose first half is mapped and second half is not: all or nothing. */
    expect("console-straddle",
           hyp_console_io(CONSOLEIO_WRITE, 16, IDENTITY_MAP_END - 8), -XEN_EFAULT);
    expect("console-zero", hyp_console_io(CONSOLEIO_WRITE, 0, (unsigned long)probe), 0);
    static const char line[] = "console_io returns the count\n";
    expect("console-returns-count",
           hyp_console_io(CONSOLEIO_WRITE, sizeof(line) - 1, (unsigned long)line),
           (long)sizeof(line) - 1);
    struct sched_shutdown bad_reason = { .reason = 99 };
    expect("sched-shutdown-badreason",
           hyp_sched_op(SCHEDOP_SHUTDOWN, (unsigned long)&bad_reason), -XEN_EINVAL);
    expect("sched-yield", hyp_sched_op(SCHEDOP_YIELD, 0), 0);
}

/* ud2 with an empty IDT: #UD, then #GP, then #DF cannot be delivered either. */
static void test_triple_fault(const struct hvm_start_info *si)
{
    (void)si;
    printk("triple-fault: executing ud2 with an empty IDT\n");
    __asm__ volatile("lidt %0; ud2" : : "m"((struct { uint16_t l; uint64_t b; } __attribute__((packed))){ 0, 0 }));
    printk("triple-fault: FAIL still running\n");
    guest_exit(SHUTDOWN_CRASH);
}

/* Halt with interrupts off: nothing can ever wake this vCPU. */
static void test_halt(const struct hvm_start_info *si)
{
    (void)si;
    printk("halt: cli; hlt\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

static const struct {
    const char *name;
    void (*run)(const struct hvm_start_info *si);
} test_actions[] = {
    { "ept-probe",        test_ept_probe },
    { "hypercall-errors", test_hypercall_errors },
    { "triple-fault",     test_triple_fault },
    { "halt",             test_halt },
};

bool tests_run(const char *action, const struct hvm_start_info *si)
{
    for (size_t i = 0; i < sizeof(test_actions) / sizeof(test_actions[0]); i++) {
        if (strcmp(action, test_actions[i].name) == 0) {
            test_actions[i].run(si);
            return true;
        }
    }
    return false;
}
