/*
 * The VMX instructions, each wrapped once. They return VMX_OK, VMX_FAIL_INVALID
 * (CF=1: no current VMCS / bad pointer) or VMX_FAIL_VALID (ZF=1: the reason is
 * in the VM-instruction error field). Callers decide what a failure means.
 */
#ifndef ARCH_VMX_INSN_H
#define ARCH_VMX_INSN_H

#include <stdint.h>

enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

#define VMX_STATUS(cf, zf) ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : VMX_OK)

static inline enum vmx_status vmxon(uint64_t pa)
{ uint8_t cf, zf; __asm__ volatile("vmxon %2; setc %0; setz %1" : "=q"(cf), "=q"(zf) : "m"(pa) : "cc", "memory"); return VMX_STATUS(cf, zf); }
static inline enum vmx_status vmclear(uint64_t pa)
{ uint8_t cf, zf; __asm__ volatile("vmclear %2; setc %0; setz %1" : "=q"(cf), "=q"(zf) : "m"(pa) : "cc", "memory"); return VMX_STATUS(cf, zf); }
static inline enum vmx_status vmptrld(uint64_t pa)
{ uint8_t cf, zf; __asm__ volatile("vmptrld %2; setc %0; setz %1" : "=q"(cf), "=q"(zf) : "m"(pa) : "cc", "memory"); return VMX_STATUS(cf, zf); }
static inline enum vmx_status vmread_raw(uint64_t field, uint64_t *value)
{ uint8_t cf, zf; __asm__ volatile("vmread %3, %0; setc %1; setz %2" : "=rm"(*value), "=q"(cf), "=q"(zf) : "r"(field) : "cc"); return VMX_STATUS(cf, zf); }
static inline enum vmx_status vmwrite_raw(uint64_t field, uint64_t value)
{ uint8_t cf, zf; __asm__ volatile("vmwrite %2, %3; setc %0; setz %1" : "=q"(cf), "=q"(zf) : "rm"(value), "r"(field) : "cc", "memory"); return VMX_STATUS(cf, zf); }

struct invept_desc { uint64_t eptp, reserved; };
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT    2
static inline enum vmx_status invept(uint64_t type, uint64_t eptp)
{ struct invept_desc d = { eptp, 0 }; uint8_t cf, zf; __asm__ volatile("invept %2, %3; setc %0; setz %1" : "=q"(cf), "=q"(zf) : "m"(d), "r"(type) : "cc", "memory"); return VMX_STATUS(cf, zf); }

#endif
