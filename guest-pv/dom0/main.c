/*
 * dom0's own work. It enumerates PCI and prints the device list; its
 * drivers (guest-pv/drivers/), backends (guest-pv/backends/) and toolstack
 * (guest-pv/toolstack/) start here as they land. Then it shows that its
 * timer works and powers off.
 */
#include "guest.h"
#include "pci.h"
#include "timer.h"

/* Ticks to wait for, to show the timer path works. */
#define BOOT_TICKS 3

void image_main(const struct guest_env *env)
{
    (void)env;
    pci_init();
    timer_show_ticks(BOOT_TICKS);
}
