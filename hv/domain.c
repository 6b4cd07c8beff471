/*
 * Domain lifecycle: building from a boot description, shutdown, crash,
 * destruction (every frame returned) and the end-of-run summary.
 */
#include "hv/domain.h"
#include "hv/domain_build.h"
#include "hv/sched.h"
#include "hv/arch.h"
#include "hv/boot_modules.h"
#include "hv/console_focus.h"
#include "hv/event.h"
#include "hv/time.h"
#include "hv/frame.h"
#include "hv/identity_ram.h"
#include "hv/pci.h"
#include "hv/pirq.h"
#include "hv/physmap.h"
#include "hv/policy.h"
#include "hv/printk.h"
#include "hv/pvh_image.h"
#include "hv/start_info.h"
#include "hv/string.h"
#include "hv/trace.h"
#include "public/errno.h"
#include "public/event_channel.h"
#include "public/sched_op.h"
#include "public/shared_info.h"

#define MAX_REFUSED 16

/* Records live in static slots: they outlive destruction (for the summary) and
 * need no frames, so every frame a domain used is back when it is destroyed. */
static struct domain domain_slots[MAX_DOMAINS];
static struct vcpu vcpu_slots[MAX_DOMAINS][MAX_VCPUS_PER_DOMAIN];
static struct domain *domains[MAX_DOMAINS];
static struct { char name[BOOTCFG_NAME_MAX]; char why[96]; } refused[MAX_REFUSED];
static unsigned nrefused;

struct domain *domain_by_id(uint32_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

uint32_t domain_count(void)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        n += domains[i] != NULL;
    return n;
}

void domain_note_refused(const char *name, const char *why)
{
    printk("domain '%s' refused: %s\n", name, why);
    if (nrefused < MAX_REFUSED) {
        strlcpy(refused[nrefused].name, name, sizeof refused[nrefused].name);
        strlcpy(refused[nrefused].why, why, sizeof refused[nrefused].why);
        nrefused++;
    }
}

/*
 * dom0 is id 0. Every other domain takes the next free id after the last
 * one given, wrapping from MAX_DOMAINS - 1 to 1, as Xen's id rover does: an
 * id just released (and anything that still names it, such as an unbound
 * event channel offered to it) is reused as late as possible.
 */
int domain_allocate_id(bool privileged)
{
    static uint32_t last_given;

    if (privileged)
        return domains[0] ? -1 : 0;
    for (uint32_t n = 1; n < MAX_DOMAINS; n++) {
        uint32_t id = (last_given + n - 1) % (MAX_DOMAINS - 1) + 1;
        if (!domains[id]) {
            last_given = id;
            return (int)id;
        }
    }
    return -1;
}

bool domain_name_taken(const char *name)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++)
        if (domains[id] && !strncmp(domains[id]->name, name, sizeof domains[id]->name))
            return true;
    return false;
}

int domain_write_phys(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
    struct domain *d = ctx;
    while (len) {
        uint64_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        paddr_t hpa = arch_domain_gpa_to_hpa(d, gpa, true);
        if (!hpa)
            return -1;
        if (src) {
            memcpy(phys_to_virt(hpa), src, chunk);
            src = (const char *)src + chunk;
        } else {
            memset(phys_to_virt(hpa), 0, chunk);
        }
        gpa += chunk;
        len -= chunk;
    }
    return 0;
}

/* TSC ticks spent zeroing domain memory, reported apart from the rest. */
static uint64_t scrub_ticks;

uint64_t domain_scrub_ticks(void)
{
    return scrub_ticks;
}

bool domain_owner_asked_reboot(void)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++) {
        const struct domain *d = domains[id];
        if (d && domain_owns_devices(d) && d->state == DOMAIN_SHUTDOWN &&
            d->shutdown_reason == SHUTDOWN_REBOOT)
            return true;
    }
    return false;
}

void domain_scrub_frame(paddr_t frame)
{
    uint64_t t0 = arch_read_tsc();
    memset(phys_to_virt(frame), 0, PAGE_SIZE);
    scrub_ticks += arch_read_tsc() - t0;
}

/* A domU's memory map: [0, ram_bytes) with the reserved hole (hv/start_info.h). */
static int set_domu_memmap(struct domain *d)
{
    const char *why;
    int n = start_info_memmap(d->ram_bytes, d->memmap, &why);
    if (n < 0)
        return -1;      /* unreachable: the caller checked ram_bytes */
    d->memmap_entries = (uint32_t)n;
    d->start_info_gpa = START_INFO_GPA;
    d->ram_top = d->ram_bytes;
    return 0;
}

/* Inlined in populate_ram's loop: a call per page costs ~19 instructions
 * (bench domain_create_64m). */
static inline int populate_one(struct domain *d, gpaddr_t gpa)
{
    paddr_t frame = frame_alloc();
    if (!frame)
        return -1;
    domain_scrub_frame(frame);
    if (arch_domain_map_ram(d, gpa, frame)) {
        frame_free(frame);
        return -1;
    }
    d->frames_owned++;
    return 0;
}

int domain_populate_page(struct domain *d, gpaddr_t gpa)
{
    return populate_one(d, gpa);
}

/* Give a domU zeroed RAM at [0, ram_bytes); the frames become its own. */
static int populate_ram(struct domain *d)
{
    for (gpaddr_t gpa = 0; gpa < d->ram_bytes; gpa += PAGE_SIZE)
        if (populate_one(d, gpa))
            return -1;
    return 0;
}

/*
 * The domain's vCPU records, as in Xen: vCPU 0 runnable (its start state is
 * the PVH entry), the others down and without a start state until
 * VCPUOP_initialise gives them one.
 */
static void add_vcpus(struct domain *d, struct vcpu *slots, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct vcpu *v = &slots[i];
        memset(v, 0, sizeof *v);
        v->domain = d;
        v->id = i;
        v->state = i == 0 ? VCPU_RUNNABLE : VCPU_DOWN;
        sched_vcpu_init(&v->sched, &d->sched, (d->id + i) % sched_policy_ncpus());
        v->initialised = i == 0;
        vlapic_reset(v);
        d->vcpus[i] = v;
    }
    d->nvcpus = n;
}

struct domain *domain_new_record(uint32_t id, const char *name, bool privileged,
                                 uint64_t ram_bytes, uint32_t nvcpus)
{
    struct domain *d = &domain_slots[id];
    memset(d, 0, sizeof *d);
    d->id = id;
    strlcpy(d->name, name, sizeof d->name);
    d->privileged = privileged;
    d->state = DOMAIN_BUILDING;
    d->ram_bytes = ram_bytes;
    d->max_pages = ram_bytes >> PAGE_SHIFT;
    d->max_evtchn_port = EVTCHN_MAX_PORTS - 1;
    d->gnttab.max_frames = GRANT_MAX_FRAMES;
    d->gnttab.max_maptrack = GRANT_MAX_MAPTRACK;
    d->shutdown_code = ~0u;
    sched_domain_init(&d->sched);
    add_vcpus(d, vcpu_slots[id], nvcpus);
    domains[id] = d;
    return d;
}

void domain_forget(struct domain *d)
{
    if (d && domains[d->id] == d)
        domains[d->id] = NULL;
}

int domain_create_containers(struct domain *d)
{
    d->shared_info_frame = frame_alloc();
    if (!d->shared_info_frame || arch_domain_create(d))
        return -1;
    d->shared_info = phys_to_virt(d->shared_info_frame);
    memset(d->shared_info, 0, PAGE_SIZE);
    time_update_wallclock(d);
    /* A domU writes its console to a ring page; dom0 has the real console. */
    if (!d->privileged) {
        d->console_ring_gpa = CONSOLE_RING_GPA;
        d->console_port = evtchn_alloc_port(d);
        d->evtchn[d->console_port] = (struct evtchn){ .state = EVTCHN_CONSOLE, .vcpu = 0 };
        /* Its xenstore ring, zeroed with the rest of its RAM when populated.
         * dom0 has no general foreign map: as Xen's builder does, the
         * reserved grant entries give dom0 both ring pages. */
        d->store_ring_gpa = XENSTORE_RING_GPA;
        if (grant_reserve(d, GNTTAB_RESERVED_CONSOLE, 0, CONSOLE_RING_GPA >> PAGE_SHIFT) ||
            grant_reserve(d, GNTTAB_RESERVED_XENSTORE, 0, XENSTORE_RING_GPA >> PAGE_SHIFT))
            return -1;
    }
    return d->privileged ? 0 : set_domu_memmap(d);
}

/* Their arch state; the secondary vCPUs' VMCS is rewritten by VCPUOP_initialise. */
int domain_create_arch_vcpus(struct domain *d, uint32_t entry)
{
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (arch_vcpu_create(v, i == 0 ? entry : 0, i == 0 ? (uint32_t)d->start_info_gpa : 0))
            return -1;
        runstate_change(v, i == 0 ? RUNSTATE_RUNNABLE : RUNSTATE_OFFLINE);
    }
    return 0;
}

void domain_start(struct domain *d)
{
    d->state = DOMAIN_RUNNING;
    d->pause_count = 0;
    sched_vcpu_runnable(d->vcpus[0]);
}

/* weight=, cap= and cpus= from the boot configuration; -1 if refused. */
static int apply_sched_config(struct domain *d, const struct bootcfg_domain *cfg,
                              const char **why)
{
    if (sched_set_weight(&d->sched, cfg->weight) || sched_set_cap(&d->sched, cfg->cap)) {
        *why = "weight or cap out of range";
        return -1;
    }
    if (domain_set_affinity(d, cfg->cpu_mask)) {
        *why = "cpus= names no CPU that is online";
        return -1;
    }
    return 0;
}

int domain_set_affinity(struct domain *d, uint64_t cpu_mask)
{
    uint64_t mask = cpu_mask ? cpu_mask : ~0ull;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        uint32_t kick;
        if (sched_set_affinity(&d->vcpus[i]->sched, mask, &kick))
            return -1;
    }
    return 0;
}

static struct domain *build(const struct bootcfg_domain *cfg, const void *image,
                            uint64_t image_size, const char **why)
{
    static char too_many[64];
    struct pvh_image img;
    uint64_t ram = (uint64_t)cfg->memory_mib << 20;
    char start_page[PAGE_SIZE];

    if (cfg->vcpus > MAX_VCPUS_PER_DOMAIN) {
        snprintf(too_many, sizeof too_many, "vcpus=%u, but a domain has at most %u",
                 cfg->vcpus, MAX_VCPUS_PER_DOMAIN);
        *why = too_many;
        return NULL;
    }
    if (pvh_image_parse(image, image_size, ram, &img, why))
        return NULL;
    memset(start_page, 0, sizeof start_page);
    if (start_info_build(start_page, ram, cfg->cmdline, cfg->privileged, why))
        return NULL;
    int id = domain_allocate_id(cfg->privileged);
    if (id < 0) {
        *why = cfg->privileged ? "only one privileged domain (dom0) is supported"
                               : "too many domains";
        return NULL;
    }

    struct domain *d = domain_new_record((uint32_t)id, cfg->name, cfg->privileged, ram,
                                         cfg->vcpus ? cfg->vcpus : 1);
    policy_init(d, &cfg->deny);
    d->unbacked_crash = cfg->unbacked_crash != 0;
    d->evtchn_2l_only = cfg->evtchn_2l != 0;
    if (cfg->trace_hypercalls) {
        d->trace_hypercalls = true;
        trace_enable_hypercalls();
    }
    if (apply_sched_config(d, cfg, why))
        goto fail;
    if (domain_create_containers(d)) {
        *why = "out of memory for its RAM";
        goto fail;
    }
    if (domain_owns_devices(d)) {
        if (identity_ram_populate(d, &img, why) ||
            start_info_build_map(start_page, d->start_info_gpa, d->memmap, d->memmap_entries,
                                 cfg->cmdline, cfg->privileged, why) ||
            boot_modules_give(d, cfg, &img, start_page, why))
            goto fail;
    } else if (populate_ram(d)) {
        *why = "out of memory for its RAM";
        goto fail;
    }
    if (pvh_image_load(image, &img, domain_write_phys, d) ||
        domain_write_phys(d, d->start_info_gpa, start_page, sizeof start_page)) {
        *why = "loading the kernel into its memory failed";
        goto fail;
    }
    if (domain_owns_devices(d))
        pci_give_devices(d);
    if (domain_create_arch_vcpus(d, img.entry)) {
        *why = "out of memory for its vCPUs";
        goto fail;
    }
    domain_start(d);
    char vcpus[16] = "";
    if (d->nvcpus > 1)
        snprintf(vcpus, sizeof vcpus, ", %u vCPUs", d->nvcpus);
    printk("domain '%s' id %u: %u MiB, entry 0x%x%s%s\n", d->name, d->id, cfg->memory_mib,
           img.entry, d->privileged ? ", privileged (dom0)" : "", vcpus);
    policy_print_denied(d);
    return d;

fail:
    domain_destroy(d);
    domain_forget(d);
    return NULL;
}

struct domain *domain_create_boot(const struct bootcfg_domain *cfg, const void *image,
                                  uint64_t image_size)
{
    const char *why = "unknown error";
    uint64_t t0 = arch_read_tsc(), scrub0 = scrub_ticks;
    struct domain *d = build(cfg, image, image_size, &why);
    if (!d) {
        domain_note_refused(cfg->name, why);
        return NULL;
    }
    uint64_t scrub = scrub_ticks - scrub0;
    printk("bench: domain_create %s %u MiB %lu ticks, scrub %lu ticks\n", d->name,
           cfg->memory_mib, arch_read_tsc() - t0 - scrub, scrub);
    return d;
}

/* It has stopped: its vCPUs go down, and serial input it had goes back to dom0. */
static void stop_vcpus(struct domain *d)
{
    for (uint32_t i = 0; i < d->nvcpus; i++)
        vcpu_take_down(d->vcpus[i]);
    console_focus_stopped(d);
}

/* VIRQ_DOM_EXC: dom0 learns that another domain stopped or died (Xen sends
 * it to the hardware domain alone; a domU may bind it and never hears it). */
static void notify_dom0(const struct domain *d)
{
    struct domain *dom0 = domain_by_id(0);
    if (d->privileged || !domain_is_running(dom0))
        return;
    evtchn_send_virq(dom0->vcpus[0], VIRQ_DOM_EXC);
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    stop_vcpus(d);
    notify_dom0(d);
}

void domain_kill(struct domain *d)
{
    if (d->state == DOMAIN_RUNNING) {
        d->state = DOMAIN_KILLED;
        stop_vcpus(d);
    }
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->crash_report, sizeof d->crash_report, fmt, ap);
    va_end(ap);
    printk("domain '%s' (id %u) crashed: %s\n", d->name, d->id, d->crash_report);
    d->state = DOMAIN_CRASHED;
    stop_vcpus(d);
    notify_dom0(d);
}

int domain_map_shared_info(struct domain *d, gpaddr_t gpa)
{
    return physmap_place(d, d->shared_info_frame, gpa, &d->shared_info_slot);
}

void domain_destroy(struct domain *d)
{
    if (d->destroyed)
        return;
    uint64_t free_before = frame_free_count();
    /* Its mappings of others' grants first, so its own pages are judged
     * (freed, or kept for another domain that maps them) with those gone. */
    console_focus_stopped(d);
    grant_unmap_all(d);
    grant_granter_dying(d);
    evtchn_close_all(d);
    pirq_release_domain(d);
    for (uint32_t i = 0; i < d->nvcpus; i++)
        arch_vcpu_destroy(d->vcpus[i]);
    arch_domain_destroy(d);
    grant_free_table(d);
    if (d->shared_info_frame)
        frame_free(d->shared_info_frame);
    d->shared_info_frame = 0;
    d->shared_info = NULL;
    d->frames_owned = 0;
    d->destroyed = true;
    /* Pages other domains still map stay allocated until their last unmap. */
    d->frames_free_after = frame_free_count();
    d->frames_returned = d->frames_free_after - free_before;
    if (d->state != DOMAIN_BUILDING)
        notify_dom0(d);         /* it died: its memory is back */
}

static const char *shutdown_reason_name(uint32_t r)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };
    return r < ARRAY_SIZE(names) ? names[r] : "unknown";
}

void domain_report(const struct domain *d, char *buf, size_t len)
{
    switch (d->state) {
    case DOMAIN_SHUTDOWN:
        snprintf(buf, len, "shut down (%s)", shutdown_reason_name(d->shutdown_reason));
        break;
    case DOMAIN_CRASHED:
        snprintf(buf, len, "crashed: %s", d->crash_report);
        break;
    case DOMAIN_KILLED:
        snprintf(buf, len, "destroyed by dom0");
        break;
    case DOMAIN_BUILDING:
        snprintf(buf, len, "being built");
        break;
    default:
        snprintf(buf, len, "still running");
    }
}

void domain_print_summary(void)
{
    printk("summary:\n");
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domains[i];
        char report[sizeof d->crash_report + 16];
        if (!d)
            continue;
        domain_report(d, report, sizeof report);
        printk("  domain %-12s id %-2u %s\n", d->name, d->id, report);
    }
    for (unsigned i = 0; i < nrefused; i++)
        printk("  domain %-12s refused: %s\n", refused[i].name, refused[i].why);
}

/* At the end of the run, not at destruction: the console is synchronous,
 * and a line printed while other domains measure time would disturb them. */
void domain_print_destroyed(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domains[i];
        if (d && d->destroyed)
            printk("destroyed %s (id %u): %lu frames returned, %lu free after\n", d->name,
                   d->id, d->frames_returned, d->frames_free_after);
    }
}
