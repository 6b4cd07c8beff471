/*
 * VMCS accessors. The plain ones stop the hypervisor with a message naming
 * the field when VMREAD/VMWRITE fails (a hypervisor bug: every field we use
 * exists on every CPU we accept). The _safe ones return the failure, for
 * fields that may be absent.
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include "vmcs_fields.h"
#include "arch/vmx_insn.h"

/* Stops the hypervisor, naming the field and the VM-instruction error. */
void vmcs_fail(const char *op, uint32_t enc, enum vmx_status st) __attribute__((noreturn, cold));

#ifdef MICA_HOST_TEST
/* Host unit tests put a fake VMCS behind these (tests/unit/shim_vmcs.c). */
uint16_t vmcs_read16(vmcs_field16 f);
uint32_t vmcs_read32(vmcs_field32 f);
uint64_t vmcs_read64(vmcs_field64 f);
uint64_t vmcs_readnat(vmcs_fieldnat f);
void vmcs_write16(vmcs_field16 f, uint16_t v);
void vmcs_write32(vmcs_field32 f, uint32_t v);
void vmcs_write64(vmcs_field64 f, uint64_t v);
void vmcs_writenat(vmcs_fieldnat f, uint64_t v);
#else
/* Inline: they sit on every VM exit; only the failure path is out of line. */
static inline uint64_t vmcs_read_checked(uint32_t enc)
{
    uint64_t v;
    enum vmx_status st = vmread_raw(enc, &v);
    if (__builtin_expect(st != VMX_OK, 0))
        vmcs_fail("VMREAD", enc, st);
    return v;
}

static inline void vmcs_write_checked(uint32_t enc, uint64_t v)
{
    enum vmx_status st = vmwrite_raw(enc, v);
    if (__builtin_expect(st != VMX_OK, 0))
        vmcs_fail("VMWRITE", enc, st);
}

static inline uint16_t vmcs_read16(vmcs_field16 f) { return (uint16_t)vmcs_read_checked(f.enc); }
static inline uint32_t vmcs_read32(vmcs_field32 f) { return (uint32_t)vmcs_read_checked(f.enc); }
static inline uint64_t vmcs_read64(vmcs_field64 f) { return vmcs_read_checked(f.enc); }
static inline uint64_t vmcs_readnat(vmcs_fieldnat f) { return vmcs_read_checked(f.enc); }
static inline void vmcs_write16(vmcs_field16 f, uint16_t v) { vmcs_write_checked(f.enc, v); }
static inline void vmcs_write32(vmcs_field32 f, uint32_t v) { vmcs_write_checked(f.enc, v); }
static inline void vmcs_write64(vmcs_field64 f, uint64_t v) { vmcs_write_checked(f.enc, v); }
static inline void vmcs_writenat(vmcs_fieldnat f, uint64_t v) { vmcs_write_checked(f.enc, v); }
#endif
enum vmx_status vmcs_read64_safe(vmcs_field64 f, uint64_t *v);
enum vmx_status vmcs_write64_safe(vmcs_field64 f, uint64_t v);

/* Text for a VM-instruction error number (SDM 3C 31.4). */
const char *vmx_instruction_error_name(uint32_t err);

#endif
