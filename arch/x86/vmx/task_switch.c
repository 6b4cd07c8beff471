/*
 * Hardware task switches (SDM 3A chapter 8), which always exit in VMX
 * non-root operation (SDM 3C 25.4.2): CALL or JMP to a TSS or task gate,
 * IRET with EFLAGS.NT, and an event delivered through a task gate in the
 * IDT. Emulated as Xen's HVM does, between 32-bit TSSs only; a 16-bit TSS
 * or a switch in IA-32e mode crashes the domain with a report (docs/abi.md,
 * "Everything else a guest can do").
 *
 * The CPU has made its own checks before the exit (the task gate's P bit
 * and DPL, a TSS descriptor's DPL against CPL and RPL: SDM 3C 25.4.2).
 * Decode, then act: everything up to the commit point (SDM 3A 8.3) is read
 * once into local copies and checked, with nothing changed, and a check
 * that fails raises its exception in the old task. After the commit, the
 * new task's segments are checked as they load; a fault there is raised in
 * the new task, as on hardware. Guest memory the switch cannot read or
 * write (the CPU would raise #PF) crashes the domain with the address.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "start_state.h"
#include "arch/msr.h"
#include "arch/tss32.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/printk.h"

#define VECTOR_DB 1
#define VECTOR_TS 10
#define VECTOR_NP 11
#define VECTOR_GP 13

#define QUAL_SELECTOR(q) ((uint16_t)((q) & 0xffff))
#define QUAL_SOURCE(q)   ((unsigned)((q) >> 30) & 3)
enum source { SRC_CALL, SRC_IRET, SRC_JMP, SRC_GATE };

#define INTR_TYPE_SOFT_INTR (4u << 8)   /* INT n; types above this come from instructions too */
#define INTERRUPTIBILITY_NMI (1u << 3)
#define RFLAGS_NT (1u << 14)
#define CR0_TS    (1ull << 3)
#define DR6_BT    (1ull << 15)
#define PDPTE_P   1ull
#define PDPTE_RESERVED_LOW 0x1e6ull     /* bits 2:1 and 8:5 (SDM 3A 4.4.1) */
#define LOW32     0xffffffffull

/* The VMCS fields of each segment register, in enum task_seg order. */
static const struct {
    vmcs_field16 sel;
    vmcs_fieldnat base;
    vmcs_field32 limit, ar;
} seg_fields[] = {
    [TSEG_ES] = { GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR },
    [TSEG_CS] = { GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR },
    [TSEG_SS] = { GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR },
    [TSEG_DS] = { GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR },
    [TSEG_FS] = { GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR },
    [TSEG_GS] = { GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR },
    [TSEG_LDTR] = { GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR },
    [TSEG_TR] = { GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR },
};

static void write_seg(enum task_seg i, const struct task_segment *s)
{
    vmcs_write16(seg_fields[i].sel, s->sel);
    vmcs_writenat(seg_fields[i].base, s->base);
    vmcs_write32(seg_fields[i].limit, s->limit);
    vmcs_write32(seg_fields[i].ar, s->ar);
}

/* A descriptor table: the GDT, or the new task's LDT. */
struct table {
    uint64_t base;
    uint32_t limit;
    bool usable;
};

/* What went wrong: an exception to raise, or the domain already crashed. */
struct outcome {
    unsigned vector;            /* 0: none */
    uint32_t error;
    bool crashed;
};

static bool crash(struct vcpu *v, struct outcome *o, const char *fmt, uint64_t a, uint64_t b)
{
    char what[128];
    snprintf(what, sizeof what, fmt, a, b);
    vmx_crash_with_state(v, what);
    o->crashed = true;
    return false;
}

static bool fault(struct outcome *o, unsigned vector, uint32_t error)
{
    o->vector = vector;
    o->error = error;
    return false;
}

/* The descriptor `sel` names (the LDT's if TI is set): false with #TS or a
 * crash when the table does not hold it or cannot be read. */
static bool read_desc(struct vcpu *v, uint16_t sel, const struct table *gdt,
                      const struct table *ldt, uint32_t ext, uint64_t *desc, uint64_t *at,
                      struct outcome *o)
{
    const struct table *t = (sel & SEL_TI) ? ldt : gdt;
    if (!t->usable || (uint32_t)(sel | 7) > t->limit)
        return fault(o, VECTOR_TS, (sel & ~3u) | ext);
    *at = (t->base + (sel & ~7u)) & LOW32;
    if (copy_from_guest(v, desc, *at, sizeof *desc))
        return crash(v, o, "task switch: descriptor 0x%lx at 0x%lx not readable", sel, *at);
    return true;
}

static bool write_guest(struct vcpu *v, uint64_t at, const void *p, size_t n, struct outcome *o)
{
    if (copy_to_guest(v, at & LOW32, p, n))
        return crash(v, o, "task switch: write of %lu bytes at 0x%lx failed", n, at & LOW32);
    return true;
}

/* Byte 5 of a descriptor (type, S, DPL, P): where busy and accessed live. */
static bool write_desc_access(struct vcpu *v, uint64_t at, uint64_t desc, struct outcome *o)
{
    uint8_t access = (uint8_t)(desc >> 40);
    return write_guest(v, at + 5, &access, 1, o);
}

/* Everything the switch needs, read and checked before the commit point. */
struct task_switch {
    enum source source;
    uint16_t sel, old_sel;
    uint64_t desc, desc_at;     /* the new TSS descriptor and its linear address */
    uint64_t old_base;
    struct tss32 old, new;
    uint32_t eip;               /* the outgoing task resumes here */
    uint32_t ext;               /* EXT bit of error codes: an event from outside the program */
    uint32_t idt_info, idt_error;
    uint64_t pdpte[4];
    bool pae;
    struct table gdt;
};

/* SDM 3A 4.4.1: PAE paging loads its four PDPTEs with CR3; a reserved bit
 * in a present one is #GP(0) (checked before the commit, so it is raised in
 * the outgoing task). Read through the EPT: not the domain's RAM is #GP too. */
static bool read_pdptes(struct vcpu *v, struct task_switch *t, struct outcome *o)
{
    uint64_t reserved = PDPTE_RESERVED_LOW | ~((1ull << vmx_phys_addr_bits()) - 1);
    for (unsigned i = 0; i < 4; i++) {
        paddr_t hpa = arch_domain_gpa_to_hpa(v->domain, (t->new.cr3 & 0xffffffe0u) + 8 * i, false);
        if (!hpa)
            return fault(o, VECTOR_GP, 0);
        uint64_t e = *(volatile uint64_t *)phys_to_virt(hpa);
        if ((e & PDPTE_P) && (e & reserved))
            return fault(o, VECTOR_GP, 0);
        t->pdpte[i] = e;
    }
    return true;
}

/* SDM 3A 8.3 steps 1-4: the new TSS descriptor and both TSS images. */
static bool decode(struct vcpu *v, struct task_switch *t, struct outcome *o)
{
    uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
    if (efer & EFER_LMA)
        return crash(v, o, "task switch to selector 0x%lx in IA-32e mode (not emulated)", t->sel, 0);
    if (AR_TYPE(vmcs_read32(GUEST_TR_AR)) != AR_TSS_BUSY)
        return crash(v, o, "task switch from a 16-bit TSS (TR 0x%lx; not emulated)", t->old_sel, 0);

    /* The selector: in the GDT, not null (#GP, or #TS for IRET's back link). */
    unsigned bad = t->source == SRC_IRET ? VECTOR_TS : VECTOR_GP;
    uint32_t err = (t->sel & ~3u) | t->ext;
    if ((t->sel & SEL_TI) || !(t->sel & ~7u) || (uint32_t)(t->sel | 7) > t->gdt.limit)
        return fault(o, bad, err);
    struct table none = { 0 };
    if (!read_desc(v, t->sel, &t->gdt, &none, t->ext, &t->desc, &t->desc_at, o))
        return false;
    unsigned type = desc_type(t->desc);
    bool system = !(t->desc & (1ull << 44));
    if (system && (type == DESC_TYPE_TSS16 || type == DESC_TYPE_TSS16_BUSY))
        return crash(v, o, "task switch to the 16-bit TSS 0x%lx (not emulated)", t->sel, 0);
    /* IRET returns to a busy task; the others enter an available one. */
    unsigned want = t->source == SRC_IRET ? DESC_TYPE_TSS32_BUSY : DESC_TYPE_TSS32;
    if (!system || type != want)
        return fault(o, bad, err);
    if (!desc_present(t->desc))
        return fault(o, VECTOR_NP, err);
    if (desc_limit(t->desc) < TSS32_MIN_LIMIT)
        return fault(o, VECTOR_TS, err);

    uint64_t new_base = desc_base(t->desc);
    if (copy_from_guest(v, &t->new, new_base, sizeof t->new))
        return crash(v, o, "task switch: the new TSS at 0x%lx is not readable", new_base, 0);
    if (vmcs_read32(GUEST_TR_LIMIT) < TSS32_MIN_LIMIT)
        return crash(v, o, "task switch: the current TSS's limit 0x%lx is below 0x67",
                     vmcs_read32(GUEST_TR_LIMIT), 0);
    t->old_base = vmcs_readnat(GUEST_TR_BASE) & LOW32;
    if (copy_from_guest(v, &t->old, t->old_base, sizeof t->old))
        return crash(v, o, "task switch: the current TSS at 0x%lx is not readable", t->old_base, 0);

    uint64_t cr0 = vmcs_readnat(GUEST_CR0), cr4 = vmcs_readnat(GUEST_CR4);
    t->pae = (cr0 & CR0_PG) && (cr4 & CR4_PAE);
    return !t->pae || read_pdptes(v, t, o);
}

/* SDM 3A 8.3 steps 5-10: save the outgoing task, move the busy bits, write
 * the back link, load TR. Only guest writes can fail (the domain crashes). */
static bool commit(struct vcpu *v, struct task_switch *t, struct outcome *o)
{
    uint32_t eflags = (uint32_t)vmcs_readnat(GUEST_RFLAGS);
    if (t->source == SRC_IRET)
        eflags &= ~RFLAGS_NT;
    uint32_t gpr[8];
    uint16_t sel[6];
    for (unsigned i = 0; i < 8; i++)
        gpr[i] = (uint32_t)(i == 4 ? vmcs_readnat(GUEST_RSP) : *vmx_gpr(v, i));
    for (unsigned i = 0; i < 6; i++)
        sel[i] = vmcs_read16(seg_fields[i].sel);
    tss32_save(&t->old, t->eip, eflags, gpr, sel);
    const uint8_t *image = (const uint8_t *)&t->old;
    if (!write_guest(v, t->old_base + TSS32_DYNAMIC_START, image + TSS32_DYNAMIC_START,
                     TSS32_DYNAMIC_END - TSS32_DYNAMIC_START, o))
        return false;

    /* JMP and IRET leave the old task: its descriptor is available again. */
    if (t->source == SRC_JMP || t->source == SRC_IRET) {
        uint64_t old_desc, old_at;
        struct table none = { 0 };
        /* A TR selector the GDT no longer covers has no descriptor to update. */
        if (!(t->old_sel & SEL_TI) && (uint32_t)(t->old_sel | 7) <= t->gdt.limit &&
            (!read_desc(v, t->old_sel, &t->gdt, &none, 0, &old_desc, &old_at, o) ||
             !write_desc_access(v, old_at, old_desc & ~DESC_BUSY, o)))
            return false;
    }
    if (t->source != SRC_IRET) {
        t->desc |= DESC_BUSY;
        if (!write_desc_access(v, t->desc_at, t->desc, o))
            return false;
    }
    if (t->source == SRC_CALL || t->source == SRC_GATE) {
        t->new.link = t->old_sel;
        t->new.eflags |= RFLAGS_NT;
        if (!write_guest(v, desc_base(t->desc), &t->new.link, sizeof t->new.link, o))
            return false;
    }
    struct task_segment tr = { .sel = t->sel, .base = desc_base(t->desc),
                               .limit = desc_limit(t->desc), .ar = desc_ar(t->desc | DESC_BUSY) };
    write_seg(TSEG_TR, &tr);
    return true;
}

/* The new task's registers; its segments come after (load_segments). */
static void load_registers(struct vcpu *v, const struct task_switch *t)
{
    vmcs_writenat(GUEST_CR3, t->new.cr3);
    if (t->pae) {
        vmcs_write64(GUEST_PDPTE0, t->pdpte[0]);
        vmcs_write64(GUEST_PDPTE1, t->pdpte[1]);
        vmcs_write64(GUEST_PDPTE2, t->pdpte[2]);
        vmcs_write64(GUEST_PDPTE3, t->pdpte[3]);
    }
    /* CR0.TS: the new task's first FPU use faults (SDM 3A 8.3 step 11). */
    vmcs_writenat(GUEST_CR0, vmcs_readnat(GUEST_CR0) | CR0_TS);
    vmcs_writenat(CR0_READ_SHADOW, vmcs_readnat(CR0_READ_SHADOW) | CR0_TS);
    /* EFLAGS as POPF would load it: reserved bits as the CPU fixes them. */
    vmcs_writenat(GUEST_RFLAGS, (t->new.eflags & ~RFLAGS_RESERVED0) | RFLAGS_RESERVED1);
    vmcs_writenat(GUEST_RIP, t->new.eip);
    for (unsigned i = 0; i < 8; i++) {
        if (i == 4)
            vmcs_writenat(GUEST_RSP, t->new.gpr[4]);
        else
            *vmx_gpr(v, i) = t->new.gpr[i];
    }
    /* The switch completes an instruction or delivers an event: STI and MOV SS
     * blocking end; an NMI through a gate blocks NMIs until IRET, which unblocks. */
    uint32_t intr = vmcs_read32(GUEST_INTERRUPTIBILITY) & ~INTERRUPTIBILITY_STI_MOVSS;
    if (t->source == SRC_GATE && (t->idt_info & INTR_TYPE_MASK) == INTR_TYPE_NMI)
        intr |= INTERRUPTIBILITY_NMI;
    if (t->source == SRC_IRET)
        intr &= ~INTERRUPTIBILITY_NMI;
    vmcs_write32(GUEST_INTERRUPTIBILITY, intr);
}

/* One protected-mode segment of the new task (SDM 3A table 8-2): checked,
 * its descriptor's accessed bit set as the CPU sets it. */
static bool load_one(struct vcpu *v, const struct task_switch *t, enum task_seg seg, uint16_t sel,
                     unsigned cpl, const struct table *ldt, struct task_segment *s,
                     struct outcome *o)
{
    uint32_t err = (sel & ~3u) | t->ext;
    if (!(sel & ~3u)) {                     /* null (selectors 4-7 are LDT entry 0) */
        if (seg == TSEG_CS || seg == TSEG_SS)
            return fault(o, VECTOR_TS, err);
        task_null_segment(sel, s);
        return true;
    }
    if (seg == TSEG_LDTR && (sel & SEL_TI))
        return fault(o, VECTOR_TS, err);        /* an LDT is named in the GDT */
    uint64_t desc, at;
    if (!read_desc(v, sel, &t->gdt, ldt, t->ext, &desc, &at, o))
        return false;
    unsigned vector = task_check_segment(seg, sel, desc, cpl, s);
    if (vector)
        return fault(o, vector, err);
    if ((desc & (1ull << 44)) && !(desc & DESC_ACCESSED))
        return write_desc_access(v, at, desc | DESC_ACCESSED, o);
    return true;
}

/* SDM 3A 8.3 step 12: LDTR, then CS and SS as a pair (VM entry needs them
 * consistent: on a fault both keep the outgoing task's), then the data
 * segments; those after a fault load their selectors, unusable. */
static void load_segments(struct vcpu *v, const struct task_switch *t, struct outcome *o)
{
    struct task_segment ldtr, s[6];
    struct table ldt = { 0 };
    if (load_one(v, t, TSEG_LDTR, t->new.ldt, 0, &ldt, &ldtr, o)) {
        ldt = (struct table){ ldtr.base, ldtr.limit, !(ldtr.ar & AR_UNUSABLE) };
        write_seg(TSEG_LDTR, &ldtr);
    } else {
        task_null_segment(t->new.ldt, &ldtr);
        write_seg(TSEG_LDTR, &ldtr);
    }
    if (t->new.eflags & RFLAGS_VM) {
        for (unsigned i = 0; i < 6; i++) {
            task_vm86_segment(t->new.seg[i].sel, &s[i]);
            write_seg(i, &s[i]);
        }
        return;
    }
    unsigned cpl = SEL_RPL(t->new.seg[TSEG_CS].sel);
    bool ok = !o->vector && !o->crashed &&
              load_one(v, t, TSEG_CS, t->new.seg[TSEG_CS].sel, cpl, &ldt, &s[TSEG_CS], o) &&
              load_one(v, t, TSEG_SS, t->new.seg[TSEG_SS].sel, cpl, &ldt, &s[TSEG_SS], o);
    if (ok) {
        write_seg(TSEG_CS, &s[TSEG_CS]);
        write_seg(TSEG_SS, &s[TSEG_SS]);
    }
    static const enum task_seg data[] = { TSEG_DS, TSEG_ES, TSEG_FS, TSEG_GS };
    for (unsigned i = 0; i < 4; i++) {
        enum task_seg seg = data[i];
        uint16_t sel = t->new.seg[seg].sel;
        ok = ok && load_one(v, t, seg, sel, cpl, &ldt, &s[seg], o);
        if (!ok)
            task_null_segment(sel, &s[seg]);
        write_seg(seg, &s[seg]);
    }
}

/* A task gate delivering an exception with an error code pushes it on the
 * new task's stack (32 bits: a 32-bit TSS; SP alone if SS is 16-bit). */
static void push_error_code(struct vcpu *v, const struct task_switch *t, struct outcome *o)
{
    uint64_t esp = vmcs_readnat(GUEST_RSP);
    bool big = vmcs_read32(GUEST_SS_AR) & AR_DB;
    uint64_t sp = big ? (esp - 4) & LOW32 : (esp & ~0xffffull) | ((esp - 4) & 0xffff);
    uint64_t at = vmcs_readnat(GUEST_SS_BASE) + (big ? sp : sp & 0xffff);
    if (write_guest(v, at, &t->idt_error, sizeof t->idt_error, o))
        vmcs_writenat(GUEST_RSP, sp);
}

void vmx_handle_task_switch(struct vcpu *v)
{
    uint64_t q = vmcs_readnat(EXIT_QUALIFICATION);
    struct task_switch t = {
        .source = QUAL_SOURCE(q),
        .sel = QUAL_SELECTOR(q),
        .old_sel = vmcs_read16(GUEST_TR_SELECTOR),
        .gdt = { vmcs_readnat(GUEST_GDTR_BASE), vmcs_read32(GUEST_GDTR_LIMIT), true },
    };
    struct outcome o = { 0 };
    uint32_t type = 0;
    if (t.source == SRC_GATE) {
        t.idt_info = vmcs_read32(IDT_VECTORING_INFO);
        if (!(t.idt_info & INTR_INFO_VALID)) {
            vmx_crash_with_state(v, "task switch through a task gate with no event (CPU bug?)");
            return;
        }
        type = t.idt_info & INTR_TYPE_MASK;
        if (t.idt_info & INTR_INFO_ERROR_VALID)
            t.idt_error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
        t.ext = type == INTR_TYPE_EXTERNAL || type == INTR_TYPE_NMI ||
                type == INTR_TYPE_HW_EXCEPTION;
    }
    /* CALL, JMP, IRET and INT n/INT3/INTO resume after the instruction;
     * a hardware event at the instruction it interrupted. */
    uint64_t eip = vmcs_readnat(GUEST_RIP);
    if (t.source != SRC_GATE || type >= INTR_TYPE_SOFT_INTR)
        eip += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
    t.eip = (uint32_t)eip;

    if (!decode(v, &t, &o) || !commit(v, &t, &o)) {
        if (o.vector)
            vmx_inject_exception(o.vector, true, o.error);
        return;
    }
    load_registers(v, &t);
    load_segments(v, &t, &o);
    if (o.crashed)
        return;
    if (o.vector) {
        vmx_inject_exception(o.vector, true, o.error);
        return;
    }
    if (t.idt_info & INTR_INFO_ERROR_VALID) {
        push_error_code(v, &t, &o);
        if (o.crashed)
            return;
    }
    /* The T flag of the new TSS: a debug trap on entering the task (DR6.BT). */
    if (t.new.trap & 1) {
        write_dr6(read_dr6() | DR6_BT);
        vmx_inject_exception(VECTOR_DB, false, 0);
    }
}
