/*
 * Host unit test for arch/x86/vmx/entry_failure.c over the fake VMCS of
 * shim_vmcs.c. Each case starts from a guest state that passes every re-check
 * (the 32-bit PVH entry state vmcs_setup.c writes, or a 64-bit variant of it),
 * breaks one rule, and checks the rule the crash report names (SDM 3C 27.3.1).
 */
#include <string.h>
#include "check.h"
#include "../../arch/x86/vmx/exit_reasons.h"
#include "../../arch/x86/vmx/vcpu.h"
#include "../../arch/x86/vmx/vmcs.h"
#include "../../arch/x86/vmx/vmx_caps.h"
#include "arch/msr.h"
#include "hv/domain.h"

CHECK_SUITE("entry_failure");

/* shim_vmcs.c */
extern uint64_t shim_vmcs[];
extern unsigned shim_vmcs_bad_reads;
extern char shim_printk_log[];
extern char shim_crash_msg[];
extern unsigned shim_crash_calls;
extern struct domain *shim_crash_domain;
extern uint32_t shim_error_name_arg;
void shim_vmcs_reset(void);

#define SET(field, value) (shim_vmcs[(field).enc] = (value))
#define GET(field)        (shim_vmcs[(field).enc])

#define AR_CODE32     0xc09bu   /* G, D/B, P, S, execute/read accessed */
#define AR_CODE64     0xa09bu   /* G, L, P, S, execute/read accessed */
#define AR_DATA32     0xc093u
#define AR_TSS_BUSY   0x008bu   /* P, type 11: 32-bit (64-bit in IA-32e) busy TSS */
#define AR_TSS16_BUSY 0x0083u   /* P, type 3 */
#define AR_TSS_AVAIL  0x0089u   /* P, type 9: available, not busy */
#define AR_P          (1u << 7)
#define AR_L          (1u << 13)
#define AR_DB         (1u << 14)
#define AR_UNUSABLE   (1u << 16)

/* Entry controls as vmx.c asks for them (default1 bits 0-8 and 12, load PAT/EFER). */
#define ENTRY_BASE    (0x11ffu | ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER)
#define NO_FAILURE    "none of Mica's re-checks; see SDM 3C 27.3"

/* The rules' texts, as entry_failure.c words them. */
#define R_CR0_FIXED   "guest CR0 violates the VMX fixed bits (IA32_VMX_CR0_FIXED0/1)"
#define R_PG_NO_PE    "guest CR0.PG set without CR0.PE"
#define R_CR4_FIXED   "guest CR4 violates the VMX fixed bits (IA32_VMX_CR4_FIXED0/1)"
#define R_IA32E_PG    "IA-32e mode guest without CR0.PG and CR4.PAE"
#define R_LMA         "guest EFER.LMA differs from the IA-32e mode guest entry control"
#define R_LME         "guest EFER.LME differs from EFER.LMA with paging on"
#define R_RFLAGS      "guest RFLAGS bit 1 clear"
#define R_CS          "guest CS not present or unusable"
#define R_CS_LD       "guest CS has both L and D/B set"
#define R_TR          "guest TR is not a present busy TSS"
#define R_TR64        "guest TR is not a 64-bit busy TSS in IA-32e mode"
#define R_ACTIVITY    "guest activity state invalid"
#define R_LINK        "VMCS link pointer not ~0"

static struct domain dom;
static struct vcpu vcpu = { .domain = &dom };

/* The 32-bit protected-mode PVH entry state of vmcs_setup.c, after a failed entry. */
static void state32(void)
{
    shim_vmcs_reset();
    SET(PIN_BASED_VM_EXEC_CONTROL, 0x49);
    SET(CPU_BASED_VM_EXEC_CONTROL, 0x91006172);
    SET(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST);
    SET(VM_EXIT_CONTROLS, 0x3f6fff);
    SET(VM_ENTRY_CONTROLS, ENTRY_BASE);
    SET(VM_ENTRY_INTR_INFO, 0);
    SET(VMCS_LINK_POINTER, ~0ull);
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE);
    SET(GUEST_CR3, 0);
    SET(GUEST_CR4, CR4_VMXE);
    SET(GUEST_IA32_EFER, 0);
    SET(GUEST_CS_SELECTOR, 0x08);
    SET(GUEST_CS_LIMIT, 0xffffffff);
    SET(GUEST_CS_AR, AR_CODE32);
    SET(GUEST_SS_SELECTOR, 0x10);
    SET(GUEST_SS_LIMIT, 0xffffffff);
    SET(GUEST_SS_AR, AR_DATA32);
    SET(GUEST_TR_SELECTOR, 0x18);
    SET(GUEST_TR_LIMIT, 0x67);
    SET(GUEST_TR_AR, AR_TSS_BUSY);
    SET(GUEST_RIP, 0x1000a0);
    SET(GUEST_RSP, 0);
    SET(GUEST_RFLAGS, RFLAGS_RESERVED1);
    SET(GUEST_ACTIVITY_STATE, 0);
    SET(GUEST_INTERRUPTIBILITY, 0);
    SET(VM_EXIT_REASON, EXIT_REASON_ENTRY_FAIL | EXIT_INVALID_GUEST_STATE);
    SET(EXIT_QUALIFICATION, 0);
    SET(VM_INSTRUCTION_ERROR, 0);
}

/* A valid 64-bit (IA-32e mode, 4-level paging) guest state. */
static void state64(void)
{
    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE | CR0_PG);
    SET(GUEST_CR4, CR4_VMXE | CR4_PAE);
    SET(GUEST_CR3, 0x200000);
    SET(GUEST_IA32_EFER, EFER_LME | EFER_LMA);
    SET(VM_ENTRY_CONTROLS, ENTRY_BASE | ENTRY_IA32E_MODE_GUEST);
    SET(GUEST_CS_AR, AR_CODE64);
}

static void report(bool vmfail)
{
    memset(dom.crash_report, 0, sizeof dom.crash_report);
    vmx_report_entry_failure(&vcpu, vmfail);
}

/* The rule the crash message names, or "" if it names none. */
static const char *crash_check(void)
{
    const char *p = strstr(shim_crash_msg, "; failed check: ");
    return p ? p + strlen("; failed check: ") : "";
}

/* The rule the console line names. */
static bool log_names(const char *rule)
{
    char line[256];
    snprintf(line, sizeof line, "  failed check: %s\n", rule);
    return strstr(shim_printk_log, line) != NULL;
}

/* Report a VM-entry failure exit; the crash and the console both name `rule` (NULL: none). */
static void expect(const char *name, const char *rule)
{
    char n[128];
    report(false);
    snprintf(n, sizeof n, "%s: crash names it", name);
    CHECK(n, shim_crash_calls == 1 && strcmp(crash_check(), rule ? rule : "unknown") == 0);
    snprintf(n, sizeof n, "%s: console names it", name);
    CHECK(n, log_names(rule ? rule : NO_FAILURE));
}

static void test_valid_states(void)
{
    state32();
    report(false);
    CHECK("valid32: domain_crash called once", shim_crash_calls == 1);
    CHECK("valid32: crashes the vCPU's domain", shim_crash_domain == &dom);
    CHECK("valid32: no failed check in crash", strcmp(crash_check(), "unknown") == 0);
    CHECK("valid32: console says no re-check failed", log_names(NO_FAILURE));
    CHECK("valid32: no wrong-width VMCS read", shim_vmcs_bad_reads == 0);
    CHECK("valid32: dump has CR0/CR4/EFER/RIP/RFLAGS",
          strstr(shim_printk_log, "guest CR0 0x31 CR3 0x0 CR4 0x2000 EFER 0x0 RIP 0x1000a0 "
                                  "RSP 0x0 RFLAGS 0x2\n") != NULL);
    CHECK("valid32: dump has CS/SS/TR/activity",
          strstr(shim_printk_log, "guest CS 0008/c09b/ffffffff SS 0010/c093 TR 0018/8b "
                                  "activity 0 interruptibility 0x0\n") != NULL);
    CHECK("valid32: dump has controls",
          strstr(shim_printk_log, "controls pin 0x49 cpu 0x91006172 cpu2 0x82 entry 0xd1ff "
                                  "exit 0x3f6fff entry-intr 0x0\n") != NULL);

    state64();
    expect("valid64", NULL);
    CHECK("valid64: no wrong-width VMCS read", shim_vmcs_bad_reads == 0);
}

static void test_cr0_cr4(void)
{
    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET);
    expect("CR0.NE clear", R_CR0_FIXED);

    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE | (1ull << 32));
    expect("CR0 bit 32 outside FIXED1", R_CR0_FIXED);

    /* Unrestricted guest lifts PE and PG from FIXED0: real mode is fine. */
    state32();
    SET(GUEST_CR0, CR0_ET | CR0_NE);
    expect("PE/PG clear, unrestricted guest", NULL);

    state32();
    SET(GUEST_CR0, CR0_ET | CR0_NE);
    SET(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_EPT);
    expect("PE/PG clear, restricted guest", R_CR0_FIXED);

    /* Bochs' FIXED0 has PG: without unrestricted guest even the PVH state fails. */
    state32();
    SET(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_EPT);
    expect("PG clear, restricted guest", R_CR0_FIXED);

    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE | CR0_PG);
    SET(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_EPT);
    expect("PE|PG, restricted guest", NULL);

    state32();
    SET(GUEST_CR0, CR0_ET | CR0_NE | CR0_PG);
    expect("PG without PE", R_PG_NO_PE);

    state32();
    SET(GUEST_CR4, 0);
    expect("CR4.VMXE clear", R_CR4_FIXED);

    state32();
    SET(GUEST_CR4, CR4_VMXE | (1ull << 11));
    expect("CR4 bit 11 outside FIXED1", R_CR4_FIXED);

    state32();
    SET(GUEST_CR4, CR4_VMXE | CR4_PAE | CR4_OSXSAVE);
    expect("CR4 PAE|OSXSAVE inside FIXED1", NULL);
}

static void test_ia32e_efer(void)
{
    state64();
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE);
    expect("IA-32e without PG", R_IA32E_PG);

    state64();
    SET(GUEST_CR4, CR4_VMXE);
    expect("IA-32e without PAE", R_IA32E_PG);

    state32();
    SET(GUEST_IA32_EFER, EFER_LMA);
    expect("LMA without IA-32e control", R_LMA);

    state64();
    SET(GUEST_IA32_EFER, EFER_LME);
    expect("IA-32e control without LMA", R_LMA);

    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET | CR0_NE | CR0_PG);
    SET(GUEST_IA32_EFER, EFER_LME);
    expect("LME without LMA, paging on", R_LME);

    state32();
    SET(GUEST_IA32_EFER, EFER_LME);
    expect("LME without LMA, paging off", NULL);
}

static void test_rflags_segments(void)
{
    state32();
    SET(GUEST_RFLAGS, 0);
    expect("RFLAGS bit 1 clear", R_RFLAGS);

    state32();
    SET(GUEST_CS_AR, AR_CODE32 | AR_UNUSABLE);
    expect("CS unusable", R_CS);

    state32();
    SET(GUEST_CS_AR, AR_CODE32 & ~AR_P);
    expect("CS not present", R_CS);

    state64();
    SET(GUEST_CS_AR, AR_CODE64 | AR_DB);
    expect("CS L and D/B, IA-32e", R_CS_LD);

    state32();
    SET(GUEST_CS_AR, AR_CODE32 | AR_L);
    expect("CS L and D/B, not IA-32e", NULL);

    state32();
    SET(GUEST_TR_AR, AR_TSS_BUSY | AR_UNUSABLE);
    expect("TR unusable", R_TR);

    state32();
    SET(GUEST_TR_AR, AR_TSS_BUSY & ~AR_P);
    expect("TR not present", R_TR);

    state32();
    SET(GUEST_TR_AR, AR_TSS_AVAIL);
    expect("TR available (type 9)", R_TR);

    state32();
    SET(GUEST_TR_AR, AR_TSS16_BUSY);
    expect("TR 16-bit busy, not IA-32e", NULL);

    state64();
    SET(GUEST_TR_AR, AR_TSS16_BUSY);
    expect("TR 16-bit busy, IA-32e", R_TR64);
}

static void test_activity_link(void)
{
    state32();
    SET(GUEST_ACTIVITY_STATE, 4);
    expect("activity state 4", R_ACTIVITY);

    state32();
    SET(GUEST_ACTIVITY_STATE, 3);
    expect("activity state 3 (wait-for-SIPI)", NULL);

    state32();
    SET(VMCS_LINK_POINTER, 0);
    expect("link pointer 0", R_LINK);

    /* Two rules broken: the first in SDM order is named. */
    state32();
    SET(GUEST_RFLAGS, 0);
    SET(VMCS_LINK_POINTER, 0x1000);
    expect("RFLAGS and link pointer", R_RFLAGS);
}

static void test_headlines(void)
{
    state32();
    SET(VM_INSTRUCTION_ERROR, 7);
    SET(VM_EXIT_REASON, 0);
    report(true);
    CHECK("vmfail: error number passed to its name", shim_error_name_arg == 7);
    CHECK("vmfail: crash message",
          strcmp(shim_crash_msg, "VM entry failed: VM-instruction error 7 (VM entry with invalid "
                                 "control field(s)); failed check: unknown") == 0);
    CHECK("vmfail: console headline",
          strstr(shim_printk_log, "VM entry failed: VM-instruction error 7 (VM entry with "
                                  "invalid control field(s))\n") != NULL);
    CHECK("vmfail: crash fits crash_report", strcmp(dom.crash_report, shim_crash_msg) == 0);

    state32();
    SET(VMCS_LINK_POINTER, 0);
    SET(EXIT_QUALIFICATION, 4);
    report(false);
    CHECK("reason 33: error name not asked", shim_error_name_arg == ~0u);
    CHECK("reason 33: crash message",
          strcmp(shim_crash_msg, "VM entry failed: exit reason 33 (VM entry failure: invalid "
                                 "guest state), qualification 4 (invalid VMCS link pointer); "
                                 "failed check: " R_LINK) == 0);
    CHECK("reason 33: console headline",
          strstr(shim_printk_log, "VM entry failed: exit reason 33 (VM entry failure: invalid "
                                  "guest state), qualification 4 (invalid VMCS link pointer)\n")
              != NULL);

    state32();
    SET(EXIT_QUALIFICATION, 2);
    report(false);
    CHECK("reason 33: qualification 2 named",
          strstr(shim_crash_msg, "qualification 2 (PDPTE load failed);") != NULL);

    state32();
    SET(EXIT_QUALIFICATION, 1);
    report(false);
    CHECK("reason 33: qualification 1 unknown",
          strstr(shim_crash_msg, "qualification 1 (unknown);") != NULL);

    state32();
    SET(EXIT_QUALIFICATION, 5);
    report(false);
    CHECK("reason 33: qualification 5 unknown",
          strstr(shim_crash_msg, "qualification 5 (unknown);") != NULL);

    state32();
    SET(EXIT_QUALIFICATION, 1ull << 40);
    report(false);
    CHECK("reason 33: huge qualification unknown",
          strstr(shim_crash_msg, "qualification 1099511627776 (unknown);") != NULL);

    /*
     * Regression: for exit reason 34 the qualification is the 1-based index
     * of the MSR-load entry that failed (SDM 3C 27.8); it was once named from
     * the reason-33 table ("PDPTE load failed" for entry 2).
     */
    state32();
    SET(VM_EXIT_REASON, EXIT_REASON_ENTRY_FAIL | EXIT_MSR_LOADING);
    SET(EXIT_QUALIFICATION, 2);
    report(false);
    CHECK("reason 34: exit reason named",
          strstr(shim_crash_msg, "exit reason 34 (VM entry failure: MSR loading)") != NULL);
    CHECK("reason 34: MSR entry index not named as a reason-33 qualification",
          strstr(shim_crash_msg, "PDPTE") == NULL);
    CHECK("reason 34: names the failed MSR-load entry",
          strstr(shim_crash_msg, "MSR-load entry 2") != NULL);

    /*
     * Regression: domain_crash() once kept the report in crash_report[160],
     * too short for the reason-33 headline plus the failed check's name.
     */
    state32();
    SET(GUEST_CR0, CR0_PE | CR0_ET);
    report(false);
    CHECK("reason 33: crash_report keeps the failed check",
          strstr(dom.crash_report, R_CR0_FIXED) != NULL);
    CHECK("reason 33: crash_report is the message's start",
          strncmp(dom.crash_report, shim_crash_msg, strlen(dom.crash_report)) == 0 &&
              dom.crash_report[0]);
    CHECK("headlines: no wrong-width VMCS read", shim_vmcs_bad_reads == 0);
}

int main(void)
{
    dom.state = DOMAIN_RUNNING;
    test_valid_states();
    test_cr0_cr4();
    test_ia32e_efer();
    test_rflags_segments();
    test_activity_link();
    test_headlines();
    CHECK_DONE();
}
