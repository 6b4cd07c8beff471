/*
 * Exceptions in the hypervisor are fatal: report vector, error code, every
 * register and a symbolised backtrace, then stop. Interrupts (the LAPIC timer,
 * spurious) are acknowledged and return.
 */
#include "arch/ioapic.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/symbols.h"
#include "hv/watchdog.h"

#define EXCEPTION_VECTORS 32
#define VECTOR_PAGE_FAULT 14
#define VECTOR_NMI 2

static const char *const exception_names[EXCEPTION_VECTORS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static void report_exception(const struct trap_frame *f)
{
    const char *name = f->vector < ARRAY_SIZE(exception_names) && exception_names[f->vector]
                           ? exception_names[f->vector] : "reserved";
    printk("HYPERVISOR FAULT on cpu %u: vector %lu (%s), error code 0x%lx\n", arch_cpu_id(),
           f->vector, name, f->error_code);
    if (f->vector == VECTOR_PAGE_FAULT)
        printk("  cr2 %016lx\n", read_cr2());
    printk("  rip %016lx cs %04lx rflags %016lx rsp %016lx ss %04lx\n", f->rip, f->cs,
           f->rflags, f->rsp, f->ss);
    printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    printk("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    printk("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
    printk("  cr0 %016lx cr3 %016lx cr4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
    backtrace_print(f->rip, f->rbp);
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == VECTOR_LAPIC_TIMER) {
        timer_interrupt();
        return;
    }
    if (f->vector == VECTOR_SPURIOUS)
        return;
    if (f->vector >= VECTOR_GSI_BASE && f->vector < VECTOR_GSI_BASE + ioapic_pins()) {
        gsi_interrupt((uint32_t)f->vector);
        return;
    }
    if (f->vector == VECTOR_KICK) {     /* its work is done by being interrupted */
        lapic_eoi();
        return;
    }
    if (f->vector == VECTOR_NMI && machine_halting)
        halt_this_cpu();                /* another CPU stopped the machine (power.c) */
    if (f->vector == VECTOR_NMI && watchdog_nmi(f->rip, f->rbp))
        return;                         /* it asked for this CPU's backtrace */
    if (f->vector >= EXCEPTION_VECTORS) {
        printk("unexpected interrupt vector %lu ignored\n", f->vector);
        lapic_eoi();
        return;
    }
    report_exception(f);
    arch_halt_forever("hypervisor fault");
}
