/*
 * VMX bring-up on one CPU: check every capability Mica needs (from the TRUE
 * control MSRs when the CPU has them), compute the control values, enable
 * VMX in CR4 and IA32_FEATURE_CONTROL, and VMXON.
 */
#include "vmx_caps.h"
#include "vmcs.h"
#include "vcpu.h"
#include "arch/msr.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/printk.h"
#include "hv/string.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_BASIC_REVISION_MASK 0x7fffffffu
#define VMX_MISC_PREEMPTION_SHIFT_MASK 0x1f

struct vmx_config vmx_config;
static char cpu_name[96];

/* The CPUID brand string when there is one, and family/model/stepping always. */
static void name_cpu(void)
{
    uint32_t a, b, c, d, sig;
    char brand[49] = "";
    cpuid(1, 0, &sig, &b, &c, &d);
    cpuid(0x80000000u, 0, &a, &b, &c, &d);
    if (a >= 0x80000004u) {
        uint32_t *w = (uint32_t *)brand;
        for (uint32_t leaf = 0; leaf < 3; leaf++, w += 4)
            cpuid(0x80000002u + leaf, 0, &w[0], &w[1], &w[2], &w[3]);
        brand[48] = '\0';
    }
    /* Brand strings pad with runs of spaces: keep one between words. */
    char *to = brand;
    for (const char *from = brand; *from; from++)
        if (*from != ' ' || (to > brand && to[-1] != ' '))
            *to++ = *from;
    if (to > brand && to[-1] == ' ')
        to--;
    *to = '\0';
    const char *p = brand;
    uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
    if (family == 0xf)
        family += (sig >> 20) & 0xff;
    if (family == 6 || family >= 0xf)
        model |= ((sig >> 16) & 0xf) << 4;
    snprintf(cpu_name, sizeof cpu_name, "%s%sfamily 0x%x model 0x%x stepping %u", p,
             *p ? ", " : "", family, model, sig & 0xf);
}

static bool guest_nmis_allowed;

void arch_guest_nmis_allow(void)
{
    guest_nmis_allowed = true;
}

static int refuse(const char *what)
{
    printk("VMX unusable: %s missing on this CPU (%s). Mica needs VMX with EPT (4-level, "
           "write-back), unrestricted guest, the preemption timer, secondary controls "
           "and MSR bitmaps "
           "(docs/architecture.md, VMX features).\n", what, cpu_name);
    return -1;
}

static int probe(void)
{
    uint32_t a, b, c, d;
    char missing[96];

    name_cpu();
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & CPUID_1_ECX_VMX))
        return refuse("VMX (CPUID.1:ECX.VMX[bit 5] = 0)");

    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
        return refuse("VMXON outside SMX (disabled and locked by firmware in IA32_FEATURE_CONTROL)");

    uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
    bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
    vmx_config.revision = basic & VMX_BASIC_REVISION_MASK;

    /* Secondary controls exist only when the primary ones may enable them. */
    struct vmx_caps probed, usable;
    uint32_t must_be_1[VMX_CTL_COUNT];
    for (unsigned i = 0; i < VMX_CTL_COUNT; i++) {
        const struct vmx_control_request *r = &vmx_control_requests[i];
        bool exists = i != VMX_CTL_CPU2 || (probed.word[VMX_CTL_CPU] & CPU_SECONDARY_CONTROLS);
        uint64_t cap = exists ? rdmsr(true_ctls ? r->true_msr : r->msr) : 0;
        probed.word[i] = cap >> 32;
        must_be_1[i] = (uint32_t)cap;
    }
    bool has_ept = probed.word[VMX_CTL_CPU2] & CPU2_ENABLE_EPT;
    probed.word[VMX_CAP_EPT] = has_ept ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
    const struct vmx_feature *gap = vmx_first_missing(&probed);
    if (gap)
        return refuse(gap->name);

    usable = probed;
    vmx_caps_apply_disabled(&usable);
    uint32_t *const out[VMX_CTL_COUNT] = {
        [VMX_CTL_PIN] = &vmx_config.pin, [VMX_CTL_CPU] = &vmx_config.cpu,
        [VMX_CTL_CPU2] = &vmx_config.cpu2, [VMX_CTL_EXIT] = &vmx_config.exit,
        [VMX_CTL_ENTRY] = &vmx_config.entry,
    };
    for (unsigned i = 0; i < VMX_CTL_COUNT; i++) {
        const struct vmx_control_request *r = &vmx_control_requests[i];
        uint64_t cap = usable.word[i] << 32 | must_be_1[i];
        /* The table names every required bit: this is only a backstop. */
        if (!vmx_adjust_controls(r, cap, out[i])) {
            snprintf(missing, sizeof missing, "%s control bits 0x%x", r->what,
                     r->required & ~(uint32_t)(cap >> 32));
            return refuse(missing);
        }
    }

    /* Guests get NMIs only with virtual NMIs and NMI-window exiting (vcpu_run.c),
     * and only when asked: under Bochs 2.7 an NMI whose delivery ends in a
     * VM exit that crashes the domain leaves the CPU taking no interrupt
     * again (docs/boot-config.md, guest_nmis). */
    vmx_config.guest_nmis = guest_nmis_allowed && (vmx_config.pin & PIN_VIRTUAL_NMIS) &&
                            (usable.word[VMX_CTL_CPU] & CPU_NMI_WINDOW_EXITING);
    vmx_config.invept_single = probed.word[VMX_CAP_EPT] & EPT_CAP_INVEPT_SINGLE;

    vmx_config.preemption_timer_shift = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_SHIFT_MASK;
    vmx_config.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    vmx_config.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    vmx_config.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    vmx_config.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    vmx_features_print(&probed, &vmx_config, cpu_name);
    return 0;
}

bool arch_virt_feature_off(const char *name, size_t len)
{
    return vmx_feature_disable(name, len);
}

/* VMX operation on this CPU (each CPU, after probe() on the boot CPU). */
int vmx_cpu_on(void)
{
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);

    /* SDM 3C 24.8: CR0 and CR4 must satisfy the fixed bits in VMX operation. */
    write_cr0((read_cr0() | vmx_config.cr0_fixed0) & vmx_config.cr0_fixed1);
    write_cr4((read_cr4() | vmx_config.cr4_fixed0 | CR4_VMXE) & vmx_config.cr4_fixed1);

    paddr_t region = frame_alloc();
    if (!region)
        panic("no frame for the VMXON region");
    memset(phys_to_virt(region), 0, PAGE_SIZE);
    *(uint32_t *)phys_to_virt(region) = vmx_config.revision;
    enum vmx_status st = vmxon(region);
    if (st != VMX_OK) {
        printk("VMXON failed (%s)\n", st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
        frame_free(region);
        return -1;
    }
    return 0;
}

int arch_virt_init(void)
{
    if (probe())
        return -1;
    if (vmx_cpu_on())
        panic("VMXON failed on the boot CPU");
    vmx_msr_bitmap_init();
    vmx_io_bitmaps_init();
    printk("vmx: on (revision 0x%x), controls pin 0x%x cpu 0x%x cpu2 0x%x exit 0x%x "
           "entry 0x%x, preemption timer TSC>>%u\n",
           vmx_config.revision, vmx_config.pin, vmx_config.cpu, vmx_config.cpu2,
           vmx_config.exit, vmx_config.entry, vmx_config.preemption_timer_shift);
    return 0;
}
