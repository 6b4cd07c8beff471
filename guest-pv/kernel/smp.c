/*
 * Secondary vCPUs. vCPU 0 prepares each one (per-vCPU data, its vcpu_info,
 * an IPI port to wake it and one back), initialises it with a 64-bit start
 * state (our page tables, CR0/CR4/EFER as vCPU 0 has them, its own stack,
 * RIP = smp_entry64 in entry.asm, RDI = its id) and brings it up. The
 * secondary loads our GDT and IDT, says it is online and idles until vCPU 0
 * posts it a function and wakes it; it runs the function and tells vCPU 0
 * when it is done. Each notice comes with an IPI, so vCPU 0 waits idle.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/vcpu_op.h>

#include "arch.h"
#include "console.h"
#include "evtchn.h"
#include "hypercall.h"
#include "idt.h"
#include "lib.h"
#include "percpu.h"
#include "shared_info.h"
#include "smp.h"
#include "timer.h"

#define STACK_SIZE  (16 * 1024)
#define MSR_EFER    0xC0000080u
#define RFLAGS_MBS  0x2ull          /* bit 1, always set; interrupts off */

extern char smp_entry64[];

static uint8_t stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));

static struct {
    bool online;
    void (*work)(void);         /* posted by vCPU 0, cleared by the secondary when done */
    evtchn_port_t wake;         /* IPI to the secondary */
    evtchn_port_t done;         /* IPI from it to vCPU 0 */
} secondary[MAX_VCPUS];

uint32_t smp_vcpu_count(void)
{
    uint32_t n = 1;

    while (n < MAX_VCPUS && hyp_vcpu_op(VCPUOP_IS_UP, n, 0) >= 0)
        n++;
    return n;
}

long smp_prepare(uint32_t id)
{
    long rc;

    secondary[id].online = false;
    secondary[id].work = NULL;
    rc = shared_info_register_vcpu(id);
    if (rc < 0)
        return rc;
    /* No handlers: these events only wake the vCPU they go to. */
    rc = evtchn_bind_ipi(id, NULL);
    if (rc >= 0) {
        secondary[id].wake = (evtchn_port_t)rc;
        rc = evtchn_bind_ipi(0, NULL);
    }
    if (rc < 0) {
        printk("guest-pv: bind_ipi for vCPU %u = %ld\n", id, rc);
        return rc;
    }
    secondary[id].done = (evtchn_port_t)rc;
    return 0;
}

void smp_start_context(uint32_t id, struct vcpu_hvm_context *ctx)
{
    *ctx = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_64B };
    ctx->cpu_regs.x86_64 = (struct vcpu_hvm_x86_64){
        .rip = (uintptr_t)smp_entry64,
        .rsp = (uintptr_t)&stacks[id][STACK_SIZE],
        .rdi = id,
        .rflags = RFLAGS_MBS,
        .cr0 = read_cr0(),
        .cr3 = read_cr3(),
        .cr4 = read_cr4(),
        .efer = rdmsr(MSR_EFER),
    };
}

static bool is_online(void *arg)
{
    return READ_ONCE(secondary[(uintptr_t)arg].online);
}

bool smp_wait_online(uint32_t id)
{
    return wait_until(is_online, (void *)(uintptr_t)id, SMP_TIMEOUT_NS);
}

long smp_bring_up(uint32_t id)
{
    struct vcpu_hvm_context ctx;
    long rc = smp_prepare(id);

    if (rc < 0)
        return rc;
    smp_start_context(id, &ctx);
    rc = hyp_vcpu_op(VCPUOP_INITIALISE, id, (unsigned long)&ctx);
    if (rc == 0)
        rc = hyp_vcpu_op(VCPUOP_UP, id, 0);
    if (rc < 0) {
        printk("guest-pv: bringing up vCPU %u: %ld\n", id, rc);
        return rc;
    }
    if (!smp_wait_online(id)) {
        printk("guest-pv: vCPU %u did not come online\n", id);
        return -XEN_ETIME;
    }
    return 0;
}

uint32_t smp_bring_up_all(void)
{
    uint32_t n = smp_vcpu_count();

    for (uint32_t id = 1; id < n; id++)
        if (smp_bring_up(id) < 0)
            return 0;
    return n;
}

void smp_run(uint32_t id, void (*fn)(void))
{
    __atomic_store_n(&secondary[id].work, fn, __ATOMIC_SEQ_CST);
    evtchn_send(secondary[id].wake);
}

static bool is_idle(void *arg)
{
    return __atomic_load_n(&secondary[(uintptr_t)arg].work, __ATOMIC_SEQ_CST) == NULL;
}

bool smp_wait_idle(uint32_t id)
{
    return wait_until(is_idle, (void *)(uintptr_t)id, SMP_TIMEOUT_NS);
}

void smp_secondary_main(uint32_t id)
{
    percpu_init(id);
    idt_load();
    WRITE_ONCE(secondary[id].online, true);
    evtchn_send(secondary[id].done);
    for (;;) {
        void (*work)(void);

        /* An IPI that arrives before the hlt ends it at once (sti's shadow). */
        while (!(work = __atomic_load_n(&secondary[id].work, __ATOMIC_SEQ_CST))) {
            sti_hlt();
            cli();
        }
        work();
        __atomic_store_n(&secondary[id].work, NULL, __ATOMIC_SEQ_CST);
        evtchn_send(secondary[id].done);
    }
}
