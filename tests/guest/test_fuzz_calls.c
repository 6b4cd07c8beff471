/*
 * test=fuzz: building each call (test_fuzz.h). Numbers are mostly the
 * implemented hypercalls, sub-operations mostly the defined ones, from the
 * values, frames and pointers of test_fuzz_args.c. Each generator keeps out
 * what would end or stall the fuzzer (listed in test_fuzz.c).
 */
#include <stdint.h>

#include <public/console_io.h>
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>
#include <public/hvm_vcpu.h>
#include <public/memory_op.h>
#include <public/sched_op.h>
#include <public/sysctl.h>
#include <public/vcpu_op.h>
#include <public/xen_version.h>

#include "arch.h"
#include "lib.h"
#include "test_fuzz.h"

/* ---- the calls ------------------------------------------------------------ */

static void gen_memory_op(struct fuzz *f)
{
    static const uint64_t cmds[] = {
        XENMEM_MAXIMUM_RAM_PAGE, XENMEM_CURRENT_RESERVATION, XENMEM_MAXIMUM_RESERVATION,
        XENMEM_ADD_TO_PHYSMAP, XENMEM_ADD_TO_PHYSMAP, XENMEM_ADD_TO_PHYSMAP,
        XENMEM_ADD_TO_PHYSMAP, XENMEM_MEMORY_MAP, XENMEM_MEMORY_MAP, 0, 6,
    };
    struct fuzz_call *c = &f->call;
    uint64_t cmd = fuzz_one_in(f, 16) ? fuzz_value(f) : PICK(f, cmds);

    c->arg[0] = cmd;
    if (cmd == XENMEM_CURRENT_RESERVATION || cmd == XENMEM_MAXIMUM_RESERVATION) {
        uint16_t d = fuzz_domid(f);

        c->arg[1] = fuzz_ptr(f, P_READ, sizeof d);
        fuzz_put(f, c->arg[1], &d, sizeof d);
    } else if (cmd == XENMEM_ADD_TO_PHYSMAP) {
        static const uint64_t bad_idx[] = { 4, 5, 1u << 31, (1u << 31) | 1, 0xffffffff };
        struct xen_add_to_physmap m = {
            .domid = fuzz_one_in(f, 3) ? fuzz_domid(f) : (uint16_t)DOMID_SELF,
            .size = fuzz_one_in(f, 4) ? fuzz_value16(f) : 0,
            .space = fuzz_one_in(f, 5) ? fuzz_value32(f) : (uint32_t)fuzz_below(f, 2),
        };

        if (fuzz_one_in(f, 4))
            m.idx = fuzz_one_in(f, 2) ? PICK(f, bad_idx) : fuzz_value(f);
        else
            m.idx = m.space == XENMAPSPACE_GRANT_TABLE ? fuzz_below(f, GRANT_MAX_FRAMES) : 0;
        m.gpfn = fuzz_gfn(f, G_REPLACE);
        c->arg[1] = fuzz_ptr(f, P_STRUCT, sizeof m);
        fuzz_put(f, c->arg[1], &m, sizeof m);
    } else if (cmd == XENMEM_MEMORY_MAP) {
        struct xen_memory_map mm = {
            .nr_entries = fuzz_one_in(f, 2) ? (uint32_t)fuzz_below(f, 8) : fuzz_value32(f),
            .pad = fuzz_one_in(f, 4) ? fuzz_value32(f) : 0,
            .buffer = fuzz_ptr(f, P_WRITE, 3 * sizeof(struct e820_entry)),
        };

        c->arg[1] = fuzz_ptr(f, P_STRUCT, sizeof mm);
        fuzz_put(f, c->arg[1], &mm, sizeof mm);
    } else {
        static const uint8_t zeros[24];

        /* Zeros: harmless even to a handler that took this for a known cmd. */
        c->arg[1] = fuzz_ptr(f, P_STRUCT, sizeof zeros);
        fuzz_put(f, c->arg[1], zeros, sizeof zeros);
    }
}

static void gen_set_timer_op(struct fuzz *f)
{
    bool rel;

    f->call.arg[0] = fuzz_when(f, &rel);
    f->call.arg_now = rel ? 1 : 0;
}

static void gen_xen_version(struct fuzz *f)
{
    struct fuzz_call *c = &f->call;

    c->arg[0] = fuzz_one_in(f, 8) ? fuzz_value(f) : fuzz_below(f, XENVER_GUEST_HANDLE + 1);
    c->arg[1] = fuzz_ptr(f, P_WRITE, FUZZ_MAX_WRITE);
    if (c->arg[0] == XENVER_GET_FEATURES) {
        uint32_t idx[2] = { fuzz_one_in(f, 2) ? 0 : fuzz_value32(f), fuzz_value32(f) };

        fuzz_put(f, c->arg[1], idx, sizeof idx);
    }
}

/* Output is kept small: a long write only from memory that cannot be read. */
static void gen_console_io(struct fuzz *f)
{
    static const uint64_t too_long[] = { CONSOLEIO_WRITE_MAX + 1, 0x10000, 0xffffffff,
                                         0x100000000, 0x100000010, ~0ull };
    struct fuzz_call *c = &f->call;
    uint64_t count;

    c->arg[0] = fuzz_one_in(f, 8) ? (fuzz_one_in(f, 2) ? CONSOLEIO_READ : fuzz_value(f)) : CONSOLEIO_WRITE;
    if (c->arg[0] == CONSOLEIO_READ) {
        c->arg[1] = fuzz_value(f);
        c->arg[2] = fuzz_ptr(f, P_WRITE, FUZZ_MAX_WRITE);
        return;
    }
    switch (fuzz_below(f, 8)) {
    case 0:
    case 1:
    case 2:
        count = 1 + fuzz_below(f, 16);
        c->arg[2] = fuzz_ptr(f, P_READ, (uint32_t)count);
        fuzz_put_random(f, c->arg[2], (uint32_t)count);
        break;
    case 3:
    case 4:
        count = 0;
        c->arg[2] = fuzz_ptr(f, P_READ, 16);
        break;
    case 5:
    case 6:
        count = PICK(f, too_long);
        c->arg[2] = fuzz_ptr(f, P_READ, 16);
        break;
    default:
        count = 17 + fuzz_below(f, CONSOLEIO_WRITE_MAX - 16);
        c->arg[2] = fuzz_bad_ptr(f, (uint32_t)count);
        break;
    }
    c->arg[1] = count;
}

/* ---- grant_table_op ------------------------------------------------------ */

static struct gnttab_copy_ptr copy_side(struct fuzz *f, bool gref, bool dest)
{
    static const uint16_t offsets[] = { 0, 0, 0, 0, 1, 8, 2048, 4088, 4095, 4096, 0xffff };
    struct gnttab_copy_ptr p = { .offset = fuzz_one_in(f, 8) ? fuzz_value16(f) : PICK(f, offsets) };

    if (gref) {
        p.u.ref = fuzz_ref(f);
        p.domid = fuzz_domid(f);
    } else {
        p.u.gmfn = fuzz_gfn(f, dest ? G_WRITE : G_READ);
        p.domid = fuzz_one_in(f, 4) ? fuzz_domid(f) : (uint16_t)DOMID_SELF;
    }
    return p;
}

static void gen_grant_op(struct fuzz *f, uint64_t cmd, uint64_t at)
{
    static const uint32_t map_flags[] = { GNTMAP_host_map, GNTMAP_host_map, GNTMAP_host_map,
                                          GNTMAP_host_map | GNTMAP_readonly,
                                          GNTMAP_host_map | GNTMAP_readonly, 0, GNTMAP_device_map,
                                          GNTMAP_device_map | GNTMAP_host_map };
    static const uint16_t lens[] = { 0, 1, 8, 8, 64, 64, 512, 4095, 4096, 4097, 0xffff };

    switch (cmd) {
    case GNTTABOP_map_grant_ref: {
        struct gnttab_map_grant_ref m = {
            .host_addr = fuzz_map_gpa(f),
            .flags = fuzz_one_in(f, 8) ? fuzz_value32(f) : PICK(f, map_flags),
            .ref = fuzz_ref(f),
            .dom = fuzz_domid(f),
            .status = (int16_t)fuzz_value16(f),
            .handle = fuzz_value32(f),
        };
        fuzz_put(f, at, &m, sizeof m);
        break;
    }
    case GNTTABOP_unmap_grant_ref: {
        struct gnttab_unmap_grant_ref u = {
            .host_addr = fuzz_one_in(f, 4) ? fuzz_map_gpa(f) : fuzz_hot_gfn(f) * PAGE_SIZE,
            .dev_bus_addr = fuzz_value(f),
            .handle = fuzz_one_in(f, 4) ? fuzz_value32(f) : (uint32_t)fuzz_below(f, FUZZ_HOT_PAGES),
        };
        fuzz_put(f, at, &u, sizeof u);
        break;
    }
    case GNTTABOP_setup_table: {
        struct gnttab_setup_table s = {
            .dom = fuzz_domid(f),
            .nr_frames = fuzz_one_in(f, 2) ? (uint32_t)fuzz_below(f, GRANT_MAX_FRAMES + 2) : fuzz_value32(f),
            .frame_list = fuzz_ptr(f, P_WRITE, GRANT_MAX_FRAMES * sizeof(uint64_t)),
        };
        fuzz_put(f, at, &s, sizeof s);
        break;
    }
    case GNTTABOP_copy: {
        uint16_t flags = fuzz_one_in(f, 8) ? fuzz_value16(f) : (uint16_t)fuzz_below(f, 4);
        struct gnttab_copy cp = {
            .source = copy_side(f, flags & GNTCOPY_source_gref, false),
            .dest = copy_side(f, flags & GNTCOPY_dest_gref, true),
            .len = fuzz_one_in(f, 4) ? fuzz_value16(f) : PICK(f, lens),
            .flags = flags,
        };
        fuzz_put(f, at, &cp, sizeof cp);
        break;
    }
    case GNTTABOP_query_size: {
        struct gnttab_query_size q = { .dom = fuzz_domid(f), .nr_frames = fuzz_value32(f) };
        fuzz_put(f, at, &q, sizeof q);
        break;
    }
    case GNTTABOP_set_version: {
        struct gnttab_set_version s = { .version = fuzz_one_in(f, 2) ? (uint32_t)fuzz_below(f, 4)
                                                                : fuzz_value32(f) };
        fuzz_put(f, at, &s, sizeof s);
        break;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version g = { .dom = fuzz_domid(f), .pad = fuzz_one_in(f, 4) ? fuzz_value16(f) : 0 };
        fuzz_put(f, at, &g, sizeof g);
        break;
    }
    default: {
        static const uint8_t zeros[64];

        fuzz_put(f, at, zeros, sizeof zeros);    /* harmless whatever the cmd were taken for */
        break;
    }
    }
}

/*
 * One to a few operations mostly; sometimes a long batch, or more than a
 * call may carry. A batch that does not fit the scratch area runs into its
 * empty guard page, where the call must stop with -EFAULT.
 */
static void gen_grant_table_op(struct fuzz *f)
{
    static const uint64_t cmds[] = {
        GNTTABOP_map_grant_ref, GNTTABOP_map_grant_ref, GNTTABOP_map_grant_ref,
        GNTTABOP_unmap_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_unmap_grant_ref,
        GNTTABOP_setup_table, GNTTABOP_copy, GNTTABOP_copy, GNTTABOP_copy, GNTTABOP_query_size,
        GNTTABOP_set_version, GNTTABOP_get_version, 4, 11,
    };
    static const uint64_t too_many[] = { GRANT_MAX_OPS + 1, 1024, 0xffffffff,
                                         0x100000001, ~0ull };
    struct fuzz_call *c = &f->call;
    uint64_t cmd = fuzz_one_in(f, 16) ? fuzz_value(f) : PICK(f, cmds);
    uint32_t size = gnttab_op_size(cmd), n;
    uint64_t count, at;

    switch (fuzz_below(f, 16)) {
    case 0:
        count = 0;
        break;
    case 1:
    case 2:
        count = 2 + fuzz_below(f, 3);
        break;
    case 3:
        count = fuzz_one_in(f, 4) ? GRANT_MAX_OPS - fuzz_below(f, 2) : 5 + fuzz_below(f, 60);
        break;
    case 4:
        count = PICK(f, too_many);
        break;
    default:
        count = 1;
        break;
    }
    if (size == 0)
        size = 64;
    n = count <= GRANT_MAX_OPS ? (uint32_t)count : 1;
    if (fuzz_one_in(f, 8))
        at = fuzz_bad_ptr(f, size);          /* operation 0 already cannot be read */
    else if ((uint64_t)size * n >= FUZZ_SCRATCH_BYTES || fuzz_one_in(f, 8))
        at = f->mem.scratch + FUZZ_SCRATCH_BYTES - (uint64_t)size * (n ? n : 1) / 2 -
             fuzz_below(f, size);
    else
        at = f->mem.scratch + (fuzz_below(f, FUZZ_SCRATCH_BYTES - (uint64_t)size * n + 1) & ~7ull);
    c->arg[0] = cmd;
    c->arg[1] = at;
    c->arg[2] = count;
    for (uint32_t i = 0; i < n; i++)
        gen_grant_op(f, cmd, at + (uint64_t)i * size);
}

/* ---- vcpu_op ------------------------------------------------------------- */

/* A valid start state (64-bit or flat 32-bit), then a few fields spoiled. */
static void gen_context(struct fuzz *f, struct vcpu_hvm_context *ctx)
{
    uint64_t *w = (uint64_t *)(void *)ctx;
    uint32_t *h = (uint32_t *)(void *)ctx;
    unsigned int n;

    if (fuzz_one_in(f, 8)) {
        for (unsigned int i = 0; i < sizeof *ctx / 8; i++)
            w[i] = fuzz_next(f);
        return;
    }
    *ctx = f->ctx_template[fuzz_below(f, 2)];
    n = (unsigned int)fuzz_below(f, 4);
    for (unsigned int i = 0; i < n; i++) {
        switch (fuzz_below(f, 3)) {
        case 0:
            w[fuzz_below(f, sizeof *ctx / 8)] = PICK(f, fuzz_edges);
            break;
        case 1:
            w[fuzz_below(f, sizeof *ctx / 8)] ^= 1ull << fuzz_below(f, 64);
            break;
        default:
            h[fuzz_below(f, sizeof *ctx / 4)] = fuzz_value32(f);
            break;
        }
    }
}

/*
 * vCPU 0 (us) is never taken down: nothing would bring us back. vCPU 1 is
 * parked (test_fuzz.c) and may go up and down. vCPUs 2 and up are where
 * random start states land, so they are never brought up.
 */
static void gen_vcpu_op(struct fuzz *f)
{
    static const uint64_t cmds[] = {
        VCPUOP_INITIALISE, VCPUOP_INITIALISE, VCPUOP_INITIALISE, VCPUOP_UP, VCPUOP_UP,
        VCPUOP_DOWN, VCPUOP_DOWN, VCPUOP_IS_UP, VCPUOP_IS_UP, VCPUOP_GET_RUNSTATE_INFO,
        VCPUOP_GET_RUNSTATE_INFO, VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA,
        VCPUOP_STOP_PERIODIC_TIMER, VCPUOP_SET_SINGLESHOT_TIMER, VCPUOP_SET_SINGLESHOT_TIMER,
        VCPUOP_STOP_SINGLESHOT_TIMER, VCPUOP_REGISTER_VCPU_INFO, VCPUOP_REGISTER_VCPU_INFO, 6,
    };
    static const uint32_t up_ids[] = { 0, 1, 1, 1, 8, 9, 0xffffffff };
    static const uint32_t down_ids[] = { 1, 1, 1, 2, 3, 8, 0xffffffff };
    static const uint32_t init_ids[] = { 2, 2, 2, 3, 3, 3, 0, 1, 8, 0xffffffff };
    static const uint32_t offsets[] = { 0, 64, 4032, 4033, 4095, 4096, 0xffffffff };
    struct fuzz_call *c = &f->call;
    uint64_t cmd = fuzz_one_in(f, 16) ? fuzz_value(f) | 0x100 : PICK(f, cmds);

    c->arg[0] = cmd;
    switch (cmd) {
    case VCPUOP_UP:
        c->arg[1] = PICK(f, up_ids);
        break;
    case VCPUOP_DOWN:
        c->arg[1] = PICK(f, down_ids);
        break;
    case VCPUOP_INITIALISE:
        c->arg[1] = fuzz_one_in(f, 8) ? fuzz_value32(f) | 8 : PICK(f, init_ids);
        break;
    default:
        c->arg[1] = fuzz_vcpu(f);
        break;
    }
    switch (cmd) {
    case VCPUOP_INITIALISE: {
        struct vcpu_hvm_context ctx;

        gen_context(f, &ctx);
        c->arg[2] = fuzz_ptr(f, P_IO, sizeof ctx);
        fuzz_put(f, c->arg[2], &ctx, sizeof ctx);
        break;
    }
    case VCPUOP_GET_RUNSTATE_INFO:
        c->arg[2] = fuzz_ptr(f, P_WRITE, sizeof(struct vcpu_runstate_info));
        break;
    case VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA: {
        struct vcpu_register_runstate_memory_area r = {
            .addr = fuzz_ptr(f, P_PERSIST, sizeof(struct vcpu_runstate_info)),
        };
        c->arg[2] = fuzz_ptr(f, P_STRUCT, sizeof r);
        fuzz_put(f, c->arg[2], &r, sizeof r);
        break;
    }
    case VCPUOP_SET_SINGLESHOT_TIMER: {
        bool rel;
        struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = fuzz_when(f, &rel) };

        t.flags = fuzz_one_in(f, 4) ? fuzz_value32(f) : (uint32_t)fuzz_below(f, 2);
        t.pad = fuzz_one_in(f, 8) ? fuzz_value32(f) : 0;
        c->arg[2] = fuzz_ptr(f, P_IO, sizeof t);
        fuzz_put(f, c->arg[2], &t, sizeof t);
        if (rel)
            fuzz_put_now(f, c->arg[2]);
        break;
    }
    case VCPUOP_REGISTER_VCPU_INFO: {
        struct vcpu_register_vcpu_info r = {
            .mfn = fuzz_gfn(f, G_PERSIST),
            .offset = fuzz_one_in(f, 4) ? fuzz_value32(f) : PICK(f, offsets),
            .rsvd = fuzz_one_in(f, 8) ? fuzz_value32(f) : 0,
        };
        c->arg[2] = fuzz_ptr(f, P_STRUCT, sizeof r);
        fuzz_put(f, c->arg[2], &r, sizeof r);
        break;
    }
    default:
        c->arg[2] = fuzz_ptr(f, P_READ, 32);
        fuzz_put_random(f, c->arg[2], 32);
        break;
    }
}

/* ---- sched_op -------------------------------------------------------------- */

/*
 * Never a shutdown with a valid reason, never a block that could sleep (the
 * caller sets its own upcall-pending flag first, so SCHEDOP_block returns at
 * once), never a poll that could sleep for long (a timeout at most 200 us
 * away, unless the call is invalid anyway).
 */
static void gen_sched_op(struct fuzz *f)
{
    static const uint64_t cmds[] = {
        SCHEDOP_YIELD, SCHEDOP_YIELD, SCHEDOP_YIELD, SCHEDOP_YIELD, SCHEDOP_BLOCK,
        SCHEDOP_SHUTDOWN, SCHEDOP_SHUTDOWN, SCHEDOP_POLL, SCHEDOP_POLL, SCHEDOP_POLL,
        SCHEDOP_SHUTDOWN_CODE, SCHEDOP_SHUTDOWN_CODE, 4,
    };
    static const uint32_t bad_reasons[] = { 5, 6, 255, 0x7fffffff, 0xffffffff };
    static const uint32_t nr_ports[] = { 0, 1, 1, 2, 3, 8, 63, 64, 128, 129, 0xffffffff };
    struct fuzz_call *c = &f->call;
    uint64_t cmd = PICK(f, cmds);

    if (fuzz_one_in(f, 16))
        cmd = fuzz_value(f) | 0x100;     /* unknown, whatever its low bits */
    c->arg[0] = cmd;
    switch (cmd) {
    case SCHEDOP_BLOCK:
        c->pend_first = true;
        c->arg[1] = fuzz_value(f);
        break;
    case SCHEDOP_SHUTDOWN: {
        struct sched_shutdown s = { .reason = PICK(f, bad_reasons) };

        c->arg[1] = fuzz_ptr(f, P_STRUCT, sizeof s);
        fuzz_put(f, c->arg[1], &s, sizeof s);
        break;
    }
    case SCHEDOP_POLL: {
        struct sched_poll p = {
            .nr_ports = fuzz_one_in(f, 8) ? fuzz_value32(f) : PICK(f, nr_ports),
            .pad = fuzz_one_in(f, 8) ? fuzz_value32(f) : 0,
        };
        uint32_t ports[8];
        uint32_t n = p.nr_ports < 8 ? p.nr_ports : 8;
        bool rel = true;

        for (uint32_t i = 0; i < n; i++)
            ports[i] = fuzz_port(f);
        p.ports = fuzz_ptr(f, P_READ, n * (uint32_t)sizeof ports[0]);
        fuzz_put(f, p.ports, ports, n * sizeof ports[0]);
        if (p.nr_ports > SCHED_POLL_MAX_PORTS)
            p.timeout = fuzz_when(f, &rel);
        else if (fuzz_one_in(f, 4))
            p.timeout = -(uint64_t)fuzz_below(f, NS_PER_MS);    /* already passed */
        else if (p.nr_ports == 0 && fuzz_one_in(f, 3))
            rel = false, p.timeout = 0;                         /* -EINVAL */
        else
            p.timeout = fuzz_below(f, NS_PER_MS / 5);
        c->arg[1] = fuzz_ptr(f, P_STRUCT, sizeof p);
        fuzz_put(f, c->arg[1], &p, sizeof p);
        if (rel)
            fuzz_put_now(f, c->arg[1] + offsetof(struct sched_poll, timeout));
        break;
    }
    case SCHEDOP_SHUTDOWN_CODE: {
        uint32_t reason = fuzz_value32(f);

        c->arg[1] = fuzz_ptr(f, P_IO, sizeof reason);
        fuzz_put(f, c->arg[1], &reason, sizeof reason);
        break;
    }
    default:
        c->arg[1] = fuzz_ptr(f, P_READ, 24);
        break;
    }
}

/* ---- event_channel_op, hvm_op, control, unknown ------------------------------ */

static void gen_event_channel_op(struct fuzz *f)
{
    static const uint64_t cmds[] = {
        EVTCHNOP_BIND_INTERDOMAIN, EVTCHNOP_BIND_INTERDOMAIN, EVTCHNOP_BIND_VIRQ,
        EVTCHNOP_BIND_VIRQ, EVTCHNOP_CLOSE, EVTCHNOP_CLOSE, EVTCHNOP_SEND, EVTCHNOP_SEND,
        EVTCHNOP_SEND, EVTCHNOP_STATUS, EVTCHNOP_STATUS, EVTCHNOP_ALLOC_UNBOUND,
        EVTCHNOP_ALLOC_UNBOUND, EVTCHNOP_ALLOC_UNBOUND, EVTCHNOP_BIND_IPI, EVTCHNOP_BIND_IPI,
        EVTCHNOP_BIND_VCPU, EVTCHNOP_BIND_VCPU, EVTCHNOP_UNMASK, EVTCHNOP_UNMASK,
        EVTCHNOP_RESET, EVTCHNOP_INIT_CONTROL, EVTCHNOP_EXPAND_ARRAY, EVTCHNOP_SET_PRIORITY,
    };
    static const uint32_t virqs[] = { VIRQ_TIMER, VIRQ_TIMER, VIRQ_CONSOLE, 1, 3, 23, 24 };
    struct fuzz_call *c = &f->call;
    uint64_t cmd = fuzz_one_in(f, 16) ? fuzz_value(f) : PICK(f, cmds);
    uint32_t w[6] = { 0 };

    /* Seldom a reset, so that the port table fills now and then (-ENOSPC). */
    if (cmd == EVTCHNOP_RESET && !fuzz_one_in(f, 8))
        cmd = EVTCHNOP_STATUS;
    /* Every argument structure is at most 24 bytes of 16- and 32-bit fields. */
    switch (cmd) {
    case EVTCHNOP_BIND_INTERDOMAIN:
        w[0] = fuzz_domid(f) | (fuzz_one_in(f, 8) ? (uint32_t)fuzz_value16(f) << 16 : 0);
        w[1] = fuzz_port(f);
        w[2] = fuzz_value32(f);
        break;
    case EVTCHNOP_BIND_VIRQ:
        w[0] = fuzz_one_in(f, 8) ? fuzz_value32(f) : PICK(f, virqs);
        w[1] = fuzz_vcpu(f);
        w[2] = fuzz_value32(f);
        break;
    case EVTCHNOP_STATUS:
        w[0] = fuzz_domid(f) | (fuzz_one_in(f, 8) ? (uint32_t)fuzz_value16(f) << 16 : 0);
        w[1] = fuzz_port(f);
        for (unsigned int i = 2; i < 6; i++)
            w[i] = fuzz_value32(f);
        break;
    case EVTCHNOP_ALLOC_UNBOUND:
        w[0] = fuzz_domid(f) | (uint32_t)fuzz_domid(f) << 16;
        w[1] = fuzz_value32(f);
        break;
    case EVTCHNOP_BIND_IPI:
        w[0] = fuzz_vcpu(f);
        w[1] = fuzz_value32(f);
        break;
    case EVTCHNOP_BIND_VCPU:
        w[0] = fuzz_port(f);
        w[1] = fuzz_vcpu(f);
        break;
    case EVTCHNOP_RESET:
        w[0] = fuzz_domid(f);
        break;
    default:
        w[0] = fuzz_port(f);
        w[1] = fuzz_value32(f);
        break;
    }
    c->arg[0] = cmd;
    c->arg[1] = fuzz_ptr(f, P_IO, sizeof w);
    fuzz_put(f, c->arg[1], w, sizeof w);
}

static void gen_hvm_op(struct fuzz *f)
{
    static const uint32_t indices[] = {
        HVM_PARAM_CALLBACK_IRQ, HVM_PARAM_CALLBACK_IRQ, HVM_PARAM_CALLBACK_IRQ,
        HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_PFN,
        HVM_PARAM_CONSOLE_EVTCHN, 3, 16, 19, 255, 0xffffffff,
    };
    static const uint64_t vectors[] = { 0, 1, 15, 16, 0x20, 0xf3, 0xff, 0x100, 0x1ff };
    struct fuzz_call *c = &f->call;
    struct xen_hvm_param p = {
        .domid = fuzz_domid(f),
        .pad = fuzz_one_in(f, 8) ? fuzz_value16(f) : 0,
        .index = fuzz_one_in(f, 8) ? fuzz_value32(f) : PICK(f, indices),
    };

    switch (fuzz_below(f, 4)) {
    case 0:
        p.value = 0;
        break;
    case 1:
        p.value = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << HVM_PARAM_CALLBACK_TYPE_SHIFT |
                  PICK(f, vectors);
        break;
    case 2:
        p.value = fuzz_below(f, 4) << HVM_PARAM_CALLBACK_TYPE_SHIFT | PICK(f, vectors) |
                  (fuzz_one_in(f, 2) ? 1ull << (8 + fuzz_below(f, 48)) : 0);
        break;
    default:
        p.value = fuzz_value(f);
        break;
    }
    c->arg[0] = fuzz_one_in(f, 8) ? fuzz_value(f) : fuzz_below(f, 2);
    c->arg[1] = fuzz_ptr(f, P_IO, sizeof p);
    fuzz_put(f, c->arg[1], &p, sizeof p);
}

/* dom0's control calls: from a domU every one is -EPERM before arg is read. */
static void gen_control(struct fuzz *f, uint64_t nr)
{
    struct fuzz_call *c = &f->call;
    uint32_t head[4] = {
        fuzz_one_in(f, 4) ? fuzz_value32(f) : (uint32_t)fuzz_below(f, 40),
        fuzz_one_in(f, 2) ? (nr == HYPERCALL_SYSCTL ? MICA_SYSCTL_INTERFACE_VERSION
                                               : MICA_DOMCTL_INTERFACE_VERSION)
                     : fuzz_value32(f),
        fuzz_domid(f),
        fuzz_one_in(f, 2) ? 0 : fuzz_value32(f),
    };

    c->arg[0] = fuzz_ptr(f, P_IO, sizeof(struct mica_domctl));
    fuzz_put_random(f, c->arg[0], sizeof(struct mica_domctl));
    fuzz_put(f, c->arg[0], head, sizeof head);
}

static void gen_unknown(struct fuzz *f)
{
    static const uint64_t numbers[] = {
        0, 1, 2, 11, 13, 14, 16, 19, 21, 22, 23, 25, 26, 27, 28, 30, 31, 37, 38, 39, 40, 48,
        55, 63, HYPERCALL_COUNT, HYPERCALL_COUNT + 1, 127, 128, 255, 256, 0xffffffff,
        0x100000000 | HYPERCALL_XEN_VERSION, 0x100000000 | HYPERCALL_MEMORY_OP,
        0x8000000000000000 | HYPERCALL_XEN_VERSION, ~0ull,
    };
    struct fuzz_call *c = &f->call;

    c->nr = fuzz_one_in(f, 8) ? fuzz_value(f) | HYPERCALL_COUNT : PICK(f, numbers);
    for (unsigned int i = 0; i < FUZZ_ARGS; i++)
        c->arg[i] = fuzz_value(f);
}

/* ---- our grant entries and the dispatch ----------------------------------- */

/* Rewrite one of our first FUZZ_REFS grant entries: frame and domid, then flags. */
static void touch_grant(struct fuzz *f)
{
    static const uint16_t flags[] = { GTF_permit_access, GTF_permit_access, GTF_permit_access,
                                      GTF_permit_access | GTF_readonly,
                                      GTF_permit_access | GTF_readonly, GTF_invalid, 2, 3 };
    struct grant_entry_v1 *e = &f->grants[fuzz_below(f, FUZZ_REFS)];
    struct grant_entry_v1 v = {
        .frame = (uint32_t)(fuzz_one_in(f, 2) ? fuzz_top_gfn(f) : fuzz_gfn(f, G_GRANT)),
        .domid = fuzz_one_in(f, 4) ? fuzz_domid(f) : (uint16_t)fuzz_below(f, 6),
        .flags = fuzz_one_in(f, 8) ? fuzz_value16(f) : PICK(f, flags),
    };

    fuzz_hash(f, &v, sizeof v);
    WRITE_ONCE(e->frame, v.frame);
    WRITE_ONCE(e->domid, v.domid);
    __atomic_store_n(&e->flags, v.flags, __ATOMIC_RELEASE);
}

const char *const fuzz_group_names[FUZZ_GROUPS] = {
    "memory_op", "set_timer_op", "xen_version", "console_io", "grant_table_op", "vcpu_op",
    "sched_op", "event_channel_op", "hvm_op", "sysctl/domctl", "unknown",
};

static const struct {
    uint64_t nr;
    unsigned int weight;
    void (*gen)(struct fuzz *f);
} calls[] = {
    { HYPERCALL_MEMORY_OP, 10, gen_memory_op },
    { HYPERCALL_SET_TIMER_OP, 3, gen_set_timer_op },
    { HYPERCALL_XEN_VERSION, 5, gen_xen_version },
    { HYPERCALL_CONSOLE_IO, 4, gen_console_io },
    { HYPERCALL_GRANT_TABLE_OP, 14, gen_grant_table_op },
    { HYPERCALL_VCPU_OP, 12, gen_vcpu_op },
    { HYPERCALL_SCHED_OP, 8, gen_sched_op },
    { HYPERCALL_EVENT_CHANNEL_OP, 14, gen_event_channel_op },
    { HYPERCALL_HVM_OP, 6, gen_hvm_op },
    { HYPERCALL_SYSCTL, 1, NULL },
    { HYPERCALL_DOMCTL, 1, NULL },
    { ~0ull, 4, gen_unknown },
};

/* calls[] lists the groups in fuzz_group_names order, then domctl and the unknown. */
unsigned int fuzz_group(uint64_t nr)
{
    for (unsigned int i = 0; i < FUZZ_GROUPS - 1; i++)
        if (calls[i].nr == nr)
            return i;
    return nr == HYPERCALL_DOMCTL ? FUZZ_GROUPS - 2 : FUZZ_GROUPS - 1;
}

void fuzz_generate(struct fuzz *f)
{
    unsigned int total = 0, r;
    size_t i;

    f->call = (struct fuzz_call){ .lo = FUZZ_SCRATCH_BYTES };
    if (fuzz_one_in(f, 8))
        touch_grant(f);
    for (i = 0; i < ARRAY_LEN(calls); i++)
        total += calls[i].weight;
    r = (unsigned int)fuzz_below(f, total);
    for (i = 0; r >= calls[i].weight; i++)
        r -= calls[i].weight;
    f->call.nr = calls[i].nr;
    for (unsigned int a = 0; a < FUZZ_ARGS; a++)
        f->call.arg[a] = fuzz_value(f);      /* what the handler should ignore */
    if (calls[i].gen)
        calls[i].gen(f);
    else
        gen_control(f, calls[i].nr);
    f->call.direct = f->call.nr >= HYPERCALL_PAGE_STUBS || fuzz_one_in(f, 2);
}
