/*
 * Family `vcpu_op` (docs/abi.md, "24 vcpu_op"): our own vCPUs only (there
 * is no domain argument: another domain's vCPUs cannot be named at all).
 * vCPU 1 is initialised, brought up, taken down (by vCPU 0 and by itself)
 * and up again with guest-pv's smp.c; vCPU 2 stays never-initialised here
 * (the `hypercall` family starts it in 32-bit mode afterwards). Timers
 * fire VIRQ_TIMER on vCPU 0, counted by guest-pv's timer.c.
 */
#include <stdint.h>

#include <public/hvm_vcpu.h>
#include <public/vcpu_op.h>

#include "abi.h"
#include "arch.h"
#include "clock.h"
#include "hypercall.h"
#include "lib.h"
#include "percpu.h"
#include "shared_info.h"
#include "smp.h"
#include "timer.h"

#define F "vcpu_op"
#define CR0_PG (1ull << 31)
#define CR4_VMXE (1ull << 13)
#define RFLAGS_BIT3 (1ull << 3)
#define DELAY_NS (2 * NSEC_PER_MSEC)
#define PATIENCE_NS (2 * NSEC_PER_SEC)
/* Far enough that being descheduled before the next call cannot matter. */
#define FAR_NS (100 * NSEC_PER_MSEC)
#define WATCH_NS (150 * NSEC_PER_MSEC)
#define GPFN_LIMIT (1ull << 36)

static struct vcpu_runstate_info area;
static bool resumed;

static long call(unsigned long cmd, unsigned long vcpu, uint64_t arg)
{
    return hypercall3(HYPERCALL_VCPU_OP, cmd, vcpu, arg);
}

static long op(unsigned long cmd, unsigned long vcpu, const void *arg)
{
    return call(cmd, vcpu, (uintptr_t)arg);
}

struct badptr_ctx {
    unsigned long cmd, vcpu;
};

static long badptr_call(uint64_t addr, void *ctx)
{
    struct badptr_ctx *c = ctx;

    return call(c->cmd, c->vcpu, addr);
}

static void badptr(const char *name, unsigned long cmd, unsigned long vcpu, bool output,
                   const void *init, size_t size)
{
    struct badptr_ctx c = { cmd, vcpu };

    abi_badptr_cases(F, name, output, init, size, badptr_call, &c, -XEN_EFAULT);
}

static bool virq_within(uint64_t before, uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;

    while (timer_virqs() == before) {
        if (clock_now_ns() > end)
            return false;
        abi_take_events();
    }
    return true;
}

static void vcpuid_cases(void)
{
    abi_expect(F, "is_up-vcpu0", call(VCPUOP_IS_UP, 0, 0), 1);
    abi_expect(F, "is_up-secondary-at-start", call(VCPUOP_IS_UP, 1, 0), 0);
    abi_expect(F, "is_up-beyond-count", call(VCPUOP_IS_UP, abi.nvcpus, 0), -XEN_EINVAL);
    abi_expect(F, "is_up-vcpu-max", call(VCPUOP_IS_UP, ~0ul, 0), -XEN_EINVAL);
    abi_expect(F, "is_up-vcpu-above-32-bits", call(VCPUOP_IS_UP, 1ul << 32, 0), -XEN_EINVAL);
    /* vcpuid is checked first: an unknown command on a bad vCPU is -EINVAL. */
    abi_expect(F, "unknown-cmd-bad-vcpu", call(99, abi.nvcpus, 0), -XEN_EINVAL);
    abi_expect(F, "unknown-cmd-6", call(6, 0, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-11", call(11, 0, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-99", call(99, 0, 0), -XEN_ENOSYS);
    abi_expect(F, "unknown-cmd-above-32-bits", call((1ul << 32) | VCPUOP_IS_UP, 0, 0),
               -XEN_ENOSYS);
}

/* A flat 32-bit context (as at the PVH entry), to break in one field. */
static void flat32(struct vcpu_hvm_context *c)
{
    *c = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_32B };
    c->cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eip = 0x100000, .eflags = 2, .cr0 = 0x11,
        .cs_limit = 0xffffffff, .ds_limit = 0xffffffff, .ss_limit = 0xffffffff,
        .es_limit = 0xffffffff, .tr_limit = 0x67,
        .cs_ar = 0xc9b, .ds_ar = 0xc93, .ss_ar = 0xc93, .es_ar = 0xc93, .tr_ar = 0x8b,
    };
}

/* Contexts refused before anything changes; vCPU 1 stays down and uninitialised. */
static void initialise_refusals(void)
{
    struct vcpu_hvm_context c;

    smp_start_context(1, &c);
    c.mode = 2;
    abi_expect(F, "initialise-bad-mode", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.pad = 1;
    abi_expect(F, "initialise-bad-pad", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.cr0 &= ~CR0_PG;
    abi_expect(F, "initialise-64-bit-without-paging", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.rip = ABI_NONCANONICAL;
    abi_expect(F, "initialise-noncanonical-rip", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.cr4 |= CR4_VMXE;
    abi_expect(F, "initialise-cr4-vmxe", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    c.cpu_regs.x86_64.rflags |= RFLAGS_BIT3;
    abi_expect(F, "initialise-reserved-rflags", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.cs_ar |= 1u << 12;
    abi_expect(F, "initialise-32-bit-bad-attribute", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.pad1 = 1;
    abi_expect(F, "initialise-32-bit-bad-pad1", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    flat32(&c);
    c.cpu_regs.x86_32.cr0 = 0x10;               /* PE clear: real mode is not offered */
    abi_expect(F, "initialise-32-bit-real-mode", op(VCPUOP_INITIALISE, 1, &c), -XEN_EINVAL);
    smp_start_context(1, &c);
    abi_expect(F, "initialise-beyond-count", op(VCPUOP_INITIALISE, abi.nvcpus, &c), -XEN_EINVAL);
    abi_expect(F, "initialise-vcpu0", op(VCPUOP_INITIALISE, 0, &c), -XEN_EEXIST);
    badptr("initialise", VCPUOP_INITIALISE, 1, false, &c, sizeof c);
    abi_expect(F, "initialise-refusals-leave-it-down", call(VCPUOP_IS_UP, 1, 0), 0);
    abi_expect(F, "initialise-refusals-leave-it-uninitialised", call(VCPUOP_UP, 1, 0),
               -XEN_EINVAL);
}

static void down_self_work(void)
{
    if (call(VCPUOP_DOWN, this_cpu()->id, 0) == 0)
        WRITE_ONCE(resumed, true);
}

static void nothing_work(void)
{
}

static bool vcpu1_down(void *arg)
{
    (void)arg;
    return call(VCPUOP_IS_UP, 1, 0) == 0;
}

static long runstate_of(unsigned long vcpu)
{
    struct vcpu_runstate_info r = { .state = -1 };
    long rc = op(VCPUOP_GET_RUNSTATE_INFO, vcpu, &r);

    return rc < 0 ? rc : r.state;
}

static void up_down_cases(void)
{
    struct vcpu_hvm_context c;
    long rc;

    abi_expect(F, "up-never-initialised", call(VCPUOP_UP, 2, 0), -XEN_EINVAL);
    abi_expect(F, "down-never-initialised", call(VCPUOP_DOWN, 2, 0), 0);
    abi_expect(F, "get_runstate_info-never-initialised", runstate_of(2), RUNSTATE_OFFLINE);

    /* smp_prepare registers vCPU 1's vcpu_info in our page and binds its IPIs. */
    rc = smp_prepare(1);
    abi_check(F, "register_vcpu_info",
              rc == 0 && cpus[1].vcpu_info != &shared_info->vcpu_info[1] &&
                  READ_ONCE(cpus[1].vcpu_info->time.tsc_to_system_mul) != 0,
              "rc, or no pvclock at the new place", rc);
    smp_start_context(1, &c);
    abi_expect(F, "initialise", op(VCPUOP_INITIALISE, 1, &c), 0);
    abi_expect(F, "initialise-stays-down", call(VCPUOP_IS_UP, 1, 0), 0);
    abi_expect(F, "initialise-twice", op(VCPUOP_INITIALISE, 1, &c), -XEN_EEXIST);
    abi_expect(F, "up", call(VCPUOP_UP, 1, 0), 0);
    abi_check(F, "up-runs-start-state", smp_wait_online(1), "vCPU 1 online", 0);
    abi_expect(F, "is_up-after-up", call(VCPUOP_IS_UP, 1, 0), 1);
    abi_expect(F, "up-twice", call(VCPUOP_UP, 1, 0), 0);
    abi_check(F, "get_runstate_info-up", runstate_of(1) != RUNSTATE_OFFLINE &&
                                             runstate_of(1) >= 0, "state", runstate_of(1));
    abi_expect(F, "initialise-while-up", op(VCPUOP_INITIALISE, 1, &c), -XEN_EEXIST);

    abi_expect(F, "down", call(VCPUOP_DOWN, 1, 0), 0);
    abi_expect(F, "is_up-after-down", call(VCPUOP_IS_UP, 1, 0), 0);
    abi_expect(F, "get_runstate_info-down", runstate_of(1), RUNSTATE_OFFLINE);
    abi_expect(F, "down-twice", call(VCPUOP_DOWN, 1, 0), 0);
    abi_expect(F, "initialise-while-down", op(VCPUOP_INITIALISE, 1, &c), -XEN_EEXIST);
    abi_expect(F, "up-again", call(VCPUOP_UP, 1, 0), 0);
    smp_run(1, nothing_work);
    abi_check(F, "up-again-resumes", smp_wait_idle(1), "vCPU 1 idle again", 0);

    /* Down from inside: the call returns once vCPU 0 brings it up again. */
    resumed = false;
    smp_run(1, down_self_work);
    abi_check(F, "down-self", abi_wait(vcpu1_down, NULL, 10 * NSEC_PER_SEC), "is_up",
              call(VCPUOP_IS_UP, 1, 0));
    abi_expect(F, "up-after-down-self", call(VCPUOP_UP, 1, 0), 0);
    abi_check(F, "down-self-returns-0-after-up", smp_wait_idle(1) && READ_ONCE(resumed),
              "resumed", READ_ONCE(resumed));
}

static void runstate_cases(void)
{
    struct vcpu_runstate_info r;
    struct vcpu_register_runstate_memory_area reg = { .addr = (uintptr_t)&area };
    struct vcpu_register_runstate_memory_area none = { 0 };
    uint64_t now;
    long rc;

    memset(&r, 0xA5, sizeof r);
    rc = op(VCPUOP_GET_RUNSTATE_INFO, 0, &r);
    now = clock_now_ns();
    abi_check(F, "get_runstate_info",
              rc == 0 && r.state == RUNSTATE_RUNNING && r.time[RUNSTATE_RUNNING] > 0 &&
                  r.state_entry_time > 0 && r.state_entry_time <= now,
              "rc or state", rc ? rc : r.state);
    badptr("get_runstate_info", VCPUOP_GET_RUNSTATE_INFO, 0, true, NULL, sizeof r);

    memset(&area, 0xA5, sizeof area);
    rc = op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, &reg);
    abi_check(F, "register_runstate_memory_area",
              rc == 0 && area.state == RUNSTATE_RUNNING && area.state_entry_time > 0 &&
                  area.state_entry_time != 0xA5A5A5A5A5A5A5A5ull,
              "rc or state written at once", rc ? rc : area.state);
    abi_expect(F, "register_runstate_memory_area-none", op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA,
                                                           0, &none), 0);
    badptr("register_runstate_memory_area", VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, false, &none,
           sizeof none);
    /* The area itself, for the calling vCPU: written at once, so checked now. */
    {
        static const char *const kinds[] = { "register_runstate_memory_area-area-unmapped",
                                             "register_runstate_memory_area-area-noncanonical" };
        const uint64_t addrs[] = { ABI_UNMAPPED, ABI_NONCANONICAL };
        void *backing;
        uint64_t ro = abi_readonly_page(&backing);

        for (unsigned int i = 0; i < 2; i++) {
            reg.addr = addrs[i];
            abi_expect(F, kinds[i], op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, &reg), -XEN_EFAULT);
        }
        reg.addr = ro;
        abi_expect(F, "register_runstate_memory_area-area-readonly-pt",
                   op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 0, &reg), -XEN_EFAULT);
        /* Another vCPU's area is written when it next runs: not checked now. */
        reg.addr = ABI_UNMAPPED;
        abi_expect(F, "register_runstate_memory_area-other-vcpu-later",
                   op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 1, &reg), 0);
        abi_expect(F, "register_runstate_memory_area-other-vcpu-none",
                   op(VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA, 1, &none), 0);
    }
}

/* Arm vCPU 0's one-shot timer with `t`: 0 if VIRQ_TIMER then came, else rc or -1. */
static long fires(struct vcpu_set_singleshot_timer t)
{
    uint64_t before = timer_virqs();
    long rc = op(VCPUOP_SET_SINGLESHOT_TIMER, 0, &t);

    if (rc)
        return rc;
    return virq_within(before, PATIENCE_NS) ? 0 : -1;
}

/* Events in WATCH_NS after `before` (0: the timer stayed quiet). */
static long events_after(uint64_t before)
{
    virq_within(before, WATCH_NS);
    return (long)(timer_virqs() - before);
}

static void timer_cases(void)
{
    struct vcpu_set_singleshot_timer t;
    uint64_t before;
    long rc;

    abi_expect(F, "stop_periodic_timer", call(VCPUOP_STOP_PERIODIC_TIMER, 0, 0), 0);
    abi_expect(F, "stop_periodic_timer-other-vcpu", call(VCPUOP_STOP_PERIODIC_TIMER, 1, 0), 0);

    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + DELAY_NS };
    abi_expect(F, "set_singleshot_timer", fires(t), 0);
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + FAR_NS,
                                            .flags = VCPU_SSHOTTMR_FUTURE };
    abi_expect(F, "set_singleshot_timer-future", fires(t), 0);
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_FUTURE };
    abi_expect(F, "set_singleshot_timer-past-future-flag", op(VCPUOP_SET_SINGLESHOT_TIMER, 0, &t),
               -XEN_ETIME);
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = 1 };
    abi_expect(F, "set_singleshot_timer-past-fires", fires(t), 0);
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = 0 };
    abi_expect(F, "set_singleshot_timer-zero-fires", fires(t), 0);
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + DELAY_NS,
                                            .flags = 2 };
    abi_expect(F, "set_singleshot_timer-bad-flags", op(VCPUOP_SET_SINGLESHOT_TIMER, 0, &t),
               -XEN_EINVAL);
    t.flags = 0;
    before = timer_virqs();
    badptr("set_singleshot_timer", VCPUOP_SET_SINGLESHOT_TIMER, 0, false, &t, sizeof t);
    /* Neither the refused calls nor the bad pointers armed anything. */
    abi_expect(F, "set_singleshot_timer-refusals-arm-nothing", events_after(before), 0);

    before = timer_virqs();
    t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = clock_now_ns() + FAR_NS };
    rc = op(VCPUOP_SET_SINGLESHOT_TIMER, 0, &t);
    if (rc == 0)
        rc = call(VCPUOP_STOP_SINGLESHOT_TIMER, 0, 0);
    abi_expect(F, "stop_singleshot_timer", rc, 0);
    abi_expect(F, "stop_singleshot_timer-cancels", events_after(before), 0);
}

static void vcpu_info_cases(void)
{
    struct vcpu_register_vcpu_info r;
    static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    uint64_t gfn = (uintptr_t)page / PAGE_SIZE;

    r = (struct vcpu_register_vcpu_info){ .mfn = gfn };
    abi_expect(F, "register_vcpu_info-twice", op(VCPUOP_REGISTER_VCPU_INFO, 0, &r), -XEN_EINVAL);
    /* vCPU 2 has not moved its vcpu_info: only the request can be at fault. */
    r = (struct vcpu_register_vcpu_info){ .mfn = gfn, .rsvd = 1 };
    abi_expect(F, "register_vcpu_info-rsvd", op(VCPUOP_REGISTER_VCPU_INFO, 2, &r), -XEN_EINVAL);
    r = (struct vcpu_register_vcpu_info){ .mfn = gfn, .offset = PAGE_SIZE - 32 };
    abi_expect(F, "register_vcpu_info-crosses-page", op(VCPUOP_REGISTER_VCPU_INFO, 2, &r),
               -XEN_EINVAL);
    r = (struct vcpu_register_vcpu_info){ .mfn = abi.ram_end / PAGE_SIZE };
    abi_expect(F, "register_vcpu_info-not-ram", op(VCPUOP_REGISTER_VCPU_INFO, 2, &r), -XEN_EINVAL);
    r = (struct vcpu_register_vcpu_info){ .mfn = abi_map_addr(0) / PAGE_SIZE };
    abi_expect(F, "register_vcpu_info-grant-mapping", op(VCPUOP_REGISTER_VCPU_INFO, 2, &r),
               -XEN_EINVAL);
    r = (struct vcpu_register_vcpu_info){ .mfn = GPFN_LIMIT };
    abi_expect(F, "register_vcpu_info-mfn-too-big", op(VCPUOP_REGISTER_VCPU_INFO, 2, &r),
               -XEN_EINVAL);
    r = (struct vcpu_register_vcpu_info){ .mfn = gfn };
    badptr("register_vcpu_info", VCPUOP_REGISTER_VCPU_INFO, 2, false, &r, sizeof r);
}

void abi_vcpu_op_cases(void)
{
    if (abi.nvcpus < 3) {
        abi_check(F, "vcpus", false, "the suite needs vcpus=3, have", abi.nvcpus);
        return;
    }
    vcpuid_cases();
    initialise_refusals();
    up_down_cases();
    runstate_cases();
    timer_cases();
    vcpu_info_cases();
}
