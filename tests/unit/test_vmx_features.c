/*
 * The VMX feature table (arch/x86/vmx/vmx_features.c): it names every bit
 * the control requests need or take, refuses a CPU by the name of the first
 * missing essential, turns features off on request, and prints one block
 * that says what Mica does without each missing optional feature.
 */
#include <string.h>
#include "check.h"
#include "../../arch/x86/vmx/vmx_caps.h"
#include "shim_printk.h"

CHECK_SUITE("vmx_features");

#define printed shim_printk_text

/* The bits of control word w that features of kind `need` name. */
static uint64_t named(unsigned w, enum vmx_need need)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < vmx_feature_count; i++)
        if (vmx_features[i].word == w && vmx_features[i].need == need)
            bits |= vmx_features[i].all | vmx_features[i].any;
    return bits;
}

/* A CPU offering everything (the default Bochs model's view of it). */
static struct vmx_caps everything(void)
{
    struct vmx_caps c;
    for (unsigned i = 0; i < VMX_CTL_COUNT; i++)
        c.word[i] = 0xffffffffu;
    c.word[VMX_CAP_EPT] = ~0ull;
    return c;
}

static const char *missing_without(unsigned w, uint64_t bits)
{
    struct vmx_caps c = everything();
    c.word[w] &= ~bits;
    const struct vmx_feature *f = vmx_first_missing(&c);
    return f ? f->name : "(none)";
}

/* The control values vmx.c would choose from caps c. */
static struct vmx_config choose(const struct vmx_caps *c)
{
    struct vmx_config cfg = { 0 };
    uint32_t *out[VMX_CTL_COUNT] = { &cfg.pin, &cfg.cpu, &cfg.cpu2, &cfg.exit, &cfg.entry };
    for (unsigned i = 0; i < VMX_CTL_COUNT; i++)
        vmx_adjust_controls(&vmx_control_requests[i], c->word[i] << 32, out[i]);
    return cfg;
}

int main(void)
{
    /* Table and requests agree: nothing required goes unnamed, nothing optional is refused. */
    for (unsigned w = 0; w < VMX_CTL_COUNT; w++) {
        const struct vmx_control_request *r = &vmx_control_requests[w];
        CHECK("every-required-bit-named", (r->required & ~named(w, VMX_NEEDED)) == 0);
        CHECK("required-bits-only-named-needed", (named(w, VMX_NEEDED) & ~r->required) == 0);
        CHECK("every-optional-bit-named", (r->optional & ~named(w, VMX_OPTIONAL)) == 0);
        CHECK("unused-bits-never-requested",
              ((r->required | r->optional) & named(w, VMX_UNUSED)) == 0);
    }

    struct vmx_caps all = everything();
    CHECK("full-cpu-accepted", vmx_first_missing(&all) == NULL);
    CHECK("no-ept-refused-by-name", !strcmp(missing_without(VMX_CTL_CPU2, CPU2_ENABLE_EPT), "EPT"));
    CHECK("no-unrestricted-guest-refused-by-name",
          !strcmp(missing_without(VMX_CTL_CPU2, CPU2_UNRESTRICTED_GUEST), "unrestricted guest"));
    CHECK("no-msr-bitmaps-refused-by-name",
          !strcmp(missing_without(VMX_CTL_CPU, CPU_USE_MSR_BITMAPS), "MSR bitmaps"));
    CHECK("no-secondary-controls-refused-by-name",
          !strcmp(missing_without(VMX_CTL_CPU, CPU_SECONDARY_CONTROLS), "secondary controls"));
    CHECK("no-4-level-ept-refused",
          !strcmp(missing_without(VMX_CAP_EPT, EPT_CAP_WALK_LENGTH_4), "EPT 4-level walk"));
    CHECK("no-wb-ept-refused",
          !strcmp(missing_without(VMX_CAP_EPT, EPT_CAP_MEMTYPE_WB), "EPT write-back memory type"));
    CHECK("no-invept-type-refused",
          !strncmp(missing_without(VMX_CAP_EPT, EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL),
                   "INVEPT", 6));
    CHECK("all-context-invept-enough",
          !strcmp(missing_without(VMX_CAP_EPT, EPT_CAP_INVEPT_SINGLE), "(none)"));
    CHECK("no-preemption-timer-refused-by-name",
          !strcmp(missing_without(VMX_CTL_PIN, PIN_PREEMPTION_TIMER), "VMX preemption timer"));
    CHECK("no-timer-save-not-refused",
          !strcmp(missing_without(VMX_CTL_EXIT, EXIT_SAVE_PREEMPTION_TIMER), "(none)"));
    CHECK("no-vpid-not-refused", !strcmp(missing_without(VMX_CTL_CPU2, CPU2_ENABLE_VPID), "(none)"));
    CHECK("no-ept-ad-not-refused",
          !strcmp(missing_without(VMX_CAP_EPT, EPT_CAP_AD_FLAGS), "(none)"));
    /* The requests refuse the same CPU even if the table missed it. */
    struct vmx_caps nopt = all;
    nopt.word[VMX_CTL_PIN] &= ~PIN_PREEMPTION_TIMER;
    uint32_t pin;
    CHECK("requests-refuse-without-preemption-timer",
          !vmx_adjust_controls(&vmx_control_requests[VMX_CTL_PIN], nopt.word[VMX_CTL_PIN] << 32,
                               &pin));

    /* Everything offered: all optional features in use, VPID and EPT A/D said unused. */
    struct vmx_config cfg = choose(&all);
    CHECK("full-cpu-uses-preemption-timer", cfg.pin & PIN_PREEMPTION_TIMER);
    CHECK("vpid-never-enabled", !(cfg.cpu2 & CPU2_ENABLE_VPID));
    printed[0] = '\0';
    vmx_features_print(&all, &cfg, "Test CPU, family 0x6 model 0x3c stepping 3");
    CHECK("block-names-cpu", strstr(printed, "vmx: CPU Test CPU, family 0x6 model 0x3c stepping 3\n"));
    CHECK("block-uses-line",
          strstr(printed, "vmx: uses: preemption timer saved on exit, virtual NMIs, RDTSCP, INVPCID\n"));
    CHECK("block-says-vpid-unused", strstr(printed, "vmx: does without VPID (offered): not enabled"));
    CHECK("block-says-ept-ad-unused",
          strstr(printed, "vmx: does without EPT accessed/dirty flags (offered)"));
    CHECK("block-no-fallback-when-all-there", !strstr(printed, "re-armed"));

    /* Names that are not optional features are refused; real ones accepted. */
    CHECK("disable-unknown-refused", !vmx_feature_disable("vpid", 4));
    CHECK("disable-needed-refused", !vmx_feature_disable("ept", 3));
    CHECK("disable-needed-timer-refused", !vmx_feature_disable("preemption_timer", 16));
    CHECK("disable-prefix-refused", !vmx_feature_disable("preemption_timer_sav", 20));
    CHECK("disable-timer-save", vmx_feature_disable("preemption_timer_save", 21));
    struct vmx_caps usable = all;
    vmx_caps_apply_disabled(&usable);
    CHECK("disabled-save-cleared", !(usable.word[VMX_CTL_EXIT] & EXIT_SAVE_PREEMPTION_TIMER));
    CHECK("disabled-save-keeps-timer", usable.word[VMX_CTL_PIN] == all.word[VMX_CTL_PIN]);
    CHECK("disabled-save-keeps-rest", usable.word[VMX_CTL_CPU2] == all.word[VMX_CTL_CPU2]);
    cfg = choose(&usable);
    CHECK("disabled-save-not-chosen", !(cfg.exit & EXIT_SAVE_PREEMPTION_TIMER) &&
                                          (cfg.pin & PIN_PREEMPTION_TIMER));
    printed[0] = '\0';
    vmx_features_print(&all, &cfg, "Test CPU");
    CHECK("block-says-save-off-and-fallback",
          strstr(printed, "vmx: does without preemption timer saved on exit "
                          "(off by vmx_disable=preemption_timer_save): the timer is re-armed"));
    CHECK("block-uses-rest", strstr(printed, "vmx: uses: virtual NMIs, RDTSCP, INVPCID\n"));

    /* An absent feature (not turned off) says absent. */
    struct vmx_caps noinvpcid = all;
    noinvpcid.word[VMX_CTL_CPU2] &= ~CPU2_ENABLE_INVPCID;
    cfg = choose(&noinvpcid);
    printed[0] = '\0';
    vmx_features_print(&noinvpcid, &cfg, "Test CPU");
    CHECK("block-says-absent", strstr(printed, "vmx: does without INVPCID (absent): hidden from"));
    return check_failures != 0;
}
