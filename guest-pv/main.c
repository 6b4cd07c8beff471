/*
 * guest-pv: Mica's paravirtual guest kernel. The same source builds dom0
 * (GUEST_DOM0=1) and domU (GUEST_DOM0=0). This first version greets, runs
 * an optional test action and powers off.
 */
#include <stdint.h>

#include "cmdline.h"
#include "console.h"
#include "guest.h"
#include "hypercall.h"
#include "tests.h"

/* entry.asm identity-maps this much; the command line must lie below it. */
#define IDENTITY_MAP_END 0x100000000ull

#define NAME_MAX_LEN 64
#define TEST_MAX_LEN 64

void guest_exit(uint32_t reason)
{
    hyp_shutdown(reason);
    for (;;)
        __asm__ volatile("hlt");
}

static const char *start_info_cmdline(const struct hvm_start_info *si)
{
    if (si->cmdline_paddr == 0 || si->cmdline_paddr >= IDENTITY_MAP_END)
        return NULL;
    return (const char *)(uintptr_t)si->cmdline_paddr;
}

void guest_main(const struct hvm_start_info *si)
{
    char name[NAME_MAX_LEN] = "guest";
    char test[TEST_MAX_LEN];
    const char *cmdline;

    if (si->magic != HVM_START_MAGIC) {
        printk("guest-pv: bad start-info magic 0x%x at %p\n", si->magic, (const void *)si);
        guest_exit(SHUTDOWN_CRASH);
    }

    cmdline = start_info_cmdline(si);
    cmdline_get(cmdline, "name", name, sizeof(name));
    printk("hello from %s\n", name);

    if (cmdline_get(cmdline, "test", test, sizeof(test)) && !tests_run(test, si)) {
        printk("FAIL: unknown test=%s\n", test);
        guest_exit(SHUTDOWN_CRASH);
    }
    guest_exit(SHUTDOWN_POWEROFF);
}
