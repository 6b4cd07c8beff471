/*
 * Test actions that drive the hypervisor's system tests, linked only into
 * the test images (build/dom0-test.elf, build/domu-test.elf): the same
 * kernel as dom0.elf and domu.elf, with this image_main(). Output lines are
 * an interface: tests/system greps them, so change them only together.
 * The ABI cases live in test_abi.c, the sleep measurements in test_sleep.c,
 * the inter-domain (event channel and grant table) ones in test_ipc*.c, the
 * path-length benchmarks in test_bench.c, the multi-vCPU cases in
 * test_smp.c, the scheduler loads (cpu-hog) in test_hog.c, test_share.c, the
 * CPU-state, CR8 and string I/O cases in test_cpu_state.c, the hypercall
 * fuzzer in test_fuzz*.c, the instruction fuzzer in test_insn*.c, device
 * ownership in test_devices.c, the PCI, ATA and block-layer cases in
 * test_disk.c, dom0's e1000 and network stack in test_net.c, ballooning in
 * test_balloon.c, unbacked memory in test_unbacked.c, the xenstore suite a
 * domU runs against dom0's daemon in test_xenstore.c, the console input echo
 * in test_console_echo.c, the emulated local APIC in test_vlapic.c.
 */
#include <stdint.h>

#include "arch.h"
#include "cmdline.h"
#include "console.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "test_bench.h"
#include "test_ipc.h"
#include "test_control.h"
#include "test_cpu_state.h"
#include "test_latency.h"
#include "test_hostile.h"
#include "test_share.h"
#include "tests.h"
#include "timer.h"

#define CONSOLE_LINES 20
#define TEST_MAX_LEN 64
/* Ticks a domain without test= waits for, as the production images do. */
#define BOOT_TICKS 3

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
static void test_ept_probe(const struct guest_env *env)
{
    uint64_t addr = ram_end(env->si);

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

/* ud2 with an empty IDT: #UD, then #GP, then #DF cannot be delivered either. */
static void test_triple_fault(const struct guest_env *env)
{
    static const struct idt_pointer empty = { 0, 0 };

    (void)env;
    printk("triple-fault: executing ud2 with an empty IDT\n");
    lidt(&empty);
    ud2();
    printk("triple-fault: FAIL still running\n");
    guest_exit(SHUTDOWN_CRASH);
}

/* Halt with interrupts off and no timer armed: nothing can ever wake this vCPU. */
static void test_halt(const struct guest_env *env)
{
    (void)env;
    printk("halt: cli; hlt\n");
    for (;;)
        cli_hlt();
}

/* dom0 asks for a reboot: the machine resets once every domain has ended. */
static void test_reboot(const struct guest_env *env)
{
    (void)env;
    printk("reboot: SCHEDOP_shutdown(SHUTDOWN_reboot)\n");
    guest_exit(SHUTDOWN_REBOOT);
}

/* An exception with our IDT loaded: reported by vector and RIP, then crash. */
static void test_exception(const struct guest_env *env)
{
    (void)env;
    printk("exception: executing ud2\n");
    ud2();
    printk("exception: FAIL still running\n");
    guest_exit(SHUTDOWN_CRASH);
}

/* Numbered lines through the normal console path, yielding between them so
 * that domains doing the same interleave line by line. */
static void test_console_lines(const struct guest_env *env)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog 0123456789 ABCDE";

    _Static_assert(sizeof(text) - 1 == 60, "60 characters of text");
    for (unsigned int i = 1; i <= CONSOLE_LINES; i++) {
        printk("line %u of %s: %s\n", i, env->name, text);
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    printk("console-lines: done\n");
}

/* A domain built at run time reports when its first instruction ran
 * (scripts/bench.sh: domain_create_rt_*), then powers off. */
static void test_entry_tsc(const struct guest_env *env)
{
    (void)env;
    printk("bench: guest_entry_tsc %lu\n", (unsigned long)guest_entry_tsc);
}

/* An idle domain: it blocks for ever, woken only to block again, until it
 * is shut down or destroyed (the toolstack's tests). */
static void test_idle(const struct guest_env *env)
{
    printk("idle: %s blocks\n", env->name);
    for (;;)
        hyp_sched_op(SCHEDOP_BLOCK, 0);
}

static const struct {
    const char *name;
    void (*run)(const struct guest_env *env);
} test_actions[] = {
    { "ept-probe",        test_ept_probe },
    { "abi",              test_abi },
    { "hypercall-errors", test_abi },           /* the old name of abi */
    { "sleep",            test_sleep },
    { "console-lines",    test_console_lines },
    { "console-echo",     test_console_echo },    /* test_console_echo.c */
    { "exception",        test_exception },
    { "triple-fault",     test_triple_fault },
    { "halt",             test_halt },
    { "reboot",           test_reboot },
    { "ring-server",      test_ipc_ring_server },
    { "ring-client",      test_ipc_ring_client },
    { "copy-server",      test_ipc_copy_server },
    { "copy-client",      test_ipc_copy_client },
    { "lifetime-granter", test_ipc_lifetime_granter },
    { "lifetime-mapper",  test_ipc_lifetime_mapper },
    { "orphan-granter",   test_ipc_orphan_granter },
    { "orphan-mapper",    test_ipc_orphan_mapper },
    { "ro-granter",       test_ipc_ro_granter },
    { "ro-writer",        test_ipc_ro_writer },
    { "ipc-errors",       test_ipc_errors },
    { "bench",            test_bench },
    { "bench-peer",       test_bench_peer },
    { "entry-tsc",        test_entry_tsc },
    { "idle",             test_idle },
    { "smp",              test_smp },
    { "cpu-hog",          test_cpu_hog },
    { "latency-ping",     test_latency_ping },
    { "latency-pong",     test_latency_pong },
    { "share",            test_share },
    { "control",          test_control },
    { "balloon",          test_balloon },         /* test_balloon.c */
    { "balloon-follow",   test_balloon_follow },  /* test_balloon.c: needs dom0's store */
    { "unbacked",         test_unbacked },        /* test_unbacked.c */
    { "vlapic",           test_vlapic },          /* test_vlapic.c */
    { "nmi-crash",        test_nmi_crash },       /* test_vlapic.c */
    { "conformance",      test_conformance },     /* tests/abi/ */
    { "restricted",       test_restricted },      /* tests/abi/hypercall.c */
    { "evtchn-fifo",      test_evtchn_fifo },     /* tests/abi/event_channel_op-fifo.c */
    { "fuzz",             test_fuzz },
    { "insn-fuzz",        test_insn_fuzz },
    { "disk",             test_disk },
    { "devices-dom0",     test_devices_dom0 },
    { "devices-domu",     test_devices_domu },
    { "net",              test_net },             /* test_net.c: e1000 and the stack */
    { "xenstore",         test_xenstore },        /* test_xenstore.c: over the ring */
    { "xenstore-wild",    test_xenstore_wild },
};

static bool tests_run(const char *action, const struct guest_env *env)
{
    for (size_t i = 0; i < sizeof(test_actions) / sizeof(test_actions[0]); i++) {
        if (strcmp(action, test_actions[i].name) == 0) {
            test_actions[i].run(env);
            return true;
        }
    }
    return test_cpu_state_run(action, env) || test_hostile_run(action, env);
}

/* test=<action> runs it; without test=, the image behaves as dom0.elf/domu.elf do. */
void image_main(const struct guest_env *env)
{
    char test[TEST_MAX_LEN];

    if (!cmdline_get(env->cmdline, "test", test, sizeof(test))) {
        timer_show_ticks(BOOT_TICKS);
        return;
    }
    if (!tests_run(test, env)) {
        printk("FAIL: unknown test=%s\n", test);
        guest_exit(SHUTDOWN_CRASH);
    }
}
