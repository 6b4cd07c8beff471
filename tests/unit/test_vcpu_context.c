/*
 * Host unit test for arch/x86/vmx/vcpu_context.c (VCPUOP_initialise's arch
 * half) over the fake VMCS of shim_vmcs.c, whose fixed bits are Bochs's.
 * Each case starts from a good 32-bit or 64-bit context, changes one thing,
 * and checks the result: a good context is written whole between
 * vcpu_vmcs_begin and vcpu_vmcs_end; a bad one is -EINVAL with no VMCS
 * field, register or FPU byte changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "../../arch/x86/vmx/start_state.h"
#include "../../arch/x86/vmx/vcpu.h"
#include "../../arch/x86/vmx/vmcs.h"
#include "../../arch/x86/vmx/vmx_caps.h"
#include "arch/msr.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "public/errno.h"
#include "public/hvm_vcpu.h"

CHECK_SUITE("vcpu_context");

/* shim_vmcs.c */
extern uint64_t shim_vmcs[];
extern unsigned shim_vmcs_bad_reads, shim_vmcs_bad_writes, shim_vmcs_writes;
void shim_vmcs_reset(void);

#define GET(field) (shim_vmcs[(field).enc])
#define SHIM_VMCS_BYTES (0x8000u * sizeof(uint64_t))
#define ENTRY_BASE 0x11ffu      /* default1 bits, as vmx.c asks for them */

static const char *name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *name(const char *fmt, ...)
{
    static char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

static struct domain dom;
static struct vcpu vcpu;
static struct arch_vcpu av;
static struct {
    unsigned begin, end;
    bool begin_before_writes, end_after_writes;
    struct vcpu *begin_v, *end_v;
} seam;

/* The seams of arch/x86/vmx/vcpu.c: the target's VMCS becomes the current one. */
void vcpu_vmcs_begin(struct vcpu *target)
{
    seam.begin++;
    seam.begin_v = target;
    seam.begin_before_writes = shim_vmcs_writes == 0;
}

void vcpu_vmcs_end(struct vcpu *target)
{
    seam.end++;
    seam.end_v = target;
    seam.end_after_writes = shim_vmcs_writes > 0;
}

static void setup(void)
{
    shim_vmcs_reset();
    memset(&seam, 0, sizeof seam);
    memset(&dom, 0, sizeof dom);
    memset(&vcpu, 0, sizeof vcpu);
    /* What a vCPU held before: junk everywhere, to see what is reset. */
    memset(&av, 0x5c, sizeof av);
    vcpu.domain = &dom;
    vcpu.id = 1;
    vcpu.arch = &av;
    shim_vmcs[VM_ENTRY_CONTROLS.enc] = ENTRY_BASE | ENTRY_LOAD_IA32_EFER;
}

static uint8_t vmcs_before[0x8000 * sizeof(uint64_t)];
static struct arch_vcpu av_before;

static void snapshot(void)
{
    memcpy(vmcs_before, shim_vmcs, SHIM_VMCS_BYTES);
    av_before = av;
}

static bool unchanged(void)
{
    return !memcmp(vmcs_before, shim_vmcs, SHIM_VMCS_BYTES) && !memcmp(&av_before, &av, sizeof av) &&
           seam.begin == 0 && seam.end == 0 && shim_vmcs_writes == 0;
}

/* What guest-pv gives its secondary vCPUs: long mode with its own page tables. */
static struct vcpu_hvm_context good64(void)
{
    struct vcpu_hvm_context c = { .mode = VCPU_HVM_MODE_64B };
    c.cpu_regs.x86_64 = (struct vcpu_hvm_x86_64){
        .rax = 1, .rcx = 2, .rdx = 3, .rbx = 4, .rsp = 0x1ff000, .rbp = 6, .rsi = 7, .rdi = 8,
        .rip = 0x101234, .rflags = 0x2,
        .cr0 = CR0_PE | CR0_ET | CR0_PG, .cr3 = 0x104000, .cr4 = CR4_PAE,
        .efer = EFER_LME | EFER_LMA,
    };
    return c;
}

#define AR32_CODE 0xc9bu        /* G, D/B, P, S, type 0xb: in the context's 12-bit layout */
#define AR32_DATA 0xc93u
#define AR32_TSS  0x08bu

/* The PVH entry state as a context: 32-bit protected mode, flat, paging off. */
static struct vcpu_hvm_context good32(void)
{
    struct vcpu_hvm_context c = { .mode = VCPU_HVM_MODE_32B };
    c.cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eax = 11, .ecx = 12, .edx = 13, .ebx = 0x9f000, .esp = 0x80000, .ebp = 16, .esi = 17,
        .edi = 18, .eip = 0x100000, .eflags = 0x2,
        .cr0 = CR0_PE | CR0_ET,
        .cs_limit = 0xffffffff, .ds_limit = 0xffffffff, .ss_limit = 0xffffffff,
        .es_limit = 0xffffffff, .tr_limit = 0x67,
        .cs_ar = AR32_CODE, .ds_ar = AR32_DATA, .ss_ar = AR32_DATA, .es_ar = AR32_DATA,
        .tr_ar = AR32_TSS,
    };
    return c;
}

static bool fpu_reset(void)
{
    uint8_t want[512] = { 0 };
    want[0] = 0x7f, want[1] = 0x03;             /* FCW 0x037f */
    want[24] = 0x80, want[25] = 0x1f;           /* MXCSR 0x1f80 */
    return !memcmp(av.fpu, want, sizeof want);
}

static bool msrs_zero(void)
{
    return av.msrs.star == 0 && av.msrs.lstar == 0 && av.msrs.cstar == 0 &&
           av.msrs.fmask == 0 && av.msrs.kernel_gs_base == 0;
}

static bool written_between_seams(void)
{
    return seam.begin == 1 && seam.end == 1 && seam.begin_v == &vcpu && seam.end_v == &vcpu &&
           seam.begin_before_writes && seam.end_after_writes && shim_vmcs_bad_writes == 0 &&
           shim_vmcs_bad_reads == 0;
}

static bool segment_is(vmcs_field16 sel, vmcs_fieldnat base, vmcs_field32 limit, vmcs_field32 ar,
                       uint16_t s, uint64_t b, uint32_t l, uint32_t a)
{
    return GET(sel) == s && GET(base) == b && GET(limit) == l && GET(ar) == a;
}

/* ---- good contexts --------------------------------------------------------- */

static void test_good64(void)
{
    setup();
    struct vcpu_hvm_context c = good64();
    CHECK("64-bit context -> 0", arch_vcpu_set_context(&vcpu, &c) == 0);
    CHECK("64-bit: written between vcpu_vmcs_begin and vcpu_vmcs_end of the target",
          written_between_seams());
    CHECK("64-bit: CR0 with NE underneath, the shadow as given",
          GET(GUEST_CR0) == (CR0_PE | CR0_ET | CR0_PG | CR0_NE) &&
          GET(CR0_READ_SHADOW) == (CR0_PE | CR0_ET | CR0_PG));
    CHECK("64-bit: CR3, CR4 with VMXE underneath, EFER",
          GET(GUEST_CR3) == 0x104000 && GET(GUEST_CR4) == (CR4_PAE | CR4_VMXE) &&
          GET(CR4_READ_SHADOW) == CR4_PAE && GET(GUEST_IA32_EFER) == (EFER_LME | EFER_LMA));
    CHECK("64-bit: the IA-32e mode guest entry control is set, the others kept",
          GET(VM_ENTRY_CONTROLS) == (ENTRY_BASE | ENTRY_LOAD_IA32_EFER | ENTRY_IA32E_MODE_GUEST));
    CHECK("64-bit: CS flat 64-bit code, selector 0",
          segment_is(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR, 0, 0,
                     0xffffffff, 0xa09b));
    CHECK("64-bit: SS, DS, ES, FS, GS flat data",
          segment_is(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR, 0, 0, 0xffffffff, 0xc093));
    CHECK("64-bit: TR a busy TSS, LDTR unusable, GDTR and IDTR empty",
          segment_is(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR, 0, 0, 0x67, 0x8b) &&
          GET(GUEST_LDTR_AR) == AR_UNUSABLE && GET(GUEST_GDTR_BASE) == 0 &&
          GET(GUEST_GDTR_LIMIT) == 0 && GET(GUEST_IDTR_BASE) == 0 && GET(GUEST_IDTR_LIMIT) == 0);
    CHECK("64-bit: RIP, RSP, RFLAGS",
          GET(GUEST_RIP) == 0x101234 && GET(GUEST_RSP) == 0x1ff000 && GET(GUEST_RFLAGS) == 0x2);
    CHECK("64-bit: reset values of the rest",
          GET(GUEST_IA32_PAT) == 0x0007040600070406ull && GET(GUEST_IA32_DEBUGCTL) == 0 &&
          GET(GUEST_DR7) == 0x400 && GET(GUEST_ACTIVITY_STATE) == 0 &&
          GET(GUEST_INTERRUPTIBILITY) == 0 && GET(GUEST_PENDING_DBG_EXCEPTIONS) == 0 &&
          GET(VM_ENTRY_INTR_INFO) == 0 && GET(GUEST_SYSENTER_CS) == 0);
    CHECK("64-bit: general registers from the context, the others 0",
          av.regs.rax == 1 && av.regs.rcx == 2 && av.regs.rdx == 3 && av.regs.rbx == 4 &&
          av.regs.rbp == 6 && av.regs.rsi == 7 && av.regs.rdi == 8 && av.regs.r8 == 0 &&
          av.regs.r11 == 0 && av.regs.r15 == 0 && av.regs.cr2 == 0);
    CHECK("64-bit: FPU in its FNINIT state, syscall MSRs 0", fpu_reset() && msrs_zero());

    /* Variants that are fine too. */
    static const struct {
        const char *name;
        uint64_t efer, rflags, rip, cr0, cr4;
    } ok[] = {
        { "LME without LMA (the CPU sets LMA)", EFER_LME, 2, 0x1000, 0, 0 },
        { "RFLAGS 0 (bit 1 reads as 1)", 0, 0, 0x1000, 0, 0 },
        { "interrupts on", 0, 0x202, 0x1000, 0, 0 },
        { "NXE and SCE", EFER_LME | EFER_NXE | EFER_SCE, 2, 0x1000, 0, 0 },
        { "RIP in the upper half", 0, 2, 0xffffffff80001000ull, 0, 0 },
        { "RIP 0x00007fffffffffff", 0, 2, 0x00007fffffffffffull, 0, 0 },
        { "CR0.WP, CD and NW", 0, 2, 0x1000, CR0_WP | CR0_CD | CR0_NW, 0 },
        { "CR4.PGE, OSFXSR, PCIDE", 0, 2, 0x1000, 0, CR4_PGE | CR4_OSFXSR | CR4_PCIDE },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        setup();
        c = good64();
        if (ok[i].efer)
            c.cpu_regs.x86_64.efer = ok[i].efer;
        c.cpu_regs.x86_64.rflags = ok[i].rflags;
        c.cpu_regs.x86_64.rip = ok[i].rip;
        c.cpu_regs.x86_64.cr0 |= ok[i].cr0;
        c.cpu_regs.x86_64.cr4 |= ok[i].cr4;
        CHECK(name("%s -> 0", ok[i].name), arch_vcpu_set_context(&vcpu, &c) == 0 &&
              written_between_seams() && (GET(GUEST_IA32_EFER) & EFER_LMA) &&
              (GET(GUEST_RFLAGS) & 2) && GET(GUEST_RIP) == ok[i].rip);
    }
}

static void test_good32(void)
{
    setup();
    struct vcpu_hvm_context c = good32();
    CHECK("32-bit context -> 0", arch_vcpu_set_context(&vcpu, &c) == 0);
    CHECK("32-bit: written between the seams", written_between_seams());
    CHECK("32-bit: CR0 PE|ET (NE underneath), CR4 0 (VMXE underneath), EFER 0",
          GET(GUEST_CR0) == (CR0_PE | CR0_ET | CR0_NE) && GET(CR0_READ_SHADOW) == (CR0_PE | CR0_ET) &&
          GET(GUEST_CR4) == CR4_VMXE && GET(CR4_READ_SHADOW) == 0 && GET(GUEST_IA32_EFER) == 0);
    CHECK("32-bit: no IA-32e mode", GET(VM_ENTRY_CONTROLS) == (ENTRY_BASE | ENTRY_LOAD_IA32_EFER));
    CHECK("32-bit: segments as given, in VMCS layout (G and D/B at bits 15 and 14)",
          segment_is(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR, 0, 0, 0xffffffff, 0xc09b) &&
          segment_is(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR, 0, 0, 0x67, 0x8b));
    CHECK("32-bit: FS and GS like DS",
          segment_is(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR, 0, 0, 0xffffffff, 0xc093) &&
          segment_is(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR, 0, 0, 0xffffffff, 0xc093));
    CHECK("32-bit: EIP, ESP, EFLAGS", GET(GUEST_RIP) == 0x100000 && GET(GUEST_RSP) == 0x80000 &&
          GET(GUEST_RFLAGS) == 2);
    CHECK("32-bit: registers from the context (EBX = start info, as at PVH entry)",
          av.regs.rax == 11 && av.regs.rcx == 12 && av.regs.rdx == 13 && av.regs.rbx == 0x9f000 &&
          av.regs.rbp == 16 && av.regs.rsi == 17 && av.regs.rdi == 18 && av.regs.r9 == 0);
    CHECK("32-bit: FPU and MSRs reset", fpu_reset() && msrs_zero());

    /* Not yet accessed code/data and an available TSS come out accessed and busy (Xen). */
    setup();
    c = good32();
    c.cpu_regs.x86_32.cs_ar = 0xc9a;
    c.cpu_regs.x86_32.ss_ar = 0xc92;
    c.cpu_regs.x86_32.tr_ar = 0x089;
    CHECK("32-bit: unaccessed segments and an available TSS -> 0",
          arch_vcpu_set_context(&vcpu, &c) == 0 && GET(GUEST_CS_AR) == 0xc09b &&
          GET(GUEST_SS_AR) == 0xc093 && GET(GUEST_TR_AR) == 0x8b);

    setup();
    c = good32();
    c.cpu_regs.x86_32.ds_ar = 0;
    c.cpu_regs.x86_32.es_ar = 0;
    CHECK("32-bit: null DS and ES -> 0, unusable (FS and GS too)",
          arch_vcpu_set_context(&vcpu, &c) == 0 && GET(GUEST_DS_AR) == AR_UNUSABLE &&
          GET(GUEST_ES_AR) == AR_UNUSABLE && GET(GUEST_FS_AR) == AR_UNUSABLE &&
          GET(GUEST_GS_AR) == AR_UNUSABLE);

    setup();
    c = good32();
    c.cpu_regs.x86_32.cr0 |= CR0_PG;
    c.cpu_regs.x86_32.cr4 = CR4_PAE;
    c.cpu_regs.x86_32.efer = EFER_LME;
    c.cpu_regs.x86_32.cr3 = 0x5000;
    CHECK("32-bit code in IA-32e mode (compatibility mode) -> 0",
          arch_vcpu_set_context(&vcpu, &c) == 0 && (GET(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST) &&
          GET(GUEST_IA32_EFER) == (EFER_LME | EFER_LMA) && GET(GUEST_CR3) == 0x5000);

    static const struct {
        const char *name;
        uint32_t cr0_or, cr4, eip, cs_limit;
        uint16_t cs_ar, ss_ar, ds_ar;
    } ok[] = {
        { "32-bit paging", CR0_PG, CR4_PSE, 0x100000, 0xffffffff, AR32_CODE, AR32_DATA, AR32_DATA },
        { "PAE set, paging off", 0, CR4_PAE, 0x100000, 0xffffffff, AR32_CODE, AR32_DATA, AR32_DATA },
        { "ring 3", 0, 0, 0x100000, 0xffffffff, AR32_CODE | 0x60, AR32_DATA | 0x60, AR32_DATA | 0x60 },
        { "DS DPL 0 under CPL 3", 0, 0, 0x100000, 0xffffffff,
          AR32_CODE | 0x60, AR32_DATA | 0x60, AR32_DATA },
        { "EIP at the CS limit", 0, 0, 0xfffff, 0xfffff, 0x49b, AR32_DATA, AR32_DATA },
        { "readable code in DS", 0, 0, 0x100000, 0xffffffff, AR32_CODE, AR32_DATA, AR32_CODE },
        { "16-bit code segment", 0, 0, 0xffff, 0xffff, 0x09b, AR32_DATA, AR32_DATA },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        setup();
        c = good32();
        c.cpu_regs.x86_32.cr0 |= ok[i].cr0_or;
        c.cpu_regs.x86_32.cr4 = ok[i].cr4;
        c.cpu_regs.x86_32.eip = ok[i].eip;
        c.cpu_regs.x86_32.cs_limit = ok[i].cs_limit;
        c.cpu_regs.x86_32.cs_ar = ok[i].cs_ar;
        c.cpu_regs.x86_32.ss_ar = ok[i].ss_ar;
        c.cpu_regs.x86_32.ds_ar = ok[i].ds_ar;
        CHECK(name("%s -> 0", ok[i].name), arch_vcpu_set_context(&vcpu, &c) == 0 &&
              written_between_seams() && !(GET(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST));
    }
}

/* ---- refused contexts: -EINVAL, nothing written ---------------------------- */

/* A bad case: up to three fields of a good context set to other values. */
struct patch {
    size_t off, size;
    uint64_t value;
};
struct bad_case {
    const char *name;
    struct patch p[3];
};

#define FIELD(f)       offsetof(struct vcpu_hvm_context, f)
#define FSIZE(f)       sizeof(((struct vcpu_hvm_context *)0)->f)
#define SET(f, v)      { FIELD(f), FSIZE(f), (uint64_t)(v) }
#define SET64(f, v)    SET(cpu_regs.x86_64.f, v)
#define SET32(f, v)    SET(cpu_regs.x86_32.f, v)

static void apply(struct vcpu_hvm_context *c, const struct patch *p)
{
    for (int i = 0; i < 3 && p[i].size; i++)
        memcpy((uint8_t *)c + p[i].off, &p[i].value, p[i].size);   /* little-endian */
}

static void expect_refused(const char *mode, const struct vcpu_hvm_context *base,
                           const struct bad_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        setup();
        struct vcpu_hvm_context c = *base;
        apply(&c, cases[i].p);
        snapshot();
        CHECK(name("%s %s -> EINVAL", mode, cases[i].name),
              arch_vcpu_set_context(&vcpu, &c) == -XEN_EINVAL);
        CHECK(name("%s %s writes nothing", mode, cases[i].name), unchanged());
    }
}

static void test_bad_common(void)
{
    static const struct bad_case cases[] = {
        { "mode 2", { SET(mode, 2) } },
        { "mode 0xffffffff", { SET(mode, 0xffffffffu) } },
        { "pad 1", { SET(pad, 1) } },
        { "pad bit 31", { SET(pad, 1u << 31) } },
    };
    struct vcpu_hvm_context base = good64();
    expect_refused("64-bit", &base, cases, sizeof cases / sizeof cases[0]);
    base = good32();
    expect_refused("32-bit", &base, cases, sizeof cases / sizeof cases[0]);
}

#define CR0_64 (CR0_PE | CR0_ET | CR0_PG)

static void test_bad64(void)
{
    static const struct bad_case cases[] = {
        /* Xen's basic checks */
        { "paging off", { SET64(cr0, CR0_PE | CR0_ET) } },
        { "PAE off", { SET64(cr4, 0) } },
        { "LME off", { SET64(efer, 0) } },
        { "LMA without LME", { SET64(efer, EFER_LMA) } },
        { "RIP 0x0000800000000000 (non-canonical)", { SET64(rip, 0x0000800000000000ull) } },
        { "RIP 0xffff7fffffffffff (non-canonical)", { SET64(rip, 0xffff7fffffffffffull) } },
        /* what the CPU or VM entry would refuse */
        { "PG without PE", { SET64(cr0, CR0_ET | CR0_PG) } },
        { "CR0 bit 32", { SET64(cr0, CR0_64 | 1ull << 32) } },
        { "CR0 bit 63", { SET64(cr0, CR0_64 | 1ull << 63) } },
        { "CR0.NW without CD", { SET64(cr0, CR0_64 | CR0_NW) } },
        { "CR4.VMXE (the hypervisor's)", { SET64(cr4, CR4_PAE | CR4_VMXE) } },
        { "CR4.OSXSAVE (the hypervisor's)", { SET64(cr4, CR4_PAE | CR4_OSXSAVE) } },
        { "CR4 bit 11 (not in IA32_VMX_CR4_FIXED1)", { SET64(cr4, CR4_PAE | 1ull << 11) } },
        { "CR4.CET (not in IA32_VMX_CR4_FIXED1)", { SET64(cr4, CR4_PAE | CR4_CET) } },
        { "CR4 bit 32", { SET64(cr4, CR4_PAE | 1ull << 32) } },
        { "CR3 bit 52 (beyond any physical address)", { SET64(cr3, 0x104000 | 1ull << 52) } },
        { "CR3 bit 63", { SET64(cr3, 0x104000 | 1ull << 63) } },
        { "EFER bit 9", { SET64(efer, EFER_LME | 1ull << 9) } },
        { "EFER.SVME", { SET64(efer, EFER_LME | 1ull << 12) } },
        { "EFER bit 63", { SET64(efer, EFER_LME | 1ull << 63) } },
        { "RFLAGS bit 3", { SET64(rflags, 2 | 1ull << 3) } },
        { "RFLAGS bit 5", { SET64(rflags, 2 | 1ull << 5) } },
        { "RFLAGS bit 15", { SET64(rflags, 2 | 1ull << 15) } },
        { "RFLAGS bit 22", { SET64(rflags, 2 | 1ull << 22) } },
        { "RFLAGS bit 63", { SET64(rflags, 2 | 1ull << 63) } },
        { "RFLAGS.VM", { SET64(rflags, 2 | 1ull << 17) } },
        { "real mode", { SET64(cr0, CR0_ET), SET64(cr4, 0), SET64(efer, 0) } },
    };
    struct vcpu_hvm_context base = good64();
    expect_refused("64-bit", &base, cases, sizeof cases / sizeof cases[0]);
}

static void test_bad32(void)
{
    static const struct bad_case cases[] = {
        { "pad1", { SET32(pad1, 1) } },
        { "pad2[0]", { SET32(pad2[0], 1) } },
        { "pad2[1]", { SET32(pad2[1], 0x8000) } },
        { "pad2[2]", { SET32(pad2[2], 1) } },
        /* Xen's check_segment() */
        { "CS attribute bit 12", { SET32(cs_ar, AR32_CODE | 1u << 12) } },
        { "SS attribute bit 15", { SET32(ss_ar, AR32_DATA | 1u << 15) } },
        { "DS attribute bit 13", { SET32(ds_ar, AR32_DATA | 1u << 13) } },
        { "ES attribute bit 14", { SET32(es_ar, AR32_DATA | 1u << 14) } },
        { "TR attribute bit 12", { SET32(tr_ar, AR32_TSS | 1u << 12) } },
        { "null CS", { SET32(cs_ar, 0) } },
        { "null SS", { SET32(ss_ar, 0) } },
        { "null TR", { SET32(tr_ar, 0) } },
        { "CS not present", { SET32(cs_ar, AR32_CODE & ~0x80u) } },
        { "SS not present", { SET32(ss_ar, AR32_DATA & ~0x80u) } },
        { "DS not present", { SET32(ds_ar, AR32_DATA & ~0x80u) } },
        { "TR not present", { SET32(tr_ar, AR32_TSS & ~0x80u) } },
        { "CS a data segment", { SET32(cs_ar, AR32_DATA) } },
        { "CS a system segment", { SET32(cs_ar, 0xc8b) } },
        { "SS a code segment", { SET32(ss_ar, AR32_CODE) } },
        { "SS read-only data", { SET32(ss_ar, 0xc91) } },
        { "DS execute-only code", { SET32(ds_ar, 0xc99) } },
        { "ES a system segment", { SET32(es_ar, 0xc82) } },
        { "TR a data segment", { SET32(tr_ar, AR32_DATA) } },
        { "TR a 16-bit TSS", { SET32(tr_ar, 0x083) } },
        { "TR an LDT", { SET32(tr_ar, 0x082) } },
        { "EIP beyond the CS limit", { SET32(cs_limit, 0xfffff), SET32(cs_ar, 0x49b) } },
        { "SS DPL 3 under CPL 0", { SET32(ss_ar, AR32_DATA | 0x60) } },
        { "CS DPL 3, SS DPL 0", { SET32(cs_ar, AR32_CODE | 0x60) } },
        { "DS DPL 3 above CPL 0 (Xen's rule)", { SET32(ds_ar, AR32_DATA | 0x60) } },
        { "ES DPL 1 above CPL 0 (Xen's rule)", { SET32(es_ar, AR32_DATA | 0x20) } },
        { "EFER.LMA without LME", { SET32(efer, EFER_LMA) } },
        /* VM entry's checks */
        { "CS.L (64-bit code belongs to VCPU_HVM_MODE_64B)", { SET32(cs_ar, 0xa9b) } },
        { "CS limit 0xfffff000 with G", { SET32(cs_limit, 0xfffff000u) } },
        { "DS limit 0x100000 without G", { SET32(ds_limit, 0x100000), SET32(ds_ar, 0x493) } },
        { "TR limit 0x100000 without G", { SET32(tr_limit, 0x100000) } },
        { "real mode (CR0.PE clear)", { SET32(cr0, CR0_ET) } },
        { "PAE paging outside long mode", { SET32(cr0, CR0_PE | CR0_ET | CR0_PG), SET32(cr4, CR4_PAE) } },
        { "long mode without PAE", { SET32(cr0, CR0_PE | CR0_ET | CR0_PG), SET32(efer, EFER_LME) } },
        { "EFER.LMA with LME but paging off", { SET32(efer, EFER_LME | EFER_LMA) } },
        { "CR4.PCIDE outside long mode", { SET32(cr4, CR4_PCIDE) } },
        { "CR4.VMXE", { SET32(cr4, CR4_VMXE) } },
        { "EFLAGS.VM", { SET32(eflags, 2 | 1u << 17) } },
        { "EFLAGS bit 31", { SET32(eflags, 2 | 1u << 31) } },
    };
    struct vcpu_hvm_context base = good32();
    expect_refused("32-bit", &base, cases, sizeof cases / sizeof cases[0]);
}

int main(void)
{
    test_good64();
    test_good32();
    test_bad_common();
    test_bad64();
    test_bad32();
    CHECK_DONE();
}
