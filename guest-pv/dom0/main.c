/*
 * dom0's own work. It owns the machine's devices (docs/devices.md): it
 * lists its boot modules (a toolstack's images: an ELF one is said to be
 * one), enumerates PCI and prints the device list, probes the disks on the IDE
 * controller and the e1000 network card (each driver prints what it found;
 * nothing is written to a disk and the card is not opened), shows that its
 * timer works, then runs the toolstack (guest-pv/toolstack/: its script,
 * then with shell=yes the interactive shell) and powers off. The backends
 * (guest-pv/backends/) start here as they land.
 */
#include "ata.h"
#include "console.h"
#include "e1000.h"
#include "guest.h"
#include "modules.h"
#include "net.h"
#include "netdev.h"
#include "pci.h"
#include "timer.h"
#include "toolstack.h"

/* Ticks to wait for, to show the timer path works. */
#define BOOT_TICKS 3

#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e

static void probe_drivers(void)
{
    int disks = ata_init(ATA_CHANNEL_MASK(0) | ATA_CHANNEL_MASK(1));
    unsigned int nics = 0;
    for (unsigned int i = 0; pci_find_id(E1000_VENDOR, E1000_DEVICE, i); i++) {
        struct netdev *nic = e1000_probe(i);
        if (!nic)
            continue;
        char mac[18];
        net_fmt_mac(mac, nic->mac);
        printk("dom0: %s mac %s link %s\n", nic->name, mac, nic->ops->link_up(nic) ? "up" : "down");
        nics++;
    }
    printk("dom0: %d disk%s, %u network card%s\n", disks > 0 ? disks : 0, disks == 1 ? "" : "s",
           nics, nics == 1 ? "" : "s");
}

static void show_modules(const struct hvm_start_info *si)
{
    struct boot_module m;

    for (uint32_t i = 0; modules_get(si, i, &m); i++) {
        const uint8_t *p = m.data;
        int elf = p && m.size >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
        printk("dom0: module %s %lu bytes%s\n", m.name, (unsigned long)m.size,
               elf ? ", starts with \\x7fELF" : "");
    }
}

void image_main(const struct guest_env *env)
{
    show_modules(env->si);
    pci_init();
    probe_drivers();
    timer_show_ticks(BOOT_TICKS);
    toolstack_main(env);
}
