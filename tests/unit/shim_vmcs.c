/*
 * A fake current VMCS for host unit tests, with the hypervisor services that
 * code reading it reports through:
 *  - vmcs_read16/32/64/readnat over shim_vmcs[], indexed by field encoding.
 *    Reads truncate to the field's width, as VMREAD does; a read through an
 *    accessor whose width does not match the encoding's width bits (14:13)
 *    or of an encoding outside the array is counted in shim_vmcs_bad_reads.
 *  - vmcs_write16/32/64/writenat store into shim_vmcs[] the same way (a
 *    mismatched or outside write is counted in shim_vmcs_bad_writes, not
 *    stored) and count every write in shim_vmcs_writes.
 *  - printk appends each formatted message to shim_printk_log.
 *  - domain_crash records its formatted message in shim_crash_msg (whole),
 *    in d->crash_report (truncated to its size, as hv/domain.c stores it),
 *    and counts calls.
 *  - vmx_instruction_error_name: text for error 7 only; records its argument.
 *  - vmx_config with the CR0/CR4 fixed-bit values Bochs reports.
 * Tests declare what they use of these themselves (no header of its own).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "hv/domain.h"
#include "hv/printk.h"
#include "../../arch/x86/vmx/vmcs.h"
#include "../../arch/x86/vmx/vmx_caps.h"

#define SHIM_VMCS_SIZE 0x8000u      /* encodings are 15 bits */

uint64_t shim_vmcs[SHIM_VMCS_SIZE];
unsigned shim_vmcs_bad_reads;
unsigned shim_vmcs_bad_writes;
unsigned shim_vmcs_writes;

char shim_printk_log[16384];
static size_t printk_len;

char shim_crash_msg[1024];
unsigned shim_crash_calls;
struct domain *shim_crash_domain;

uint32_t shim_error_name_arg = ~0u;

struct vmx_config vmx_config = {
    .cr0_fixed0 = 0x80000021,
    .cr0_fixed1 = 0xffffffff,
    .cr4_fixed0 = 0x2000,
    .cr4_fixed1 = 0x1727ff,
};

/* Forget every field, log and record. */
void shim_vmcs_reset(void)
{
    memset(shim_vmcs, 0, sizeof shim_vmcs);
    shim_vmcs_bad_reads = 0;
    shim_vmcs_bad_writes = 0;
    shim_vmcs_writes = 0;
    shim_printk_log[0] = 0;
    printk_len = 0;
    shim_crash_msg[0] = 0;
    shim_crash_calls = 0;
    shim_crash_domain = NULL;
    shim_error_name_arg = ~0u;
}

/* Width bits 14:13 of an encoding: 0 16-bit, 1 64-bit, 2 32-bit, 3 natural. */
static uint64_t read_field(uint32_t enc, unsigned width)
{
    if (enc >= SHIM_VMCS_SIZE || ((enc >> 13) & 3) != width) {
        shim_vmcs_bad_reads++;
        return 0;
    }
    return shim_vmcs[enc];
}

uint16_t vmcs_read16(vmcs_field16 f) { return (uint16_t)read_field(f.enc, 0); }
uint64_t vmcs_read64(vmcs_field64 f) { return read_field(f.enc, 1); }
uint32_t vmcs_read32(vmcs_field32 f) { return (uint32_t)read_field(f.enc, 2); }
uint64_t vmcs_readnat(vmcs_fieldnat f) { return read_field(f.enc, 3); }

static void write_field(uint32_t enc, unsigned width, uint64_t v)
{
    shim_vmcs_writes++;
    if (enc >= SHIM_VMCS_SIZE || ((enc >> 13) & 3) != width) {
        shim_vmcs_bad_writes++;
        return;
    }
    shim_vmcs[enc] = v;
}

void vmcs_write16(vmcs_field16 f, uint16_t v) { write_field(f.enc, 0, v); }
void vmcs_write64(vmcs_field64 f, uint64_t v) { write_field(f.enc, 1, v); }
void vmcs_write32(vmcs_field32 f, uint32_t v) { write_field(f.enc, 2, v); }
void vmcs_writenat(vmcs_fieldnat f, uint64_t v) { write_field(f.enc, 3, v); }

const char *vmx_instruction_error_name(uint32_t err)
{
    shim_error_name_arg = err;
    return err == 7 ? "VM entry with invalid control field(s)" : "shim: some other error";
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (printk_len < sizeof shim_printk_log - 1) {
        int n = vsnprintf(shim_printk_log + printk_len, sizeof shim_printk_log - printk_len,
                          fmt, ap);
        if (n > 0)
            printk_len += (size_t)n;
        if (printk_len > sizeof shim_printk_log - 1)
            printk_len = sizeof shim_printk_log - 1;
    }
    va_end(ap);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shim_crash_msg, sizeof shim_crash_msg, fmt, ap);
    va_end(ap);
    /* Same bytes as formatting into crash_report directly, as hv/domain.c does. */
    size_t n = strlen(shim_crash_msg);
    if (n > sizeof d->crash_report - 1)
        n = sizeof d->crash_report - 1;
    memcpy(d->crash_report, shim_crash_msg, n);
    d->crash_report[n] = 0;
    shim_crash_calls++;
    shim_crash_domain = d;
}
