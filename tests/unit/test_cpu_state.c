/*
 * The CPU-state table of docs/architecture.md against the code: the real
 * control requests (arch/x86/vmx/vmx_controls.c) as the most permissive
 * CPU would grant them, and the real MSR bitmap (arch/x86/vmx/msr_bitmap.c)
 * built in a shim frame. Fails when
 *  - an MSR the bitmap passes through (read or write) has no VMCS or
 *    switch row listing it, or a row lists an MSR that is not passed through;
 *  - a control whose value lets a guest run an instruction without an exit
 *    (from the SDM's list below) is named by no row with that value;
 *  - a row names a control value the code does not program.
 * It also checks that the checker itself catches each kind of hole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "../../arch/x86/vmx/vcpu.h"
#include "../../arch/x86/vmx/vmx_caps.h"

CHECK_SUITE("cpu_state");

#define DOC "docs/architecture.md"
#define SECTION "## CPU state a guest can change"
#define MAX_ROWS 64
#define MAX_ITEMS 16

paddr_t frame_alloc_or_panic(void)
{
    paddr_t pa = frame_alloc();
    if (!pa)
        abort();
    return pa;
}

/*
 * SDM 3C 25.6.2 and 25.6.6: controls that decide whether an instruction or
 * a state access exits. exits_when_set: the guest reaches it when the bit is
 * clear; otherwise when it is set.
 */
struct control {
    const char *name;
    enum vmx_control_word word;
    uint32_t bit;
    bool exits_when_set;
};
static const struct control controls[] = {
    { "CPU_HLT_EXITING",              VMX_CTL_CPU,  1u << 7,  true },
    { "CPU_INVLPG_EXITING",           VMX_CTL_CPU,  1u << 9,  true },
    { "CPU_MWAIT_EXITING",            VMX_CTL_CPU,  1u << 10, true },
    { "CPU_RDPMC_EXITING",            VMX_CTL_CPU,  1u << 11, true },
    { "CPU_RDTSC_EXITING",            VMX_CTL_CPU,  1u << 12, true },
    { "CPU_CR3_LOAD_EXITING",         VMX_CTL_CPU,  1u << 15, true },
    { "CPU_CR3_STORE_EXITING",        VMX_CTL_CPU,  1u << 16, true },
    { "CPU_CR8_LOAD_EXITING",         VMX_CTL_CPU,  1u << 19, true },
    { "CPU_CR8_STORE_EXITING",        VMX_CTL_CPU,  1u << 20, true },
    { "CPU_TPR_SHADOW",               VMX_CTL_CPU,  1u << 21, false },
    { "CPU_MOV_DR_EXITING",           VMX_CTL_CPU,  1u << 23, true },
    { "CPU_UNCONDITIONAL_IO_EXITING", VMX_CTL_CPU,  1u << 24, true },
    { "CPU_USE_IO_BITMAPS",           VMX_CTL_CPU,  1u << 25, false },
    { "CPU_USE_MSR_BITMAPS",          VMX_CTL_CPU,  1u << 28, false },
    { "CPU_MONITOR_EXITING",          VMX_CTL_CPU,  1u << 29, true },
    { "CPU_PAUSE_EXITING",            VMX_CTL_CPU,  1u << 30, true },
    { "CPU2_VIRTUALIZE_APIC",         VMX_CTL_CPU2, 1u << 0,  false },
    { "CPU2_DESC_TABLE_EXITING",      VMX_CTL_CPU2, 1u << 2,  true },
    { "CPU2_ENABLE_RDTSCP",           VMX_CTL_CPU2, 1u << 3,  false },
    { "CPU2_VIRTUALIZE_X2APIC",       VMX_CTL_CPU2, 1u << 4,  false },
    { "CPU2_WBINVD_EXITING",          VMX_CTL_CPU2, 1u << 6,  true },
    { "CPU2_RDRAND_EXITING",          VMX_CTL_CPU2, 1u << 11, true },
    { "CPU2_ENABLE_INVPCID",          VMX_CTL_CPU2, 1u << 12, false },
    { "CPU2_ENABLE_VMFUNC",           VMX_CTL_CPU2, 1u << 13, false },
    { "CPU2_ENCLS_EXITING",           VMX_CTL_CPU2, 1u << 15, true },
    { "CPU2_RDSEED_EXITING",          VMX_CTL_CPU2, 1u << 16, true },
    { "CPU2_ENABLE_XSAVES",           VMX_CTL_CPU2, 1u << 20, false },
    { "CPU2_ENABLE_USER_WAIT_PAUSE",  VMX_CTL_CPU2, 1u << 26, false },
};
/* Controls that carry state through the VMCS; named by rows, not by the list above. */
static const struct control carriers[] = {
    { "EXIT_SAVE_DEBUG_CONTROLS",   VMX_CTL_EXIT,  EXIT_SAVE_DEBUG_CONTROLS, false },
    { "EXIT_SAVE_IA32_PAT",         VMX_CTL_EXIT,  EXIT_SAVE_IA32_PAT, false },
    { "EXIT_LOAD_IA32_PAT",         VMX_CTL_EXIT,  EXIT_LOAD_IA32_PAT, false },
    { "EXIT_SAVE_IA32_EFER",        VMX_CTL_EXIT,  EXIT_SAVE_IA32_EFER, false },
    { "EXIT_LOAD_IA32_EFER",        VMX_CTL_EXIT,  EXIT_LOAD_IA32_EFER, false },
    { "ENTRY_LOAD_DEBUG_CONTROLS",  VMX_CTL_ENTRY, ENTRY_LOAD_DEBUG_CONTROLS, false },
    { "ENTRY_LOAD_IA32_PAT",        VMX_CTL_ENTRY, ENTRY_LOAD_IA32_PAT, false },
    { "ENTRY_LOAD_IA32_EFER",       VMX_CTL_ENTRY, ENTRY_LOAD_IA32_EFER, false },
};

struct row {
    char state[128];
    char kind[32];
    uint32_t msrs[MAX_ITEMS];
    unsigned nmsrs;
    char ctl_names[MAX_ITEMS][40];
    int ctl_values[MAX_ITEMS];
    unsigned nctls;
};
static struct row rows[MAX_ROWS];
static unsigned nrows;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '`')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '`' || e[-1] == '\n'))
        *--e = 0;
    return s;
}

/* One table line "| state | kind | msrs | controls | how |" into rows[]. */
static bool parse_row(char *line)
{
    char *cell[6];
    unsigned n = 0;
    char *p = line + 1;
    while (n < 6 && p) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = 0;
        cell[n++] = p;
        p = bar ? bar + 1 : NULL;
    }
    if (n < 5 || nrows == MAX_ROWS)
        return false;
    struct row *r = &rows[nrows];
    memset(r, 0, sizeof *r);
    snprintf(r->state, sizeof r->state, "%s", trim(cell[0]));
    snprintf(r->kind, sizeof r->kind, "%s", trim(cell[1]));
    for (char *t = strtok(cell[2], " ,"); t; t = strtok(NULL, " ,"))
        if (strncmp(t, "0x", 2) == 0 && r->nmsrs < MAX_ITEMS)
            r->msrs[r->nmsrs++] = (uint32_t)strtoul(t, NULL, 16);
    for (char *t = strtok(cell[3], " ,`"); t; t = strtok(NULL, " ,`")) {
        char *eq = strchr(t, '=');
        if (!eq || r->nctls == MAX_ITEMS)
            continue;
        *eq = 0;
        snprintf(r->ctl_names[r->nctls], sizeof r->ctl_names[0], "%s", t);
        r->ctl_values[r->nctls++] = atoi(eq + 1);
    }
    nrows++;
    return true;
}

static bool load_table(void)
{
    FILE *f = fopen(DOC, "r");
    char line[1024];
    bool in_section = false;
    if (!f)
        return false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0)
            in_section = strncmp(line, SECTION, strlen(SECTION)) == 0;
        else if (in_section && line[0] == '|' && strncmp(line, "| state |", 9) != 0 &&
                 strncmp(line, "|---", 4) != 0)
            parse_row(line);
    }
    fclose(f);
    return true;
}

static bool kind_known(const char *k)
{
    static const char *const kinds[] = { "VMCS", "switch", "trapped", "not writable", "no state" };
    for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++)
        if (strcmp(k, kinds[i]) == 0)
            return true;
    return false;
}

static const struct control *control_by_name(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(controls); i++)
        if (strcmp(controls[i].name, name) == 0)
            return &controls[i];
    for (unsigned i = 0; i < ARRAY_SIZE(carriers); i++)
        if (strcmp(carriers[i].name, name) == 0)
            return &carriers[i];
    return NULL;
}

static bool bit_set(const uint32_t ctl[VMX_CTL_COUNT], const struct control *c)
{
    /* Without the secondary controls every secondary control is 0 (SDM 3C 25.6.2). */
    if (c->word == VMX_CTL_CPU2 && !(ctl[VMX_CTL_CPU] & CPU_SECONDARY_CONTROLS))
        return false;
    return ctl[c->word] & c->bit;
}

static bool row_names(const char *name, int value)
{
    for (unsigned i = 0; i < nrows; i++)
        for (unsigned j = 0; j < rows[i].nctls; j++)
            if (strcmp(rows[i].ctl_names[j], name) == 0 && rows[i].ctl_values[j] == value)
                return true;
    return false;
}

static bool passed_through(const uint8_t *bm, uint32_t msr)
{
    unsigned base = msr >= 0xc0000000u ? 1024 : 0, bit = msr & 0x1fff;
    uint8_t mask = (uint8_t)(1u << (bit % 8));
    return !(bm[base + bit / 8] & mask) || !(bm[2048 + base + bit / 8] & mask);
}

/* Holes between the table and (ctl, bm); each printed when verbose. */
static unsigned check_table(const uint32_t ctl[VMX_CTL_COUNT], const uint8_t *bm, bool verbose)
{
    unsigned holes = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(controls); i++) {
        const struct control *c = &controls[i];
        bool set = bit_set(ctl, c);
        bool reaches = c->exits_when_set ? !set : set;
        if (reaches && !row_names(c->name, set)) {
            holes++;
            if (verbose)
                printf("  no row names %s=%d, which lets guests run without an exit\n", c->name,
                       set);
        }
    }
    for (unsigned i = 0; i < nrows; i++) {
        for (unsigned j = 0; j < rows[i].nctls; j++) {
            const struct control *c = control_by_name(rows[i].ctl_names[j]);
            if (!c || bit_set(ctl, c) != (rows[i].ctl_values[j] != 0)) {
                holes++;
                if (verbose)
                    printf("  row '%s' says %s=%d, the code programs %s\n", rows[i].state,
                           rows[i].ctl_names[j], rows[i].ctl_values[j],
                           c ? (bit_set(ctl, c) ? "1" : "0") : "no such control");
            }
        }
        for (unsigned j = 0; j < rows[i].nmsrs; j++) {
            if (!passed_through(bm, rows[i].msrs[j])) {
                holes++;
                if (verbose)
                    printf("  row '%s' lists MSR 0x%x, which the bitmap does not pass through\n",
                           rows[i].state, rows[i].msrs[j]);
            }
        }
    }
    static const uint32_t ranges[2] = { 0, 0xc0000000u };
    for (unsigned r = 0; r < 2; r++) {
        for (uint32_t msr = ranges[r]; msr < ranges[r] + 0x2000; msr++) {
            if (!passed_through(bm, msr))
                continue;
            bool found = false;
            for (unsigned i = 0; i < nrows && !found; i++)
                for (unsigned j = 0; j < rows[i].nmsrs; j++)
                    found |= rows[i].msrs[j] == msr && (strcmp(rows[i].kind, "VMCS") == 0 ||
                                                         strcmp(rows[i].kind, "switch") == 0);
            if (!found) {
                holes++;
                if (verbose)
                    printf("  MSR 0x%x is passed through but no VMCS or switch row lists it\n", msr);
            }
        }
    }
    return holes;
}

int main(void)
{
    CHECK("table-found", load_table() && nrows >= 20);
    bool kinds_ok = true;
    for (unsigned i = 0; i < nrows; i++) {
        if (!kind_known(rows[i].kind)) {
            printf("  row '%s': unknown kind '%s'\n", rows[i].state, rows[i].kind);
            kinds_ok = false;
        }
    }
    CHECK("every-row-has-a-known-kind", kinds_ok);

    /* The controls as a CPU that allows everything and forces nothing grants them:
     * the fewest exits the code can end up with. */
    uint32_t ctl[VMX_CTL_COUNT];
    bool granted = true;
    for (unsigned i = 0; i < VMX_CTL_COUNT; i++)
        granted &= vmx_adjust_controls(&vmx_control_requests[i], 0xffffffff00000000ull, &ctl[i]);
    CHECK("controls-granted", granted);

    vmx_msr_bitmap_init();
    const uint8_t *bm = phys_to_virt(vmx_msr_bitmap);
    CHECK("table-matches-controls-and-msr-bitmap", check_table(ctl, bm, true) == 0);

    /* The checker catches each kind of hole. */
    uint32_t no_cr8[VMX_CTL_COUNT];
    memcpy(no_cr8, ctl, sizeof ctl);
    no_cr8[VMX_CTL_CPU] &= ~(CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING);
    CHECK("catches-cr8-exiting-cleared", check_table(no_cr8, bm, false) > 0);
    uint32_t mov_dr[VMX_CTL_COUNT];
    memcpy(mov_dr, ctl, sizeof ctl);
    mov_dr[VMX_CTL_CPU] |= CPU_MOV_DR_EXITING;      /* the DR row's claim goes stale */
    CHECK("catches-stale-control-claim", check_table(mov_dr, bm, false) > 0);
    uint32_t no_debug[VMX_CTL_COUNT];
    memcpy(no_debug, ctl, sizeof ctl);
    no_debug[VMX_CTL_EXIT] &= ~EXIT_SAVE_DEBUG_CONTROLS;
    CHECK("catches-debug-controls-dropped", check_table(no_debug, bm, false) > 0);
    uint8_t extra[4096];
    memcpy(extra, bm, sizeof extra);
    extra[0x1d9 / 8] &= (uint8_t)~(1u << (0x1d9 % 8));  /* IA32_DEBUGCTL readable */
    CHECK("catches-unlisted-passthrough-msr", check_table(ctl, extra, false) > 0);
    CHECK_DONE();
}
