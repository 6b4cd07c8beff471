/*
 * The hooks the arch-neutral core calls. hv/ includes only this header from
 * the architecture side; everything behind it lives in arch/x86/.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "hv/types.h"

struct domain;
struct vcpu;
struct vcpu_hvm_context;
struct mica_bootinfo;

/* Console, descriptor tables and traps: before anything else prints. */
void arch_early_init(void);
void arch_console_write(const char *s, size_t len);
/* One byte typed on the console, or -1 (never blocks). */
int arch_console_getc(void);

/* Build the hypervisor's own page tables (image + direct map of [0, top)). */
void arch_paging_init(paddr_t top_of_memory);
void *phys_to_virt(paddr_t pa);
paddr_t virt_to_phys(const void *va);

/* Timers: calibrate TSC and LAPIC timer; time since boot. */
void arch_timer_init(void);
uint64_t arch_now_ns(void);
uint64_t arch_tsc_hz(void);
uint64_t arch_read_tsc(void);
/* The scale arch_now_ns uses: ns = ((tsc - tsc_at_boot) << shift) * mul >> 32
 * (right shift for a negative shift), exactly the pvclock formula. */
void arch_time_scale(uint32_t *mul, int8_t *shift, uint64_t *tsc_at_boot);
/* Wall-clock seconds since 1970 from the CMOS RTC, read at the call. */
uint64_t arch_wallclock_seconds(void);
/* Sleep until an interrupt; the LAPIC timer fires by `deadline_ns` (0: none). */
void arch_idle_until(uint64_t deadline_ns);

/* ACPI tables needed for power-off (RSDP from the loader; 0 if none). */
void arch_acpi_init(paddr_t rsdp);
/* Power the machine off: emulator exit ports, then ACPI S5; never returns. */
void arch_power_off(void) __attribute__((noreturn));
void arch_reboot(void) __attribute__((noreturn));
void arch_halt_forever(const char *why) __attribute__((noreturn));

/*
 * CPUs. arch_smp_discover (after arch_acpi_init) finds them: the ACPI MADT,
 * else the loader's list from the firmware. arch_smp_init (after
 * arch_virt_init) starts every other one and returns how many are online;
 * they wait until arch_smp_release, then each runs sched_cpu_loop(). CPU
 * numbers are dense, 0 = the boot CPU.
 */
void arch_smp_discover(const struct mica_bootinfo *bi);
uint32_t arch_smp_init(void);
void arch_smp_release(void);
uint32_t arch_cpu_id(void);
/* Interrupt CPU `cpu` (not this one): it leaves guest mode or idle and looks again. */
void arch_kick_cpu(uint32_t cpu);
/* The watchdog (hv/watchdog.c): send CPU `cpu` an NMI; the domain id whose
 * guest mode CPU `cpu` is in, or -1; make this CPU's timer fire at least
 * every `period_ns` from now on (ticks call watchdog_check). */
void arch_watchdog_nmi(uint32_t cpu);
int arch_cpu_in_guest(uint32_t cpu);
void arch_tick_start(uint64_t period_ns);
/* Spin-wait hint. */
static inline void arch_cpu_relax(void) { __builtin_ia32_pause(); }

/*
 * Hardware virtualisation. arch_virt_init probes and enables it on this CPU;
 * on failure it returns -1 after printing one line naming what is missing.
 */
int arch_virt_init(void);
/* Option guest_nmis=yes (before arch_virt_init): NMIs guests send with their
 * local APICs are delivered (where the CPU can) instead of dropped. */
void arch_guest_nmis_allow(void);
/* Option vmx_disable=NAME (before arch_virt_init): run as if the CPU lacked
 * optional feature NAME. False if there is no such feature. */
bool arch_virt_feature_off(const char *name, size_t len);

/* PCI configuration space through the arch's mechanism (caller holds the
 * hypervisor lock); bdf is bus 15:8, device 7:3, function 2:0. */
uint32_t arch_pci_read(uint16_t bdf, unsigned reg, unsigned bytes);
void arch_pci_write(uint16_t bdf, unsigned reg, unsigned bytes, uint32_t val);
/* A short name of what keeps `port` if the hypervisor does, else NULL. */
const char *arch_port_owner(uint16_t port);

/*
 * Device interrupt lines (GSIs) for hv/pirq.c. arch_irq_init finds the
 * interrupt controllers and masks every line. A routed line arrives on the
 * boot CPU and calls pirq_raised (masked first if level-triggered).
 */
void arch_irq_init(void);
uint32_t arch_gsi_count(void);
const char *arch_gsi_owner(uint32_t gsi);      /* the hypervisor's own: why; else NULL */
bool arch_gsi_default_level(uint32_t gsi);     /* what the firmware configured */
void arch_gsi_route(uint32_t gsi, bool level, bool active_low);     /* left masked */
void arch_gsi_mask(uint32_t gsi, bool masked);

/* Per-domain and per-vCPU arch state (EPT, VMCS). 0 or -ENOMEM style < 0. */
int arch_domain_create(struct domain *d);
/* The most frames arch_domain_create and the domain's page tables can take
 * over its life for ram_bytes of RAM, and arch_vcpu_create per vCPU: what
 * createdomain's admission check counts. */
uint64_t arch_domain_frames_needed(uint64_t ram_bytes, bool owns_devices);
uint64_t arch_vcpu_frames_needed(void);
void arch_domain_destroy(struct domain *d);      /* frees owned RAM frames too */
/* Map one frame the domain owns at guest-physical `gpa` (read/write/execute). */
int arch_domain_map_ram(struct domain *d, gpaddr_t gpa, paddr_t frame);
/*
 * Replace the page at guest-physical `gpa` with `frame` (0: leave it unmapped).
 * ARCH_PAGE_OWNED: the domain owns `frame` (it is released with the domain);
 * ARCH_PAGE_READONLY: the guest may only read it. If the page it replaces was
 * owned, its frame is returned in *released for the caller to release. 0, or
 * -1 when a table frame could not be allocated (nothing changed).
 */
#define ARCH_PAGE_OWNED    (1u << 0)
#define ARCH_PAGE_READONLY (1u << 1)
#define ARCH_PAGE_DEVICE   (1u << 2)      /* device memory (a BAR): uncached */
int arch_domain_set_page(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags,
                         paddr_t *released);
/* Host frame of the RAM page the domain owns at `gpa`; 0 if that is not its own RAM
 * (unmapped, or a shared-info, grant-table or foreign grant mapping). */
paddr_t arch_domain_owned_frame(struct domain *d, gpaddr_t gpa);
/* Guest-physical -> host-physical for RAM the domain may access; 0 if none. */
paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write);

/* Create vCPU state that starts at the PVH entry with EBX = start_info_gpa. */
int arch_vcpu_create(struct vcpu *v, uint32_t entry, uint32_t start_info_gpa);
void arch_vcpu_destroy(struct vcpu *v);
/*
 * VCPUOP_initialise: make `ctx` the start state of `v`, a vCPU that is not
 * running. The whole context is checked first (mode, padding, segments,
 * control registers, EFER, RIP, RFLAGS: anything VM entry would refuse);
 * then its registers, segments and control registers are written and its
 * other registers, FPU and MSRs reset. 0, or -XEN_EINVAL with nothing changed.
 */
int arch_vcpu_set_context(struct vcpu *v, const struct vcpu_hvm_context *ctx);
/* Make v's state (VMCS, FPU, MSRs) the CPU's, so copy_*_guest work for it. */
void arch_vcpu_load(struct vcpu *v);
/* Put the loaded vCPU's state back in memory, so it may run next on any CPU. */
void arch_vcpu_unload(void);
/*
 * Run `v` until the scheduler must choose again (slice over, vCPU blocked,
 * domain shut down or crashed). Returns with the vCPU's state saved.
 */
void arch_vcpu_run(struct vcpu *v, uint64_t slice_end_ns);
/* VM exits CPU `cpu` has handled since boot, of any vCPU (0 for no such CPU).
 * Counted under the hypervisor lock, which the caller holds too. */
uint64_t arch_cpu_exits(uint32_t cpu);

/* The loaded vCPU v is not in 64-bit mode (Xen's hcall_compat, decided
 * per call): a hypercall from it passes Xen's 32-bit layouts (hv/compat.h). */
bool arch_vcpu_compat(const struct vcpu *v);

/* Guest memory access through the vCPU's paging and its domain's EPT. */
int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len);
int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len);

#endif
