/*
 * VMCS field encodings (SDM 3C appendix B), one type per width so that reading
 * a field through an accessor of the wrong width does not compile:
 * vmcs_read64(GUEST_CR0) is a type error, vmcs_readnat(GUEST_CR0) is right.
 * At the end, the bits of the interruption-information and interruptibility
 * fields that event injection and exit handling decode.
 */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#include <stdint.h>

typedef struct { uint32_t enc; } vmcs_field16;
typedef struct { uint32_t enc; } vmcs_field32;
typedef struct { uint32_t enc; } vmcs_field64;
typedef struct { uint32_t enc; } vmcs_fieldnat;     /* natural width */

#define F16(e)  ((vmcs_field16){ e })
#define F32(e)  ((vmcs_field32){ e })
#define F64(e)  ((vmcs_field64){ e })
#define FNAT(e) ((vmcs_fieldnat){ e })

/* B.1: 16-bit fields */
#define VIRTUAL_PROCESSOR_ID  F16(0x0000)
#define GUEST_ES_SELECTOR     F16(0x0800)
#define GUEST_CS_SELECTOR     F16(0x0802)
#define GUEST_SS_SELECTOR     F16(0x0804)
#define GUEST_DS_SELECTOR     F16(0x0806)
#define GUEST_FS_SELECTOR     F16(0x0808)
#define GUEST_GS_SELECTOR     F16(0x080a)
#define GUEST_LDTR_SELECTOR   F16(0x080c)
#define GUEST_TR_SELECTOR     F16(0x080e)
#define HOST_ES_SELECTOR      F16(0x0c00)
#define HOST_CS_SELECTOR      F16(0x0c02)
#define HOST_SS_SELECTOR      F16(0x0c04)
#define HOST_DS_SELECTOR      F16(0x0c06)
#define HOST_FS_SELECTOR      F16(0x0c08)
#define HOST_GS_SELECTOR      F16(0x0c0a)
#define HOST_TR_SELECTOR      F16(0x0c0c)

/* B.2: 64-bit fields */
#define IO_BITMAP_A           F64(0x2000)
#define IO_BITMAP_B           F64(0x2002)
#define MSR_BITMAP            F64(0x2004)
#define TSC_OFFSET            F64(0x2010)
#define EPT_POINTER           F64(0x201a)
#define GUEST_PHYSICAL_ADDRESS F64(0x2400)
#define VMCS_LINK_POINTER     F64(0x2800)
#define GUEST_IA32_DEBUGCTL   F64(0x2802)
#define GUEST_IA32_PAT        F64(0x2804)
#define GUEST_IA32_EFER       F64(0x2806)
#define GUEST_PDPTE0          F64(0x280a)
#define GUEST_PDPTE1          F64(0x280c)
#define GUEST_PDPTE2          F64(0x280e)
#define GUEST_PDPTE3          F64(0x2810)
#define HOST_IA32_PAT         F64(0x2c00)
#define HOST_IA32_EFER        F64(0x2c02)

/* B.3: 32-bit fields */
#define PIN_BASED_VM_EXEC_CONTROL  F32(0x4000)
#define CPU_BASED_VM_EXEC_CONTROL  F32(0x4002)
#define EXCEPTION_BITMAP           F32(0x4004)
#define CR3_TARGET_COUNT           F32(0x400a)
#define VM_EXIT_CONTROLS           F32(0x400c)
#define VM_EXIT_MSR_STORE_COUNT    F32(0x400e)
#define VM_EXIT_MSR_LOAD_COUNT     F32(0x4010)
#define VM_ENTRY_CONTROLS          F32(0x4012)
#define VM_ENTRY_MSR_LOAD_COUNT    F32(0x4014)
#define VM_ENTRY_INTR_INFO         F32(0x4016)
#define VM_ENTRY_EXCEPTION_ERROR_CODE F32(0x4018)
#define VM_ENTRY_INSTRUCTION_LEN   F32(0x401a)
#define SECONDARY_VM_EXEC_CONTROL  F32(0x401e)
#define VM_INSTRUCTION_ERROR       F32(0x4400)
#define VM_EXIT_REASON             F32(0x4402)
#define VM_EXIT_INTR_INFO          F32(0x4404)
#define VM_EXIT_INTR_ERROR_CODE    F32(0x4406)
#define IDT_VECTORING_INFO         F32(0x4408)
#define IDT_VECTORING_ERROR_CODE   F32(0x440a)
#define VM_EXIT_INSTRUCTION_LEN    F32(0x440c)
#define VM_EXIT_INSTRUCTION_INFO   F32(0x440e)
#define GUEST_ES_LIMIT             F32(0x4800)
#define GUEST_CS_LIMIT             F32(0x4802)
#define GUEST_SS_LIMIT             F32(0x4804)
#define GUEST_DS_LIMIT             F32(0x4806)
#define GUEST_FS_LIMIT             F32(0x4808)
#define GUEST_GS_LIMIT             F32(0x480a)
#define GUEST_LDTR_LIMIT           F32(0x480c)
#define GUEST_TR_LIMIT             F32(0x480e)
#define GUEST_GDTR_LIMIT           F32(0x4810)
#define GUEST_IDTR_LIMIT           F32(0x4812)
#define GUEST_ES_AR                F32(0x4814)
#define GUEST_CS_AR                F32(0x4816)
#define GUEST_SS_AR                F32(0x4818)
#define GUEST_DS_AR                F32(0x481a)
#define GUEST_FS_AR                F32(0x481c)
#define GUEST_GS_AR                F32(0x481e)
#define GUEST_LDTR_AR              F32(0x4820)
#define GUEST_TR_AR                F32(0x4822)
#define GUEST_INTERRUPTIBILITY     F32(0x4824)
#define GUEST_ACTIVITY_STATE       F32(0x4826)
#define GUEST_SYSENTER_CS          F32(0x482a)
#define VMX_PREEMPTION_TIMER_VALUE F32(0x482e)
#define HOST_IA32_SYSENTER_CS      F32(0x4c00)

/* B.4: natural-width fields */
#define CR0_GUEST_HOST_MASK   FNAT(0x6000)
#define CR4_GUEST_HOST_MASK   FNAT(0x6002)
#define CR0_READ_SHADOW       FNAT(0x6004)
#define CR4_READ_SHADOW       FNAT(0x6006)
#define EXIT_QUALIFICATION    FNAT(0x6400)
#define GUEST_LINEAR_ADDRESS  FNAT(0x640a)
#define GUEST_CR0             FNAT(0x6800)
#define GUEST_CR3             FNAT(0x6802)
#define GUEST_CR4             FNAT(0x6804)
#define GUEST_ES_BASE         FNAT(0x6806)
#define GUEST_CS_BASE         FNAT(0x6808)
#define GUEST_SS_BASE         FNAT(0x680a)
#define GUEST_DS_BASE         FNAT(0x680c)
#define GUEST_FS_BASE         FNAT(0x680e)
#define GUEST_GS_BASE         FNAT(0x6810)
#define GUEST_LDTR_BASE       FNAT(0x6812)
#define GUEST_TR_BASE         FNAT(0x6814)
#define GUEST_GDTR_BASE       FNAT(0x6816)
#define GUEST_IDTR_BASE       FNAT(0x6818)
#define GUEST_DR7             FNAT(0x681a)
#define GUEST_RSP             FNAT(0x681c)
#define GUEST_RIP             FNAT(0x681e)
#define GUEST_RFLAGS          FNAT(0x6820)
#define GUEST_PENDING_DBG_EXCEPTIONS FNAT(0x6822)
#define GUEST_SYSENTER_ESP    FNAT(0x6824)
#define GUEST_SYSENTER_EIP    FNAT(0x6826)
#define HOST_CR0              FNAT(0x6c00)
#define HOST_CR3              FNAT(0x6c02)
#define HOST_CR4              FNAT(0x6c04)
#define HOST_FS_BASE          FNAT(0x6c06)
#define HOST_GS_BASE          FNAT(0x6c08)
#define HOST_TR_BASE          FNAT(0x6c0a)
#define HOST_GDTR_BASE        FNAT(0x6c0c)
#define HOST_IDTR_BASE        FNAT(0x6c0e)
#define HOST_IA32_SYSENTER_ESP FNAT(0x6c10)
#define HOST_IA32_SYSENTER_EIP FNAT(0x6c12)
#define HOST_RSP              FNAT(0x6c14)
#define HOST_RIP              FNAT(0x6c16)

/* Interruption information (VM_ENTRY_INTR_INFO, VM_EXIT_INTR_INFO,
 * IDT_VECTORING_INFO): the vector in bits 7:0, then these. */
#define INTR_INFO_VALID        (1u << 31)
#define INTR_INFO_ERROR_VALID  (1u << 11)   /* an error code is delivered too */
#define INTR_TYPE_MASK         (7u << 8)
#define INTR_TYPE_EXTERNAL     (0u << 8)
#define INTR_TYPE_NMI          (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)

/* GUEST_INTERRUPTIBILITY: what blocks an event right now. */
#define INTERRUPTIBILITY_STI_MOVSS 0x3u     /* blocking by STI, by MOV SS */
#define INTERRUPTIBILITY_BLOCKING  0xfu     /* STI, MOV SS, SMI, NMI */

#endif
