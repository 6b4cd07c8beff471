/*
 * SPCR decoding, apart from the table's discovery (acpi.c) so that the host
 * unit test can feed it any bytes. Field offsets follow Microsoft's "Serial
 * Port Console Redirection Table" (revision 2 is 80 bytes; revision 3 adds
 * the UART clock at 76, revision 4 the precise baud rate at 80).
 */
#include "arch/spcr.h"
#include "hv/string.h"

#define SPCR_MIN_LEN        80
#define SPCR_INTERFACE      36
#define SPCR_BASE_GAS       40          /* space id, bit width, bit offset, access size, address */
#define SPCR_INT_TYPE       52
#define SPCR_GSI            54
#define SPCR_BAUD           58
#define SPCR_UART_CLOCK     76          /* revision 3 and later; 0: unknown */
#define SPCR_PRECISE_BAUD   80          /* revision 4 and later; 0: use SPCR_BAUD */

#define GAS_SYSTEM_MEMORY   0
#define GAS_SYSTEM_IO       1
#define INT_TYPE_IOAPIC     (1u << 1)

/* DBG2 serial port subtypes of the 16550 family (DBG2 table 3). */
#define DBG2_16550          0x00
#define DBG2_16550_SUBSET   0x01        /* 16450 that also accepts FCR writes */
#define DBG2_16550_GAS      0x12        /* 16550 with registers laid out by the GAS */

#define PC_UART_CLOCK       1843200u    /* 16 x 115200 */

static uint32_t get32(const uint8_t *p, uint32_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}

/* The SPCR's "configured baud rate" codes; 0 means as the firmware left it. */
static bool baud_from_code(uint8_t code, uint32_t *baud)
{
    switch (code) {
    case 0: *baud = 0; return true;
    case 3: *baud = 9600; return true;
    case 4: *baud = 19200; return true;
    case 6: *baud = 57600; return true;
    case 7: *baud = 115200; return true;
    default: return false;
    }
}

int spcr_parse(const void *table, uint32_t len, struct spcr_uart *out, const char **why)
{
    const uint8_t *p = table;
    memset(out, 0, sizeof *out);
    if (len < SPCR_MIN_LEN) {
        *why = "shorter than the 80 bytes of revision 2";
        return -1;
    }
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += p[i];
    if (memcmp(p, "SPCR", 4) || sum) {
        *why = "bad signature or checksum";
        return -1;
    }
    uint8_t revision = p[8];
    out->interface = p[SPCR_INTERFACE];
    if (out->interface != DBG2_16550 && out->interface != DBG2_16550_SUBSET &&
        out->interface != DBG2_16550_GAS) {
        *why = "the UART is not 16550-compatible";
        return -1;
    }
    const uint8_t *gas = p + SPCR_BASE_GAS;
    memcpy(&out->base, gas + 4, 8);
    out->reg_bits = gas[1];
    if (!out->base) {
        *why = "console redirection is disabled (base address 0)";
        return -1;
    }
    if (gas[0] != GAS_SYSTEM_IO && gas[0] != GAS_SYSTEM_MEMORY) {
        *why = "the base address is in neither I/O nor memory space";
        return -1;
    }
    out->mmio = gas[0] == GAS_SYSTEM_MEMORY;
    if (!out->mmio && out->base > 0xffff - 7) {
        *why = "the I/O base leaves no room for the 8 registers";
        return -1;
    }
    if (!baud_from_code(p[SPCR_BAUD], &out->baud)) {
        *why = "unknown baud rate code";
        return -1;
    }
    if (revision >= 4 && len >= SPCR_PRECISE_BAUD + 4 && get32(p, SPCR_PRECISE_BAUD))
        out->baud = get32(p, SPCR_PRECISE_BAUD);
    uint32_t clock = revision >= 3 ? get32(p, SPCR_UART_CLOCK) : 0;
    if (!clock)
        clock = PC_UART_CLOCK;
    /* The nearest divisor, if it lands within 2% of the rate (UARTs tolerate ~3%). */
    if (out->baud) {
        uint64_t per_bit = 16ull * out->baud;
        uint64_t div = (clock + per_bit / 2) / per_bit;
        uint64_t got = div ? clock / (16 * div) : 0;
        uint64_t off = got > out->baud ? got - out->baud : out->baud - got;
        if (!div || div > 0xffff || off * 50 > out->baud) {
            *why = "the baud rate is not reachable from the UART clock";
            return -1;
        }
        out->divisor = (uint32_t)div;
    }
    out->has_gsi = p[SPCR_INT_TYPE] & INT_TYPE_IOAPIC;
    out->gsi = get32(p, SPCR_GSI);
    return 0;
}
