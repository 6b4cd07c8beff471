/*
 * test=pt-loop: hypercall buffers behind loops in our own page tables. The
 * hypervisor walks our tables in software for every guest pointer
 * (arch/x86/guest_walk.c); it must come to the same answer as the CPU, in
 * a bounded number of steps, whatever the tables hold.
 *
 *   PML4[LOOP]  = the PML4 itself                  (a self-loop)
 *   PML4[CYCLE] = cycle_table, cycle_table[CYCLE] = the PML4  (a 2-cycle)
 *   PML4[RSVD]  = the PML4 with PS set             (reserved in a PML4E)
 *
 * An address whose walk goes round a loop and ends on an empty entry, or
 * passes an entry with a reserved bit, faults on the CPU: every hypercall
 * given it (reading or writing, the whole buffer or just its tail) must
 * fail with -EFAULT. An address whose walk goes through the loop and ends
 * on a page is a valid mapping: the hypervisor must read and write that
 * page, as we do through the same address. The -EFAULT calls are repeated
 * for `seconds=` (default 2): the walk must never hang or fault the
 * hypervisor.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "arch.h"
#include "clock.h"
#include "console.h"
#include "hypercall.h"
#include "lib.h"
#include "test_hostile.h"

#define PTE_P      (1ull << 0)
#define PTE_RW     (1ull << 1)
#define PTE_PS     (1ull << 7)
#define LOOP       1u           /* PML4 slots we take: 512 GiB each, unused by us */
#define RSVD       2u
#define CYCLE      3u
#define EMPTY      4u           /* an empty PML4 slot, right after CYCLE */
#define LARGE_PAGE (2ull << 20)
#define MESSAGE    "pt-loop: the hypervisor read this through a page-table loop\n"

extern char __image_end[];      /* guest.ld */

static uint64_t cycle_table[512] __attribute__((aligned(PAGE_SIZE)));

static uint64_t va_of(unsigned int l4, unsigned int l3, unsigned int l2, unsigned int l1)
{
    return (uint64_t)l4 << 39 | (uint64_t)l3 << 30 | (uint64_t)l2 << 21 | (uint64_t)l1 << 12;
}

/* ---- hypercalls that take a pointer, each given `va` ---------------------- */

static long hc_console_write(uint64_t va)
{
    return hyp_console_io(CONSOLEIO_WRITE, 16, va);
}

static long hc_extraversion(uint64_t va)
{
    return hyp_xen_version(XENVER_EXTRAVERSION, va);
}

static long hc_reservation(uint64_t va)
{
    return hyp_memory_op(XENMEM_CURRENT_RESERVATION, va);
}

static long hc_evtchn_status(uint64_t va)
{
    return hyp_event_channel_op(EVTCHNOP_STATUS, va);
}

static long hc_runstate(uint64_t va)
{
    return hyp_vcpu_op(VCPUOP_GET_RUNSTATE_INFO, 0, va);
}

static long hc_grant_query(uint64_t va)
{
    return hyp_grant_table_op(GNTTABOP_query_size, va, 1);
}

static long hc_hvm_param(uint64_t va)
{
    return hyp_hvm_op(HVMOP_GET_PARAM, va);
}

static long hc_poll(uint64_t va)
{
    return hyp_sched_op(SCHEDOP_POLL, va);
}

/* A good sched_poll whose port list is at `va`; the timeout ends it if it got through. */
static long hc_poll_ports(uint64_t va)
{
    struct sched_poll p = { .ports = va, .nr_ports = 1, .timeout = clock_now_ns() };

    return hyp_sched_op(SCHEDOP_POLL, (unsigned long)&p);
}

static const struct {
    const char *name;
    long (*call)(uint64_t va);
} calls[] = {
    { "console_io",       hc_console_write },
    { "xen_version",      hc_extraversion },
    { "memory_op",        hc_reservation },
    { "evtchn_status",    hc_evtchn_status },
    { "vcpu_runstate",    hc_runstate },
    { "grant_query_size", hc_grant_query },
    { "hvm_get_param",    hc_hvm_param },
    { "sched_poll",       hc_poll },
    { "sched_poll_ports", hc_poll_ports },
};
#define NR_CALLS (sizeof calls / sizeof calls[0])

/* Every call with `va`: how many did not fail with -EFAULT (the last one's result in *got). */
static unsigned int not_efault(uint64_t va, long *got)
{
    unsigned int bad = 0;

    for (size_t i = 0; i < NR_CALLS; i++) {
        long rc = calls[i].call(va);

        if (rc != -XEN_EFAULT) {
            bad++;
            *got = rc;
            printk("pt-loop: %s at 0x%lx = %ld, not -EFAULT\n", calls[i].name, (unsigned long)va,
                   rc);
        }
    }
    return bad;
}

/* ---- the walks ----------------------------------------------------------- */

/* The faulting addresses: round a loop to an empty entry, or past a reserved bit. */
struct bad_va {
    const char *name;
    uint64_t va;
};

static void check_faults(const struct bad_va *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long got = 0;

        hostile_report(not_efault(bad[i].va, &got) == 0, bad[i].name, got);
    }
}

/* Walk through the self-loop to page `target` (identity mapped at its
 * physical address): the hypervisor must write, and read, what is there. */
static void check_page_through_loop(uint64_t target, uint64_t loop_va)
{
    char version[XEN_EXTRAVERSION_LEN];
    volatile char *phys = (volatile char *)(uintptr_t)target;
    const volatile char *ours = (const volatile char *)(uintptr_t)loop_va;
    long rc;
    bool same = true;

    memset((void *)(uintptr_t)target, 0, PAGE_SIZE);
    rc = hyp_xen_version(XENVER_EXTRAVERSION, loop_va);
    hostile_report(rc == 0 && phys[0] == '-' && phys[1] == 'm', "loop-to-page-written", rc);
    hyp_xen_version(XENVER_EXTRAVERSION, (unsigned long)version);
    for (size_t i = 0; i < sizeof MESSAGE - 1; i++)
        phys[256 + i] = MESSAGE[i];
    rc = hyp_console_io(CONSOLEIO_WRITE, sizeof MESSAGE - 1, loop_va + 256);
    hostile_report(rc == (long)sizeof MESSAGE - 1, "loop-to-page-read", rc);
    /* The CPU's view of the same address (never used before: no stale TLB entry). */
    for (size_t i = 0; i < sizeof version && version[i]; i++)
        same &= ours[i] == version[i];
    hostile_report(same, "cpu-sees-the-same-page", ours[0]);
}

void test_pt_loop(const struct guest_env *env)
{
    uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & ~0xfffull);
    uint64_t ram_end = (uint64_t)(hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0) + 1) * PAGE_SIZE;
    /* PD entry `b` of our identity map is the 2 MiB page at b * 2 MiB: the
     * first one past our image is free RAM we can use as the target. */
    unsigned int b = (unsigned int)(((uintptr_t)__image_end + LARGE_PAGE - 1) / LARGE_PAGE);
    uint64_t target = b * LARGE_PAGE, end = hostile_deadline(env, 2), rounds = 0, bad = 0;
    long got = 0;

    if (pml4[LOOP] || pml4[RSVD] || pml4[CYCLE] || pml4[EMPTY] || target + PAGE_SIZE > ram_end) {
        hostile_report(false, "setup", (long)target);
        return;
    }
    pml4[LOOP] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_RW;
    pml4[RSVD] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_RW | PTE_PS;
    pml4[CYCLE] = (uint64_t)(uintptr_t)cycle_table | PTE_P | PTE_RW;
    cycle_table[CYCLE] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_RW;

    /* Loop walks to the PML4 (as PDPT), PML4[0] (as PD: our PDPT), its
     * entry 0 (as PT: our first PD), whose entry b is a 2 MiB PDE: as a PTE
     * it maps 4 KiB at b * 2 MiB. */
    check_page_through_loop(target, va_of(LOOP, 0, 0, b));

    const struct bad_va faulting[] = {
        { "self-loop-to-empty-entry-EFAULT",      va_of(LOOP, LOOP, LOOP, EMPTY) },
        { "two-table-cycle-to-empty-entry-EFAULT", va_of(CYCLE, CYCLE, CYCLE, EMPTY) },
        { "reserved-ps-in-pml4e-EFAULT",          va_of(RSVD, 0, 0, b) },
        { "reserved-ps-looping-EFAULT",           va_of(RSVD, RSVD, RSVD, RSVD) },
        /* Starts on the page the cycle ends on (cycle_table itself), runs into an empty one. */
        { "tail-past-the-loop-EFAULT",            va_of(LOOP, LOOP, LOOP, CYCLE) + PAGE_SIZE - 1 },
    };
    check_faults(faulting, sizeof faulting / sizeof faulting[0]);
    cycle_table[511] = 0;       /* a write that crossed may have left its first bytes */

    printk("pt-loop: %s makes the faulting calls for a while\n", env->name);
    while (clock_now_ns() < end) {
        for (size_t i = 0; i < sizeof faulting / sizeof faulting[0]; i++)
            for (size_t c = 0; c < NR_CALLS; c++) {
                long rc = calls[c].call(faulting[i].va);

                if (rc != -XEN_EFAULT) {
                    bad++;
                    got = rc;
                }
            }
        rounds++;
    }
    cycle_table[511] = 0;
    pml4[LOOP] = pml4[RSVD] = pml4[CYCLE] = 0;
    /* The TLB may keep the loop address we read; we never use it again. */
    printk("pt-loop: %s %lu rounds of %lu faulting calls\n", env->name, (unsigned long)rounds,
           (unsigned long)(NR_CALLS * (sizeof faulting / sizeof faulting[0])));
    hostile_report(bad == 0 && rounds > 0, "always-EFAULT", got);
}
