/*
 * test=insn-fuzz seed=S count=N [trace=K]: the seeded
 * instruction fuzzer. It runs N privileged and sensitive instructions with
 * random operands (the classes of test_insn_gen.c), generated from a
 * splitmix64 stream seeded with S (decimal or 0x hex), each from an
 * executable buffer with a trap catch armed (guest-pv/kernel/idt.h), and
 * counts per class how each ended. It prints a progress line every 50,000
 * instructions and ends with
 *
 *     insn: class <name> n N ok A ud B gp C pf D other E     (one per class)
 *     insn: vectors <vector>:<count> ...
 *     insn: results undocumented U
 *     insn: stray debug traps absorbed D
 *     insn: done seed S count N in T ms (R insns/s) digest 0xD
 *
 * `undocumented` counts outcomes the class's check does not allow (the
 * first few are printed in full). The digest covers every instruction as
 * generated (class, bytes, registers, memory operand): with the same
 * kernel image the same seed gives the same digest at every progress line
 * and at the end. trace=K prints each instruction from the K-th on, before
 * it runs and with its outcome.
 *
 * After each instruction it puts back whatever the instruction may have
 * changed (CR0, CR3, CR4, CR8, DR7 and DR6, GDTR, IDTR, LDTR, a directly
 * written MSR), so every instruction starts from the same machine state.
 * A breakpoint or single step the instruction left armed can trap in that
 * very restore code, outside the catch: such a #DB is absorbed (idt.h,
 * trap_absorb_debug_traps) and counted.
 * It runs with interrupts off, on vCPU 0 only; meant for a 1-vCPU domU.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "hypercall.h"
#include "idt.h"
#include "lib.h"
#include "percpu.h"
#include "test_fuzz.h"
#include "test_insn.h"
#include "tests.h"

#define DEFAULT_COUNT   10000u
#define PROGRESS_EVERY  50000u
#define REPORT_FIRST    5
#define TRACE_GAP_NS    60000000ull         /* ~800 bytes each: under the 16 KiB/s console limit */
#define NR_VECTORS      256
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define DR7_RESET       0x400
#define RFLAGS_TF       0x100
#define DR6_RESET       0xFFFF0FF0ull
#define FNV_OFFSET      0xcbf29ce484222325ull
#define FNV_PRIME       0x100000001b3ull

/* Test-only instructions of the restore, each wrapped once here (as test_cpu_state.c does). */
static void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static uint64_t read_cr8(void) { uint64_t v; __asm__ volatile("mov %%cr8, %0" : "=r"(v)); return v; }
static void write_cr8(uint64_t v) { __asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory"); }
static void sgdt(struct idt_pointer *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static void sidt(struct idt_pointer *p) { __asm__ volatile("sidt %0" : "=m"(*p)); }
static void lgdt(const struct idt_pointer *p) { __asm__ volatile("lgdt %0" : : "m"(*p) : "memory"); }
static void lldt(uint16_t sel) { __asm__ volatile("lldt %0" : : "r"(sel) : "memory"); }
static uint64_t read_rflags(void) { uint64_t v; __asm__ volatile("pushfq; popq %0" : "=r"(v)); return v; }

/* Set RFLAGS.TF: the single-step trap comes after the instruction after POPF. */
static void single_step_once(void)
{
    __asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop" : : : "memory", "cc");
}

/*
 * What the restore relies on: a single step (or breakpoint) left armed on
 * code that runs with no catch armed is absorbed once, and the code goes
 * on with TF clear. (Bochs as Debian builds it has no debug-register
 * breakpoints, so a single step is what can be shown here.)
 */
static bool stray_debug_trap_absorbed(void)
{
    uint64_t before = this_cpu()->debug_traps_absorbed;
    single_step_once();
    uint64_t got = this_cpu()->debug_traps_absorbed - before, rflags = read_rflags();
    this_cpu()->debug_traps_absorbed = before;     /* the report counts the fuzzer's only */
    if (got == 1 && !(rflags & RFLAGS_TF))
        return true;
    printk("FAIL: insn-fuzz/setup a stray single step: %lu traps absorbed, RFLAGS 0x%lx\n",
           (unsigned long)got, (unsigned long)rflags);
    return false;
}

/* Words, written a word at a time. The code has a page of its own, so that
 * writes to other data do not make Bochs drop what it decoded there. */
static uint64_t code_buf[4096 / 8] __attribute__((aligned(4096)));
static uint64_t operand_area[8];
static uint8_t msr_page[4096] __attribute__((aligned(4096)));
static uint64_t pml4_alias[512] __attribute__((aligned(4096)));
static struct insn_fuzz fuzz;
static struct trap_catch catch;
static struct idt_pointer gdtr, idtr;        /* GDTR has the same format */
static uint64_t cr8_at_start;
static evtchn_port_t ipi_port;

#define MAX_CLASSES 32                      /* setup checks insn_nr_classes */
static struct {
    uint64_t n[MAX_CLASSES], ok[MAX_CLASSES], ud[MAX_CLASSES], gp[MAX_CLASSES];
    uint64_t pf[MAX_CLASSES], other[MAX_CLASSES];
    uint64_t vectors[NR_VECTORS];
    uint64_t undocumented;
} tally;

/* FNV-1a over 64-bit words: cheap, and any change of a word changes it. */
static void hash_insn(struct insn_fuzz *f, const struct insn *in)
{
    const uint64_t words[] = { in->cls, in->len, in->code_word[0], in->code_word[1],
                               in->operand_word[0], in->operand_word[1] };
    uint64_t d = f->digest;

    for (unsigned int i = 0; i < sizeof words / sizeof words[0]; i++)
        d = (d ^ words[i]) * FNV_PRIME;
    for (unsigned int r = 0; r < 16; r++)
        d = (d ^ in->regs[r]) * FNV_PRIME;
    f->digest = d;
}

/* ---- setup ------------------------------------------------------------------ */

static bool setup(struct insn_fuzz *f, const struct guest_env *env)
{
    long port;

    f->ram_end = fuzz_ram_end(env->si);
    f->phys_bits = cpuid(0x80000008, 0).eax & 0xFF;
    f->operand_area = (uintptr_t)operand_area;
    f->msr_page = (uintptr_t)msr_page;
    f->cr0 = read_cr0();
    f->cr3 = read_cr3();
    f->cr4 = read_cr4();
    memcpy(pml4_alias, (const void *)(uintptr_t)(f->cr3 & ~0xFFFull), sizeof pml4_alias);
    f->cr3_alias = (uintptr_t)pml4_alias;
    sgdt(&gdtr);
    sidt(&idtr);
    f->gdt_base = gdtr.base;
    f->gdt_limit = gdtr.limit;
    f->idt_base = idtr.base;
    f->idt_limit = idtr.limit;
    cr8_at_start = read_cr8();
    for (unsigned int c = 0; c < insn_nr_classes; c++) {
        for (unsigned int w = 0; w < insn_classes[c]->weight; w++) {
            if (f->total_weight == sizeof f->class_of) {
                printk("FAIL: insn-fuzz/setup class weights add up to more than %u\n",
                       (unsigned int)sizeof f->class_of);
                return false;
            }
            f->class_of[f->total_weight++] = (uint8_t)c;
        }
    }
    if (insn_nr_classes > MAX_CLASSES) {
        printk("FAIL: insn-fuzz/setup %u classes, counters for %u\n", insn_nr_classes, MAX_CLASSES);
        return false;
    }
    if (f->ram_end == 0 || f->ram_end >= IDENTITY_MAP_END || f->phys_bits < 32 ||
        f->phys_bits > 52) {
        printk("FAIL: insn-fuzz/setup RAM ends at 0x%lx, %u physical-address bits\n",
               (unsigned long)f->ram_end, f->phys_bits);
        return false;
    }
    port = evtchn_bind_ipi(0, NULL);
    if (port < 0) {
        printk("FAIL: insn-fuzz/setup binding an IPI port: %ld\n", port);
        return false;
    }
    ipi_port = (evtchn_port_t)port;
    return true;
}

/* ---- one instruction ------------------------------------------------------- */

/* Run fixed code (a restore step) with the catch armed: true if it completed. */
static bool exec_caught(const uint8_t *code, unsigned int len, uint64_t rax)
{
    uint64_t regs[16] = { [0] = rax };
    int caught;

    memcpy(code_buf, code, len);
    ((uint8_t *)code_buf)[len] = 0xC3;          /* ret */
    trap_catch_arm(&catch);
    caught = insn_exec(regs, code_buf, &catch.resume);
    trap_catch_disarm();
    return !caught;
}

/*
 * DR7 first: with GD set, the mov to DR7 itself raises #DB (and the CPU
 * clears GD as it does), so a second try completes.
 */
static void restore_debug_registers(void)
{
    static const uint8_t mov_dr7_rax[] = { 0x0F, 0x23, 0xF8 }, mov_dr6_rax[] = { 0x0F, 0x23, 0xF0 };

    if (!exec_caught(mov_dr7_rax, sizeof mov_dr7_rax, DR7_RESET) &&
        !exec_caught(mov_dr7_rax, sizeof mov_dr7_rax, DR7_RESET)) {
        printk("FAIL: insn-fuzz/restore cannot reset DR7 (vector %lu)\n",
               (unsigned long)catch.vector);
        guest_exit(SHUTDOWN_CRASH);
    }
    exec_caught(mov_dr6_rax, sizeof mov_dr6_rax, DR6_RESET);
}

static void restore(const struct insn_fuzz *f, unsigned int what)
{
    if (what & RESTORE_GDT)
        lgdt(&gdtr);
    if (what & RESTORE_IDT)
        lidt(&idtr);
    if (what & RESTORE_LDT)
        lldt(0);
    if (what & RESTORE_CR4)
        write_cr4(f->cr4);
    if (what & RESTORE_CR3)
        write_cr3(f->cr3);
    if (what & RESTORE_CR0)
        write_cr0(f->cr0);
    if (what & RESTORE_CR8)
        write_cr8(cr8_at_start);
    if (what & RESTORE_DR)
        restore_debug_registers();
}

static void run(struct insn_fuzz *f, const struct insn *in, uint64_t regs[16],
                struct insn_outcome *o)
{
    uint64_t msr_value = 0;
    int caught;

    for (unsigned int r = 0; r < 16; r++)
        regs[r] = in->regs[r];
    code_buf[0] = in->code_word[0];
    code_buf[1] = in->code_word[1];
    ((uint8_t *)code_buf)[in->len] = 0xC3;      /* ret */
    operand_area[0] = in->operand_word[0];
    operand_area[1] = in->operand_word[1];
    if (in->msr != INSN_NO_MSR)
        msr_value = rdmsr((uint32_t)in->msr);
    if (in->send_event)
        evtchn_send(ipi_port);
    trap_catch_arm(&catch);
    caught = insn_exec(regs, code_buf, &catch.resume);
    /* Before anything that can fault or use this_cpu(): the GS base may be it. */
    if (in->msr != INSN_NO_MSR)
        wrmsr((uint32_t)in->msr, msr_value);
    trap_catch_disarm();
    /* Before restore(), whose own steps may use the catch. */
    *o = (struct insn_outcome){
        .faulted = caught, .vector = (uint8_t)catch.vector, .error_code = catch.error_code,
        .rip = catch.rip, .cr2 = catch.cr2, .regs = regs,
    };
    restore(f, in->restore);
}

/* ---- counting and output ------------------------------------------------------ */

static void print_insn(uint32_t i, const char *what, const struct insn *in)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

    printk("insn: #%u %s %s code", i, what, insn_classes[in->cls]->name);
    for (unsigned int b = 0; b < in->len; b++)
        printk(" %x%x", in->code[b] >> 4, in->code[b] & 15);       /* printk has no %02x */
    for (unsigned int r = 0; r < 16; r++)
        if (r != RSP_UNUSED)
            printk(" %s 0x%lx", names[r], (unsigned long)in->regs[r]);
    printk("\n");
}

static void print_outcome(uint32_t i, const struct insn_outcome *o)
{
    if (o->faulted)
        printk("insn: #%u -> vector %u error 0x%lx rip 0x%lx cr2 0x%lx\n", i, o->vector,
               (unsigned long)o->error_code, (unsigned long)o->rip, (unsigned long)o->cr2);
    else
        printk("insn: #%u -> ok rax 0x%lx rcx 0x%lx rdx 0x%lx rbx 0x%lx\n", i,
               (unsigned long)o->regs[RAX], (unsigned long)o->regs[RCX],
               (unsigned long)o->regs[RDX], (unsigned long)o->regs[RBX]);
}

static void count(const struct insn_fuzz *f, uint32_t i, const struct insn *in,
                  const struct insn_outcome *o)
{
    unsigned int c = in->cls;

    tally.n[c]++;
    if (!o->faulted)
        tally.ok[c]++;
    else if (o->vector == VEC_UD)
        tally.ud[c]++;
    else if (o->vector == VEC_GP)
        tally.gp[c]++;
    else if (o->vector == VEC_PF)
        tally.pf[c]++;
    else
        tally.other[c]++;
    if (o->faulted)
        tally.vectors[o->vector]++;
    if (insn_classes[c]->allowed(f, in, o))
        return;
    if (tally.undocumented++ < REPORT_FIRST) {
        print_insn(i, "undocumented outcome:", in);
        print_outcome(i, o);
    }
}

static void report(const struct insn_fuzz *f, uint64_t seed, uint32_t done, uint64_t ns)
{
    uint64_t ms = ns / 1000000, rate = ns ? (uint64_t)done * 1000000000ull / ns : 0;
    unsigned int shown = 0;

    for (unsigned int c = 0; c < insn_nr_classes; c++) {
        printk("insn: class %s n %lu ok %lu ud %lu gp %lu pf %lu other %lu\n",
               insn_classes[c]->name, (unsigned long)tally.n[c], (unsigned long)tally.ok[c],
               (unsigned long)tally.ud[c], (unsigned long)tally.gp[c],
               (unsigned long)tally.pf[c], (unsigned long)tally.other[c]);
    }
    printk("insn: vectors");
    for (unsigned int v = 0; v < NR_VECTORS; v++) {
        if (!tally.vectors[v])
            continue;
        /* Software int n reaches every vector: list the exceptions, sum the rest. */
        if (v < 32)
            printk(" %u:%lu", v, (unsigned long)tally.vectors[v]);
        else
            shown += (unsigned int)tally.vectors[v];
    }
    printk(" 32-255:%u\n", shown);
    printk("insn: results undocumented %lu\n", (unsigned long)tally.undocumented);
    printk("insn: stray debug traps absorbed %lu\n",
           (unsigned long)this_cpu()->debug_traps_absorbed);
    printk("insn: done seed %lu count %u in %lu ms (%lu insns/s) digest 0x%lx\n",
           (unsigned long)seed, done, (unsigned long)ms, (unsigned long)rate,
           (unsigned long)f->digest);
}

void test_insn_fuzz(const struct guest_env *env)
{
    struct insn_fuzz *f = &fuzz;
    char text[48];
    uint64_t seed = 0, t0, regs[16];
    uint32_t n = DEFAULT_COUNT, trace = UINT32_MAX, i;

    cli();
    if (cmdline_get(env->cmdline, "seed", text, sizeof text) && !fuzz_parse_u64(text, &seed)) {
        printk("FAIL: insn-fuzz/setup seed=%s is not a number\n", text);
        return;
    }
    cmdline_get_uint(env->cmdline, "count", &n);
    cmdline_get_uint(env->cmdline, "trace", &trace);
    printk("insn: seed %lu count %u\n", (unsigned long)seed, n);
    *f = (struct insn_fuzz){ .rng = seed, .digest = FNV_OFFSET };
    if (!setup(f, env))
        return;

    trap_absorb_debug_traps(true);
    if (!stray_debug_trap_absorbed())
        return;
    t0 = clock_now_ns();
    for (i = 0; i < n; i++) {
        struct insn in;
        struct insn_outcome o;

        insn_generate(f, &in);
        hash_insn(f, &in);
        if (i >= trace)
            print_insn(i, "runs", &in);
        run(f, &in, regs, &o);
        count(f, i, &in, &o);
        if (i >= trace) {
            uint64_t until = clock_now_ns() + TRACE_GAP_NS;

            print_outcome(i, &o);
            while (clock_now_ns() < until)
                cpu_relax();
        }
        if ((i + 1) % PROGRESS_EVERY == 0)
            printk("insn: %u insns, %lu ms, digest 0x%lx\n", i + 1,
                   (unsigned long)((clock_now_ns() - t0) / 1000000), (unsigned long)f->digest);
    }
    report(f, seed, i, clock_now_ns() - t0);
    trap_absorb_debug_traps(false);
}
