/*
 * A start-up IPI (hv/vlapic_irq.c) starts a vCPU that has never run the way
 * the processor does after INIT and SIPI (SDM 3A 9.1.1, 9.4.4.1 and table
 * 9-1): real mode at CS:IP = (vector << 8):0, CS base vector << 12, every
 * other segment at 0 with a 64 KiB limit, CR0 0x60000010, RFLAGS 2, general
 * registers 0. VMX unrestricted guest runs real mode as it is.
 */
#include "start_state.h"
#include "vcpu.h"
#include "hv/string.h"
#include "hv/vlapic.h"

#define CR0_AFTER_INIT 0x60000010ull    /* CD, NW, ET */
#define REAL_LIMIT     0xffffu
#define AR_REAL_CODE   (AR_P | AR_S | AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED)
#define AR_REAL_DATA   (AR_P | AR_S | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED)
#define RFLAGS_FIXED   0x2ull

int arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    const struct vmx_segment data = { 0, 0, REAL_LIMIT, AR_REAL_DATA };
    struct vmx_start_state s = {
        .cr0 = CR0_AFTER_INIT,
        .rflags = RFLAGS_FIXED,
        .cs = { (uint16_t)(vector << 8), (uint64_t)vector << 12, REAL_LIMIT, AR_REAL_CODE },
        .ss = data, .ds = data, .es = data, .fs = data, .gs = data,
        .tr = { 0, 0, REAL_LIMIT, AR_P | AR_TSS_BUSY },
    };
    struct guest_regs regs;
    memset(&regs, 0, sizeof regs);
    vmx_vcpu_restart(v, &s, &regs);
    return 0;
}
