/* Per-vCPU and per-domain VMX state (arch-private). */
#ifndef VMX_VCPU_H
#define VMX_VCPU_H

#include "arch/ept.h"
#include "arch/guest_walk.h"
#include "arch/percpu.h"
#include "arch/vmx_regs.h"
#include "hv/domain.h"
#include "hv/types.h"

struct domain;
struct vcpu;

struct arch_domain {
    struct ept ept;
    uint64_t ept_gen;           /* bumped on every change: CPUs flush what they cached */
    uint32_t pci_cf8;           /* the device owner's CONFIG_ADDRESS (io_exit.c) */
};

/* Syscall MSRs the VMCS does not switch; swapped when vCPUs change. */
struct syscall_msrs {
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
};

/* Debug registers the VMCS does not switch (DR7 and DEBUGCTL it does, through
 * the save/load debug controls); swapped when vCPUs change. */
struct debug_regs {
    uint64_t dr0, dr1, dr2, dr3, dr6;
};

struct arch_vcpu {
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE image */
    struct guest_regs regs;
    struct syscall_msrs msrs;
    struct debug_regs dr;
    bool cpuid_faulting;        /* MISC_FEATURES_ENABLES bit 0: CPUID at CPL > 0 is #GP(0) */
    paddr_t vmcs;
    bool launched;
    uint32_t host_cpu;          /* CPU whose host state the VMCS holds; UINT32_MAX: none */
};
_Static_assert(sizeof(struct arch_vcpu) <= 4096, "arch_vcpu fits in a frame");

/* A zeroed frame for arch state (its address in *pa); NULL if none is left. */
void *vmx_alloc_zeroed_frame(paddr_t *pa);
/* Flush what this CPU cached of d's EPT and note its generation (domain_ept.c). */
void vmx_ept_flush_stale(struct domain *d);
/* About to enter d on this CPU: flush what it cached of d's EPT if that has
 * changed since. Inline: it runs before every VM entry. */
static inline void vmx_ept_sync(struct domain *d)
{
    if (this_cpu()->ept_seen[d->id] != d->arch->ept_gen)
        vmx_ept_flush_stale(d);
}
/*
 * Edit the VMCS of a vCPU that is not running (VCPUOP_initialise): begin makes
 * it the current VMCS, end writes it back to memory and restores the CPU's
 * own current vCPU. vmcs_read/vmcs_write in between act on `target`.
 */
void vcpu_vmcs_begin(struct vcpu *target);
void vcpu_vmcs_end(struct vcpu *target);
/* Power-on values of the debug registers the VMCS does not hold. */
void vmx_debug_regs_reset(struct debug_regs *dr);
/* Guest paging registers from the current VMCS (v must be loaded). */
void vcpu_paging_state(struct vcpu *v, struct guest_paging *p);
/* Build the MSR bitmap shared by every vCPU (once, at VMX bring-up; msr_bitmap.c). */
void vmx_msr_bitmap_init(void);
extern paddr_t vmx_msr_bitmap;
/* The I/O bitmap pairs (io_bitmap.c): every port exits / the device owner's. */
void vmx_io_bitmaps_init(void);
extern paddr_t vmx_io_bitmaps_none, vmx_io_bitmaps_owner;
/* Fill a new VMCS (current) for a vCPU entering at the PVH start state. */
void vmcs_setup(struct vcpu *v, uint32_t entry, uint32_t start_info_gpa);
/* The per-CPU host-state fields (GS base, TSS, GDT) for CPU `cpu`. */
void vmcs_write_host_cpu(uint32_t cpu);
/* Handle the VM exit that just happened on `v`. */
void vmx_handle_exit(struct vcpu *v);
/* Exit handlers shared between files. */
void vmx_handle_cpuid(struct vcpu *v);
void vmx_handle_io(struct vcpu *v);
/* A hardware task switch between 32-bit TSSs (task_switch.c). */
void vmx_handle_task_switch(struct vcpu *v);
/* The CPU's physical-address width (CPUID 0x80000008; 36 without it). */
unsigned vmx_phys_addr_bits(void);
void vmx_advance_rip(void);
/* RIP past an instruction of `length` bytes, ending STI/MOV SS blocking as the CPU would. */
void vmx_skip_instruction(uint32_t length);
/*
 * An EPT violation at `gpa` that no mapping explains (unbacked.c): complete
 * the load (all-ones) or store (dropped) and return true; false, with a reason
 * in `refusal` when there is one, if the domain is to be crashed instead.
 */
bool vmx_unbacked_access(struct vcpu *v, uint64_t gpa, bool write, bool fetch,
                         char *refusal, size_t len);
/*
 * The memory access of the instruction at RIP (unbacked.c): decode it
 * (0, or -1 with the reason in `refusal`), read its source register, load
 * its destination register as the CPU would.
 */
struct insn_mem;
int vmx_decode_access(struct vcpu *v, bool write, struct insn_mem *m, char *refusal, size_t len);
uint64_t vmx_access_reg(struct vcpu *v, const struct insn_mem *m);
void vmx_access_load(struct vcpu *v, const struct insn_mem *m, uint64_t value);
/*
 * The local APIC glue (vlapic_mmio.c, vlapic_msr.c): an access to the
 * xAPIC page of the vCPU's own enabled xAPIC, completed (true; false if it
 * is not one); the APIC MSRs: 0, -1 for #GP, 1 if the MSR is not theirs.
 */
/* An NMI the guest does not block, or a local APIC vector its RFLAGS.IF
 * lets in, waits (vcpu_run.c): HLT does not block then. */
bool vmx_interrupt_ready(struct vcpu *v);
bool vmx_vlapic_mmio(struct vcpu *v, uint64_t gpa, bool write, bool fetch);
int vmx_vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value);
int vmx_vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value);
void vmx_inject_exception(unsigned vector, bool has_error, uint32_t error);
void vmx_crash_with_state(struct vcpu *v, const char *what);
bool vmx_guest_in_64bit_mode(void);
/* MAXPHYADDR, as the guest's CPUID reports it (vcpu_context.c). */
unsigned vmx_phys_addr_bits(void);
/* The saved general register n in the SDM's encoding (0 RAX .. 15 R15; 4, RSP, is NULL). */
uint64_t *vmx_gpr(struct vcpu *v, unsigned n);
/* Fill the guest page named by a write to XEN_HYPERCALL_PAGE_MSR; -1 if invalid. */
int vmx_fill_hypercall_page(struct vcpu *v, uint64_t msr_value);
/* Report a VM entry that failed (VMfail, or exit reason 33/34) and crash the domain. */
void vmx_report_entry_failure(struct vcpu *v, bool vmfail);

/* vmenter.asm: 0 after a VM exit (registers saved), 1 if VMLAUNCH/VMRESUME failed. */
int vmx_enter(struct guest_regs *regs, int launched);
void vmx_exit_stub(void);

#endif
