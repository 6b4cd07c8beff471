/*
 * Intel 82540EM driver (e1000.h), following Intel's 8254x software
 * developer's manual (317453): chapter 14 for the initialisation order,
 * chapter 3 for the legacy descriptors.
 *
 * Registers are reached through the memory BAR0 with aligned 32-bit
 * accesses (the hypervisor maps it uncached at its bus address). Rings and
 * buffers are static arrays here, and their addresses go to the card as
 * they are: dom0 is identity-mapped (guest-physical == machine address)
 * and the kernel maps the first 4 GiB virtual == guest-physical, so a
 * pointer below 4 GiB is the bus address the card must use.
 *
 * Single-threaded: everything runs on vCPU 0 with interrupts off, the
 * interrupt handler included (it runs from the event-channel upcall).
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/errno.h>

#include "arch.h"
#include "clock.h"
#include "console.h"
#include "e1000.h"
#include "e1000_regs.h"
#include "guest.h"
#include "lib.h"
#include "pci.h"
#include "pirq.h"

/* Ring sizes: RDLEN/TDLEN must be multiples of 128 bytes (8 descriptors). */
#define RX_DESCS    32
#define TX_DESCS    32
#define BUF_SIZE    2048        /* RCTL.BSIZE: one buffer holds any frame we accept */
#define RESET_TIMEOUT_NS  (10 * NSEC_PER_MSEC)
#define EERD_TIMEOUT_NS   (10 * NSEC_PER_MSEC)

_Static_assert((RX_DESCS * sizeof(struct e1000_rx_desc)) % 128 == 0, "RDLEN multiple of 128");
_Static_assert((TX_DESCS * sizeof(struct e1000_tx_desc)) % 128 == 0, "TDLEN multiple of 128");

struct e1000 {
    volatile uint32_t *regs;
    const struct pci_dev *pci;
    struct netdev nd;
    bool open;
    unsigned int rx_next;       /* the next descriptor the card fills */
    unsigned int tx_tail;       /* the next descriptor we fill (== TDT) */
    unsigned int tx_clean;      /* the oldest descriptor not yet seen done */
    struct netdev_hw_stats hw;  /* sums of the read-to-clear counters */
    uint64_t causes[E1000_CAUSES];
    bool irq_bound;
    struct pirq_line line;
    uint64_t events;            /* events delivered on line.port */
};

/* The card reads and writes these by DMA; 128-byte alignment covers the 16 required. */
static struct e1000_rx_desc rx_ring[RX_DESCS] __attribute__((aligned(128)));
static struct e1000_tx_desc tx_ring[TX_DESCS] __attribute__((aligned(128)));
static uint8_t rx_bufs[RX_DESCS][BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t tx_bufs[TX_DESCS][BUF_SIZE] __attribute__((aligned(4096)));

/* One card is all the test machines have; a second probe is refused. */
static struct e1000 card;
static bool card_used;
static const char card_name[] = "e1000-0";

static uint32_t rd(const struct e1000 *e, uint32_t reg)
{
    return e->regs[reg / 4];
}

static void wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
    e->regs[reg / 4] = v;
}

/* The bus address of our own memory: identity-mapped dom0 (see the top). */
static uint64_t bus_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static struct e1000 *to_e1000(const struct netdev *nd)
{
    return nd->priv;
}

/* 14.5 note: after CTRL.RST wait for the bit to clear before touching anything. */
static bool e1000_reset(struct e1000 *e)
{
    uint64_t deadline;

    wr(e, E1000_IMC, ~0u);
    wr(e, E1000_RCTL, 0);
    wr(e, E1000_TCTL, 0);
    wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_RST);
    deadline = clock_now_ns() + RESET_TIMEOUT_NS;
    while (rd(e, E1000_CTRL) & E1000_CTRL_RST) {
        if (clock_now_ns() > deadline)
            return false;
        cpu_relax();
    }
    wr(e, E1000_IMC, ~0u);      /* the reset may leave causes: mask and drop them */
    (void)rd(e, E1000_ICR);
    return true;
}

/* One EEPROM word through EERD; false on timeout. */
static bool eeprom_read(struct e1000 *e, uint8_t word, uint16_t *out)
{
    uint64_t deadline = clock_now_ns() + EERD_TIMEOUT_NS;
    uint32_t v;

    wr(e, E1000_EERD, E1000_EERD_ADDR(word) | E1000_EERD_START);
    while (!((v = rd(e, E1000_EERD)) & E1000_EERD_DONE)) {
        if (clock_now_ns() > deadline)
            return false;
        cpu_relax();
    }
    *out = E1000_EERD_DATA(v);
    return true;
}

/* EEPROM words 0-2 hold the MAC address, low byte first (table 5-2). */
static bool read_mac(struct e1000 *e, uint8_t mac[ETH_ALEN])
{
    uint8_t any = 0;

    for (uint8_t w = 0; w < 3; w++) {
        uint16_t v;

        if (!eeprom_read(e, w, &v))
            return false;
        mac[2 * w] = (uint8_t)v;
        mac[2 * w + 1] = (uint8_t)(v >> 8);
        any |= mac[2 * w] | mac[2 * w + 1];
    }
    /* All-zero or a group address cannot be a card's own. */
    return any != 0 && !(mac[0] & 1);
}

/* Receive address 0 = our MAC (the card filters on it); no multicast. */
static void set_filters(struct e1000 *e)
{
    const uint8_t *m = e->nd.mac;

    wr(e, E1000_RAL0, (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
                      (uint32_t)m[3] << 24);
    wr(e, E1000_RAH0, (uint32_t)m[4] | (uint32_t)m[5] << 8 | E1000_RAH_AV);
    for (uint32_t i = 0; i < E1000_MTA_WORDS; i++)
        wr(e, E1000_MTA + 4 * i, 0);
}

/* Read the statistics registers (clearing them) and add them to our sums. */
static void collect_stats(struct e1000 *e)
{
    uint64_t lo;

    e->hw.rx_crc_errors += rd(e, E1000_CRCERRS);
    e->hw.rx_missed += rd(e, E1000_MPC);
    e->hw.rx_good += rd(e, E1000_GPRC);
    e->hw.tx_good += rd(e, E1000_GPTC);
    lo = rd(e, E1000_TORL);     /* low half first: reading the high half clears both */
    e->hw.rx_octets += lo | (uint64_t)rd(e, E1000_TORH) << 32;
    lo = rd(e, E1000_TOTL);
    e->hw.tx_octets += lo | (uint64_t)rd(e, E1000_TOTH) << 32;
}

/* 14.4: every descriptor but one owned by the card (RDT one behind RDH). */
static void rx_setup(struct e1000 *e)
{
    for (unsigned int i = 0; i < RX_DESCS; i++) {
        rx_ring[i] = (struct e1000_rx_desc){ .addr = bus_addr(rx_bufs[i]) };
    }
    e->rx_next = 0;
    wr(e, E1000_RDBAL, (uint32_t)bus_addr(rx_ring));
    wr(e, E1000_RDBAH, (uint32_t)(bus_addr(rx_ring) >> 32));
    wr(e, E1000_RDLEN, sizeof(rx_ring));
    wr(e, E1000_RDH, 0);
    wr(e, E1000_RDT, RX_DESCS - 1);
    wr(e, E1000_RDTR, 0);       /* interrupt at once, no delay timer */
    wr(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 |
                      E1000_RCTL_SECRC);
}

/* 14.5: empty ring (TDH == TDT), pad short frames, full-duplex collision values. */
static void tx_setup(struct e1000 *e)
{
    memset(tx_ring, 0, sizeof(tx_ring));
    e->tx_tail = e->tx_clean = 0;
    wr(e, E1000_TDBAL, (uint32_t)bus_addr(tx_ring));
    wr(e, E1000_TDBAH, (uint32_t)(bus_addr(tx_ring) >> 32));
    wr(e, E1000_TDLEN, sizeof(tx_ring));
    wr(e, E1000_TDH, 0);
    wr(e, E1000_TDT, 0);
    wr(e, E1000_TIPG, E1000_TIPG_COPPER);
    wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) |
                      E1000_TCTL_COLD(0x40));
}

static int e1000_open(struct netdev *nd)
{
    struct e1000 *e = to_e1000(nd);

    if (e->open)
        return 0;
    /* Bus mastering only now: before it the card cannot reach memory at all. */
    pci_enable(e->pci, false, true, true);
    rx_setup(e);
    tx_setup(e);
    e->open = true;
    return 0;
}

/* Forget the transmit descriptors the card has finished with. */
static void tx_reclaim(struct e1000 *e)
{
    while (e->tx_clean != e->tx_tail &&
           (READ_ONCE(tx_ring[e->tx_clean].status) & E1000_TXD_DD))
        e->tx_clean = (e->tx_clean + 1) % TX_DESCS;
}

static int e1000_transmit(struct netdev *nd, const void *frame, size_t len)
{
    struct e1000 *e = to_e1000(nd);
    unsigned int i = e->tx_tail, next = (i + 1) % TX_DESCS;
    size_t padded = len < ETH_ZLEN ? ETH_ZLEN : len;

    if (!e->open || len < ETH_HLEN || len > ETH_FRAME_MAX)
        return -XEN_EINVAL;
    if (next == e->tx_clean)
        tx_reclaim(e);
    if (next == e->tx_clean) {
        nd->stats.tx_busy++;
        return -XEN_EAGAIN;
    }
    /* Pad in software too: not every emulated card honours TCTL.PSP. */
    memcpy(tx_bufs[i], frame, len);
    memset(tx_bufs[i] + len, 0, padded - len);
    tx_ring[i] = (struct e1000_tx_desc){
        .addr = bus_addr(tx_bufs[i]),
        .length = (uint16_t)padded,
        .cmd = E1000_TXD_EOP | E1000_TXD_IFCS | E1000_TXD_RS,
    };
    /* x86 keeps stores in order: the descriptor is in memory before TDT moves. */
    barrier();
    e->tx_tail = next;
    wr(e, E1000_TDT, next);
    nd->stats.tx_frames++;
    nd->stats.tx_bytes += padded;
    return 0;
}

/*
 * Received frames are hostile input: a descriptor that is not one whole
 * frame (EOP), carries an error, or is shorter than a header or longer
 * than our largest frame is dropped and counted.
 */
static unsigned int e1000_poll(struct netdev *nd, unsigned int budget)
{
    struct e1000 *e = to_e1000(nd);
    unsigned int done = 0, last = RX_DESCS;

    if (!e->open)
        return 0;
    while (done < budget) {
        struct e1000_rx_desc *d = &rx_ring[e->rx_next];
        uint8_t status = READ_ONCE(d->status);
        uint16_t len;

        if (!(status & E1000_RXD_DD))
            break;
        barrier();              /* length and errors after DD */
        len = READ_ONCE(d->length);
        if (READ_ONCE(d->errors) & E1000_RXE_FRAME)
            nd->stats.rx_errors++;
        else if (!(status & E1000_RXD_EOP) || len < ETH_HLEN || len > ETH_FRAME_MAX)
            nd->stats.rx_oversize++;
        else {
            nd->stats.rx_frames++;
            nd->stats.rx_bytes += len;
            nd->rx_tsc = rdtsc();
            if (nd->rx)
                nd->rx(nd->rx_ctx, nd, rx_bufs[e->rx_next], len);
        }
        done++;
        /* Give the buffer back: the card may fill it once RDT has passed it. */
        d->status = 0;
        last = e->rx_next;
        e->rx_next = (e->rx_next + 1) % RX_DESCS;
    }
    if (last != RX_DESCS)
        wr(e, E1000_RDT, last);
    tx_reclaim(e);
    return done;
}

static void e1000_interrupt(struct netdev *nd)
{
    struct e1000 *e = to_e1000(nd);
    uint32_t icr = rd(e, E1000_ICR);    /* reading clears it and drops the line */

    nd->stats.interrupts++;
    if ((icr & ~E1000_INT_ASSERTED) == 0)
        nd->stats.spurious++;
    for (unsigned int bit = 0; bit < E1000_CAUSES; bit++) {
        if (icr & (1u << bit))
            e->causes[bit]++;
    }
    while (e1000_poll(nd, RX_DESCS) != 0)
        ;
}

static bool e1000_link_up(struct netdev *nd)
{
    return rd(to_e1000(nd), E1000_STATUS) & E1000_STATUS_LU;
}

static void e1000_hw_stats(struct netdev *nd, struct netdev_hw_stats *out)
{
    struct e1000 *e = to_e1000(nd);

    collect_stats(e);
    *out = e->hw;
}

static const struct netdev_ops e1000_ops = {
    .open      = e1000_open,
    .transmit  = e1000_transmit,
    .poll      = e1000_poll,
    .interrupt = e1000_interrupt,
    .link_up   = e1000_link_up,
    .hw_stats  = e1000_hw_stats,
};

/* BAR0 must be a memory BAR big enough for the registers, inside the identity map. */
static volatile uint32_t *map_bar0(const struct pci_dev *pci)
{
    const struct pci_bar *b = &pci->bar[0];

    if (b->kind != PCI_BAR_MEM || b->size < E1000_MMIO_SIZE || b->base == 0 ||
        b->base + b->size > IDENTITY_MAP_END) {
        printk("e1000: BAR0 unusable (kind %u, base 0x%lx, size 0x%lx)\n", (unsigned)b->kind,
               (unsigned long)b->base, (unsigned long)b->size);
        return NULL;
    }
    return (volatile uint32_t *)(uintptr_t)b->base;
}

struct netdev *e1000_probe(unsigned int idx)
{
    const struct pci_dev *pci = pci_find_id(E1000_VENDOR_INTEL, E1000_DEV_82540EM, idx);
    struct e1000 *e = &card;

    if (pci == NULL) {
        printk("e1000: no 82540EM (8086:100e) number %u on the PCI bus\n", idx);
        return NULL;
    }
    if (card_used) {
        printk("e1000: only one card is supported\n");
        return NULL;
    }
    memset(e, 0, sizeof(*e));
    e->pci = pci;
    if ((e->regs = map_bar0(pci)) == NULL)
        return NULL;
    pci_enable(pci, false, true, false);
    if (!e1000_reset(e)) {
        printk("e1000: CTRL.RST did not clear\n");
        return NULL;
    }
    /* 14.3: link up by software (SLU with auto-speed), no VLANs, PHY out of reset. */
    wr(e, E1000_CTRL, (rd(e, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE) &
                      ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_VME | E1000_CTRL_PHY_RST));
    if (!read_mac(e, e->nd.mac)) {
        printk("e1000: no valid MAC address in the EEPROM\n");
        return NULL;
    }
    set_filters(e);
    collect_stats(e);           /* start the sums from zero */
    memset(&e->hw, 0, sizeof(e->hw));
    e->nd.name = card_name;
    e->nd.ops = &e1000_ops;
    e->nd.priv = e;
    if (!netdev_register(&e->nd))
        return NULL;
    card_used = true;
    return &e->nd;
}

/*
 * The event-channel handler: the line is level-triggered and stays masked
 * at the hypervisor until the EOI, which comes after ICR has been read
 * (reading it drops INTA#), so the line cannot fire again for this cause.
 */
static void e1000_event(evtchn_port_t port)
{
    (void)port;
    card.events++;
    e1000_interrupt(&card.nd);
    pirq_line_eoi(&card.line);
}

int e1000_bind_irq(struct netdev *dev)
{
    struct e1000 *e = to_e1000(dev);
    long rc;

    if (e->irq_bound)
        return 0;
    /* Causes latched while we polled are stale: drop them before the line is ours. */
    (void)rd(e, E1000_ICR);
    rc = pirq_line_open(&e->line, e->pci->irq_line, e1000_event);
    if (rc < 0)
        return (int)rc;
    e->irq_bound = true;
    printk("e1000: GSI %u is PIRQ %u on port %u (%s)\n", e->pci->irq_line, e->line.pirq,
           e->line.port, e->line.needs_eoi ? "level, EOI after each event" : "edge");
    /* Causes latch in ICR whether masked or not; unmasked they raise INTA#. */
    wr(e, E1000_IMS, E1000_INT_RXT0 | E1000_INT_RXO | E1000_INT_RXDMT0 | E1000_INT_LSC |
                     E1000_INT_TXDW);
    return 0;
}

uint64_t e1000_events(const struct netdev *dev)
{
    return to_e1000(dev)->events;
}

uint8_t e1000_irq_line(const struct netdev *dev)
{
    return to_e1000(dev)->pci->irq_line;
}

const uint64_t *e1000_cause_counts(const struct netdev *dev)
{
    return to_e1000(dev)->causes;
}
