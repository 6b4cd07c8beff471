/*
 * The 8254 PIT is only a reference clock for calibration: channel 2 counts
 * down in one-shot mode while its gate is up, and port 0x61 bit 5 reports
 * when it has reached zero.
 */
#include "arch/lapic.h"
#include "arch/x86.h"

#define PIT_HZ          1193182u
#define PIT_CH2_DATA    0x42
#define PIT_COMMAND     0x43
#define PORT_B          0x61
#define PORT_B_GATE2    0x01
#define PORT_B_SPEAKER  0x02
#define PORT_B_OUT2     0x20
#define PIT_CH2_ONESHOT 0xb0    /* channel 2, lobyte/hibyte, mode 0, binary */

void pit_wait_us(uint32_t us)
{
    uint32_t ticks = (uint32_t)((uint64_t)us * PIT_HZ / 1000000);
    if (ticks > 0xffff)
        ticks = 0xffff;

    uint8_t b = inb(PORT_B);
    outb(PORT_B, (b & ~PORT_B_SPEAKER) & ~PORT_B_GATE2);
    outb(PIT_COMMAND, PIT_CH2_ONESHOT);
    outb(PIT_CH2_DATA, ticks & 0xff);
    outb(PIT_CH2_DATA, ticks >> 8);
    outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);   /* start counting */
    while (!(inb(PORT_B) & PORT_B_OUT2))
        pause();
    outb(PORT_B, b);
}
