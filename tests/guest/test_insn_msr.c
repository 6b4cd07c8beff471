/*
 * test=insn-fuzz: rdmsr and wrmsr (docs/abi.md: the MSRs the guest runs
 * directly, the hypercall-page MSR, IA32_DEBUGCTL reading 0 and taking only
 * 0, PLATFORM_INFO offering CPUID faulting and MISC_FEATURES_ENABLES taking
 * 0 or 1, the local APIC's, #GP(0) for every other one). The fuzzer's APIC stays
 * as it starts, xAPIC at 0xFEE00000 with every LVT masked: writes of
 * IA32_APIC_BASE keep that value or are ones it must refuse, the x2APIC
 * MSRs #GP outside x2APIC mode, and IA32_TSC_DEADLINE is ignored outside
 * TSC-deadline mode (reads 0), so no interrupt can come of them.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/cpuid.h>

#include "test_insn_gen.h"

/* ---- MSRs ------------------------------------------------------------------- */

#define MSR_DEBUGCTL 0x1D9
#define MSR_PLATFORM_INFO 0xCE
#define MSR_MISC_FEATURES_ENABLES 0x140
#define PLATFORM_INFO_CPUID_FAULTING (1ull << 31)
#define MSR_APIC_BASE 0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define APIC_BASE_BSP 0x100ull
#define APIC_BASE_XAPIC 0xFEE00800ull          /* default base, enabled, xAPIC mode */

/* IA32_APIC_BASE: its own value (with or without BSP, which writes do not
 * change), or one with a reserved bit (7:0, 9, above MAXPHYADDR), or
 * x2APIC enable without the global enable. */
static uint64_t apic_base_value(struct insn_fuzz *f)
{
    switch (insn_below(f, 5)) {
    case 0:
        return APIC_BASE_XAPIC;
    case 1:
        return APIC_BASE_XAPIC | APIC_BASE_BSP;
    case 2:
        return APIC_BASE_XAPIC | (insn_below(f, 2) ? 1ull << insn_below(f, 8) : 1ull << 9);
    case 3:
        return APIC_BASE_XAPIC | 1ull << (f->phys_bits + insn_below(f, 64 - f->phys_bits));
    default:
        return (APIC_BASE_XAPIC & ~0x800ull) | 0x400;
    }
}

static const uint32_t direct_msrs[] = {
    0x174, 0x175, 0x176, 0x277,                         /* SYSENTER_CS/ESP/EIP, PAT */
    0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083,     /* EFER, STAR, LSTAR, CSTAR */
    0xC0000084, 0xC0000100, 0xC0000101, 0xC0000102,     /* FMASK, FS/GS/KERNEL_GS_BASE */
};

static const uint32_t known_msrs[] = {
    0x10, 0x1B, 0x3A, 0x48, 0x49, 0x8B, 0x9B, 0xCE, 0xE7, 0xE8, 0xFE, 0x140, 0x174, 0x175, 0x176, 0x179,
    0x17A, 0x1A0, 0x1D9, 0x200, 0x201, 0x250, 0x277, 0x2FF, 0x480, 0x481, 0x48B, 0x48C,
    0x491, 0x6E0, 0x802, 0x803, 0x808, 0x80B, 0x80F, 0x830, 0x832, 0x838, 0x83F, 0xDA0,
    0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101,
    0xC0000102, 0xC0000103, 0x40000000, 0x40000001, 0x40000200, 0x4B564D00, 0xC0010114,
    0xC0010117,
};

bool insn_msr_is_direct(uint32_t msr)
{
    for (unsigned int i = 0; i < ARRAY_LEN(direct_msrs); i++)
        if (direct_msrs[i] == msr)
            return true;
    return false;
}

/* Known MSRs, the two ranges the MSR bitmap covers, the x2APIC range, the
 * hypervisor range, anything; the upper half of RCX is ignored (random). */
static uint64_t msr_number(struct insn_fuzz *f)
{
    uint64_t r = insn_below(f, 100), msr, upper = one_in(f, 8) ? insn_next(f) << 32 : 0;

    if (r < 30)
        msr = IPICK(f, known_msrs);
    else if (r < 55)
        msr = insn_below(f, 0x2000);
    else if (r < 75)
        msr = 0xC0000000 + insn_below(f, 0x2000);
    else if (r < 85)
        msr = 0x800 + insn_below(f, 0x100);
    else if (r < 90)
        msr = 0x40000000 + insn_below(f, 0x200);
    else
        msr = (uint32_t)insn_next(f);
    return upper | msr;
}

static void gen_rdmsr(struct insn_fuzz *f, struct insn *in)
{
    in->regs[RCX] = msr_number(f);
    EMIT(in, 0x0F, 0x32);
}

/* The hypercall-page MSR fills the page it names: only our spare page, or
 * values it must refuse (unaligned, past RAM). */
static uint64_t hypercall_page_value(struct insn_fuzz *f)
{
    uint64_t v;

    switch (insn_below(f, 4)) {
    case 0:
        return f->msr_page;
    case 1:
        return f->msr_page | (1 + insn_below(f, 4095));
    case 2:
        return (f->ram_end + insn_below(f, 1 << 20)) & ~4095ull;
    default:
        v = IPICK(f, fuzz_edges);
        return v < f->ram_end && !(v & 4095) ? v + f->ram_end : v;
    }
}

/* docs/abi.md: a page-aligned address of our RAM is taken, anything else #GP(0). */
static bool hypercall_page_taken(const struct insn_fuzz *f, uint64_t v)
{
    return !(v & 4095) && v < f->ram_end;
}

static void gen_wrmsr(struct insn_fuzz *f, struct insn *in)
{
    uint64_t msr = msr_number(f), v = insn_value(f);

    if ((uint32_t)msr == XEN_HYPERCALL_PAGE_MSR)
        v = hypercall_page_value(f);
    if ((uint32_t)msr == MSR_DEBUGCTL && one_in(f, 2))
        v = 0;                  /* the one value it takes */
    if ((uint32_t)msr == MSR_MISC_FEATURES_ENABLES && one_in(f, 2))
        v = insn_below(f, 2);   /* CPUID faulting off or on: ring 0 is not affected */
    if ((uint32_t)msr == MSR_APIC_BASE)
        v = apic_base_value(f);
    if (insn_msr_is_direct((uint32_t)msr))
        in->msr = (uint32_t)msr;
    in->regs[RCX] = msr;
    in->regs[RAX] = (uint32_t)v;
    in->regs[RDX] = v >> 32;
    EMIT(in, 0x0F, 0x30);
}

/* docs/abi.md: the direct MSRs read as on hardware, the emulated ones as
 * listed; every other one #GP(0). */
static bool rdmsr_allowed(const struct insn_fuzz *f, const struct insn *in,
                          const struct insn_outcome *o)
{
    (void)f;
    uint32_t msr = (uint32_t)in->regs[RCX];
    if (msr == MSR_DEBUGCTL || msr == MSR_TSC_DEADLINE)
        return ok(o) && o->regs[RAX] == 0 && o->regs[RDX] == 0;
    if (msr == MSR_PLATFORM_INFO)
        return ok(o) && o->regs[RAX] == PLATFORM_INFO_CPUID_FAULTING && o->regs[RDX] == 0;
    if (msr == MSR_MISC_FEATURES_ENABLES)
        return ok(o) && o->regs[RAX] <= 1 && o->regs[RDX] == 0;
    if (msr == MSR_APIC_BASE)
        return ok(o) && ((uint32_t)o->regs[RAX] & ~APIC_BASE_BSP) == APIC_BASE_XAPIC &&
               o->regs[RDX] == 0;
    return insn_msr_is_direct(msr) ? ok(o) : raised(o, VEC_GP);
}

static bool wrmsr_allowed(const struct insn_fuzz *f, const struct insn *in,
                          const struct insn_outcome *o)
{
    uint32_t msr = (uint32_t)in->regs[RCX];
    uint64_t v = in->regs[RDX] << 32 | (uint32_t)in->regs[RAX];

    if (insn_msr_is_direct(msr))
        return ok(o) || raised(o, VEC_GP);
    if (msr == XEN_HYPERCALL_PAGE_MSR && hypercall_page_taken(f, v))
        return ok(o);
    if ((msr == MSR_DEBUGCTL && v == 0) || msr == MSR_TSC_DEADLINE ||
        (msr == MSR_MISC_FEATURES_ENABLES && v <= 1) ||
        (msr == MSR_APIC_BASE && (v & ~APIC_BASE_BSP) == APIC_BASE_XAPIC))
        return ok(o);
    return raised(o, VEC_GP);               /* the x2APIC range too: not in x2APIC mode */
}

/* Name, weight, generator, check. */
const struct insn_class insn_rdmsr = { "rdmsr", 10, gen_rdmsr, rdmsr_allowed };
const struct insn_class insn_wrmsr = { "wrmsr", 10, gen_wrmsr, wrmsr_allowed };
