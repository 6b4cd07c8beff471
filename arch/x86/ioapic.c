/*
 * The IOAPIC (arch/ioapic.h). Registers are reached through an index
 * (IOREGSEL, offset 0) and a window (IOWIN, 0x10); a redirection entry is
 * two 32-bit registers at 0x10 + 2n. Both the hypervisor lock's holder and
 * the interrupt path (which masks a level line before its EOI) use them, so
 * a small lock of its own keeps each index/window pair together.
 */
#include "arch/acpi.h"
#include "arch/ioapic.h"
#include "arch/madt.h"
#include "arch/x86.h"
#include "hv/arch.h"
#include "hv/printk.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOREGSEL 0x00
#define IOWIN    0x10
#define REG_VERSION 0x01
#define REG_REDIR(n) (0x10 + 2 * (n))
#define REDIR_MASKED     (1u << 16)
#define REDIR_LEVEL      (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define ELCR1 0x4d0
#define ELCR2 0x4d1

static volatile uint32_t *regs;
static uint32_t npins;
static uint32_t redir_low[IOAPIC_MAX_PINS];    /* what we last wrote */
static uint32_t elcr;
static int lock;

static void lock_regs(void)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        arch_cpu_relax();
}

static void unlock_regs(void)
{
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static uint32_t read_reg(uint32_t reg)
{
    regs[IOREGSEL / 4] = reg;
    return regs[IOWIN / 4];
}

static void write_reg(uint32_t reg, uint32_t val)
{
    regs[IOREGSEL / 4] = reg;
    regs[IOWIN / 4] = val;
}

void ioapic_init(void)
{
    uint32_t len;
    const void *madt = acpi_table("APIC", &len);
    struct madt_cpus m;
    const char *why;
    uint32_t base = IOAPIC_DEFAULT_BASE;
    if (madt && !madt_parse(madt, len, &m, &why) && m.ioapic_addr)
        base = m.ioapic_addr;
    /* The 8259s stay masked: every line the owner uses goes through the IOAPIC. */
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
    elcr = inb(ELCR1) | (uint32_t)inb(ELCR2) << 8;
    regs = phys_to_virt(base);
    uint32_t version = read_reg(REG_VERSION);
    if (version == ~0u) {
        printk("ioapic: none at 0x%x: no device interrupts\n", base);
        regs = NULL;
        return;
    }
    npins = MIN(((version >> 16) & 0xff) + 1, (uint32_t)IOAPIC_MAX_PINS);
    for (uint32_t i = 0; i < npins; i++) {
        redir_low[i] = REDIR_MASKED;
        write_reg(REG_REDIR(i) + 1, 0);
        write_reg(REG_REDIR(i), REDIR_MASKED);
    }
    printk("ioapic: at 0x%x, %u pins, all masked; ELCR 0x%04x\n", base, npins, elcr);
}

uint32_t ioapic_pins(void)
{
    return npins;
}

void ioapic_route(uint32_t gsi, bool level, bool active_low, uint32_t apic_id)
{
    if (gsi >= npins)
        return;
    uint32_t low = (VECTOR_GSI_BASE + gsi) | REDIR_MASKED | (level ? REDIR_LEVEL : 0) |
                   (active_low ? REDIR_ACTIVE_LOW : 0);     /* fixed delivery, physical */
    lock_regs();
    redir_low[gsi] = low;
    write_reg(REG_REDIR(gsi), REDIR_MASKED);
    write_reg(REG_REDIR(gsi) + 1, apic_id << 24);
    write_reg(REG_REDIR(gsi), low);
    unlock_regs();
}

void ioapic_mask(uint32_t gsi, bool masked)
{
    if (gsi >= npins)
        return;
    lock_regs();
    redir_low[gsi] = masked ? redir_low[gsi] | REDIR_MASKED : redir_low[gsi] & ~REDIR_MASKED;
    write_reg(REG_REDIR(gsi), redir_low[gsi]);
    unlock_regs();
}

bool ioapic_is_level(uint32_t gsi)
{
    return gsi < npins && (redir_low[gsi] & REDIR_LEVEL);
}

bool elcr_level(uint32_t irq)
{
    return irq < 16 && (elcr >> irq & 1);
}
