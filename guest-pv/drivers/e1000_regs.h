/*
 * Intel 8254x (82540EM) registers and descriptor formats, from Intel's
 * "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual" (317453), chapters 3 (descriptors) and 13 (registers). Only
 * what guest-pv/drivers/e1000.c uses. Every register is 32 bits wide and
 * is accessed as one aligned 32-bit load or store through BAR0.
 */
#ifndef GUEST_E1000_REGS_H
#define GUEST_E1000_REGS_H

#include <stdint.h>

#define E1000_VENDOR_INTEL   0x8086
#define E1000_DEV_82540EM    0x100e
#define E1000_MMIO_SIZE      0x20000     /* BAR0: 128 KiB of registers */

/* General (13.4.1 - 13.4.4) */
#define E1000_CTRL           0x0000
#define E1000_STATUS         0x0008
#define E1000_EERD           0x0014      /* EEPROM read */

#define E1000_CTRL_FD        (1u << 0)   /* full duplex */
#define E1000_CTRL_LRST      (1u << 3)   /* link reset */
#define E1000_CTRL_ASDE      (1u << 5)   /* auto-speed detection */
#define E1000_CTRL_SLU       (1u << 6)   /* set link up */
#define E1000_CTRL_ILOS      (1u << 7)   /* invert loss-of-signal */
#define E1000_CTRL_RST       (1u << 26)  /* device reset, self-clearing */
#define E1000_CTRL_VME       (1u << 30)  /* VLAN mode */
#define E1000_CTRL_PHY_RST   (1u << 31)

#define E1000_STATUS_FD      (1u << 0)
#define E1000_STATUS_LU      (1u << 1)   /* link up */
#define E1000_STATUS_SPEED(s) (((s) >> 6) & 3)  /* 0: 10, 1: 100, 2/3: 1000 Mb/s */

/* EERD on the 82540: start bit 0, done bit 4, word address 15:8, data 31:16. */
#define E1000_EERD_START     (1u << 0)
#define E1000_EERD_DONE      (1u << 4)
#define E1000_EERD_ADDR(a)   ((uint32_t)(a) << 8)
#define E1000_EERD_DATA(v)   ((uint16_t)((v) >> 16))

/* Interrupts (13.4.17 - 13.4.21): ICR reads clear it; IMS sets, IMC clears mask bits. */
#define E1000_ICR            0x00c0
#define E1000_ICS            0x00c8
#define E1000_IMS            0x00d0
#define E1000_IMC            0x00d8

#define E1000_INT_TXDW       (1u << 0)   /* a descriptor with RS was written back */
#define E1000_INT_TXQE       (1u << 1)   /* transmit ring empty */
#define E1000_INT_LSC        (1u << 2)   /* link status change */
#define E1000_INT_RXSEQ      (1u << 3)
#define E1000_INT_RXDMT0     (1u << 4)   /* free receive descriptors below threshold */
#define E1000_INT_RXO        (1u << 6)   /* receive overrun: a frame was dropped */
#define E1000_INT_RXT0       (1u << 7)   /* receive timer: frames arrived */
#define E1000_INT_MDAC       (1u << 9)
#define E1000_INT_ASSERTED   (1u << 31)  /* set by some models (and Bochs) with any cause */

/* Receive (13.4.22 - 13.4.31) */
#define E1000_RCTL           0x0100
#define E1000_RDBAL          0x2800
#define E1000_RDBAH          0x2804
#define E1000_RDLEN          0x2808      /* bytes, a multiple of 128 */
#define E1000_RDH            0x2810
#define E1000_RDT            0x2818
#define E1000_RDTR           0x2820      /* receive interrupt delay */

#define E1000_RCTL_EN        (1u << 1)
#define E1000_RCTL_UPE       (1u << 3)   /* unicast promiscuous */
#define E1000_RCTL_MPE       (1u << 4)   /* multicast promiscuous */
#define E1000_RCTL_LPE       (1u << 5)   /* long packets */
#define E1000_RCTL_BAM       (1u << 15)  /* accept broadcast */
#define E1000_RCTL_BSIZE_2048 (0u << 16) /* with BSEX = 0 */
#define E1000_RCTL_SECRC     (1u << 26)  /* strip the CRC */

/* Transmit (13.4.33 - 13.4.41) */
#define E1000_TCTL           0x0400
#define E1000_TIPG           0x0410
#define E1000_TDBAL          0x3800
#define E1000_TDBAH          0x3804
#define E1000_TDLEN          0x3808
#define E1000_TDH            0x3810
#define E1000_TDT            0x3818

#define E1000_TCTL_EN        (1u << 1)
#define E1000_TCTL_PSP       (1u << 3)   /* pad short packets */
#define E1000_TCTL_CT(n)     ((uint32_t)(n) << 4)    /* collision threshold */
#define E1000_TCTL_COLD(n)   ((uint32_t)(n) << 12)   /* collision distance */
/* IPG for the 82540's copper interface: IPGT 10, IPGR1 8, IPGR2 6 (13.4.34). */
#define E1000_TIPG_COPPER    (10u | (8u << 10) | (6u << 20))

/* Address filters (13.4.45 - 13.4.47) */
#define E1000_MTA            0x5200      /* 128 words of multicast hash */
#define E1000_MTA_WORDS      128
#define E1000_RAL0           0x5400
#define E1000_RAH0           0x5404
#define E1000_RAH_AV         (1u << 31)  /* the entry is valid */

/* Statistics (13.7): all read-to-clear; 64-bit ones clear on reading the high half. */
#define E1000_CRCERRS        0x4000
#define E1000_MPC            0x4010      /* missed: no free receive buffer */
#define E1000_GPRC           0x4074      /* good packets received */
#define E1000_GPTC           0x4080      /* good packets transmitted */
#define E1000_TORL           0x40c0      /* total octets received */
#define E1000_TORH           0x40c4
#define E1000_TOTL           0x40c8      /* total octets transmitted */
#define E1000_TOTH           0x40cc

/* Legacy receive descriptor (3.2.3): the card writes length, status, errors. */
struct e1000_rx_desc {
    uint64_t addr;
    uint16_t length;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "rx descriptor is 16 bytes");

#define E1000_RXD_DD         (1u << 0)   /* descriptor done */
#define E1000_RXD_EOP        (1u << 1)   /* last descriptor of the frame */
/* errors: CE, SE, SEQ, CXE, RXE (TCP/IP checksum errors only with offload, off here) */
#define E1000_RXE_FRAME      (0x01u | 0x02u | 0x04u | 0x10u | 0x80u)

/* Legacy transmit descriptor (3.3.3). */
struct e1000_tx_desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso;
    uint8_t cmd;
    uint8_t status;
    uint8_t css;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "tx descriptor is 16 bytes");

#define E1000_TXD_EOP        (1u << 0)   /* end of packet */
#define E1000_TXD_IFCS       (1u << 1)   /* insert the FCS */
#define E1000_TXD_RS         (1u << 3)   /* report status: write DD back */
#define E1000_TXD_DD         (1u << 0)   /* status: done */

#endif
