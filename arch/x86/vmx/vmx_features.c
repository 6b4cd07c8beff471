/*
 * The VMX feature table: every capability Mica checks, named once, with
 * whether it is needed and what Mica does without it. vmx.c reads the
 * capability MSRs into a struct vmx_caps; this file refuses a CPU by the
 * name of the first missing essential, turns off what vmx_disable= asked
 * for, and prints the one boot block (docs/architecture.md, "VMX features").
 * tests/unit/test_vmx_features.c checks it against vmx_control_requests.
 */
#include "vmx_caps.h"
#include "hv/printk.h"
#include "hv/string.h"

#define NEEDED(n, w, bits) { .name = (n), .word = (w), .all = (bits), .need = VMX_NEEDED }
#define OPTIONAL(n, opt, w, bits, wo) \
    { .name = (n), .option = (opt), .word = (w), .all = (bits), .need = VMX_OPTIONAL, .without = (wo) }
#define UNUSED(n, w, bits, wo) \
    { .name = (n), .word = (w), .all = (bits), .need = VMX_UNUSED, .without = (wo) }

const struct vmx_feature vmx_features[] = {
    NEEDED("external-interrupt exiting", VMX_CTL_PIN, PIN_EXTERNAL_INTERRUPT_EXITING),
    NEEDED("NMI exiting", VMX_CTL_PIN, PIN_NMI_EXITING),
    NEEDED("HLT exiting", VMX_CTL_CPU, CPU_HLT_EXITING),
    NEEDED("CR8 load/store exiting", VMX_CTL_CPU, CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING),
    NEEDED("I/O bitmaps", VMX_CTL_CPU, CPU_USE_IO_BITMAPS),
    NEEDED("MSR bitmaps", VMX_CTL_CPU, CPU_USE_MSR_BITMAPS),
    NEEDED("secondary controls", VMX_CTL_CPU, CPU_SECONDARY_CONTROLS),
    NEEDED("EPT", VMX_CTL_CPU2, CPU2_ENABLE_EPT),
    NEEDED("EPT 4-level walk", VMX_CAP_EPT, EPT_CAP_WALK_LENGTH_4),
    NEEDED("EPT write-back memory type", VMX_CAP_EPT, EPT_CAP_MEMTYPE_WB),
    { .name = "INVEPT (single-context or all-context)", .word = VMX_CAP_EPT,
      .all = EPT_CAP_INVEPT, .any = EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL,
      .need = VMX_NEEDED },
    NEEDED("unrestricted guest", VMX_CTL_CPU2, CPU2_UNRESTRICTED_GUEST),
    NEEDED("64-bit host on VM exit", VMX_CTL_EXIT, EXIT_HOST_ADDRESS_SPACE_SIZE),
    NEEDED("PAT save/load on exit", VMX_CTL_EXIT, EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT),
    NEEDED("EFER save/load on exit", VMX_CTL_EXIT, EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER),
    NEEDED("debug controls saved on exit", VMX_CTL_EXIT, EXIT_SAVE_DEBUG_CONTROLS),
    NEEDED("PAT, EFER and debug controls loaded on entry", VMX_CTL_ENTRY,
           ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_DEBUG_CONTROLS),

    /* It alone ends the slice of a guest spinning with interrupts off. A host
     * LAPIC timer fallback was tried and failed the cap test under Bochs 2.7
     * (docs/architecture.md, "VMX features"). */
    NEEDED("VMX preemption timer", VMX_CTL_PIN, PIN_PREEMPTION_TIMER),
    OPTIONAL("preemption timer saved on exit", "preemption_timer_save", VMX_CTL_EXIT,
             EXIT_SAVE_PREEMPTION_TIMER,
             "the timer is re-armed for the rest of the slice before every entry"),
    /* With NMI-window exiting too (vmx.c): guests' NMIs (vcpu_run.c). */
    OPTIONAL("virtual NMIs", NULL, VMX_CTL_PIN, PIN_VIRTUAL_NMIS,
             "NMIs sent to a guest's local APIC are dropped (docs/abi.md, \"Local APIC\")"),
    OPTIONAL("RDTSCP", NULL, VMX_CTL_CPU2, CPU2_ENABLE_RDTSCP, "hidden from guests' CPUID (it would raise #UD)"),
    OPTIONAL("INVPCID", NULL, VMX_CTL_CPU2, CPU2_ENABLE_INVPCID, "hidden from guests' CPUID (it would raise #UD)"),

    /* Offered by most CPUs but never turned on: listed so the block says so. */
    UNUSED("VPID", VMX_CTL_CPU2, CPU2_ENABLE_VPID,
           "not enabled: every VM entry and exit flushes the guest's TLB entries (SDM 3C, "
           "\"Operations that Invalidate Cached Mappings\"); Mica never executes INVVPID"),
    UNUSED("EPT accessed/dirty flags", VMX_CAP_EPT, EPT_CAP_AD_FLAGS,
           "not enabled (EPTP bit 6 clear): nothing in Mica reads them"),
};
const unsigned vmx_feature_count = sizeof vmx_features / sizeof vmx_features[0];
_Static_assert(sizeof vmx_features / sizeof vmx_features[0] <= 32, "one bit each in `disabled`");

static uint32_t disabled;       /* bit i: vmx_features[i] turned off by vmx_disable= */

bool vmx_feature_present(const struct vmx_feature *f, const struct vmx_caps *c)
{
    uint64_t have = c->word[f->word];
    return (have & f->all) == f->all && (!f->any || (have & f->any));
}

const struct vmx_feature *vmx_first_missing(const struct vmx_caps *c)
{
    for (unsigned i = 0; i < vmx_feature_count; i++)
        if (vmx_features[i].need == VMX_NEEDED && !vmx_feature_present(&vmx_features[i], c))
            return &vmx_features[i];
    return NULL;
}

bool vmx_feature_disable(const char *name, size_t len)
{
    for (unsigned i = 0; i < vmx_feature_count; i++) {
        const char *opt = vmx_features[i].option;
        if (opt && strlen(opt) == len && !strncmp(opt, name, len)) {
            disabled |= 1u << i;
            return true;
        }
    }
    return false;
}

/* A feature turned off is one the CPU does not offer, as far as the controls go. */
void vmx_caps_apply_disabled(struct vmx_caps *c)
{
    for (unsigned i = 0; i < vmx_feature_count; i++)
        if (disabled & (1u << i))
            c->word[vmx_features[i].word] &= ~vmx_features[i].all;
}

/* Whether the control values Mica chose (cfg) have the feature on. */
static bool in_use(const struct vmx_feature *f, const struct vmx_config *cfg)
{
    const uint32_t words[VMX_CTL_COUNT] = {
        [VMX_CTL_PIN] = cfg->pin, [VMX_CTL_CPU] = cfg->cpu, [VMX_CTL_CPU2] = cfg->cpu2,
        [VMX_CTL_EXIT] = cfg->exit, [VMX_CTL_ENTRY] = cfg->entry,
    };
    return f->need != VMX_UNUSED && f->word < VMX_CTL_COUNT &&
           (words[f->word] & f->all) == f->all;
}

void vmx_features_print(const struct vmx_caps *probed, const struct vmx_config *cfg,
                        const char *cpu_name)
{
    char line[160];
    size_t n;

    printk("vmx: CPU %s\n", cpu_name);
    printk("vmx: needs (all present): EPT (4-level, write-back, INVEPT), unrestricted guest, "
           "preemption timer, secondary controls, I/O and MSR bitmaps, PAT/EFER/debug "
           "switching, interrupt/NMI/HLT/CR8 exiting\n");
    n = (size_t)snprintf(line, sizeof line, "vmx: uses:");
    for (unsigned i = 0; i < vmx_feature_count; i++) {
        const struct vmx_feature *f = &vmx_features[i];
        if (f->need == VMX_OPTIONAL && in_use(f, cfg) && n < sizeof line)
            n += (size_t)snprintf(line + n, sizeof line - n, " %s,", f->name);
    }
    if (n < sizeof line && line[n - 1] == ',')
        line[n - 1] = '\0';
    printk("%s\n", line);
    for (unsigned i = 0; i < vmx_feature_count; i++) {
        const struct vmx_feature *f = &vmx_features[i];
        if (f->need == VMX_NEEDED || in_use(f, cfg))
            continue;
        char why[48];
        if (disabled & (1u << i))
            snprintf(why, sizeof why, "off by vmx_disable=%s", f->option);
        else
            snprintf(why, sizeof why, "%s", vmx_feature_present(f, probed) ? "offered" : "absent");
        printk("vmx: does without %s (%s): %s\n", f->name, why, f->without);
    }
}
