/*
 * test=conformance: hardware task switches in 32-bit protected mode
 * (docs/abi.md, "Hardware task switches"), run by vCPU 3 from
 * tests/abi/task_switch32.asm, its results checked here: CALL to a TSS and
 * IRET back (TR, NT, back link, CR0.TS, busy bits, registers restored), JMP
 * there and back, an exception through a task gate with its error code on
 * the gate task's stack, the T bit (#DB with DR6.BT in the new task), and
 * the refusals: JMP to the busy current TSS is #GP(selector), IRET to an
 * available one #TS(selector).
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/hvm_vcpu.h>
#include <public/vcpu_op.h>

#include "abi.h"
#include "clock.h"
#include "hypercall.h"
#include "lib.h"

#define F "task_switch"
#define TASK32_VCPU 3

/* task_switch32.asm's selectors and result slots (R_*). */
#define SEL_MAIN 0x18
#define SEL_CALL 0x20
#define SEL_JMP  0x30
#define TSS_AVAILABLE 0x89      /* descriptor byte 5: P, 32-bit TSS */
#define TSS_BUSY      0x8b
#define EFLAGS_NT 0x4000u
#define CR0_TS    0x8u
#define DR6_BT    0x8000u
enum { R_CALL_TR, R_CALL_EFLAGS, R_CALL_CR0, R_EBX_KEPT, R_CALL_LINK, R_TR_AFTER, R_CALL_TYPE,
       R_MAIN_TYPE, R_EFLAGS_AFTER, R_JMP_TR, R_JMP_TYPE, R_GP_COUNT, R_GP_CODE0, R_GP_CODE1,
       R_TS_COUNT, R_TS_CODE, R_TR_END, R_DONE, R_DB_COUNT, R_DB_DR6, R_DB_TR, NRESULTS };

extern char abi_task32_entry[];
extern volatile uint32_t abi_task32_results[NRESULTS];

static bool task32_down(void *arg)
{
    (void)arg;
    return hyp_vcpu_op(VCPUOP_IS_UP, TASK32_VCPU, 0) == 0;
}

void abi_task_switch_cases(void)
{
    struct vcpu_hvm_context c;
    volatile uint32_t *r = abi_task32_results;

    if (abi.nvcpus <= TASK32_VCPU) {
        abi_check(F, "started", false, "needs vcpus=4, have", abi.nvcpus);
        return;
    }
    abi_flat32_context(&c, (uint32_t)(uintptr_t)abi_task32_entry);
    long rc = hyp_vcpu_op(VCPUOP_INITIALISE, TASK32_VCPU, (unsigned long)&c);
    if (rc == 0)
        rc = hyp_vcpu_op(VCPUOP_UP, TASK32_VCPU, 0);
    if (!abi_expect(F, "started", rc, 0))
        return;
    if (!abi_check(F, "finished", abi_wait(task32_down, NULL, 10 * NSEC_PER_SEC),
                   "is_up", hyp_vcpu_op(VCPUOP_IS_UP, TASK32_VCPU, 0)))
        return;
    abi_expect(F, "ran-to-the-end", r[R_DONE], 0x600d);
    abi_expect(F, "call-tr-is-the-new-tss", r[R_CALL_TR], SEL_CALL);
    abi_expect(F, "call-sets-nt", r[R_CALL_EFLAGS] & EFLAGS_NT, EFLAGS_NT);
    abi_expect(F, "switch-sets-cr0-ts", r[R_CALL_CR0] & CR0_TS, CR0_TS);
    abi_expect(F, "call-writes-back-link", r[R_CALL_LINK], SEL_MAIN);
    abi_expect(F, "iret-restores-registers", r[R_EBX_KEPT], 0x12345678);
    abi_expect(F, "iret-restores-tr", r[R_TR_AFTER], SEL_MAIN);
    abi_expect(F, "iret-clears-busy", r[R_CALL_TYPE], TSS_AVAILABLE);
    abi_expect(F, "iret-keeps-caller-busy", r[R_MAIN_TYPE], TSS_BUSY);
    abi_expect(F, "iret-back-without-nt", r[R_EFLAGS_AFTER] & EFLAGS_NT, 0);
    abi_expect(F, "jmp-tr-is-the-new-tss", r[R_JMP_TR], SEL_JMP);
    abi_expect(F, "jmp-back-clears-busy", r[R_JMP_TYPE], TSS_AVAILABLE);
    abi_expect(F, "gate-entered-twice", r[R_GP_COUNT], 2);
    abi_expect(F, "gate-pushes-error-code", r[R_GP_CODE0], 0xfff8);
    abi_expect(F, "jmp-to-busy-tss-gp", r[R_GP_CODE1], SEL_MAIN);
    abi_expect(F, "iret-to-available-tss-ts", r[R_TS_COUNT], 1);
    abi_expect(F, "iret-to-available-tss-ts-code", r[R_TS_CODE], SEL_CALL);
    abi_expect(F, "tr-at-the-end", r[R_TR_END], SEL_MAIN);
    abi_expect(F, "trap-bit-raises-db", r[R_DB_COUNT], 1);
    abi_expect(F, "trap-bit-sets-dr6-bt", r[R_DB_DR6] & DR6_BT, DR6_BT);
    abi_expect(F, "trap-bit-db-in-the-new-task", r[R_DB_TR], SEL_CALL);
}
