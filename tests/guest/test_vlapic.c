/*
 * test=vlapic (a domU with 3 vCPUs): the emulated local APIC as a guest
 * written for Xen finds it (docs/abi.md, "Local APIC"). CPUID offers it;
 * IA32_APIC_BASE reads 0xFEE00000 enabled, BSP; in xAPIC mode, through the
 * page at 0xFEE00000: ID and version, a self IPI whose handler runs (held
 * back by the TPR until it drops), ESR after an illegal vector, the
 * one-shot timer waking a HLT, the periodic timer, the TSC-deadline timer;
 * then x2APIC mode: the page reads all-ones, the same through MSRs (SELF
 * IPI, ICR, timer), #GP for misuse, x2APIC -> xAPIC refused, and disabling
 * clears CPUID's APIC bit; between vCPUs (3 of them), a fixed IPI to
 * vCPU 1 and INIT + start-up of vCPU 2 in real mode. One PASS/FAIL line
 * per case (group "vlapic").
 */
#include <stdint.h>

#include "arch.h"
#include "cmdline.h"
#include "console.h"
#include "guest.h"
#include "idt.h"
#include "smp.h"
#include "tests.h"

#define APIC_PAGE      0xFEE00000ull
#define MSR_APIC_BASE  0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define BASE_EN        (1ull << 11)
#define BASE_EXTD      (1ull << 10)
#define BASE_BSP       (1ull << 8)
#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))

/* xAPIC register offsets (SDM 3A table 12-1). */
#define REG_ID 0x20
#define REG_VERSION 0x30
#define REG_TPR 0x80
#define REG_EOI 0xB0
#define REG_SVR 0xF0
#define REG_ISR 0x100
#define REG_ESR 0x280
#define REG_ICR 0x300
#define REG_ICR2 0x310
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3E0
#define REG_SELF_IPI 0x3F0

#define ICR_SELF (1u << 18)
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define VEC_IPI 0x40
#define VEC_LOW 0x41            /* class 4: below a TPR of 0x50 */
#define VEC_ONESHOT 0x42
#define VEC_PERIODIC 0x43
#define VEC_DEADLINE 0x44
#define VEC_REMOTE 0x45
#define ICR_INIT_ASSERT (5u << 8 | 1u << 14)
#define ICR_STARTUP (6u << 8)
#define SIPI_PAGE 0x8000u       /* free low RAM of a domU: vCPU 2's real-mode code */
#define SIPI_FLAG (SIPI_PAGE + 0x100)
#define VEC_GP 13
#define WAIT_NS 200000000ull    /* 200 ms of guest time per wait */

static bool x2apic;
static volatile unsigned hits[256];

static void check(const char *name, bool ok, uint64_t seen)
{
    printk("%s: vlapic/%s (0x%lx)\n", ok ? "PASS" : "FAIL", name, (unsigned long)seen);
}

static uint32_t rd(unsigned reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(X2APIC_MSR(reg));
    return *(volatile uint32_t *)(APIC_PAGE + reg);
}

static void wr(unsigned reg, uint32_t value)
{
    if (x2apic)
        wrmsr(X2APIC_MSR(reg), value);
    else
        *(volatile uint32_t *)(APIC_PAGE + reg) = value;
}

/* Every vector the test uses: count it, then EOI as a guest must. */
static void on_vector(unsigned vector)
{
    hits[vector & 0xff]++;
    wr(REG_EOI, 0);
}

/* Let interrupts in for a moment. */
static void window(void)
{
    for (int i = 0; i < 4; i++)
        sti_nop_cli();
}

/* Until `vector` has come `n` times, or WAIT_NS passed; HLT if asked. */
static bool wait_for(unsigned vector, unsigned n, bool halt)
{
    uint64_t start = rdtsc(), limit = WAIT_NS;        /* >= 1 tick per ns on every host */
    while (hits[vector] < n) {
        if (halt)
            sti_hlt();
        else
            window();
        cli();
        if (rdtsc() - start > limit * 4)
            return false;
    }
    return true;
}

/* rdmsr/wrmsr with a #GP caught: the vector raised, 0 if none. */
static uint8_t code[64] __attribute__((aligned(64)));

static uint64_t msr_fault(bool write, uint32_t msr, uint64_t value, uint64_t *out)
{
    static struct trap_catch c;
    uint64_t regs[16] = { [0] = (uint32_t)value, [1] = msr, [2] = value >> 32 };
    code[0] = 0x0F;
    code[1] = write ? 0x30 : 0x32;
    code[2] = 0xC3;
    c.vector = 0;
    trap_catch_arm(&c);
    int caught = insn_exec(regs, code, &c.resume);
    trap_catch_disarm();
    if (out)
        *out = (regs[2] << 32) | (uint32_t)regs[0];
    return caught ? c.vector : 0;
}

/* An NMI to itself through the ICR (XTF's nmi-taskswitch-priv does so):
 * taken right after the store, through a trap catch; the vector seen. */
static uint64_t nmi_self(void)
{
    static struct trap_catch c;
    uint64_t regs[16] = { [0] = ICR_SELF | 4u << 8, [3] = APIC_PAGE + REG_ICR };
    code[0] = 0x89;             /* mov [rbx], eax */
    code[1] = 0x03;
    code[2] = 0xC3;             /* ret */
    c.vector = 0;
    trap_catch_arm(&c);
    int caught = insn_exec(regs, code, &c.resume);
    trap_catch_disarm();
    return caught ? c.vector : ~0ull;
}

static void install(void)
{
    static const unsigned vectors[] = { VEC_IPI, VEC_LOW, VEC_ONESHOT, VEC_PERIODIC,
                                        VEC_DEADLINE, VEC_REMOTE };
    for (unsigned i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
        idt_set_vector_handler(vectors[i], on_vector);
}

static void xapic_cases(void)
{
    struct cpuid_regs c = cpuid(1, 0);
    check("cpuid-apic-x2apic-tsc-deadline",
          (c.edx & 1u << 9) && (c.ecx & 1u << 21) && (c.ecx & 1u << 24), c.ecx);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    check("apic-base-msr", base == (APIC_PAGE | BASE_EN | BASE_BSP), base);
    check("xapic-id", rd(REG_ID) == 0, rd(REG_ID));
    check("xapic-version", (rd(REG_VERSION) & 0xff00ff) == 0x050014, rd(REG_VERSION));
    wr(REG_SVR, 0x1ff);                         /* software enable, spurious 0xff */
    check("xapic-svr", rd(REG_SVR) == 0x1ff, rd(REG_SVR));

    wr(REG_TPR, 0);
    wr(REG_ICR, ICR_SELF | VEC_IPI);
    window();
    check("xapic-self-ipi-handled", hits[VEC_IPI] == 1, hits[VEC_IPI]);
    check("xapic-isr-empty-after-eoi", rd(REG_ISR + 0x20) == 0, rd(REG_ISR + 0x20));

    wr(REG_TPR, 0x50);
    wr(REG_ICR, ICR_SELF | VEC_LOW);
    window();
    check("xapic-tpr-holds-lower-class", hits[VEC_LOW] == 0, hits[VEC_LOW]);
    wr(REG_TPR, 0);
    window();
    check("xapic-tpr-lowered-delivers", hits[VEC_LOW] == 1, hits[VEC_LOW]);

    wr(REG_ESR, 0);
    wr(REG_ICR, ICR_SELF | 5);                  /* vector 5 is illegal */
    wr(REG_ESR, 0);
    check("xapic-esr-send-illegal", rd(REG_ESR) == 0x20, rd(REG_ESR));

    uint64_t nmi = nmi_self();
    check("xapic-nmi-self", nmi == 2, nmi);

    /* A long count (about 4.3 s at the 1 GHz bus clock) runs down; 0 stops it. */
    wr(REG_TIMER_DIVIDE, 0xb);
    wr(REG_LVT_TIMER, VEC_ONESHOT);
    wr(REG_TIMER_INIT, 0xffffffffu);
    uint32_t c1 = rd(REG_TIMER_CURRENT), c2 = rd(REG_TIMER_CURRENT);
    check("xapic-timer-counts-down", c1 < 0xffffffffu && c2 < c1 && c2 > 0, c1 - c2);
    wr(REG_TIMER_INIT, 0);
    check("xapic-timer-stopped", rd(REG_TIMER_CURRENT) == 0, rd(REG_TIMER_CURRENT));
    /* One-shot, 1 ms with divide by 1. */
    wr(REG_TIMER_INIT, 1000000);
    check("xapic-oneshot-fires-wakes-hlt", wait_for(VEC_ONESHOT, 1, true), hits[VEC_ONESHOT]);
    window();
    check("xapic-oneshot-once", hits[VEC_ONESHOT] == 1 && rd(REG_TIMER_CURRENT) == 0,
          hits[VEC_ONESHOT]);

    wr(REG_LVT_TIMER, LVT_PERIODIC | VEC_PERIODIC);
    wr(REG_TIMER_INIT, 300000);                 /* 300 us */
    check("xapic-periodic-three-ticks", wait_for(VEC_PERIODIC, 3, false), hits[VEC_PERIODIC]);
    wr(REG_TIMER_INIT, 0);

    wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | VEC_DEADLINE);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000000);
    check("tsc-deadline-armed", rdmsr(MSR_TSC_DEADLINE) != 0, rdmsr(MSR_TSC_DEADLINE));
    check("tsc-deadline-fires", wait_for(VEC_DEADLINE, 1, true), hits[VEC_DEADLINE]);
    check("tsc-deadline-reads-0-after", rdmsr(MSR_TSC_DEADLINE) == 0, rdmsr(MSR_TSC_DEADLINE));
    wr(REG_LVT_TIMER, LVT_MASKED);

    uint64_t v;
    check("x2apic-msr-gp-in-xapic-mode", msr_fault(false, 0x802, 0, &v) == VEC_GP, v);
}

/* vCPU 1 (brought up with VCPUOP_up): its own APIC enabled, it waits for
 * vCPU 0's fixed IPI. */
static volatile bool remote_ready;

static void remote_main(void)
{
    wr(REG_SVR, 0x1ff);
    remote_ready = true;
    uint64_t start = rdtsc();
    while (!hits[VEC_REMOTE] && rdtsc() - start < WAIT_NS * 4)
        window();
}

static bool wait_flag(volatile bool *flag)
{
    uint64_t start = rdtsc();
    while (!*flag && rdtsc() - start < WAIT_NS * 4)
        cpu_relax();
    return *flag;
}

/*
 * Between vCPUs: a fixed IPI to vCPU 1, and INIT + start-up to vCPU 2,
 * which has never run: it starts in real mode at SIPI_PAGE, stores a byte
 * through CS and halts with interrupts off.
 */
static void ipi_cases(void)
{
    if (smp_vcpu_count() < 3) {
        printk("FAIL: vlapic/ipi-cases need 3 vCPUs (%u)\n", smp_vcpu_count());
        return;
    }
    bool up = smp_bring_up(1) == 0;
    if (up)
        smp_run(1, remote_main);
    check("ipi-peer-ready", up && wait_flag(&remote_ready), up);
    wr(REG_ICR2, 1u << 24);
    wr(REG_ICR, VEC_REMOTE);
    check("ipi-fixed-to-vcpu1-handled", up && smp_wait_idle(1) && hits[VEC_REMOTE] == 1,
          hits[VEC_REMOTE]);

    static const uint8_t real_mode[] = {
        0xB0, 0x5A,                 /* mov al, 0x5a */
        0x2E, 0xA2, 0x00, 0x01,     /* mov [cs:0x100], al */
        0xFA, 0xF4, 0xEB, 0xFC,     /* cli; hlt; jmp back to cli */
    };
    volatile uint8_t *page = (volatile uint8_t *)(uintptr_t)SIPI_PAGE;
    for (unsigned i = 0; i < sizeof real_mode; i++)
        page[i] = real_mode[i];
    *(volatile uint8_t *)(uintptr_t)SIPI_FLAG = 0;
    wr(REG_ICR2, 2u << 24);
    wr(REG_ICR, ICR_STARTUP | (SIPI_PAGE >> 12));
    check("sipi-without-init-ignored", *(volatile uint8_t *)(uintptr_t)SIPI_FLAG == 0, 0);
    wr(REG_ICR, ICR_INIT_ASSERT);
    wr(REG_ICR, ICR_STARTUP | (SIPI_PAGE >> 12));
    uint64_t start = rdtsc();
    while (*(volatile uint8_t *)(uintptr_t)SIPI_FLAG != 0x5A && rdtsc() - start < WAIT_NS * 4)
        cpu_relax();
    check("init-sipi-starts-vcpu2-in-real-mode", *(volatile uint8_t *)(uintptr_t)SIPI_FLAG == 0x5A,
          *(volatile uint8_t *)(uintptr_t)SIPI_FLAG);
}

static void x2apic_cases(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | BASE_EXTD);
    x2apic = true;
    check("x2apic-enabled", rdmsr(MSR_APIC_BASE) == (APIC_PAGE | BASE_EN | BASE_EXTD | BASE_BSP),
          rdmsr(MSR_APIC_BASE));
    uint32_t page = *(volatile uint32_t *)(APIC_PAGE + REG_ID);
    check("x2apic-page-is-unbacked", page == 0xffffffffu, page);
    check("x2apic-id", rdmsr(0x802) == 0, rdmsr(0x802));
    check("x2apic-version", (rdmsr(0x803) & 0xff00ff) == 0x050014, rdmsr(0x803));
    check("x2apic-ldr", rdmsr(0x80D) == 1, rdmsr(0x80D));
    check("x2apic-svr-kept", rdmsr(0x80F) == 0x1ff, rdmsr(0x80F));

    wrmsr(0x83F, VEC_IPI);                      /* SELF IPI */
    window();
    check("x2apic-self-ipi-msr", hits[VEC_IPI] == 2, hits[VEC_IPI]);
    wrmsr(0x830, ICR_SELF | VEC_IPI);           /* ICR, one 64-bit MSR */
    window();
    check("x2apic-icr-self", hits[VEC_IPI] == 3, hits[VEC_IPI]);
    wrmsr(0x830, (0ull << 32) | VEC_IPI);       /* physical, x2APIC ID 0: itself */
    window();
    check("x2apic-icr-physical-self", hits[VEC_IPI] == 4, hits[VEC_IPI]);

    wrmsr(0x83E, 0xb);
    wrmsr(0x832, VEC_ONESHOT);
    wrmsr(0x838, 1000000);
    check("x2apic-oneshot-fires", wait_for(VEC_ONESHOT, 2, true), hits[VEC_ONESHOT]);

    uint64_t v;
    check("x2apic-eoi-read-gp", msr_fault(false, 0x80B, 0, &v) == VEC_GP, v);
    check("x2apic-eoi-nonzero-gp", msr_fault(true, 0x80B, 1, NULL) == VEC_GP, 0);
    check("x2apic-id-write-gp", msr_fault(true, 0x802, 0, NULL) == VEC_GP, 0);
    check("x2apic-dfr-absent-gp", msr_fault(false, 0x80E, 0, &v) == VEC_GP, v);
    check("x2apic-tpr-reserved-gp", msr_fault(true, 0x808, 0x100, NULL) == VEC_GP, 0);
    check("x2apic-to-xapic-gp",
          msr_fault(true, MSR_APIC_BASE, APIC_PAGE | BASE_EN, NULL) == VEC_GP, 0);

    check("apic-disable", msr_fault(true, MSR_APIC_BASE, APIC_PAGE, NULL) == 0,
          rdmsr(MSR_APIC_BASE));
    x2apic = false;
    check("cpuid-apic-clear-when-disabled", !(cpuid(1, 0).edx & 1u << 9), cpuid(1, 0).edx);
    check("disabled-to-x2apic-gp",
          msr_fault(true, MSR_APIC_BASE, APIC_PAGE | BASE_EN | BASE_EXTD, NULL) == VEC_GP, 0);
    wrmsr(MSR_APIC_BASE, APIC_PAGE | BASE_EN);
    check("re-enabled-xapic-reset", rd(REG_SVR) == 0xff && (cpuid(1, 0).edx & 1u << 9), rd(REG_SVR));
}

void test_vlapic(const struct guest_env *env)
{
    (void)env;
    cli();
    install();
    xapic_cases();
    ipi_cases();
    x2apic_cases();
    printk("vlapic: done\n");
}

/*
 * test=nmi-crash [vector=N]: a reproducer, not part of make test. The
 * domain points its IDT's NMI gate (or vector N's) at unbacked memory and
 * sends itself an NMI (or takes a #PF for N = 14), so the delivery's fetch
 * is an EPT violation that crashes it. Under Bochs 2.7 with guest_nmis=yes
 * on one CPU, the CPU then takes no interrupt again (the reason guest NMIs
 * are off by default: docs/boot-config.md); a #PF delivered the same way
 * does not do that.
 */
static void gate_to_nowhere(unsigned vector)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    uint32_t *gate = (uint32_t *)(uintptr_t)(idtr.base + vector * 16);
    const uint64_t nowhere = 0xfed00000ull;         /* unbacked: no HPET there */
    gate[0] = (gate[0] & 0xffff0000u) | (uint32_t)(nowhere & 0xffff);
    gate[1] = (gate[1] & 0x0000ffffu) | (uint32_t)(nowhere & 0xffff0000u);
    gate[2] = (uint32_t)(nowhere >> 32);
}

void test_nmi_crash(const struct guest_env *env)
{
    uint32_t vector = 2;            /* vector=N: a fixed interrupt instead of the NMI */
    cmdline_get_uint(env->cmdline, "vector", &vector);
    gate_to_nowhere(vector);
    printk("nmi-crash: vector %u to itself through a gate at 0xfed00000\n", vector);
    if (vector == 14)
        (void)*(volatile uint32_t *)(uintptr_t)0x700000000000ull;   /* unmapped: a #PF */
    *(volatile uint32_t *)(uintptr_t)(APIC_PAGE + REG_ICR) =
        ICR_SELF | (vector == 2 ? 4u << 8 : vector);
    printk("nmi-crash: still running: the event was not delivered (guest_nmis is off?)\n");
}
