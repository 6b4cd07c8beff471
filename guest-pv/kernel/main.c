/*
 * guest-pv: Mica's paravirtual guest kernel. The same core builds dom0
 * (GUEST_DOM0=1) and domU (GUEST_DOM0=0) images. It greets, sets up the Xen
 * PVH interfaces (hypercall page, shared info, events, timer, console ring),
 * runs the image's own work (image_main) and powers off.
 */
#include <stdint.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "guest.h"
#include "hypercall.h"
#include "idt.h"
#include "percpu.h"
#include "shared_info.h"
#include "timer.h"

#define NAME_MAX_LEN 64

void guest_exit(uint32_t reason)
{
    hyp_shutdown(reason);
    for (;;)
        cli_hlt();
}

static const char *start_info_cmdline(const struct hvm_start_info *si)
{
    if (si->cmdline_paddr == 0 || si->cmdline_paddr >= IDENTITY_MAP_END)
        return NULL;
    return (const char *)(uintptr_t)si->cmdline_paddr;
}

/* Each step prints why it failed; without them this kernel cannot go on. */
static void xen_setup(void)
{
    if (!hypercall_page_init() || !shared_info_init() || !evtchn_init() || !timer_init())
        guest_exit(SHUTDOWN_CRASH);
    console_init();
}

void guest_main(const struct hvm_start_info *si)
{
    char name[NAME_MAX_LEN] = "guest";
    const char *cmdline;

    percpu_init(0);             /* before anything that prints */
    idt_init();
    if (si->magic != HVM_START_MAGIC) {
        printk("guest-pv: bad start-info magic 0x%x at %p\n", si->magic, (const void *)si);
        guest_exit(SHUTDOWN_CRASH);
    }

    cmdline = start_info_cmdline(si);
    cmdline_get(cmdline, "name", name, sizeof(name));
    printk("hello from %s\n", name);

    xen_setup();
    printk("wallclock: %lu\n", (unsigned long)clock_wallclock_sec());

    image_main(&(struct guest_env){ .si = si, .name = name, .cmdline = cmdline });
    guest_exit(SHUTDOWN_POWEROFF);
}
