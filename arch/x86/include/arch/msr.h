/* Model-specific registers and control-register bits (Intel SDM vol. 4, 3A 2.5). */
#ifndef ARCH_MSR_H
#define ARCH_MSR_H

#define MSR_IA32_FEATURE_CONTROL      0x03a
#define   FEATURE_CONTROL_LOCK        (1ull << 0)
#define   FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ull << 2)
#define MSR_IA32_APIC_BASE            0x01b
#define MSR_IA32_SYSENTER_CS          0x174
#define MSR_IA32_SYSENTER_ESP         0x175
#define MSR_IA32_SYSENTER_EIP         0x176
#define MSR_IA32_DEBUGCTL             0x1d9
#define MSR_PLATFORM_INFO             0xce      /* bit 31: CPUID faulting is there */
#define MSR_MISC_FEATURES_ENABLES     0x140     /* bit 0: CPUID faulting on */
#define PLATFORM_INFO_CPUID_FAULTING  (1ull << 31)
#define MISC_FEATURES_CPUID_FAULTING  (1ull << 0)
#define MSR_IA32_TSC_DEADLINE         0x6e0
#define MSR_X2APIC_FIRST              0x800     /* 0x800-0x8ff: x2APIC registers */
#define MSR_X2APIC_LAST               0x8ff
#define MSR_IA32_PAT                  0x277
#define MSR_IA32_VMX_BASIC            0x480
#define MSR_IA32_VMX_PINBASED_CTLS    0x481
#define MSR_IA32_VMX_PROCBASED_CTLS   0x482
#define MSR_IA32_VMX_EXIT_CTLS        0x483
#define MSR_IA32_VMX_ENTRY_CTLS       0x484
#define MSR_IA32_VMX_MISC             0x485
#define MSR_IA32_VMX_CR0_FIXED0       0x486
#define MSR_IA32_VMX_CR0_FIXED1       0x487
#define MSR_IA32_VMX_CR4_FIXED0       0x488
#define MSR_IA32_VMX_CR4_FIXED1       0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2  0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP     0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS   0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS  0x490
#define MSR_IA32_EFER                 0xc0000080
#define MSR_IA32_STAR                 0xc0000081
#define MSR_IA32_LSTAR                0xc0000082
#define MSR_IA32_CSTAR                0xc0000083
#define MSR_IA32_FMASK                0xc0000084
#define MSR_IA32_FS_BASE              0xc0000100
#define MSR_IA32_GS_BASE              0xc0000101
#define MSR_IA32_KERNEL_GS_BASE       0xc0000102

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_LA57       (1ull << 12)
#define CR4_VMXE       (1ull << 13)
#define CR4_PCIDE      (1ull << 17)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_CET        (1ull << 23)

#define RFLAGS_RESERVED1 (1ull << 1)
#define RFLAGS_CF        (1ull << 0)
#define RFLAGS_IF        (1ull << 9)
#define RFLAGS_DF        (1ull << 10)
#define RFLAGS_VM        (1ull << 17)
/* Bits 63:22, 15, 5 and 3 are reserved and must be 0. */
#define RFLAGS_RESERVED0 (~0ull << 22 | 1ull << 15 | 1ull << 5 | 1ull << 3)

#endif
