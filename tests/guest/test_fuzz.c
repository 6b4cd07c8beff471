/*
 * test=fuzz seed=S calls=N [trace=K]: a seeded hypercall fuzzer. It issues
 * N hypercalls generated from a splitmix64 stream seeded with S (decimal or
 * 0x hex; test_fuzz_calls.c, test_fuzz_args.c), prints a progress line
 * every 10,000 calls and ends with
 *
 *     fuzz: results ok A undocumented B
 *     fuzz: errno EPERM n ENOENT n ESRCH n ENOMEM n EACCES n EFAULT n
 *     fuzz: errno EEXIST n EINVAL n ENOSPC n ENOSYS n ETIME n EOPNOTSUPP n
 *     fuzz: mix <calls per hypercall>
 *     fuzz: done seed S calls N in T ms (R calls/s) digest 0xD
 *
 * `undocumented` counts results that are neither >= 0 nor one of the
 * errors docs/abi.md lists (each of the first few is printed). The digest
 * covers every call as generated (number, registers, argument bytes,
 * timeouts as offsets from now): with the same kernel image (addresses are
 * part of the calls) the same seed gives the same digest at every progress
 * line and at the end, in whichever domain it runs. trace=K prints each
 * call from the K-th on, before it is made and with its result, to find
 * the call that broke something when a seed is replayed.
 *
 * Memory the calls name (guest-physical = guest-linear, identity mapped):
 *  - the scratch area (8 pages of our .bss) holds the argument structures,
 *    written just before each call; the page after it is emptied at setup
 *    (its RAM given up through add_to_physmap), so a structure running off
 *    the end meets nothing;
 *  - low RAM (below the start-info page, and 0xA2000-0xFEFFF) and the top
 *    64 pages of RAM, which this kernel never uses: written, replaced by
 *    add_to_physmap (seldom the top ones) and granted to other domains;
 *  - the 16 pages just past our RAM (always empty) and the 16 after them,
 *    the map zone, where grants of other domains get mapped;
 *  - our shared-info page and grant-table frames, far GFNs up to 2^36, and
 *    pointers past 4 GiB (not in our page tables), non-canonical or wrapping.
 *
 * What it leaves out, so that it runs to the end (each would stop or hang
 * this domain legitimately):
 *  - SCHEDOP_shutdown with a valid reason; SCHEDOP_block unless an event is
 *    already pending (we set our own evtchn_upcall_pending first, so it
 *    returns at once); SCHEDOP_poll that could sleep more than 200 us;
 *  - VCPUOP_down of vCPU 0 (nothing would bring it back) and VCPUOP_up of
 *    vCPUs 2 and up, whose start state is whatever random context was
 *    accepted; vCPU 1 is parked (it takes itself down whenever brought up);
 *  - writes, grants, mappings and physmap changes aimed at our kernel, its
 *    page tables and stacks, the start-info page and the console ring;
 *  - after a successful add_to_physmap that moves our shared-info page or a
 *    grant-table frame, it is put back at once (not counted as a call).
 * It runs with interrupts off, so a callback vector it sets never fires.
 * Meant for domUs: as dom0 it would also reset other domains' channels.
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/console_io.h>
#include <public/errno.h>
#include <public/hvm_op.h>
#include <public/memory_op.h>
#include <public/vcpu_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "shared_info.h"
#include "smp.h"
#include "test_fuzz.h"
#include "tests.h"
#include "timer.h"

#define DEFAULT_CALLS   10000u
#define PROGRESS_EVERY  10000u
#define PARK_YIELDS     100000u
#define REPORT_FIRST    5           /* undocumented results printed in full */
/* A traced call every 10 ms keeps under the console's 16 KiB/s per domain. */
#define TRACE_GAP_NS    10000000ull
#define MSR_EFER        0xC0000080u
#define FNV_OFFSET      0xcbf29ce484222325ull
#define FNV_PRIME       0x100000001b3ull

extern char __image_start[], __image_end[];     /* guest.ld */

static uint8_t stage[FUZZ_SCRATCH_BYTES];
static uint8_t arena[FUZZ_SCRATCH_PAGES + 1][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct fuzz fuzz;
static volatile bool parked;

static const struct {
    long err;
    const char *name;
} errnos[] = {
    { XEN_EPERM, "EPERM" }, { XEN_ENOENT, "ENOENT" }, { XEN_ESRCH, "ESRCH" },
    { XEN_ENOMEM, "ENOMEM" }, { XEN_EACCES, "EACCES" }, { XEN_EFAULT, "EFAULT" },
    { XEN_EEXIST, "EEXIST" }, { XEN_EINVAL, "EINVAL" }, { XEN_ENOSPC, "ENOSPC" },
    { XEN_ENOSYS, "ENOSYS" }, { XEN_ETIME, "ETIME" },
    { XEN_EOPNOTSUPP, "EOPNOTSUPP" },   /* EVTCHNOP_expand_array before init_control */
};
#define NR_ERRNOS (sizeof errnos / sizeof errnos[0])

static struct {
    bool mid_line;              /* a console_io write of ours left a line open */
    uint64_t ok, undocumented, restores;
    uint64_t err[NR_ERRNOS];
    uint64_t group[FUZZ_GROUPS];
} tally;

/* splitmix64 (Steele, Lea, Flood): every seed, 0 included, gives a full-period stream. */
uint64_t fuzz_next(struct fuzz *f)
{
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t fuzz_below(struct fuzz *f, uint64_t n)
{
    return fuzz_next(f) % n;
}

void fuzz_hash(struct fuzz *f, const void *p, uint64_t len)
{
    const uint8_t *b = p;

    for (uint64_t i = 0; i < len; i++)
        f->digest = (f->digest ^ b[i]) * FNV_PRIME;
}

/* ---- setup ------------------------------------------------------------------ */

bool fuzz_parse_u64(const char *s, uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned int d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned int)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (unsigned int)((*s | 0x20) - 'a' + 10);
        else
            return false;
        if (d >= base || v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

uint64_t fuzz_ram_end(const struct hvm_start_info *si)
{
    const struct hvm_memmap_table_entry *map =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    uint64_t end = 0;

    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (map[i].type == HVM_MEMMAP_TYPE_RAM && map[i].addr + map[i].size > end)
            end = map[i].addr + map[i].size;
    return end;
}

static long place(uint32_t space, uint64_t idx, uint64_t gfn)
{
    struct xen_add_to_physmap m = { .domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gfn };

    return hyp_memory_op(XENMEM_ADD_TO_PHYSMAP, (unsigned long)&m);
}

/* vCPU 1's work: go down, and again each time the fuzzer brings it up. */
static void park(void)
{
    WRITE_ONCE(parked, true);
    for (;;)
        hyp_vcpu_op(VCPUOP_DOWN, this_cpu()->id, 0);
}

static bool park_vcpu1(void)
{
    long rc;

    if (smp_vcpu_count() < 2)
        return true;            /* vcpu_op on vCPU 1 then just fails */
    rc = smp_bring_up(1);
    if (rc < 0) {
        printk("FAIL: fuzz/setup bringing up vCPU 1: %ld\n", rc);
        return false;
    }
    smp_run(1, park);
    for (unsigned int i = 0; i < PARK_YIELDS; i++) {
        if (READ_ONCE(parked) && hyp_vcpu_op(VCPUOP_IS_UP, 1, 0) == 0)
            return true;
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    printk("FAIL: fuzz/setup vCPU 1 did not park\n");
    return false;
}

static void context_templates(struct fuzz *f)
{
    f->ctx_template[0] = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_64B };
    f->ctx_template[0].cpu_regs.x86_64 = (struct vcpu_hvm_x86_64){
        .rip = (uintptr_t)park, .rsp = f->mem.scratch + PAGE_SIZE, .rflags = 2,
        .cr0 = read_cr0(), .cr3 = read_cr3(), .cr4 = read_cr4(), .efer = rdmsr(MSR_EFER),
    };
    f->ctx_template[1] = (struct vcpu_hvm_context){ .mode = VCPU_HVM_MODE_32B };
    f->ctx_template[1].cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eip = 0x100000, .esp = 0x9e000, .eflags = 2, .cr0 = 0x11,     /* PE | ET */
        .cs_limit = 0xffffffff, .ds_limit = 0xffffffff, .ss_limit = 0xffffffff,
        .es_limit = 0xffffffff, .tr_limit = 0x67,
        .cs_ar = 0xc9b, .ds_ar = 0xc93, .ss_ar = 0xc93, .es_ar = 0xc93, .tr_ar = 0x8b,
    };
}

static bool setup(struct fuzz *f, const struct guest_env *env)
{
    struct fuzz_layout *m = &f->mem;
    uint64_t frames[GRANT_MAX_FRAMES] = { 0 };
    struct gnttab_setup_table st = {
        .dom = DOMID_SELF, .nr_frames = GRANT_MAX_FRAMES, .frame_list = (uintptr_t)frames,
    };
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CONSOLE_EVTCHN };
    uint64_t guard = (uintptr_t)arena[FUZZ_SCRATCH_PAGES] / PAGE_SIZE;

    m->ram_end = fuzz_ram_end(env->si);
    m->image_start = (uintptr_t)__image_start;
    m->image_end = (uintptr_t)__image_end;
    m->scratch = (uintptr_t)arena;
    m->shinfo_gfn = (uintptr_t)shared_info / PAGE_SIZE;
    m->timer_port = timer_port();
    /* The top of RAM must be free, and what lies past it below 3 GiB. */
    if (m->ram_end < m->image_end + (FUZZ_TOP_PAGES + 1) * PAGE_SIZE || m->ram_end > 0xc0000000ull) {
        printk("FAIL: fuzz/setup RAM ends at 0x%lx, kernel at 0x%lx\n",
               (unsigned long)m->ram_end, (unsigned long)m->image_end);
        return false;
    }
    if (hyp_hvm_op(HVMOP_GET_PARAM, (unsigned long)&p) == 0)
        m->console_port = (uint32_t)p.value;
    if (!grant_init(GRANT_MAX_FRAMES) ||
        hyp_grant_table_op(GNTTABOP_setup_table, (unsigned long)&st, 1) != 0 ||
        st.status != GNTST_okay) {
        printk("FAIL: fuzz/setup grant table (status %d)\n", st.status);
        return false;
    }
    for (unsigned int i = 0; i < GRANT_MAX_FRAMES; i++)
        m->grant_gfn[i] = frames[i];
    f->grants = (struct grant_entry_v1 *)(uintptr_t)(frames[0] * PAGE_SIZE);
    context_templates(f);
    if (!park_vcpu1())
        return false;
    /* Give up the guard page's RAM: shared info there, then back home. */
    if (place(XENMAPSPACE_SHARED_INFO, 0, guard) || place(XENMAPSPACE_SHARED_INFO, 0, m->shinfo_gfn)) {
        printk("FAIL: fuzz/setup cannot empty the guard page\n");
        return false;
    }
    return true;
}

/* ---- one call ---------------------------------------------------------------- */

/* The call as generated: offsets from now not yet added (arg_now bit i: arg[i]
 * is one), and which bytes of the scratch area it wrote. */
static void trace_call(uint32_t i, const struct fuzz_call *c)
{
    printk("fuzz: #%u nr %lu args 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx%s now 0x%x", i,
           (unsigned long)c->nr, (unsigned long)c->arg[0], (unsigned long)c->arg[1],
           (unsigned long)c->arg[2], (unsigned long)c->arg[3], (unsigned long)c->arg[4],
           c->direct ? " vmcall" : "", c->arg_now);
    if (c->hi > c->lo)
        printk(" wrote 0x%lx-0x%lx\n", (unsigned long)(fuzz.mem.scratch + c->lo),
               (unsigned long)(fuzz.mem.scratch + c->hi));
    else
        printk("\n");
}

static long issue(struct fuzz *f)
{
    struct fuzz_call *c = &f->call;
    uint64_t now = clock_now_ns(), a[FUZZ_ARGS];

    for (unsigned int i = 0; i < FUZZ_ARGS; i++)
        a[i] = c->arg[i] + ((c->arg_now >> i & 1) ? now : 0);
    for (unsigned int i = 0; i < c->nnow; i++) {
        uint64_t t;

        memcpy(&t, f->stage + c->now_at[i], sizeof t);
        t += now;
        memcpy(f->stage + c->now_at[i], &t, sizeof t);
    }
    if (c->hi > c->lo)
        memcpy(arena[0] + c->lo, f->stage + c->lo, c->hi - c->lo);
    if (c->pend_first)
        WRITE_ONCE(this_vcpu_info()->evtchn_upcall_pending, 1);
    if (c->direct)
        return hypercall5_direct(c->nr, a[0], a[1], a[2], a[3], a[4]);
    return hypercall5_page(c->nr, a[0], a[1], a[2], a[3], a[4]);
}

/* Our own lines start on a line of their own, after the bytes a call printed. */
static void fresh_line(void)
{
    if (tally.mid_line)
        printk("\n");
    tally.mid_line = false;
}

static void count_result(uint32_t i, const struct fuzz_call *c, long rc)
{
    tally.group[fuzz_group(c->nr)]++;
    if (c->nr == HYPERCALL_CONSOLE_IO && c->arg[0] == CONSOLEIO_WRITE && rc > 0)
        tally.mid_line = true;
    if (rc >= 0) {
        tally.ok++;
        return;
    }
    for (unsigned int e = 0; e < NR_ERRNOS; e++) {
        if (rc == -errnos[e].err) {
            tally.err[e]++;
            return;
        }
    }
    if (tally.undocumented++ < REPORT_FIRST) {
        fresh_line();
        printk("fuzz: call #%u (nr %lu cmd 0x%lx) returned %ld, not a documented error\n", i,
               (unsigned long)c->nr, (unsigned long)c->arg[0], rc);
    }
}

/*
 * A successful add_to_physmap moved our shared-info page or a grant-table
 * frame away from where this kernel uses it: put it back. Its argument was
 * read from the scratch area (nothing else can be read for P_STRUCT), so
 * stage holds it. False if that fails: the domain's own state is gone.
 */
static bool put_back(struct fuzz *f, long rc)
{
    const struct fuzz_call *c = &f->call;
    struct xen_add_to_physmap m;
    uint64_t off = c->arg[1] - f->mem.scratch, home;

    if (rc != 0 || c->nr != HYPERCALL_MEMORY_OP || c->arg[0] != XENMEM_ADD_TO_PHYSMAP)
        return true;
    if (c->arg[1] < f->mem.scratch || off + sizeof m > FUZZ_SCRATCH_BYTES) {
        printk("FAIL: fuzz/add-to-physmap succeeded reading 0x%lx, outside the scratch area\n",
               (unsigned long)c->arg[1]);
        return false;
    }
    memcpy(&m, f->stage + off, sizeof m);
    if (m.space == XENMAPSPACE_SHARED_INFO && m.idx == 0) {
        home = f->mem.shinfo_gfn;
    } else if (m.space == XENMAPSPACE_GRANT_TABLE && m.idx < GRANT_MAX_FRAMES) {
        home = f->mem.grant_gfn[m.idx];
    } else {
        printk("FAIL: fuzz/add-to-physmap accepted space %u idx 0x%lx\n", m.space,
               (unsigned long)m.idx);
        return false;
    }
    if (m.gpfn == home)
        return true;
    tally.restores++;
    rc = place(m.space, m.idx, home);
    if (rc) {
        printk("FAIL: fuzz/put-back space %u idx %lu at gfn 0x%lx: %ld\n", m.space,
               (unsigned long)m.idx, (unsigned long)home, rc);
        return false;
    }
    return true;
}

/* ---- the run ------------------------------------------------------------------ */

static void report(uint64_t seed, uint32_t done, uint64_t ns)
{
    uint64_t ms = ns / 1000000, rate = ns ? (uint64_t)done * 1000000000ull / ns : 0;

    fresh_line();
    printk("fuzz: results ok %lu undocumented %lu (and %lu put back)\n",
           (unsigned long)tally.ok, (unsigned long)tally.undocumented,
           (unsigned long)tally.restores);
    for (unsigned int half = 0; half < 2; half++) {
        printk("fuzz: errno");
        for (unsigned int e = half * 6; e < NR_ERRNOS && e < half * 6 + 6; e++)
            printk(" %s %lu", errnos[e].name, (unsigned long)tally.err[e]);
        printk("\n");
    }
    for (unsigned int half = 0; half < 2; half++) {
        printk("fuzz: mix");
        for (unsigned int g = half * 6; g < FUZZ_GROUPS && g < half * 6 + 6; g++)
            printk(" %s %lu", fuzz_group_names[g], (unsigned long)tally.group[g]);
        printk("\n");
    }
    printk("fuzz: done seed %lu calls %u in %lu ms (%lu calls/s) digest 0x%lx\n",
           (unsigned long)seed, done, (unsigned long)ms, (unsigned long)rate,
           (unsigned long)fuzz.digest);
}

void test_fuzz(const struct guest_env *env)
{
    struct fuzz *f = &fuzz;
    char text[24];
    uint64_t seed = 0, t0;
    uint32_t calls = DEFAULT_CALLS, trace = UINT32_MAX, i;

    if (cmdline_get(env->cmdline, "seed", text, sizeof text) && !fuzz_parse_u64(text, &seed)) {
        printk("FAIL: fuzz/setup seed=%s is not a number\n", text);
        return;
    }
    cmdline_get_uint(env->cmdline, "calls", &calls);
    cmdline_get_uint(env->cmdline, "trace", &trace);
    printk("fuzz: seed %lu calls %u\n", (unsigned long)seed, calls);
    *f = (struct fuzz){ .rng = seed, .digest = FNV_OFFSET, .stage = stage };
    if (!setup(f, env))
        return;

    t0 = clock_now_ns();
    for (i = 0; i < calls; i++) {
        struct fuzz_call *c = &f->call;
        long rc;

        fuzz_generate(f);
        fuzz_hash(f, &c->nr, sizeof c->nr);
        fuzz_hash(f, c->arg, sizeof c->arg);
        fuzz_hash(f, &c->direct, sizeof c->direct);
        fuzz_hash(f, &c->pend_first, sizeof c->pend_first);
        if (i >= trace) {
            fresh_line();
            trace_call(i, c);
        }
        rc = issue(f);
        count_result(i, c, rc);
        if (i >= trace) {
            uint64_t until = clock_now_ns() + TRACE_GAP_NS;

            fresh_line();
            printk("fuzz: #%u -> %ld\n", i, rc);
            while (clock_now_ns() < until)
                cpu_relax();
        }
        if (!put_back(f, rc))
            break;
        if ((i + 1) % PROGRESS_EVERY == 0) {
            fresh_line();
            printk("fuzz: %u calls, %lu ms, digest 0x%lx\n", i + 1,
                   (unsigned long)((clock_now_ns() - t0) / 1000000), (unsigned long)f->digest);
        }
    }
    report(seed, i, clock_now_ns() - t0);
}
