/*
 * CPU state a guest can change, and whether it stays its own
 * (docs/architecture.md, "CPU state a guest can change").
 *
 * test=cpu-state seed=K wait_ms=W seconds=S: after W ms, every row of the
 * table below must read its reset value (another domain on the same CPU
 * wrote its own pattern meanwhile: a leak shows here); then the domain
 * writes pattern K into every row and, for S seconds, yields, sleeps and
 * re-reads: every row must keep pattern K, and the general registers must
 * survive each yield. One PASS/FAIL line per row and check.
 *
 * test=cr8-raise: `mov $15, %cr8`, then power off (issue 11's hang).
 * test=cr8-all seconds=S: writes CR8 = 0..15, each read back, then spins S
 * seconds with interrupts off and powers off.
 * test=string-io: INS/OUTS, with and without REP, both directions and a
 * 32-bit address size, against an unbacked port (docs/abi.md).
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/hypercall.h>
#include <public/sched_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "hypercall.h"
#include "lib.h"
#include "test_cpu_state.h"
#include "timer.h"

#define CR4_OSFXSR      (1ull << 9)
#define DR6_RESET       0xffff0ff0ull
#define DR7_RESET       0x400ull
#define PAT_RESET       0x0007040600070406ull
#define FCW_RESET       0x037f
#define MXCSR_RESET     0x1f80
#define EFER_SCE        (1ull << 0)
#define MSR_EFER        0xc0000080u
#define MSR_STAR        0xc0000081u
#define MSR_LSTAR       0xc0000082u
#define MSR_CSTAR       0xc0000083u
#define MSR_SFMASK      0xc0000084u
#define MSR_FS_BASE     0xc0000100u
#define MSR_GS_BASE     0xc0000101u
#define MSR_KERNEL_GS   0xc0000102u
#define MSR_SYSENTER_CS  0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT         0x277u
#define UNBACKED_PORT   0x2f8   /* nobody owns a port (docs/abi.md) */

/* Test-only instructions, each wrapped once here (DR6 and DR7 are the kernel's, arch.h). */
#define DR_ACCESSORS(n)                                                                   \
    static uint64_t read_dr##n(void) { uint64_t v; __asm__ volatile("mov %%db" #n ", %0" : "=r"(v)); return v; } \
    static void write_dr##n(uint64_t v) { __asm__ volatile("mov %0, %%db" #n : : "r"(v)); }
DR_ACCESSORS(0)
DR_ACCESSORS(1)
DR_ACCESSORS(2)
DR_ACCESSORS(3)
static void write_cr2(uint64_t v) { __asm__ volatile("mov %0, %%cr2" : : "r"(v)); }
static uint64_t read_cr8(void) { uint64_t v; __asm__ volatile("mov %%cr8, %0" : "=r"(v)); return v; }
static void write_cr8(uint64_t v) { __asm__ volatile("mov %0, %%cr8" : : "r"(v)); }
static void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v)); }
static uint64_t read_fcw(void) { uint16_t v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static void write_fcw(uint64_t v) { uint16_t w = (uint16_t)v; __asm__ volatile("fldcw %0" : : "m"(w)); }
static uint64_t read_mxcsr(void) { uint32_t v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static void write_mxcsr(uint64_t v) { uint32_t w = (uint32_t)v; __asm__ volatile("ldmxcsr %0" : : "m"(w)); }
static uint64_t read_tsc_aux(void) { uint32_t a, d, c; __asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c)); return c; }
#define XMM_ACCESSORS(n)                                                                  \
    static uint64_t read_xmm##n(void) { uint64_t v; __asm__ volatile("movq %%xmm" #n ", %0" : "=r"(v)); return v; } \
    static void write_xmm##n(uint64_t v) { __asm__ volatile("movq %0, %%xmm" #n : : "r"(v)); }
XMM_ACCESSORS(0)
XMM_ACCESSORS(7)
XMM_ACCESSORS(8)
XMM_ACCESSORS(15)

static uint64_t rd_star(void) { return rdmsr(MSR_STAR); }
static void wr_star(uint64_t v) { wrmsr(MSR_STAR, v); }
static uint64_t rd_lstar(void) { return rdmsr(MSR_LSTAR); }
static void wr_lstar(uint64_t v) { wrmsr(MSR_LSTAR, v); }
static uint64_t rd_cstar(void) { return rdmsr(MSR_CSTAR); }
static void wr_cstar(uint64_t v) { wrmsr(MSR_CSTAR, v); }
static uint64_t rd_sfmask(void) { return rdmsr(MSR_SFMASK); }
static void wr_sfmask(uint64_t v) { wrmsr(MSR_SFMASK, v); }
static uint64_t rd_kgs(void) { return rdmsr(MSR_KERNEL_GS); }
static void wr_kgs(uint64_t v) { wrmsr(MSR_KERNEL_GS, v); }
static uint64_t rd_fs(void) { return rdmsr(MSR_FS_BASE); }
static void wr_fs(uint64_t v) { wrmsr(MSR_FS_BASE, v); }
static uint64_t rd_sys_cs(void) { return rdmsr(MSR_SYSENTER_CS); }
static void wr_sys_cs(uint64_t v) { wrmsr(MSR_SYSENTER_CS, v); }
static uint64_t rd_sys_esp(void) { return rdmsr(MSR_SYSENTER_ESP); }
static void wr_sys_esp(uint64_t v) { wrmsr(MSR_SYSENTER_ESP, v); }
static uint64_t rd_sys_eip(void) { return rdmsr(MSR_SYSENTER_EIP); }
static void wr_sys_eip(uint64_t v) { wrmsr(MSR_SYSENTER_EIP, v); }
static uint64_t rd_pat(void) { return rdmsr(MSR_PAT); }
static void wr_pat(uint64_t v) { wrmsr(MSR_PAT, v); }
static uint64_t rd_sce(void) { return rdmsr(MSR_EFER) & EFER_SCE; }
static void wr_sce(uint64_t v) { wrmsr(MSR_EFER, (rdmsr(MSR_EFER) & ~EFER_SCE) | (v & EFER_SCE)); }

/* A canonical address that names seed k and row i. */
#define ADDR(k, i) (0x00007f0000000000ull | ((uint64_t)(k) << 32) | ((uint64_t)(i) << 16) | 0xab0)

struct row {
    const char *name;
    uint64_t (*read)(void);
    void (*write)(uint64_t);
    uint64_t reset;
    uint64_t (*pattern)(unsigned k);
};

static uint64_t p_addr0(unsigned k) { return ADDR(k, 0); }
static uint64_t p_addr1(unsigned k) { return ADDR(k, 1); }
static uint64_t p_addr2(unsigned k) { return ADDR(k, 2); }
static uint64_t p_addr3(unsigned k) { return ADDR(k, 3); }
static uint64_t p_addr4(unsigned k) { return ADDR(k, 4); }
static uint64_t p_addr5(unsigned k) { return ADDR(k, 5); }
static uint64_t p_addr6(unsigned k) { return ADDR(k, 6); }
static uint64_t p_addr7(unsigned k) { return ADDR(k, 7); }
static uint64_t p_addr8(unsigned k) { return ADDR(k, 8); }
static uint64_t p_addr9(unsigned k) { return ADDR(k, 9); }
static uint64_t p_word(unsigned k) { return 0x0123456789abcdefull ^ (k * 0x1111111111111111ull); }
static uint64_t p_word2(unsigned k) { return 0xfedcba9876543210ull ^ (k * 0x0101010101010101ull); }
static uint64_t p_low32(unsigned k) { return 0x00047700u | k; }    /* SFMASK: bits 63:32 reserved */
static uint64_t p_sel(unsigned k) { return 0x10u * k; }
static uint64_t p_cr8(unsigned k) { return 5 + k; }
/* Execute breakpoints L0-L3 at the DR0-DR3 addresses, which nothing executes. */
static uint64_t p_dr7(unsigned k) { return DR7_RESET | (k == 1 ? 0x55 : k == 2 ? 0xaa : 0xff); }
static uint64_t p_dr6(unsigned k) { return DR6_RESET | k; }     /* B0-B3 */
/* PA0 stays write-back, so the guest's memory is unaffected; PA6 is WC, WT or WP. */
static uint64_t p_pat(unsigned k) { return 0x0000000500070406ull | ((uint64_t)(k == 1 ? 1 : k + 2) << 48); }
static uint64_t p_fcw(unsigned k) { return FCW_RESET | (k << 10); }      /* rounding control */
static uint64_t p_mxcsr(unsigned k) { return MXCSR_RESET | (k << 13); }  /* rounding control */
static uint64_t p_one(unsigned k) { (void)k; return 1; }

static const struct row rows[] = {
    { "cr2",            read_cr2,   write_cr2,   0,          p_addr0 },
    { "cr8",            read_cr8,   write_cr8,   0,          p_cr8 },
    { "dr0",            read_dr0,   write_dr0,   0,          p_addr1 },
    { "dr1",            read_dr1,   write_dr1,   0,          p_addr2 },
    { "dr2",            read_dr2,   write_dr2,   0,          p_addr3 },
    { "dr3",            read_dr3,   write_dr3,   0,          p_addr4 },
    { "dr6",            read_dr6,   write_dr6,   DR6_RESET,  p_dr6 },
    { "dr7",            read_dr7,   write_dr7,   DR7_RESET,  p_dr7 },
    { "x87-fcw",        read_fcw,   write_fcw,   FCW_RESET,  p_fcw },
    { "mxcsr",          read_mxcsr, write_mxcsr, MXCSR_RESET, p_mxcsr },
    { "xmm0",           read_xmm0,  write_xmm0,  0,          p_word },
    { "xmm7",           read_xmm7,  write_xmm7,  0,          p_word2 },
    { "xmm8",           read_xmm8,  write_xmm8,  0,          p_addr5 },
    { "xmm15",          read_xmm15, write_xmm15, 0,          p_addr6 },
    { "star",           rd_star,    wr_star,     0,          p_word },
    { "lstar",          rd_lstar,   wr_lstar,    0,          p_addr7 },
    { "cstar",          rd_cstar,   wr_cstar,    0,          p_addr8 },
    { "sfmask",         rd_sfmask,  wr_sfmask,   0,          p_low32 },
    { "kernel-gs-base", rd_kgs,     wr_kgs,      0,          p_addr9 },
    { "fs-base",        rd_fs,      wr_fs,       0,          p_addr5 },
    { "sysenter-cs",    rd_sys_cs,  wr_sys_cs,   0,          p_sel },
    { "sysenter-esp",   rd_sys_esp, wr_sys_esp,  0,          p_addr6 },
    { "sysenter-eip",   rd_sys_eip, wr_sys_eip,  0,          p_addr7 },
    { "pat",            rd_pat,     wr_pat,      PAT_RESET,  p_pat },
    { "efer-sce",       rd_sce,     wr_sce,      0,          p_one },
};
#define NROWS (sizeof rows / sizeof rows[0])
#define NGPRS 11

/*
 * sched_op(yield) by vmcall with a pattern in every register the call does
 * not use for its result; returns how many came back changed. RSI carries
 * the buffer (the yield's unused argument), so it is checked implicitly.
 */
static unsigned yield_keeps_gprs(unsigned k)
{
    uint64_t buf[2 * NGPRS];
    unsigned bad = 0;

    for (unsigned i = 0; i < NGPRS; i++)
        buf[i] = p_word(k) ^ ((uint64_t)i << 56) ^ i;
    uint64_t *p = buf;
    __asm__ volatile(
        "mov 0(%%rsi), %%rbx\n\t"  "mov 8(%%rsi), %%rcx\n\t"  "mov 16(%%rsi), %%rdx\n\t"
        "mov 24(%%rsi), %%r8\n\t"  "mov 32(%%rsi), %%r9\n\t"  "mov 40(%%rsi), %%r10\n\t"
        "mov 48(%%rsi), %%r11\n\t" "mov 56(%%rsi), %%r12\n\t" "mov 64(%%rsi), %%r13\n\t"
        "mov 72(%%rsi), %%r14\n\t" "mov 80(%%rsi), %%r15\n\t"
        "mov %[nr], %%eax\n\t" "mov %[op], %%edi\n\t" "vmcall\n\t"
        "mov %%rbx, 88(%%rsi)\n\t"  "mov %%rcx, 96(%%rsi)\n\t"  "mov %%rdx, 104(%%rsi)\n\t"
        "mov %%r8, 112(%%rsi)\n\t"  "mov %%r9, 120(%%rsi)\n\t"  "mov %%r10, 128(%%rsi)\n\t"
        "mov %%r11, 136(%%rsi)\n\t" "mov %%r12, 144(%%rsi)\n\t" "mov %%r13, 152(%%rsi)\n\t"
        "mov %%r14, 160(%%rsi)\n\t" "mov %%r15, 168(%%rsi)\n\t"
        : "+S"(p)
        : [nr] "i"(HYPERCALL_SCHED_OP), [op] "i"(SCHEDOP_YIELD)
        : "rax", "rbx", "rcx", "rdx", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
          "r15", "memory");
    for (unsigned i = 0; i < NGPRS; i++)
        bad += buf[NGPRS + i] != buf[i];
    return bad;
}

static void report(bool ok, const char *group, const char *what, const char *check, uint64_t got,
                   uint64_t want)
{
    if (ok)
        printk("PASS: %s/%s-%s\n", group, what, check);
    else
        printk("FAIL: %s/%s-%s got 0x%lx want 0x%lx\n", group, what, check,
               (unsigned long)got, (unsigned long)want);
}

static void test_cpu_state(const struct guest_env *env)
{
    uint32_t k = 1, wait_ms = 0, seconds = 2;
    uint64_t first_bad[NROWS] = { 0 };
    unsigned bad[NROWS] = { 0 }, gpr_bad = 0, rounds = 0;

    cmdline_get_uint(env->cmdline, "seed", &k);
    cmdline_get_uint(env->cmdline, "wait_ms", &wait_ms);
    cmdline_get_uint(env->cmdline, "seconds", &seconds);
    write_cr4(read_cr4() | CR4_OSFXSR);          /* SSE, so that MXCSR and XMM can be used */
    if (wait_ms)
        sleep_ns((uint64_t)wait_ms * NSEC_PER_MSEC);

    uint64_t gs = rdmsr(MSR_GS_BASE);            /* the kernel's per-vCPU pointer: kept, not patterned */
    for (unsigned i = 0; i < NROWS; i++) {
        uint64_t got = rows[i].read();
        report(got == rows[i].reset, "cpu-state", rows[i].name, "reset", got, rows[i].reset);
    }
    uint64_t aux = read_tsc_aux();               /* not guest-writable: the host's, which is 0 */
    report(aux == 0, "cpu-state", "tsc-aux", "reset", aux, 0);

    for (unsigned i = 0; i < NROWS; i++)
        rows[i].write(rows[i].pattern(k));
    uint64_t end = clock_now_ns() + (uint64_t)seconds * NSEC_PER_SEC;
    while (clock_now_ns() < end) {
        gpr_bad += yield_keeps_gprs(k);
        if (++rounds % 8 == 0)
            sleep_ns(3 * NSEC_PER_MSEC);          /* block: the other domain runs here */
        for (unsigned i = 0; i < NROWS; i++) {
            uint64_t got = rows[i].read();
            if (got != rows[i].pattern(k) && bad[i]++ == 0)
                first_bad[i] = got;
        }
    }
    for (unsigned i = 0; i < NROWS; i++)
        report(bad[i] == 0, "cpu-state", rows[i].name, "kept", bad[i] ? first_bad[i] : 0,
               rows[i].pattern(k));
    report(gpr_bad == 0, "cpu-state", "gprs", "kept", gpr_bad, 0);
    report(rdmsr(MSR_GS_BASE) == gs, "cpu-state", "gs-base", "kept", rdmsr(MSR_GS_BASE), gs);
    printk("cpu-state: seed %u, %u rounds\n", k, rounds);
    guest_exit(SHUTDOWN_POWEROFF);         /* leaving every pattern in place */
}

/* ---- CR8 ------------------------------------------------------------------ */

static void test_cr8_raise(const struct guest_env *env)
{
    (void)env;
    write_cr8(15);
    printk("cr8: raised to %lu\n", (unsigned long)read_cr8());
    guest_exit(SHUTDOWN_POWEROFF);
}

static void test_cr8_all(const struct guest_env *env)
{
    uint32_t seconds = 2;
    unsigned wrong = 0;

    cmdline_get_uint(env->cmdline, "seconds", &seconds);
    for (uint64_t v = 0; v < 16; v++) {
        write_cr8(v);
        uint64_t got = read_cr8();
        if (got != v) {
            wrong++;
            printk("FAIL: cr8/read-back-%lu got %lu\n", (unsigned long)v, (unsigned long)got);
        }
    }
    if (!wrong)
        printk("PASS: cr8/read-back-0-15\n");
    /* TPR 15 stays, interrupts off: the CPU must still be taken back. */
    uint64_t end = clock_now_ns() + (uint64_t)seconds * NSEC_PER_SEC;
    __asm__ volatile("cli");
    while (clock_now_ns() < end)
        ;
    __asm__ volatile("sti");
    printk("PASS: cr8/spun-%us-with-tpr-15-and-if-0\n", seconds);
    guest_exit(SHUTDOWN_POWEROFF);         /* with TPR 15 still set, as a hostile guest would */
}

/* ---- string I/O ----------------------------------------------------------- */

struct str_io {
    uint64_t rsi, rdi, rcx;
};

#define STRING_IO(name, insn)                                                             \
    static void name(struct str_io *s, bool down)                                         \
    {                                                                                     \
        if (down)                                                                         \
            __asm__ volatile("std");                                                      \
        __asm__ volatile(insn "\n\tcld"                                                   \
                         : "+S"(s->rsi), "+D"(s->rdi), "+c"(s->rcx)                       \
                         : "d"(UNBACKED_PORT) : "memory");                                \
    }
STRING_IO(rep_insb, "rep insb")
STRING_IO(rep_insw, "rep insw")
STRING_IO(insl, "insl")
STRING_IO(rep_outsb, "rep outsb")
STRING_IO(rep_insb_a32, "addr32 rep insb")

static uint8_t io_buf[3 * 4096] __attribute__((aligned(4096)));

/* Bytes [from, to) of io_buf are 0xff, all others 0x5a. */
static bool only_ones_in(unsigned from, unsigned to, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        if (io_buf[i] != ((i >= from && i < to) ? 0xff : 0x5a))
            return false;
    return true;
}

static void io_case(const char *name, bool ok)
{
    printk("%s: stringio/%s\n", ok ? "PASS" : "FAIL", name);
}

static void test_string_io(const struct guest_env *env)
{
    uintptr_t b = (uintptr_t)io_buf;
    struct str_io s;
    (void)env;

    memset(io_buf, 0x5a, 64);
    s = (struct str_io){ 0, b + 8, 16 };
    rep_insb(&s, false);
    io_case("rep-insb-forward", only_ones_in(8, 24, 64) && s.rdi == b + 24 && s.rcx == 0);

    memset(io_buf, 0x5a, 64);
    s = (struct str_io){ 0, b + 40, 4 };
    rep_insw(&s, true);         /* words at 40, 38, 36, 34 */
    io_case("rep-insw-backward", only_ones_in(34, 42, 64) && s.rdi == b + 32 && s.rcx == 0);

    memset(io_buf, 0x5a, 64);
    s = (struct str_io){ 0, b + 48, 7 };
    insl(&s, false);
    io_case("insl-once", only_ones_in(48, 52, 64) && s.rdi == b + 52 && s.rcx == 7);

    memset(io_buf, 0x5a, 64);
    s = (struct str_io){ b, 0, 10 };
    rep_outsb(&s, false);
    io_case("rep-outsb-dropped", only_ones_in(0, 0, 64) && s.rsi == b + 10 && s.rcx == 0);
    s = (struct str_io){ b + 20, 0, 10 };
    rep_outsb(&s, true);
    io_case("rep-outsb-backward", s.rsi == b + 10 && s.rcx == 0);

    s = (struct str_io){ 0, b + 8, 0 };
    rep_insb(&s, false);
    io_case("rep-count-0", only_ones_in(0, 0, 64) && s.rdi == b + 8 && s.rcx == 0);

    /* Across two page boundaries: several exits, the instruction re-executed. */
    memset(io_buf, 0x5a, sizeof io_buf);
    s = (struct str_io){ 0, b + 100, 2 * 4096 };
    rep_insb(&s, false);
    io_case("rep-insb-8k-across-pages", only_ones_in(100, 100 + 2 * 4096, sizeof io_buf) &&
                                             s.rdi == b + 100 + 2 * 4096 && s.rcx == 0);

    /* 32-bit address size: EDI and ECX count, and the results zero-extend. */
    memset(io_buf, 0x5a, 64);
    s = (struct str_io){ 0, (1ull << 32) | (b + 4), (1ull << 32) | 3 };
    rep_insb_a32(&s, false);
    io_case("addr32-rep-insb", b < (1ull << 32) && only_ones_in(4, 7, 64) && s.rdi == b + 7 &&
                                   s.rcx == 0);

    uint8_t v;
    __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(UNBACKED_PORT));
    io_case("plain-in-reads-ones", v == 0xff);
    printk("stringio: done\n");
    guest_exit(SHUTDOWN_POWEROFF);
}

static const struct {
    const char *name;
    void (*run)(const struct guest_env *env);
} cpu_state_actions[] = {
    { "cpu-state", test_cpu_state },
    { "cr8-raise", test_cr8_raise },
    { "cr8-all",   test_cr8_all },
    { "string-io", test_string_io },
};

bool test_cpu_state_run(const char *action, const struct guest_env *env)
{
    for (size_t i = 0; i < sizeof cpu_state_actions / sizeof cpu_state_actions[0]; i++) {
        if (strcmp(action, cpu_state_actions[i].name) == 0) {
            cpu_state_actions[i].run(env);
            return true;
        }
    }
    return false;
}
