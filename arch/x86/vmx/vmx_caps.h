/* VMX capabilities and the control values Mica runs every vCPU with. */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pin-based controls (SDM 3C 25.6.1) */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING                (1u << 3)
#define PIN_VIRTUAL_NMIS               (1u << 5)
#define PIN_PREEMPTION_TIMER           (1u << 6)
/* Primary processor-based controls (25.6.2) */
#define CPU_INTERRUPT_WINDOW_EXITING   (1u << 2)
#define CPU_HLT_EXITING                (1u << 7)
#define CPU_CR3_LOAD_EXITING           (1u << 15)
#define CPU_CR3_STORE_EXITING          (1u << 16)
#define CPU_CR8_LOAD_EXITING           (1u << 19)
#define CPU_CR8_STORE_EXITING          (1u << 20)
#define CPU_TPR_SHADOW                 (1u << 21)
#define CPU_NMI_WINDOW_EXITING         (1u << 22)
#define CPU_MOV_DR_EXITING             (1u << 23)
#define CPU_UNCONDITIONAL_IO_EXITING   (1u << 24)
#define CPU_USE_IO_BITMAPS             (1u << 25)
#define CPU_USE_MSR_BITMAPS            (1u << 28)
#define CPU_SECONDARY_CONTROLS         (1u << 31)
/* Secondary processor-based controls */
#define CPU2_ENABLE_EPT                (1u << 1)
#define CPU2_ENABLE_RDTSCP             (1u << 3)
#define CPU2_ENABLE_VPID               (1u << 5)
#define CPU2_UNRESTRICTED_GUEST        (1u << 7)
#define CPU2_ENABLE_INVPCID            (1u << 12)
/* VM-exit controls (25.7.1) */
#define EXIT_SAVE_DEBUG_CONTROLS       (1u << 2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE   (1u << 9)
#define EXIT_SAVE_IA32_PAT             (1u << 18)
#define EXIT_LOAD_IA32_PAT             (1u << 19)
#define EXIT_SAVE_IA32_EFER            (1u << 20)
#define EXIT_LOAD_IA32_EFER            (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER     (1u << 22)
/* VM-entry controls (25.8.1) */
#define ENTRY_LOAD_DEBUG_CONTROLS      (1u << 2)
#define ENTRY_IA32E_MODE_GUEST         (1u << 9)
#define ENTRY_LOAD_IA32_PAT            (1u << 14)
#define ENTRY_LOAD_IA32_EFER           (1u << 15)

/* IA32_VMX_EPT_VPID_CAP bits */
#define EPT_CAP_WALK_LENGTH_4          (1ull << 6)
#define EPT_CAP_MEMTYPE_WB             (1ull << 14)
#define EPT_CAP_INVEPT                 (1ull << 20)
#define EPT_CAP_AD_FLAGS               (1ull << 21)
#define EPT_CAP_INVEPT_SINGLE          (1ull << 25)
#define EPT_CAP_INVEPT_ALL             (1ull << 26)

struct vmx_config {
    uint32_t revision;
    uint32_t pin, cpu, cpu2, exit, entry;   /* control values for every VMCS */
    uint32_t preemption_timer_shift;        /* timer ticks = TSC >> shift */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    bool invept_single;
    bool guest_nmis;            /* virtual NMIs and NMI-window exiting: NMIs for guests */
};
extern struct vmx_config vmx_config;

/* The controls Mica asks for (vmx_controls.c), one request per control word. */
enum vmx_control_word { VMX_CTL_PIN, VMX_CTL_CPU, VMX_CTL_CPU2, VMX_CTL_EXIT, VMX_CTL_ENTRY,
                        VMX_CTL_COUNT };
struct vmx_control_request {
    const char *what;
    uint32_t msr, true_msr;     /* capability MSRs: plain, and TRUE (IA32_VMX_BASIC bit 55) */
    uint32_t required, optional;
};
extern const struct vmx_control_request vmx_control_requests[VMX_CTL_COUNT];
/* The control value for capability MSR value `cap`; false if a required bit is missing. */
bool vmx_adjust_controls(const struct vmx_control_request *r, uint64_t cap, uint32_t *out);
/* What the capability MSRs allow: per control word the bits that may be 1
 * (the high half of its MSR), and IA32_VMX_EPT_VPID_CAP. */
enum { VMX_CAP_EPT = VMX_CTL_COUNT, VMX_CAP_WORDS };
struct vmx_caps {
    uint64_t word[VMX_CAP_WORDS];
};

/*
 * The feature table (vmx_features.c). A feature is present when every bit
 * of `all` is allowed and, if `any` is set, one of its bits too. Needed
 * ones refuse the CPU by name; optional ones have a fallback (`without`);
 * unused ones are offered by CPUs but never turned on.
 */
enum vmx_need { VMX_NEEDED, VMX_OPTIONAL, VMX_UNUSED };
struct vmx_feature {
    const char *name;
    const char *option;         /* its vmx_disable= name, or NULL */
    unsigned word;              /* a control word, or VMX_CAP_EPT */
    uint64_t all, any;
    enum vmx_need need;
    const char *without;        /* what Mica does without it */
};
extern const struct vmx_feature vmx_features[];
extern const unsigned vmx_feature_count;
bool vmx_feature_present(const struct vmx_feature *f, const struct vmx_caps *c);
/* The first needed feature c lacks, or NULL. */
const struct vmx_feature *vmx_first_missing(const struct vmx_caps *c);
/* vmx_disable=NAME: false if NAME is not an optional feature's option name. */
bool vmx_feature_disable(const char *name, size_t len);
/* Clear the features turned off from c, before the controls are chosen. */
void vmx_caps_apply_disabled(struct vmx_caps *c);
/* The boot block: the CPU, what Mica needs, uses and does without. */
void vmx_features_print(const struct vmx_caps *probed, const struct vmx_config *cfg,
                        const char *cpu_name);

/* Enter VMX operation on this CPU (VMXON with its own region); 0 or -1. */
int vmx_cpu_on(void);

#endif
