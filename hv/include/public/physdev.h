/*
 * physdev_op(cmd, arg): RDI = cmd, RSI = guest pointer. Physical interrupts
 * (PIRQs) for the domain that owns the devices (dom0): a GSI is mapped to a
 * PIRQ, the PIRQ is bound to an event channel (EVTCHNOP_bind_pirq), and a
 * level-triggered line stays masked at the IOAPIC from its interrupt until
 * the owner's PHYSDEVOP_eoi. Numbers and layouts are Xen's public ABI
 * (xen/include/public/physdev.h); docs/abi.md lists what Mica implements.
 */
#ifndef MICA_PUBLIC_PHYSDEV_H
#define MICA_PUBLIC_PHYSDEV_H

#include <stddef.h>
#include <stdint.h>

#define PHYSDEVOP_IRQ_STATUS_QUERY  5
#define PHYSDEVOP_EOI              12
#define PHYSDEVOP_MAP_PIRQ         13
#define PHYSDEVOP_UNMAP_PIRQ       14
#define PHYSDEVOP_SETUP_GSI        21

struct physdev_eoi {
    uint32_t irq;               /* IN: the PIRQ */
};
_Static_assert(sizeof(struct physdev_eoi) == 4, "physdev_eoi size");

#define XENIRQSTAT_NEEDS_EOI (1u << 0)
#define XENIRQSTAT_SHARED    (1u << 1)

struct physdev_irq_status_query {
    uint32_t irq;               /* IN: the PIRQ */
    uint32_t flags;             /* OUT: XENIRQSTAT_* */
};
_Static_assert(sizeof(struct physdev_irq_status_query) == 8, "irq_status_query size");

#define MAP_PIRQ_TYPE_MSI 0x0
#define MAP_PIRQ_TYPE_GSI 0x1

struct physdev_map_pirq {
    uint16_t domid;             /* IN: DOMID_SELF or the caller's id */
    int32_t type;               /* IN: MAP_PIRQ_TYPE_GSI (MSI: -EOPNOTSUPP) */
    int32_t index;              /* IN: the GSI */
    int32_t pirq;               /* IN: wanted PIRQ, or -1 for any; OUT: the PIRQ */
    int32_t bus;                /* MSI only */
    int32_t devfn;              /* MSI only */
    int32_t entry_nr;           /* MSI only */
    uint64_t table_base;        /* MSI only */
};
_Static_assert(sizeof(struct physdev_map_pirq) == 40, "map_pirq size");
_Static_assert(offsetof(struct physdev_map_pirq, pirq) == 12, "map_pirq.pirq");
_Static_assert(offsetof(struct physdev_map_pirq, table_base) == 32, "map_pirq.table_base");

struct physdev_unmap_pirq {
    uint16_t domid;             /* IN */
    int32_t pirq;               /* IN */
};
_Static_assert(sizeof(struct physdev_unmap_pirq) == 8, "unmap_pirq size");

struct physdev_setup_gsi {
    int32_t gsi;                /* IN */
    uint8_t triggering;         /* IN: 0 edge, 1 level */
    uint8_t polarity;           /* IN: 0 active high, 1 active low */
};
_Static_assert(sizeof(struct physdev_setup_gsi) == 8, "setup_gsi size");

#endif
